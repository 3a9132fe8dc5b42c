"""REST endpoints for sites, posts, programme, requirements, assignments and coverage."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.api import StrictCharField
from antt.core.languages import current_language
from antt.core.lookups import lookup, lookup_refs
from antt.core.permissions import require
from antt.events import queries as event_queries
from antt.events.api_base import EventObjectsView, EventObjectView
from antt.forces.models import Officer
from antt.forces.queries import skills_by_code
from antt.planning import assignment_services, coverage, coverage_audit, deletions, queries, services
from antt.planning.models import Post, Requirement, RequirementRule, Site
from antt.planning.serializers import (
    AssignmentInputSerializer,
    AssignmentSerializer,
    CoverageSerializer,
    PostInputSerializer,
    PostSerializer,
    ProgrammeItemInputSerializer,
    ProgrammeItemSerializer,
    PublishInputSerializer,
    RequirementInputSerializer,
    RequirementSerializer,
    RuleInputSerializer,
    RuleSerializer,
    SiteInputSerializer,
    SiteSerializer,
)

if TYPE_CHECKING:
    from antt.events.models import Event


def _refs(event: Event, data: dict[str, Any]) -> dict[str, Any]:
    models = {"parent": Site, "site": Site, "post": Post, "officer": Officer, "requirement": Requirement}
    out = lookup_refs(event, data, models)
    for name in ("skill", "default_skill"):
        if out.get(name) is not None:
            out[name] = skills_by_code(event, [out[name]], field=name)[0]
    if "sites" in out:
        out["sites"] = [lookup(Site, event, pk, field="sites") for pk in out["sites"]]
    return out


# --- views -----------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(responses=SiteSerializer(many=True), summary="Sites of an event"),
    post=extend_schema(request=SiteInputSerializer, responses={201: SiteSerializer}, summary="Create a site"),
)
class SiteListView(EventObjectsView):
    write_action = "planning.change"
    output, input = SiteSerializer, SiteInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.sites_for(request.user, event, search=request.query_params.get("q", ""))

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        return services.create_site(actor=request.user, event=event, **_refs(event, data))


@extend_schema_view(
    get=extend_schema(responses=SiteSerializer, summary="One site"),
    patch=extend_schema(request=SiteInputSerializer, responses=SiteSerializer, summary="Change a site"),
    delete=extend_schema(request=None, responses={204: None}, summary="Delete a site"),
)
class SiteDetailView(EventObjectView):
    write_action = "planning.change"
    output, input = SiteSerializer, SiteInputSerializer

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        return queries.get_site_for(request.user, event, pk)

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        return services.update_site(actor=request.user, site=obj, **_refs(event, data))

    def remove(self, request: Request, obj: Any) -> None:
        deletions.delete_site(actor=request.user, site=obj)


@extend_schema_view(
    get=extend_schema(responses=PostSerializer(many=True), summary="Posts of an event"),
    post=extend_schema(request=PostInputSerializer, responses={201: PostSerializer}, summary="Create a post"),
)
class PostListView(EventObjectsView):
    write_action = "planning.change"
    output, input = PostSerializer, PostInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.posts_for(request.user, event)

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        return services.create_post(actor=request.user, event=event, **_refs(event, data))


@extend_schema_view(
    get=extend_schema(responses=PostSerializer, summary="One post"),
    patch=extend_schema(request=PostInputSerializer, responses=PostSerializer, summary="Change a post"),
    delete=extend_schema(request=None, responses={204: None}, summary="Delete a post"),
)
class PostDetailView(EventObjectView):
    write_action = "planning.change"
    output, input = PostSerializer, PostInputSerializer

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        return queries.get_post_for(request.user, event, pk)

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        return services.update_post(actor=request.user, post=obj, **_refs(event, data))

    def remove(self, request: Request, obj: Any) -> None:
        deletions.delete_post(actor=request.user, post=obj)


@extend_schema_view(
    get=extend_schema(responses=ProgrammeItemSerializer(many=True), summary="Programme of an event"),
    post=extend_schema(
        request=ProgrammeItemInputSerializer, responses={201: ProgrammeItemSerializer}, summary="Add an item"
    ),
)
class ProgrammeItemListView(EventObjectsView):
    write_action = "planning.change"
    output, input = ProgrammeItemSerializer, ProgrammeItemInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.programme_items_for(request.user, event)

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        item = services.create_programme_item(actor=request.user, event=event, **_refs(event, data))
        return queries.get_programme_item_for(request.user, event, item.pk)  # with its sites and rules


@extend_schema_view(
    get=extend_schema(responses=ProgrammeItemSerializer, summary="One programme item"),
    patch=extend_schema(
        request=ProgrammeItemInputSerializer,
        responses=ProgrammeItemSerializer,
        summary="Change an item (re-derives its requirements)",
    ),
    delete=extend_schema(request=None, responses={204: None}, summary="Delete a programme item"),
)
class ProgrammeItemDetailView(EventObjectView):
    write_action = "planning.change"
    output, input = ProgrammeItemSerializer, ProgrammeItemInputSerializer

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        return queries.get_programme_item_for(request.user, event, pk)

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        services.update_programme_item(actor=request.user, item=obj, **_refs(event, data))
        return self.fetch(request, event, obj.pk)

    def remove(self, request: Request, obj: Any) -> None:
        deletions.delete_programme_item(actor=request.user, item=obj)


class RuleListView(APIView):
    write_action = "planning.change"

    @extend_schema(
        request=RuleInputSerializer, responses={201: RuleSerializer}, summary="Add a requirement rule"
    )
    def post(self, request: Request, code: str, item_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        item = queries.get_programme_item_for(request.user, event, item_id)
        form = RuleInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rule = services.add_requirement_rule(
            actor=request.user, item=item, **_refs(event, form.validated_data)
        )
        return Response(RuleSerializer(rule).data, status=status.HTTP_201_CREATED)


class RulePreviewView(APIView):
    """What adding a rule would derive, without saving (the page's "Preview the requirements")."""

    write_action = "planning.change"

    @extend_schema(
        request=RuleInputSerializer,
        responses={200: RequirementSerializer(many=True)},
        summary="Preview the requirements a new rule would derive (nothing is saved)",
    )
    def post(self, request: Request, code: str, item_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code, action="planning.change")
        item = queries.get_programme_item_for(request.user, event, item_id, action="planning.change")
        form = RuleInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rule = RequirementRule(event=event, programme_item=item, **_refs(event, form.validated_data))
        rows = services.preview_requirements(actor=request.user, item=item, extra_rules=[rule])
        return Response(RequirementSerializer(rows, many=True).data)


class RuleDetailView(APIView):
    write_action = "planning.change"

    @extend_schema(request=None, responses={204: None}, summary="Delete a requirement rule")
    def delete(self, request: Request, code: str, item_id: int, rule_id: int) -> Response:
        event = event_queries.get_event_for(request.user, code)
        item = queries.get_programme_item_for(request.user, event, item_id)
        rule = queries.get_rule_for(request.user, item, rule_id)
        services.delete_requirement_rule(actor=request.user, rule=rule)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    get=extend_schema(responses=RequirementSerializer(many=True), summary="Requirements of an event"),
    post=extend_schema(
        request=RequirementInputSerializer,
        responses={201: RequirementSerializer},
        summary="Add a requirement",
    ),
)
class RequirementListView(EventObjectsView):
    write_action = "planning.change"
    output, input = RequirementSerializer, RequirementInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.requirements_for(request.user, event)

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        return services.create_requirement(actor=request.user, event=event, **_refs(event, data))


