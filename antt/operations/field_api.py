"""The field API, ``/api/v1/events/{code}/field/…``: the phone app's only door (same services as the pages).

Every write needs an ``Idempotency-Key`` header (a UUID): see ``idempotency``. The schema documents the
answers: 201 (or the first answer replayed, ``Idempotent-Replayed: true``), 400 missing key or bad body,
409 the same key still in progress, 422 the key reused with another body.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.parsers import BaseParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.api import IdField, StrictCharField, StrictDateTimeField
from antt.core.permissions import require
from antt.events import queries as event_queries
from antt.events.api_permissions import EventWritePermission
from antt.operations import field_positions, field_queries, field_reports, field_services
from antt.operations.idempotency import idempotent
from antt.planning.models import Post

WRITE = "operations.report"

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="A new UUID per write; the same key and body again replays the first answer.",
)
PROBLEM = inline_serializer(
    "FieldProblem", {"detail": serializers.CharField(), "code": serializers.CharField()}
)
WRITE_ANSWERS = {
    400: OpenApiResponse(PROBLEM, description="No Idempotency-Key, or the body breaks a rule."),
    404: OpenApiResponse(PROBLEM, description="No such event, post or report for you."),
    409: OpenApiResponse(
        PROBLEM, description="The first request with this key is still in progress, or a state conflict."
    ),
    422: OpenApiResponse(PROBLEM, description="This key was used with another body or URL."),
}


def _answers(created: Any) -> dict[int, Any]:
    return {201: created, **WRITE_ANSWERS}


class Position(serializers.Serializer[Any]):
    lat = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100_000)
    device_time = StrictDateTimeField(required=False, allow_null=True)


class AckInput(serializers.Serializer[Any]):
    post = IdField()
    orders_digest = StrictCharField(max_length=64)
    device_time = StrictDateTimeField(required=False, allow_null=True)


class CheckInInput(Position):
    post = IdField()
    kind = StrictCharField(max_length=10, required=False, default="in")
    code_step = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=2**40)
    code = StrictCharField(max_length=12, required=False, default="", allow_blank=True)
    nfc_e = StrictCharField(max_length=64, required=False, default="", allow_blank=True)
    nfc_c = StrictCharField(max_length=32, required=False, default="", allow_blank=True)
    orders_digest = StrictCharField(max_length=64, required=False, default="", allow_blank=True)


class CheckInOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    proofs = serializers.JSONField()
    is_strong = serializers.BooleanField()
    post = serializers.IntegerField(source="post_id")
    assignment = serializers.IntegerField(source="assignment_id")


class ReportInput(Position):
    client_id = serializers.UUIDField()
    category = StrictCharField(max_length=40)
    priority = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    text = StrictCharField(max_length=4000)
    post = IdField(required=False, allow_null=True)


class ReportOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    client_id = serializers.UUIDField()
    incident = serializers.IntegerField(source="incident_id")
    incident_number = serializers.IntegerField(source="incident.number")
    received_at = serializers.DateTimeField()


class SosInput(Position):
    pin = StrictCharField(max_length=8)


class SosOutput(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()


class PointInput(serializers.Serializer[Any]):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lon = serializers.FloatField(min_value=-180, max_value=180)
    accuracy_m = serializers.FloatField(required=False, allow_null=True, min_value=0, max_value=100_000)
    device_time = StrictDateTimeField()


class PositionsInput(serializers.Serializer[Any]):
    points = serializers.ListField(child=PointInput(), min_length=1, max_length=field_services.MAX_BATCH)


def _post(event: Any, post_id: int | None) -> Post | None:
    if post_id is None:
        return None
    post = Post.objects.filter(event=event, pk=post_id).select_related("site").first()
    if post is None:
        from django.utils.translation import gettext as _

        from antt.core.errors import Invalid

        raise Invalid(_("Unknown post in this event."), field="post")
    return post


def _body(request: Request) -> bytes:
    data = request.data
    return data if isinstance(data, bytes) else b""


class FieldWritePermission(EventWritePermission):
    """``EventWritePermission`` (404 for a non-member, 403 without the right) with the event looked up once
    per request: the view's ``event()`` reuses it."""

    def has_permission(self, request: Any, view: Any) -> bool:
        code = getattr(view, "kwargs", {}).get("code")
        if request.method in permissions.SAFE_METHODS or code is None:
            return True
        require(request.user, view.write_action, view.event(request, code))
        return True


