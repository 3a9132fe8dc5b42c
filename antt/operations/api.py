"""REST endpoints of the operations room (same services as the pages): incidents (list, open, read), their
steps (acknowledge, on scene, resolve, close, cancel, note, merge, priority), dispatch, dispatch suggestions,
a responder's own step (the officer's phone), and the board's catch-up."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.api import StrictCharField
from antt.core.errors import Invalid
from antt.core.lookups import lookup
from antt.events import queries as event_queries
from antt.events.api_base import EventObjectsView
from antt.forces.models import Officer, Unit
from antt.operations import dispatch_input, live, queries
from antt.operations import incident_services as ops
from antt.operations.models import Incident, IncidentCategory, Responder
from antt.operations.opening import ensure_categories, open_incident
from antt.planning.models import Post, ProgrammeItem, Site

# --- output --------------------------------------------------------------------------------------------


class ResponderSerializer(serializers.ModelSerializer[Responder]):
    class Meta:
        model = Responder
        fields = [
            "id",
            "officer",
            "unit",
            "status",
            "assigned_at",
            "acknowledged_at",
            "on_scene_at",
            "released_at",
        ]
        read_only_fields = fields


class StepSerializer(serializers.Serializer[Any]):
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()
    actor = serializers.CharField(source="actor.get_username", allow_null=True, default=None)
    at = serializers.DateTimeField()


class IncidentSerializer(serializers.ModelSerializer[Incident]):
    category = serializers.CharField(source="category.code", read_only=True)
    label = serializers.SerializerMethodField()  # type: ignore[assignment]

    class Meta:
        model = Incident
        fields = [
            "id", "number", "label", "category", "priority", "status", "source", "summary", "details",
            "location", "site", "post", "programme_item", "delegation", "reported_at", "acknowledged_at",
            "resolved_at", "closed_at", "merged_into", "version",
        ]  # fmt: skip
        read_only_fields = fields

    def get_label(self, incident: Incident) -> str:
        return f"VV-{incident.number:04d}"


class IncidentDetailSerializer(IncidentSerializer):
    steps = StepSerializer(many=True, read_only=True)
    responders = ResponderSerializer(many=True, read_only=True)

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "steps", "responders"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------------------


class IncidentInputSerializer(serializers.Serializer[Any]):
    category = StrictCharField(max_length=40, help_text="The category's code (crowd, medical, …).")
    summary = StrictCharField(max_length=300)
    details = StrictCharField(max_length=5000, required=False, allow_blank=True)
    priority = serializers.IntegerField(min_value=1, max_value=4, required=False)
    source = serializers.ChoiceField(choices=["api", "field"], required=False, default="api")  # type: ignore[assignment]
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False)
    post = serializers.IntegerField(min_value=1, required=False)
    site = serializers.IntegerField(min_value=1, required=False)
    programme_item = serializers.IntegerField(min_value=1, required=False)
    delegation = StrictCharField(max_length=200, required=False, allow_blank=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("latitude" in attrs) != ("longitude" in attrs):
            raise serializers.ValidationError(_("Give both the latitude and the longitude, or neither."))
        return attrs


class ActionInputSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(
        choices=["acknowledge", "on_scene", "resolve", "close", "cancel", "note", "merge", "priority"]
    )
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version you saw: 409 if it changed."
    )
    note = StrictCharField(max_length=2000, required=False, allow_blank=True)
    into = serializers.IntegerField(
        min_value=1, required=False, help_text="merge: the incident this one duplicates"
    )
    priority = serializers.IntegerField(min_value=1, max_value=4, required=False)


class DispatchInputSerializer(serializers.Serializer[Any]):
    officer = serializers.IntegerField(min_value=1, required=False)
    unit = serializers.IntegerField(min_value=1, required=False)
    version = serializers.IntegerField(min_value=1, required=False)


class ResponderInputSerializer(serializers.Serializer[Any]):
    status = serializers.ChoiceField(choices=["en_route", "on_scene", "released"])
    version = serializers.IntegerField(min_value=1, required=False)


class SuggestionSerializer(serializers.Serializer[Any]):
    officer = serializers.IntegerField(source="officer.pk")
    code = serializers.CharField(source="officer.code")
    name = serializers.CharField(source="officer.full_name")
    unit = serializers.IntegerField(source="officer.unit_id")
    post = serializers.IntegerField(source="suggestion.post_id", allow_null=True)
    distance_m = serializers.FloatField(source="suggestion.distance_m", allow_null=True)
    eta_seconds = serializers.IntegerField(source="suggestion.eta_seconds", allow_null=True)
    post_present_after = serializers.IntegerField(source="suggestion.post_present_after", allow_null=True)
    post_required = serializers.IntegerField(source="suggestion.post_required", allow_null=True)
    post_drops_below = serializers.BooleanField(source="suggestion.post_drops_below")


class SuggestionListSerializer(serializers.Serializer[Any]):
    """The ranked suggestions, best first (a bounded list, not a page: the nearest few are what matters)."""

    results = SuggestionSerializer(many=True)


# --- views ----------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        responses=IncidentSerializer(many=True),
        summary="The event's incidents",
        tags=["operations"],
        operation_id="events_incidents_list",
    ),
    post=extend_schema(
        request=IncidentInputSerializer,
        responses={201: IncidentSerializer},
        summary="Open an incident (dispatcher, API or a field report)",
        tags=["operations"],
    ),
)
class IncidentListView(EventObjectsView):
    output = IncidentSerializer
    input = IncidentInputSerializer
    write_action = "operations.report"

    def objects(self, request: Request, event: Any) -> Any:
        qs = queries.incidents_for(request.user, event)
        wanted = request.query_params.get("status", "")
        if wanted in Incident.Status.values:
            qs = qs.filter(status=wanted)
        return qs.order_by("number")

    def create(self, request: Request, event: Any, data: dict[str, Any]) -> Any:
        ensure_categories(event)
        category = IncidentCategory.objects.filter(event=event, code=data["category"], is_active=True).first()
        if category is None:
            raise Invalid(
                _("Unknown category “%(code)s” in this event.") % {"code": data["category"]}, field="category"
            )
        post = lookup(Post, event, data.get("post"), field="post")
        location = (
            {"type": "Point", "coordinates": [data["longitude"], data["latitude"]]}
            if "latitude" in data
            else None
        )
        return open_incident(
            actor=request.user,
            event=event,
            category=category,
            summary=data["summary"],
            details=data.get("details", ""),
            priority=data.get("priority"),
            source=data.get("source", "api"),
            location=location,
            post=post,
            site=lookup(Site, event, data.get("site"), field="site") or (post.site if post else None),
            programme_item=lookup(ProgrammeItem, event, data.get("programme_item"), field="programme_item"),
            delegation=data.get("delegation", ""),
        )


class _IncidentView(APIView):
    def incident(self, request: Request, code: str, incident_id: Any) -> tuple[Any, Incident]:
        event = event_queries.get_event_for(request.user, code, action="operations.view")
        return event, queries.get_incident_for(request.user, event, incident_id)


@extend_schema_view(
    get=extend_schema(
        responses=IncidentDetailSerializer,
        summary="One incident with its timeline and responders",
        tags=["operations"],
        operation_id="events_incident_retrieve",
    )
)
class IncidentDetailView(_IncidentView):
    def get(self, request: Request, code: str, incident_id: Any) -> Response:
        _event, incident = self.incident(request, code, incident_id)
        return Response(IncidentDetailSerializer(incident).data)


@extend_schema_view(
    post=extend_schema(
        summary="A step of the incident's life",
        tags=["operations"],
        request=ActionInputSerializer,
        responses={200: IncidentDetailSerializer},
    )
)
class IncidentActionView(_IncidentView):
    write_action = ("operations.dispatch", "operations.report")

    def post(self, request: Request, code: str, incident_id: Any) -> Response:
        event, incident = self.incident(request, code, incident_id)
        form = ActionInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        action, version, note = data["action"], data.get("version"), data.get("note", "")
        if action == "note":
            ops.add_note(actor=request.user, incident=incident, note=note, version=version)
        elif action == "merge":
            into = queries.get_incident_for(request.user, event, data.get("into") or 0)
            ops.merge_incident(actor=request.user, incident=incident, into=into, version=version)
        elif action == "priority":
            ops.change_priority(
                actor=request.user, incident=incident, priority=data.get("priority") or 0, version=version
            )
        else:
            step = {
                "acknowledge": ops.acknowledge_incident,
                "on_scene": ops.mark_on_scene,
                "resolve": ops.resolve_incident,
                "close": ops.close_incident,
                "cancel": ops.cancel_incident,
            }[action]
            step(actor=request.user, incident=incident, version=version, note=note)
        incident.refresh_from_db()
        return Response(IncidentDetailSerializer(incident).data)


@extend_schema_view(
    post=extend_schema(
        summary="Send an officer or a unit",
        tags=["operations"],
        request=DispatchInputSerializer,
        responses={201: ResponderSerializer},
    )
)
class DispatchView(_IncidentView):
    write_action = "operations.dispatch"

    def post(self, request: Request, code: str, incident_id: Any) -> Response:
        event, incident = self.incident(request, code, incident_id)
        form = DispatchInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        responder = ops.dispatch(
            actor=request.user,
            incident=incident,
            officer=lookup(Officer, event, data.get("officer"), field="officer"),
            unit=lookup(Unit, event, data.get("unit"), field="unit"),
            version=data.get("version"),
        )
        return Response(ResponderSerializer(responder).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="The nearest free responders with the skills needed",
        tags=["operations"],
        responses={200: SuggestionListSerializer},
    )
)
class SuggestionView(_IncidentView):
    def get(self, request: Request, code: str, incident_id: Any) -> Response:
        event = event_queries.get_event_for(request.user, code, action="operations.dispatch")
        incident = queries.get_incident_for(request.user, event, incident_id)
        ranked = dispatch_input.suggestions_for(incident)
        return Response(SuggestionListSerializer({"results": ranked}).data)


@extend_schema_view(
    post=extend_schema(
        summary="A responder's own step (en route, on scene, released)",
        tags=["operations"],
        request=ResponderInputSerializer,
        responses={200: ResponderSerializer},
    )
)
class ResponderView(APIView):
    write_action = "operations.report"

    def post(self, request: Request, code: str, responder_id: Any) -> Response:
        event = event_queries.get_event_for(request.user, code, action="operations.report")
        responder = queries.get_responder_for(request.user, event, responder_id)
        form = ResponderInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        moved = ops.move_responder(
            actor=request.user,
            responder=responder,
            status=form.validated_data["status"],
            version=form.validated_data.get("version"),
        )
        return Response(ResponderSerializer(moved).data)


class UpdatesSerializer(serializers.Serializer[Any]):
    updates = serializers.ListField(child=serializers.DictField())
    last = serializers.IntegerField()


@extend_schema_view(
    get=extend_schema(
        summary="The board's updates after a sequence number",
        tags=["operations"],
        parameters=[OpenApiParameter("since", int, description="The last number you applied.")],
        responses={200: UpdatesSerializer},
    )
)
class BoardUpdatesView(APIView):
    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code, action="operations.view")
        try:
            since = max(0, int(request.query_params.get("since", "0")))
        except ValueError as exc:
            raise Invalid(_("“since” must be a whole number."), field="since") from exc
        return Response({"updates": live.updates_since(event.pk, since), "last": live.last_seq(event.pk)})
