# mypy: disable-error-code="arg-type, operator"
"""Rules of starting, running, cancelling and applying solver runs, and of re-planning."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.forces.tests.factories import OfficerFactory
from antt.planning import assignment_services, coverage_audit
from antt.planning.models import Assignment
from antt.planning.tests.factories import AssignmentFactory, PostFactory, RequirementFactory
from antt.rostering import services
from antt.rostering.models import SolverRun

pytestmark = pytest.mark.django_db


def _gaps(event: Any) -> int:
    return sum(1 for f in coverage_audit.coverage_for(event) if str(f.kind) == "uncovered")


def test_a_run_fills_the_gap_and_reports_before_and_after(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5, seed=3)
    assert run.status == SolverRun.Status.SUCCEEDED
    assert run.summary["before"]["gaps"] == 1
    assert run.summary["after"]["gaps"] == 0
    assert run.summary["violations"] == 0
    assert run.summary["churn"]["changed_published"] == 0
    assert run.best_coverage == 1.0
    assert run.started_by == planner
    assert run.diff["totals"]["added"] == 1
    assert AuditEntry.objects.filter(action="rostering.start_run", object_id=str(run.pk)).exists()


def test_only_one_run_per_event_at_a_time(event: Any, planner: Any, small_plan: dict[str, Any]) -> None:
    services.start_run(actor=planner, event=event, dispatch=False)
    with pytest.raises(Conflict, match="already queued or running"):
        services.start_run(actor=planner, event=event, dispatch=False)


def test_a_finished_run_does_not_block_the_next(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run_now(services.start_run, actor=planner, event=event, time_limit=2)
    second = services.start_run(actor=planner, event=event, dispatch=False)
    assert second.status == SolverRun.Status.QUEUED


def test_an_observer_may_not_start_a_run(event: Any, observer: Any, small_plan: dict[str, Any]) -> None:
    with pytest.raises(NotAllowed):
        services.start_run(actor=observer, event=event, dispatch=False)
    assert not SolverRun.objects.exists()


@pytest.mark.parametrize(("time_limit", "seed"), [(0, 1), (601, 1), (5, -1)])
def test_bad_options_are_refused(event: Any, planner: Any, time_limit: int, seed: int) -> None:
    with pytest.raises(Invalid):
        services.start_run(actor=planner, event=event, time_limit=time_limit, seed=seed, dispatch=False)


def test_apply_writes_every_change_through_audited_services(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    counts = services.apply_run(actor=planner, run=run)
    assert counts == {"added": 1, "removed": 0}
    created = Assignment.objects.get(officer=small_plan["free"])
    assert created.requirement == small_plan["gap"]
    assert AuditEntry.objects.filter(action="planning.assign_officer", object_id=str(created.pk)).exists()
    assert AuditEntry.objects.filter(action="rostering.apply_run", object_id=str(run.pk)).exists()
    assert _gaps(event) == 0
    run.refresh_from_db()
    assert run.applied_by == planner
    with pytest.raises(Conflict, match="already been applied"):
        services.apply_run(actor=planner, run=run)


def test_applying_a_stale_result_is_refused(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    assignment_services.update_assignment(
        actor=planner, assignment=small_plan["kept"], ends_at=small_plan["kept"].ends_at - timedelta(hours=1)
    )
    with pytest.raises(Conflict, match="changed since this run started") as info:
        services.apply_run(actor=planner, run=run)
    assert info.value.code == "stale"
    assert not Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_a_failed_apply_leaves_nothing_half_written(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    # Tamper the stored diff so that its second addition double-books: the first must be rolled back.
    entry = run.diff["officers"][0]
    entry["added"].append(dict(entry["added"][0]))
    SolverRun.objects.filter(pk=run.pk).update(diff=run.diff)
    run.refresh_from_db()
    before = Assignment.objects.count()
    with pytest.raises(Conflict):
        services.apply_run(actor=planner, run=run)
    assert Assignment.objects.count() == before


def test_cancel_a_queued_run_at_once(event: Any, planner: Any, small_plan: dict[str, Any]) -> None:
    run = services.start_run(actor=planner, event=event, dispatch=False)
    run = services.cancel_run(actor=planner, run=run)
    assert run.status == SolverRun.Status.CANCELLED
    assert services.execute_run(run.pk) == SolverRun.Status.CANCELLED  # the task finds nothing to do


def test_a_running_run_stops_when_cancel_is_requested(
    event: Any, planner: Any, small_plan: dict[str, Any]
) -> None:
    run = services.start_run(actor=planner, event=event, dispatch=False)
    SolverRun.objects.filter(pk=run.pk).update(cancel_requested=True)  # what cancel_run sets while it runs
    assert services.execute_run(run.pk) == SolverRun.Status.CANCELLED
    run.refresh_from_db()
    with pytest.raises(Conflict, match="finished, successful"):
        services.apply_run(actor=planner, run=run)


def test_cancel_a_finished_run_is_refused(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=2)
    with pytest.raises(Conflict, match="nothing to cancel"):
        services.cancel_run(actor=planner, run=run)


def test_replan_changes_only_the_absent_officers_later_duties(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    """Three officers with published duties on days 1 and 2; X drops out on day 2 at 00:00. Only X's day-2
    duty is removed, a free officer takes it, and every other published duty stays."""
    skill = small_plan["gap"].skill
    Assignment.objects.all().delete()
    x, y, _spare = (OfficerFactory(event=event, skills=["checkpoint"]) for _ in range(3))
    published = []
    for day in (1, 2):
        start = event.starts_at + timedelta(days=day)
        for officer, post in ((x, PostFactory(event=event)), (y, PostFactory(event=event))):
            req = RequirementFactory(
                event=event, post=post, skill=skill, starts_at=start, ends_at=start + timedelta(hours=8)
            )
            published.append(
                AssignmentFactory(
                    event=event,
                    officer=officer,
                    post=post,
                    skill=skill,
                    requirement=req,
                    starts_at=start,
                    ends_at=start + timedelta(hours=8),
                    status="published",
                )
            )
    # the small plan's own gap: fill it by hand so the re-plan has only the absence to deal with
    assignment_services.assign_officer(
        actor=planner,
        post=small_plan["post"],
        officer=small_plan["free"],
        starts_at=small_plan["gap"].starts_at,
        ends_at=small_plan["gap"].ends_at,
        skill=skill,
        requirement=small_plan["gap"],
    )
    assignment_services.assign_officer(
        actor=planner,
        post=small_plan["covered"].post,
        officer=small_plan["busy"],
        starts_at=small_plan["covered"].starts_at,
        ends_at=small_plan["covered"].ends_at,
        skill=skill,
        requirement=small_plan["covered"],
    )
    assert _gaps(event) == 0
    drop_at = event.starts_at + timedelta(days=2) - timedelta(hours=1)
    run = run_now(services.start_replan, actor=planner, officer=x, unavailable_from=drop_at, time_limit=5)
    assert run.status == SolverRun.Status.SUCCEEDED
    assert run.kind == SolverRun.Kind.REPLAN
    x.refresh_from_db()
    assert x.availability[-1]["ends_at"] == drop_at.isoformat()
    assert AuditEntry.objects.filter(action="forces.update_officer", object_id=str(x.pk)).exists()
    x_day2 = next(a for a in published if a.officer_id == x.pk and a.starts_at > drop_at)
    removed = [i["assignment_id"] for e in run.diff["officers"] for i in e["removed"]]
    removed += [p["from"]["assignment_id"] for e in run.diff["officers"] for p in e["moved"]]
    assert removed == [x_day2.pk]
    added_to = {e["officer_id"] for e in run.diff["officers"] if e["added"]}
    assert x.pk not in added_to
    assert run.summary["churn"]["changed_published"] == 1
    services.apply_run(actor=planner, run=run)
    assert _gaps(event) == 0
    for a in published:
        assert Assignment.objects.filter(pk=a.pk).exists() == (a.pk != x_day2.pk)


def test_mark_unavailable_refuses_a_time_outside_the_event(event: Any, planner: Any) -> None:
    officer = OfficerFactory(event=event)
    with pytest.raises(Invalid, match="within the event"):
        services.mark_unavailable(
            actor=planner, officer=officer, unavailable_from=event.ends_at + timedelta(hours=1)
        )


# --- undo ------------------------------------------------------------------------------------------------


def _with_removal(run: SolverRun, assignment: Any) -> SolverRun:
    """The run's diff plus the removal of ``assignment`` (the solver may drop a duty to fill a worse gap)."""
    diff = run.diff
    diff["officers"].append(
        {
            "officer_id": assignment.officer_id,
            "added": [],
            "removed": [{"assignment_id": assignment.pk}],
            "moved": [],
        }
    )
    SolverRun.objects.filter(pk=run.pk).update(diff=diff)
    run.refresh_from_db()
    return run