class FieldView(APIView):
    write_action = WRITE
    permission_classes = [permissions.IsAuthenticated, FieldWritePermission]

    def event(self, request: Request, code: str) -> Any:
        """The event (404 unless a member), once per request."""
        found = getattr(self, "_event", None)
        if found is None or found.code != code:
            found = self._event = event_queries.get_event_for(request.user, code)
        return found

    @staticmethod
    def valid(serializer_class: Any, request: Request) -> dict[str, Any]:
        form = serializer_class(data=request.data)
        form.is_valid(raise_exception=True)
        return dict(form.validated_data)


class TodayView(FieldView):
    @extend_schema(
        summary="My duties now and next",
        responses=inline_serializer(
            "FieldToday", {"duties": serializers.ListField(child=serializers.DictField())}
        ),
    )
    def get(self, request: Request, code: str) -> Response:
        event = self.event(request, code)
        officer, duties = field_queries.my_duties(request.user, event, timezone.now())
        return Response(
            {
                "officer": officer
                and {"id": officer.pk, "name": officer.full_name, "call_sign": officer.call_sign},
                "duties": [
                    {
                        "assignment": d.assignment.pk,
                        "post": d.assignment.post_id,
                        "post_name": str(d.assignment.post),
                        "site": str(d.assignment.post.site),
                        "starts_at": d.assignment.starts_at,
                        "ends_at": d.assignment.ends_at,
                        "orders": d.assignment.post.orders,
                        "orders_digest": d.orders_digest,
                        "acknowledged": d.acknowledged,
                        "checked_in": d.checked_in,
                        "geometry": d.assignment.post.geometry,
                        "colleagues": d.colleagues,
                    }
                    for d in duties
                ],
            }
        )


class AckView(FieldView):
    @extend_schema(
        summary="Acknowledge the post orders",
        request=AckInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=_answers(inline_serializer("FieldAck", {"id": serializers.IntegerField()})),
    )
    @idempotent
    def post(self, request: Request, code: str) -> Response:
        event = self.event(request, code)
        data = self.valid(AckInput, request)
        post = field_queries.get_my_post_for(request.user, event, data["post"])
        ack = field_services.acknowledge_orders(
            actor=request.user,
            event=event,
            post=post,
            orders_digest=data["orders_digest"],
            device_time=data.get("device_time"),
        )
        return Response({"id": ack.pk, "at": ack.at}, status=201)


class CheckInView(FieldView):
    @extend_schema(
        summary="Check in, out, relieved or a guard-tour check at a post",
        request=CheckInInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=_answers(CheckInOutput),
    )
    @idempotent
    def post(self, request: Request, code: str) -> Response:
        event = self.event(request, code)
        data = self.valid(CheckInInput, request)
        post = field_queries.get_my_post_for(request.user, event, data["post"])
        row = field_services.check_in(
            actor=request.user,
            event=event,
            post=post,
            kind=data["kind"],
            proof=field_services.Proof(
                lat=data.get("lat"),
                lon=data.get("lon"),
                accuracy_m=data.get("accuracy_m"),
                code_step=data.get("code_step"),
                code=data["code"],
                nfc_e=data["nfc_e"],
                nfc_c=data["nfc_c"],
            ),
            device_time=data.get("device_time"),
            orders_digest=data["orders_digest"],
        )
        return Response(CheckInOutput(row).data, status=201)


class ReportView(FieldView):
    def checks(self, request: Request, code: str) -> field_reports.CheckedReport:
        """Everything but the writes, before the write's transaction (``idempotent``)."""
        event = self.event(request, code)
        data = self.valid(ReportInput, request)
        return field_reports.check_report(
            actor=request.user,
            event=event,
            client_id=data["client_id"],
            category_code=data["category"],
            text=data["text"],
            priority=data.get("priority"),
            post=_post(event, data.get("post")),
            lat=data.get("lat"),
            lon=data.get("lon"),
            accuracy_m=data.get("accuracy_m"),
            device_time=data.get("device_time"),
        )

    @extend_schema(
        summary="Report an incident",
        request=ReportInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=_answers(ReportOutput),
    )
    @idempotent(checks=checks)
    def post(self, request: Request, code: str, checked: field_reports.CheckedReport) -> Response:
        report = field_reports.save_report(checked)
        return Response(ReportOutput(report).data, status=201)


class ImageParser(BaseParser):
    """A photo sent as the request body (``image/jpeg``; the service refuses any other type with a message)."""

    media_type = "image/*"

    def parse(self, stream: Any, media_type: Any = None, parser_context: Any = None) -> Any:
        return stream.read(field_services.MAX_PHOTO_BYTES + 1) if stream is not None else b""