@extend_schema_view(
    get=extend_schema(responses=RequirementSerializer, summary="One requirement"),
    patch=extend_schema(
        request=RequirementInputSerializer, responses=RequirementSerializer, summary="Change one"
    ),
    delete=extend_schema(request=None, responses={204: None}, summary="Delete a requirement entered by hand"),
)
class RequirementDetailView(EventObjectView):
    write_action = "planning.change"
    output, input = RequirementSerializer, RequirementInputSerializer

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        return queries.get_requirement_for(request.user, event, pk)

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        return services.update_requirement(actor=request.user, requirement=obj, **_refs(event, data))

    def remove(self, request: Request, obj: Any) -> None:
        services.delete_requirement(actor=request.user, requirement=obj)


@extend_schema_view(
    get=extend_schema(responses=AssignmentSerializer(many=True), summary="Assignments of an event"),
    post=extend_schema(
        request=AssignmentInputSerializer, responses={201: AssignmentSerializer}, summary="Assign an officer"
    ),
)
class AssignmentListView(EventObjectsView):
    write_action = ("planning.assign", "planning.assign_own_unit")
    output, input = AssignmentSerializer, AssignmentInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.assignments_for(request.user, event)

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        return assignment_services.assign_officer(actor=request.user, **_refs(event, data))


