"""REST endpoints for plans: list/create, detail/edit, versions, diff and the workflow (same services)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.api import StrictCharField, StrictDateTimeField
from antt.core.errors import Invalid
from antt.core.pagination import PagedListMixin
from antt.core.permissions import Clearance
from antt.events import queries as event_queries
from antt.events.api_base import EventObjectsView
from antt.planning.serializers import choice_field
from antt.plans import diff, queries, services
from antt.plans.models import Plan, PlanVersion

if TYPE_CHECKING:
    from antt.events.models import Event

# --- output ----------------------------------------------------------------------------------------------


class PlanRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name_vi = serializers.CharField()
    name_en = serializers.CharField()


class PlanOfficerRefSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class PlanTaskSerializer(serializers.Serializer[Any]):
    key = serializers.CharField(help_text="Stable across versions; send it back to edit this task.")
    unit = PlanRefSerializer()
    text_vi = serializers.CharField()
    text_en = serializers.CharField(allow_blank=True)
    commander = PlanOfficerRefSerializer()
    offset_minutes = serializers.IntegerField(
        allow_null=True, help_text="Minutes after the trigger (contingency plans)."
    )
    deadline = serializers.DateTimeField(allow_null=True)


class PlanVersionSummarySerializer(serializers.ModelSerializer[PlanVersion]):
    state = serializers.SerializerMethodField(
        help_text="in_force, superseded, draft, submitted, approved (latest) or earlier"
    )
    author = serializers.CharField(source="author.get_username", read_only=True)
    approved_by = serializers.CharField(source="approved_by.get_username", read_only=True, allow_null=True)

    class Meta:
        model = PlanVersion
        fields = [
            "number",
            "state",
            "author",
            "created_at",
            "change_note",
            "content_hash",
            "approved_by",
            "approved_at",
        ]
        read_only_fields = fields

    def get_state(self, version: PlanVersion) -> str:
        return version.state(self.context["plan"])


class PlanVersionSerializer(PlanVersionSummarySerializer):
    responsible = PlanOfficerRefSerializer(allow_null=True)
    sites = PlanRefSerializer(many=True)
    programme_items = PlanRefSerializer(many=True)
    tasks = PlanTaskSerializer(many=True)
    submitted_by = serializers.CharField(source="submitted_by.get_username", read_only=True, allow_null=True)

    class Meta(PlanVersionSummarySerializer.Meta):
        fields = [
            *PlanVersionSummarySerializer.Meta.fields,
            "title_vi",
            "title_en",
            "trigger_vi",
            "trigger_en",
            "body_vi",
            "body_en",
            "responsible",
            "sites",
            "programme_items",
            "tasks",
            "submitted_by",
            "submitted_at",
        ]
        read_only_fields = fields


class PlanSerializer(serializers.ModelSerializer[Plan]):
    kind = choice_field(Plan.Kind.choices, read_only=True)
    status = choice_field(Plan.Status.choices, read_only=True)
    latest_version = serializers.IntegerField(source="latest_version.number", read_only=True)
    version_in_force = serializers.IntegerField(
        source="approved_version.number", read_only=True, allow_null=True
    )

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "kind",
            "status",
            "title_vi",
            "title_en",
            "classification",
            "responsible",
            "latest_version",
            "version_in_force",
            "updated_at",
        ]
        read_only_fields = fields


class PlanDetailSerializer(PlanSerializer):
    in_force = serializers.SerializerMethodField()
    latest = serializers.SerializerMethodField()

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "in_force", "latest"]
        read_only_fields = fields

    def _version(self, plan: Plan, version: PlanVersion | None) -> dict[str, Any] | None:
        return PlanVersionSerializer(version, context={"plan": plan}).data if version else None

    @extend_schema_field(PlanVersionSerializer(allow_null=True))
    def get_in_force(self, plan: Plan) -> dict[str, Any] | None:
        return self._version(plan, plan.approved_version)

    @extend_schema_field(PlanVersionSerializer(allow_null=True))
    def get_latest(self, plan: Plan) -> dict[str, Any] | None:
        return self._version(plan, plan.latest_version)


# --- input -----------------------------------------------------------------------------------------------


class PlanTaskInputSerializer(serializers.Serializer[Any]):
    key = StrictCharField(max_length=20, required=False, allow_blank=True)
    unit = serializers.IntegerField()
    text_vi = StrictCharField(max_length=4000, allow_blank=True)
    text_en = StrictCharField(max_length=4000, required=False, allow_blank=True)
    commander = serializers.IntegerField(
        required=False, allow_null=True, help_text="An officer of the unit, or its commander (the default)."
    )
    offset_minutes = serializers.IntegerField(required=False, allow_null=True)
    deadline = StrictDateTimeField(required=False, allow_null=True)


class PlanEditSerializer(serializers.Serializer[Any]):
    title_vi = StrictCharField(max_length=300, required=False, allow_blank=True)
    title_en = StrictCharField(max_length=300, required=False, allow_blank=True)
    body_vi = StrictCharField(required=False, allow_blank=True)
    body_en = StrictCharField(required=False, allow_blank=True)
    trigger_vi = StrictCharField(required=False, allow_blank=True)
    trigger_en = StrictCharField(required=False, allow_blank=True)
    responsible = serializers.IntegerField(required=False, allow_null=True)
    sites = serializers.ListField(child=serializers.IntegerField(), required=False)
    programme_items = serializers.ListField(child=serializers.IntegerField(), required=False)
    tasks = PlanTaskInputSerializer(many=True, required=False)
    change_note = StrictCharField(max_length=500, required=False, allow_blank=True)
    base_version = serializers.IntegerField(
        required=False, help_text="The version you edited; refused (409) if someone saved a newer one."
    )


class PlanCreateSerializer(PlanEditSerializer):
    kind = choice_field(Plan.Kind.choices)
    code = StrictCharField(max_length=40)
    classification = serializers.ChoiceField(
        choices=Clearance.choices,
        required=False,
        help_text="The plan's marking; default 1 (Confidential, Mật).",
    )
    title_vi = StrictCharField(max_length=300, allow_blank=True)
    title_en = StrictCharField(max_length=300, allow_blank=True)
    base_version = None  # type: ignore[assignment]


class PlanCommentSerializer(serializers.Serializer[Any]):
    comment = StrictCharField(max_length=4000, required=False, allow_blank=True)


class PlanReturnSerializer(serializers.Serializer[Any]):
    comment = StrictCharField(max_length=4000, allow_blank=True, help_text="What must change.")


class PlanApproveSerializer(serializers.Serializer[Any]):
    version = serializers.IntegerField(help_text="The number of the version you reviewed.")
    comment = StrictCharField(max_length=4000, required=False, allow_blank=True)


class PlanDiffFieldSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    before = serializers.JSONField()
    after = serializers.JSONField()


class PlanTaskChangeSerializer(serializers.Serializer[Any]):
    key = serializers.CharField()
    changed_fields = serializers.ListField(child=serializers.CharField())
    before = PlanTaskSerializer()
    after = PlanTaskSerializer()


class PlanTaskDiffSerializer(serializers.Serializer[Any]):
    added = PlanTaskSerializer(many=True)
    removed = PlanTaskSerializer(many=True)
    changed = PlanTaskChangeSerializer(many=True)
    unchanged = serializers.IntegerField()


class PlanDiffSerializer(serializers.Serializer[Any]):
    from_version = serializers.IntegerField()
    to_version = serializers.IntegerField()
    from_hash = serializers.CharField()
    to_hash = serializers.CharField()
    header = PlanDiffFieldSerializer(many=True)
    body_vi = serializers.CharField(help_text="Unified diff of the Vietnamese text.")
    body_en = serializers.CharField(help_text="Unified diff of the English text.")
    tasks = PlanTaskDiffSerializer()


# --- views -----------------------------------------------------------------------------------------------


def _plan(request: Request, code: str, plan_id: Any) -> Plan:
    event = event_queries.get_event_for(request.user, code)
    return queries.get_plan_for(request.user, event, plan_id)


def _detail(request: Request, plan: Plan, code: int = status.HTTP_200_OK) -> Response:
    plan = queries.get_plan_for(request.user, plan.event, plan.pk)
    return Response(PlanDetailSerializer(plan).data, status=code)


@extend_schema_view(
    get=extend_schema(
        responses=PlanSerializer(many=True),
        summary="Plans and contingency plans of an event",
        parameters=[
            OpenApiParameter("kind", str, description="plan or contingency"),
            OpenApiParameter("status", str, description="draft, submitted or approved"),
            OpenApiParameter("q", str, description="search in code and titles (ignores diacritics)"),
        ],
    ),
    post=extend_schema(
        request=PlanCreateSerializer,
        responses={201: PlanDetailSerializer},
        summary="Create a plan (version 1, a draft)",
    ),
)
class PlanListView(EventObjectsView):
    write_action = "planning.change"
    output, input = PlanSerializer, PlanCreateSerializer

    def objects(self, request: Request, event: Event) -> Any:
        params = request.query_params
        return queries.plans_for(
            request.user,
            event,
            kind=params.get("kind", ""),
            status=params.get("status", ""),
            search=params.get("q", "")[:100],
        )

    def post(self, request: Request, code: str) -> Response:
        event = event_queries.get_event_for(request.user, code)
        form = PlanCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        plan = services.create_plan(actor=request.user, event=event, **data)
        return _detail(request, plan, status.HTTP_201_CREATED)


class PlanDetailView(APIView):
    write_action = "planning.change"

    @extend_schema(responses=PlanDetailSerializer, summary="One plan: the version in force and the latest")
    def get(self, request: Request, code: str, plan_id: int) -> Response:
        return Response(PlanDetailSerializer(_plan(request, code, plan_id)).data)

    @extend_schema(
        request=PlanEditSerializer,
        responses=PlanDetailSerializer,
        summary="Edit a plan: writes a new draft version (fields not sent stay; tasks replaces the list)",
    )
    def patch(self, request: Request, code: str, plan_id: int) -> Response:
        plan = _plan(request, code, plan_id)
        form = PlanEditSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        base = data.pop("base_version", None)
        services.edit_plan(actor=request.user, plan=plan, base_number=base, **data)
        return _detail(request, plan)


class PlanVersionListView(PagedListMixin, APIView):
    @extend_schema(responses=PlanVersionSummarySerializer(many=True), summary="Every version of a plan")
    def get(self, request: Request, code: str, plan_id: int) -> Response:
        plan = _plan(request, code, plan_id)
        versions = queries.versions_of(plan)
        return self.paged(
            request,
            versions,
            lambda page: PlanVersionSummarySerializer(page, many=True, context={"plan": plan}).data,
        )


class PlanVersionDetailView(APIView):
    @extend_schema(responses=PlanVersionSerializer, summary="One version of a plan, in full")
    def get(self, request: Request, code: str, plan_id: int, number: int) -> Response:
        plan = _plan(request, code, plan_id)
        version = queries.get_version_for(request.user, plan, number)
        return Response(PlanVersionSerializer(version, context={"plan": plan}).data)


class PlanDiffView(APIView):
    @extend_schema(
        responses=PlanDiffSerializer,
        summary="What changed between two versions",
        parameters=[
            OpenApiParameter("from", int, required=True, description="the older version's number"),
            OpenApiParameter("to", int, required=True, description="the newer version's number"),
        ],
    )
    def get(self, request: Request, code: str, plan_id: int) -> Response:
        plan = _plan(request, code, plan_id)
        numbers = []
        for name in ("from", "to"):
            value = request.query_params.get(name, "")
            if not value.isdigit() or len(value) > 8:
                raise Invalid(_("Give the versions to compare as ?from=<number>&to=<number>."), field=name)
            numbers.append(int(value))
        old = queries.get_version_for(request.user, plan, numbers[0])
        new = queries.get_version_for(request.user, plan, numbers[1])
        changes = queries.compare(old, new)
        tasks = changes["tasks"]
        data = {
            "from_version": old.number,
            "to_version": new.number,
            "from_hash": old.content_hash,
            "to_hash": new.content_hash,
            "header": [{"field": f, "before": a, "after": b} for f, a, b in changes["header"]],
            "body_vi": diff.unified(
                old.body_vi, new.body_vi, old_label=f"v{old.number}", new_label=f"v{new.number}"
            ),
            "body_en": diff.unified(
                old.body_en, new.body_en, old_label=f"v{old.number}", new_label=f"v{new.number}"
            ),
            "tasks": {
                "added": tasks.added,
                "removed": tasks.removed,
                "changed": [
                    {"key": c.key, "changed_fields": list(c.fields), "before": c.before, "after": c.after}
                    for c in tasks.changed
                ],
                "unchanged": tasks.unchanged,
            },
        }
        return Response(PlanDiffSerializer(data).data)


class PlanSubmitView(APIView):
    write_action = "planning.change"

    @extend_schema(
        request=PlanCommentSerializer, responses=PlanDetailSerializer, summary="Submit the latest draft"
    )
    def post(self, request: Request, code: str, plan_id: int) -> Response:
        plan = _plan(request, code, plan_id)
        form = PlanCommentSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.submit_plan(actor=request.user, plan=plan, comment=form.validated_data.get("comment", ""))
        return _detail(request, plan)


class PlanReturnView(APIView):
    write_action = "planning.approve"

    @extend_schema(
        request=PlanReturnSerializer,
        responses=PlanDetailSerializer,
        summary="Return a submitted plan to draft",
    )
    def post(self, request: Request, code: str, plan_id: int) -> Response:
        plan = _plan(request, code, plan_id)
        form = PlanReturnSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.return_plan(actor=request.user, plan=plan, comment=form.validated_data["comment"])
        return _detail(request, plan)


class PlanApproveView(APIView):
    write_action = "planning.approve"

    @extend_schema(
        request=PlanApproveSerializer,
        responses=PlanDetailSerializer,
        summary="Approve the submitted version (four eyes; audited with its content hash)",
    )
    def post(self, request: Request, code: str, plan_id: int) -> Response:
        plan = _plan(request, code, plan_id)
        form = PlanApproveSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.approve_plan(
            actor=request.user,
            plan=plan,
            number=form.validated_data["version"],
            comment=form.validated_data.get("comment", ""),
        )
        return _detail(request, plan)
