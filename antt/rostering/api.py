"""REST endpoints of the roster solver: start a run, poll it, fetch its diff, apply or cancel it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from antt.core.api import StrictDateTimeField
from antt.core.lookups import lookup
from antt.events import queries as event_queries
from antt.events.api_base import EventObjectsView
from antt.forces.models import Officer
from antt.rostering import queries, services
from antt.rostering.models import SolverRun
from antt.rostering.services import MAX_TIME_LIMIT

if TYPE_CHECKING:
    from antt.events.models import Event


class SolverRunSerializer(serializers.ModelSerializer[SolverRun]):
    status = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(v for v, _l in SolverRun.Status.choices)
    )
    kind = serializers.CharField(
        read_only=True, help_text="One of: " + ", ".join(v for v, _l in SolverRun.Kind.choices)
    )
    started_by = serializers.CharField(source="started_by.username", read_only=True, default=None)
    progress_percent = serializers.IntegerField(read_only=True)

    class Meta:
        model = SolverRun
        fields = [
            "id",
            "kind",
            "status",
            "seed",
            "time_limit",
            "started_by",
            "officer",
            "unavailable_from",
            "created_at",
            "started_at",
            "finished_at",
            "elapsed",
            "progress_percent",
            "best_coverage",
            "objective",
            "bound",
            "solutions",
            "cancel_requested",
            "fingerprint",
            "summary",
            "error",
            "applied_at",
        ]
        read_only_fields = fields


class StartInputSerializer(serializers.Serializer[Any]):
    time_limit = serializers.IntegerField(min_value=1, max_value=MAX_TIME_LIMIT, default=30)
    seed = serializers.IntegerField(min_value=0, max_value=2**31 - 1, default=1)
    officer = serializers.IntegerField(
        required=False, help_text="Re-plan: the officer who becomes unavailable (with unavailable_from)."
    )
    unavailable_from = StrictDateTimeField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("officer" in attrs) != ("unavailable_from" in attrs):
            raise serializers.ValidationError("Give both officer and unavailable_from for a re-plan.")
        return attrs


class DiffSerializer(serializers.Serializer[Any]):
    officers = serializers.ListField(child=serializers.DictField())
    totals = serializers.DictField()
    gaps = serializers.ListField(child=serializers.DictField())


class ApplySerializer(serializers.Serializer[Any]):
    added = serializers.IntegerField()
    removed = serializers.IntegerField()


@extend_schema_view(
    get=extend_schema(responses=SolverRunSerializer(many=True), summary="Solver runs of an event"),
    post=extend_schema(
        request=StartInputSerializer,
        responses={201: SolverRunSerializer},
        summary="Start a solver run (re-plan when officer and unavailable_from are given)",
    ),
)
class SolverRunListView(EventObjectsView):
    write_action = "planning.solve"
    output = SolverRunSerializer
    input = StartInputSerializer

    def objects(self, request: Request, event: Event) -> Any:
        return queries.runs_for(request.user, event)

    def create(self, request: Request, event: Event, data: dict[str, Any]) -> Any:
        if "officer" in data:
            officer = lookup(Officer, event, data["officer"], field="officer")
            run = services.start_replan(
                actor=request.user,
                officer=officer,
                unavailable_from=data["unavailable_from"],
                time_limit=data["time_limit"],
                seed=data["seed"],
            )
        else:
            run = services.start_run(
                actor=request.user, event=event, time_limit=data["time_limit"], seed=data["seed"]
            )
        return queries.get_run_for(request.user, event, run.pk)


class _RunView(APIView):
    write_action = "planning.solve"

    def run(self, request: Request, code: str, run_id: int, action: str = "planning.view") -> SolverRun:
        event = event_queries.get_event_for(request.user, code)
        return queries.get_run_for(request.user, event, run_id, action=action)


class SolverRunDetailView(_RunView):
    @extend_schema(responses=SolverRunSerializer, summary="Status, progress and summary of a solver run")
    def get(self, request: Request, code: str, run_id: int) -> Response:
        return Response(SolverRunSerializer(self.run(request, code, run_id)).data)


class SolverRunDiffView(_RunView):
    @extend_schema(responses=DiffSerializer, summary="Proposed changes of a solver run, per officer")
    def get(self, request: Request, code: str, run_id: int) -> Response:
        run = self.run(request, code, run_id)
        diff = run.diff or {"officers": [], "totals": {}, "gaps": []}
        return Response(diff)


class SolverRunApplyView(_RunView):
    @extend_schema(
        request=None,
        responses={200: ApplySerializer},
        summary="Apply a run's changes (refused when the plan changed since the run started)",
    )
    def post(self, request: Request, code: str, run_id: int) -> Response:
        run = self.run(request, code, run_id, action="planning.solve")
        return Response(services.apply_run(actor=request.user, run=run))


class SolverRunCancelView(_RunView):
    @extend_schema(request=None, responses={202: SolverRunSerializer}, summary="Cancel a solver run")
    def post(self, request: Request, code: str, run_id: int) -> Response:
        run = self.run(request, code, run_id, action="planning.solve")
        run = services.cancel_run(actor=request.user, run=run)
        return Response(SolverRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)