@extend_schema_view(
    get=extend_schema(responses=AssignmentSerializer, summary="One assignment"),
    patch=extend_schema(
        request=AssignmentInputSerializer, responses=AssignmentSerializer, summary="Change one"
    ),
    delete=extend_schema(request=None, responses={204: None}, summary="Remove an assignment"),
)
class AssignmentDetailView(EventObjectView):
    write_action = ("planning.assign", "planning.assign_own_unit")
    output, input = AssignmentSerializer, AssignmentInputSerializer

    def fetch(self, request: Request, event: Event, pk: Any) -> Any:
        return queries.get_assignment_for(request.user, event, pk)

    def update(self, request: Request, event: Event, obj: Any, data: dict[str, Any]) -> Any:
        data = _refs(event, data)
        data.pop("requirement", None)  # an assignment's requirement is not changed by hand
        return assignment_services.update_assignment(actor=request.user, assignment=obj, **data)

    def remove(self, request: Request, obj: Any) -> None:
        assignment_services.unassign(actor=request.user, assignment=obj)


class AssignmentPublishView(APIView):
    write_action = "planning.publish"

    @extend_schema(
        request=PublishInputSerializer, responses={200: None}, summary="Publish planned assignments"
    )
    def post(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = PublishInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        count = assignment_services.publish_assignments(
            actor=request.user, event=event, ids=form.validated_data.get("ids")
        )
        return Response({"published": count})


class CoverageQuerySerializer(serializers.Serializer[Any]):
    kind = StrictCharField(required=False, allow_blank=True)
    severity = StrictCharField(required=False, allow_blank=True)
    limit = serializers.IntegerField(min_value=1, required=False)
    offset = serializers.IntegerField(min_value=0, required=False, default=0)


def _row_maker(snap: Any, lang: str) -> Callable[[coverage.Finding], dict[str, Any]]:
    """The function that turns a finding into its row of the response (plain values, in the response's
    key order), in ``lang`` and the active time zone, with the snapshot's labels."""
    label = snap.label(lang == "en")
    moment = serializers.DateTimeField()
    times: dict[int, Any] = {}

    def at(minute: int) -> Any:
        found = times.get(minute)
        if found is None:
            found = times[minute] = moment.to_representation(coverage.datetime_of(minute))
        return found

    def row(f: coverage.Finding) -> dict[str, Any]:
        return {
            "kind": str(f.kind),
            "severity": str(f.severity),
            "starts_at": at(f.window.start),
            "ends_at": at(f.window.end),
            "role": f.role,
            "objects": {name: list(ids) for name, ids in f.objects().items()},
            "numbers": dict(f.numbers),
            "explanation": coverage.explain(f, lang, label),
        }

    return row


def _finding_rows(snap: Any, lang: str) -> list[dict[str, Any]]:
    """Each finding as the response shows it, in the findings' order (built once per plan version, language
    and time zone in each process, and after a write only for the findings the engine re-checked:
    explaining 5,000 findings is the costly part). The dicts are shared: never change one."""
    key = ("api", lang, timezone.get_current_timezone_name())
    rows: list[dict[str, Any]] = snap.per_finding(key, _row_maker(snap, lang))
    return rows


def finding_json(snap: Any, lang: str, renderer: JSONRenderer) -> list[bytes]:
    """Each finding's row as ``renderer`` encodes it (UTF-8 bytes), in the findings' order: kept like the
    rows of :func:`_finding_rows`, so after a write only the findings the engine re-checked are encoded
    again (encoding every finding of a design-scale plan, 2 MB, was most of the answer's time)."""
    make = _row_maker(snap, lang)
    key = ("api json", lang, timezone.get_current_timezone_name(), renderer.ensure_ascii, renderer.strict)
    encoded: list[bytes] = snap.per_finding(key, lambda f: bytes(renderer.render(make(f))))
    return encoded


def _plain_json_renderer(request: Request) -> JSONRenderer | None:
    """The request's renderer when it is DRF's own compact JSON renderer with no indent (what an API client
    gets): its output can be joined from each finding's encoded row. None for any other (the browsable
    API, ``; indent=``): those get the response rendered as usual."""
    renderer = getattr(request, "accepted_renderer", None)
    if type(renderer) is not JSONRenderer or not renderer.compact:
        return None
    if renderer.get_indent(request.accepted_media_type, {}) is not None:
        return None
    return renderer


class CoverageView(APIView):
    @extend_schema(
        responses=CoverageSerializer,
        summary="Coverage findings of an event",
        parameters=[
            OpenApiParameter("kind", str, description="only findings of this kind"),
            OpenApiParameter("severity", str, description="only findings of this severity"),
            OpenApiParameter("limit", int, description="at most this many findings (default: all)"),
            OpenApiParameter("offset", int, description="skip this many matching findings first"),
        ],
    )
    def get(self, request: Request, code: str) -> HttpResponse:
        """Findings as plain values (cached per plan version; no serializer runs per finding). A plain JSON
        answer is joined from each finding's encoded row, kept between plan versions like the rows: the
        same bytes as rendering the whole answer (``test_coverage_json``)."""
        event = event_queries.get_event_for(request.user, code)
        require(request.user, "coverage.view", event)
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        kind, severity = query.validated_data.get("kind"), query.validated_data.get("severity")
        offset, limit = query.validated_data["offset"], query.validated_data.get("limit")
        snap = coverage_audit.coverage_labelled(event)
        findings = snap.findings
        counts = snap.once("counts", lambda: dict(sorted(Counter(str(f.kind) for f in findings).items())))
        renderer = _plain_json_renderer(request)
        rows: list[Any] = (
            finding_json(snap, current_language(), renderer)
            if renderer is not None
            else _finding_rows(snap, current_language())
        )
        if kind or severity:
            matching = [
                row
                for f, row in zip(findings, rows, strict=True)
                if (not kind or f.kind == kind) and (not severity or f.severity == severity)
            ]
        else:
            matching = rows
        out = matching[offset : offset + limit if limit is not None else None]
        head = {"total": len(findings), "matched": len(matching), "counts": counts}
        if renderer is None:
            return Response({**head, "findings": out})
        # the answer with an empty list, rendered as usual, and the encoded rows put into that list
        empty = bytes(renderer.render({**head, "findings": []}))
        body = b"".join((empty[:-2], b",".join(out), b"]}"))
        return HttpResponse(body, content_type=renderer.media_type)


class RestRulesSerializer(serializers.Serializer[Any]):
    min_rest_minutes = serializers.IntegerField(
        min_value=0, max_value=7 * 1440, allow_null=True, required=False
    )
    max_duty_minutes_per_24h = serializers.IntegerField(
        min_value=1, max_value=1440, allow_null=True, required=False
    )
    max_consecutive_days = serializers.IntegerField(
        min_value=1, max_value=365, allow_null=True, required=False
    )


class RestRulesView(APIView):
    write_action = "planning.change"

    @extend_schema(responses=RestRulesSerializer, summary="Rest rules of an event (null: rule off)")
    def get(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        return Response(RestRulesSerializer(queries.rest_rules_for(request.user, event)).data)

    @extend_schema(
        request=RestRulesSerializer, responses=RestRulesSerializer, summary="Change the rest rules"
    )
    def patch(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = RestRulesSerializer(data=request.data, partial=True)
        form.is_valid(raise_exception=True)
        rules = services.set_rest_rules(actor=request.user, event=event, **form.validated_data)
        return Response(RestRulesSerializer(rules).data)