class PhotoView(FieldView):
    parser_classes = [ImageParser]

    @extend_schema(
        summary="Add a photo (JPEG body, at most 3 MB) to my report",
        request={"image/jpeg": OpenApiTypes.BINARY},
        parameters=[IDEMPOTENCY_KEY],
        responses=_answers(
            inline_serializer(
                "FieldPhoto", {"id": serializers.IntegerField(), "size": serializers.IntegerField()}
            )
        ),
    )
    @idempotent
    def post(self, request: Request, code: str, client_id: Any) -> Response:
        event = self.event(request, code)
        photo = field_services.add_photo(
            actor=request.user,
            event=event,
            client_id=client_id,
            data=_body(request),
            content_type=request.content_type or "",
        )
        return Response({"id": photo.pk, "size": photo.size}, status=201)


class SosView(FieldView):
    @extend_schema(
        summary="Raise an SOS", request=SosInput, parameters=[IDEMPOTENCY_KEY], responses=_answers(SosOutput)
    )
    @idempotent
    def post(self, request: Request, code: str) -> Response:
        event = self.event(request, code)
        data = self.valid(SosInput, request)
        sos = field_services.raise_sos(
            actor=request.user,
            event=event,
            pin=data["pin"],
            lat=data.get("lat"),
            lon=data.get("lon"),
            accuracy_m=data.get("accuracy_m"),
            device_time=data.get("device_time"),
        )
        return Response(SosOutput(sos).data, status=201)


class SosPositionView(FieldView):
    @extend_schema(
        summary="Send the SOS position again",
        request=PointInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=_answers(inline_serializer("FieldSosPoint", {"id": serializers.IntegerField()})),
    )
    @idempotent
    def post(self, request: Request, code: str, sos_id: int) -> Response:
        event = self.event(request, code)
        data = self.valid(PointInput, request)
        point = field_services.sos_position(
            actor=request.user,
            event=event,
            sos_id=sos_id,
            lat=data["lat"],
            lon=data["lon"],
            accuracy_m=data.get("accuracy_m"),
            device_time=data.get("device_time"),
        )
        return Response({"id": point.pk}, status=201)


class SosCancelView(FieldView):
    @extend_schema(
        summary="Cancel my SOS with its PIN",
        request=inline_serializer("FieldSosCancel", {"pin": serializers.CharField()}),
        parameters=[IDEMPOTENCY_KEY],
        responses=_answers(SosOutput),
    )
    @idempotent
    def post(self, request: Request, code: str, sos_id: int) -> Response:
        event = self.event(request, code)
        pin = request.data.get("pin", "") if hasattr(request.data, "get") else ""
        sos = field_services.cancel_sos(actor=request.user, event=event, sos_id=sos_id, pin=str(pin))
        return Response(SosOutput(sos).data, status=201)


class PositionsView(FieldView):
    def checks(self, request: Request, code: str) -> field_positions.CheckedPositions:
        """Everything but the writes, before the write's transaction (``idempotent``)."""
        event = self.event(request, code)
        data = self.valid(PositionsInput, request)
        return field_positions.check_positions(
            actor=request.user, event=event, points=[dict(p) for p in data["points"]]
        )

    @extend_schema(
        summary="Send a batch of positions (kept only when on duty)",
        request=PositionsInput,
        parameters=[IDEMPOTENCY_KEY],
        responses=_answers(
            inline_serializer(
                "FieldPositions",
                {"stored": serializers.IntegerField(), "off_duty": serializers.IntegerField()},
            )
        ),
    )
    @idempotent(checks=checks)
    def post(self, request: Request, code: str, checked: field_positions.CheckedPositions) -> Response:
        result = field_positions.save_positions(checked)
        return Response({"stored": result.stored, "off_duty": result.off_duty}, status=201)


class CoverageNowView(APIView):
    @extend_schema(
        summary="Planned vs present per post now, and the live findings",
        responses=inline_serializer(
            "FieldCoverageNow", {"posts": serializers.ListField(child=serializers.DictField())}
        ),
    )
    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code, action="operations.view")
        posts, findings = field_queries.live_coverage(request.user, event, timezone.now())
        return Response(
            {
                "posts": [
                    {
                        "post": p.post.pk,
                        "code": p.post.code,
                        "planned": p.planned,
                        "present": p.present,
                        "weak": p.weak,
                    }
                    for p in posts
                ],
                "findings": [
                    {
                        "kind": f.kind,
                        "label": f.label,
                        "assignment": f.assignment_id,
                        "officer": f.officer_id,
                        "post": f.post_id,
                        "since": f.since,
                    }
                    for f in findings
                ],
            }
        )