def test_undo_applies_the_reverse_diff_as_one_audited_action(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = _with_removal(
        run_now(services.start_run, actor=planner, event=event, time_limit=5), small_plan["kept"]
    )
    services.apply_run(actor=planner, run=run)
    assert not Assignment.objects.filter(officer=small_plan["busy"]).exists()
    counts = services.undo_apply(actor=planner, run=run)
    assert counts == {"removed": 1, "restored": 1}
    assert not Assignment.objects.filter(officer=small_plan["free"]).exists()
    restored = Assignment.objects.get(officer=small_plan["busy"])
    kept = small_plan["kept"]
    assert (
        restored.post_id,
        restored.starts_at,
        restored.ends_at,
        restored.requirement_id,
        restored.status,
    ) == (
        kept.post_id,
        kept.starts_at,
        kept.ends_at,
        kept.requirement_id,
        "published",
    )
    assert AuditEntry.objects.filter(action="rostering.undo_apply", object_id=str(run.pk)).count() == 1
    run.refresh_from_db()
    assert run.undone_by == planner
    with pytest.raises(Conflict, match="already been undone"):
        services.undo_apply(actor=planner, run=run)


def test_undo_is_refused_when_the_plan_changed_since(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    services.apply_run(actor=planner, run=run)
    assignment_services.update_assignment(
        actor=planner, assignment=small_plan["kept"], ends_at=small_plan["kept"].ends_at - timedelta(hours=1)
    )
    with pytest.raises(Conflict, match="changed since this result was applied") as info:
        services.undo_apply(actor=planner, run=run)
    assert info.value.code == "stale"
    assert Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_undo_needs_an_applied_run_and_the_right_to_solve(
    event: Any, planner: Any, observer: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    run = run_now(services.start_run, actor=planner, event=event, time_limit=5)
    with pytest.raises(Conflict, match="has not been applied"):
        services.undo_apply(actor=planner, run=run)
    services.apply_run(actor=planner, run=run)
    with pytest.raises(NotAllowed):
        services.undo_apply(actor=observer, run=run)
    assert Assignment.objects.filter(officer=small_plan["free"]).exists()


def test_undo_puts_back_a_duty_the_solver_removed_for_a_broken_rule(
    event: Any, planner: Any, small_plan: dict[str, Any], run_now: Any
) -> None:
    """The solver removes a duty whose skill expired; undo restores it as it was (the finding returns),
    instead of refusing it as a new assignment would be refused."""
    from antt.forces.models import OfficerSkill

    run = _with_removal(
        run_now(services.start_run, actor=planner, event=event, time_limit=5), small_plan["kept"]
    )
    services.apply_run(actor=planner, run=run)
    OfficerSkill.objects.filter(officer=small_plan["busy"]).update(expires_on=event.starts_at.date())
    with pytest.raises(Invalid, match="has expired"):  # a new assignment with an expired skill is refused …
        assignment_services.assign_officer(
            actor=planner,
            post=small_plan["kept"].post,
            officer=small_plan["busy"],
            starts_at=small_plan["kept"].starts_at,
            ends_at=small_plan["kept"].ends_at,
            skill=small_plan["kept"].skill,
        )
    # The skill's expiry is part of what the solver reads: mark the plan as unchanged since the apply.
    run.refresh_from_db()
    run.applied_changes["fingerprint"] = services.mapping.fingerprint(event)
    SolverRun.objects.filter(pk=run.pk).update(applied_changes=run.applied_changes)
    services.undo_apply(actor=planner, run=run)  # … but the undo puts the old one back
    assert Assignment.objects.filter(officer=small_plan["busy"], status="published").count() == 1
    assert AuditEntry.objects.filter(action="planning.restore_assignment").count() == 1
