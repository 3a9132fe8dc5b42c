"""Every write of rostering: start, run, cancel and apply a solver run; mark an officer unavailable.

The run itself (:func:`execute_run`) is what the background task calls: it reads the plan, asks the solver
core, writes live progress to the run row (throttled) and stores the summary and the proposed diff. Applying
is one transaction that goes through the planning services, so every change is audited like a hand edit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.conf import settings
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt import solver
from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid
from antt.core.geo import parse_windows
from antt.core.permissions import require
from antt.forces import services as forces_services
from antt.forces.models import Officer, Skill
from antt.planning import assignment_services
from antt.planning.models import Assignment, Post, Requirement
from antt.rostering import mapping, queries, result_mapping
from antt.rostering.models import ACTIVE, SolverRun

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User
    from antt.events.models import Event

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_TIME_LIMIT = 600
PROGRESS_EVERY = 1.0  # seconds between two progress writes
ABANDONED_AFTER = 300  # seconds past its time limit after which a running run is taken as dead


def _check_options(time_limit: int, seed: int) -> None:
    if not 1 <= time_limit <= MAX_TIME_LIMIT:
        raise Invalid(
            _("The time limit must be between 1 and %(max)d seconds.") % {"max": MAX_TIME_LIMIT},
            field="time_limit",
        )
    if not 0 <= seed <= 2**31 - 1:
        raise Invalid(_("The seed must be a whole number from 0 to 2147483647."), field="seed")


def _reap_abandoned(event: Event) -> None:
    """A run whose worker died must not block the event forever: mark it failed."""
    now = timezone.now()
    for run in SolverRun.objects.select_for_update().filter(event=event, status__in=ACTIVE):
        since = run.started_at or run.created_at
        limit = run.time_limit + ABANDONED_AFTER
        if run.status == SolverRun.Status.RUNNING and (now - run.updated_at).total_seconds() > limit:
            run.status = SolverRun.Status.FAILED
            run.error = f"abandoned: no progress since {since.isoformat()}"
            run.finished_at = now
            run.save(update_fields=["status", "error", "finished_at", "updated_at"])


@transaction.atomic
def start_run(
    *,
    actor: Actor,
    event: Event,
    time_limit: int = 30,
    seed: int = 1,
    officer: Officer | None = None,
    unavailable_from: datetime | None = None,
    dispatch: bool = True,
) -> SolverRun:
    """Queue a solver run on ``event``'s plan; refuse a second while one is queued or running."""
    require(actor, "planning.solve", event)
    _check_options(time_limit, seed)
    _reap_abandoned(event)
    if SolverRun.objects.filter(event=event, status__in=ACTIVE).exists():
        raise Conflict(
            _("A solver run is already queued or running for this event: wait for it to finish or cancel it.")
        )
    run = SolverRun(
        event=event,
        kind=SolverRun.Kind.REPLAN if officer is not None else SolverRun.Kind.SOLVE,
        started_by=cast("User", actor),  # require() above refused anyone signed out
        seed=seed,
        time_limit=time_limit,
        fingerprint=mapping.fingerprint(event),
        officer=officer,
        unavailable_from=unavailable_from,
    )
    try:
        with transaction.atomic():
            run.save()
    except IntegrityError as exc:  # the partial unique index: a second start won a race
        raise Conflict(
            _("A solver run is already queued or running for this event: wait for it to finish or cancel it.")
        ) from exc
    audit.record(
        actor=actor,
        action="rostering.start_run",
        target=run,
        event=event,
        changes={"time_limit": [None, time_limit], "seed": [None, seed], "kind": [None, run.kind]},
    )
    if dispatch:
        run_id = run.pk
        transaction.on_commit(lambda: dispatch_run(run_id))
    return run


def dispatch_run(run_id: int) -> None:
    """Hand the run to django-tasks; with the immediate backend and ``SOLVER_THREAD`` in a thread."""
    from django_tasks import task_backends
    from django_tasks.backends.immediate import ImmediateBackend

    from antt.rostering import tasks

    immediate = isinstance(task_backends[tasks.run_solver.backend], ImmediateBackend)
    if immediate and getattr(settings, "SOLVER_THREAD", False):
        threading.Thread(target=_in_thread, args=(run_id,), name=f"solver-run-{run_id}", daemon=True).start()
        return
    tasks.run_solver.enqueue(run_id)


def _in_thread(run_id: int) -> None:
    from django.db import connection

    from antt.rostering import tasks

    try:
        tasks.run_solver.enqueue(run_id)
    finally:
        connection.close()


@transaction.atomic
def start_replan(
    *, actor: Actor, officer: Officer, unavailable_from: datetime, time_limit: int = 30, seed: int = 1
) -> SolverRun:
    """Mark ``officer`` unavailable from ``unavailable_from`` and start a re-plan run, in one transaction."""
    queries.require_replan(actor, officer.event)
    _check_options(time_limit, seed)
    if SolverRun.objects.filter(event=officer.event, status__in=ACTIVE).exists():
        raise Conflict(
            _("A solver run is already queued or running for this event: wait for it to finish or cancel it.")
        )
    mark_unavailable(actor=actor, officer=officer, unavailable_from=unavailable_from)
    return start_run(
        actor=actor,
        event=officer.event,
        time_limit=time_limit,
        seed=seed,
        officer=officer,
        unavailable_from=unavailable_from,
    )


@transaction.atomic
def mark_unavailable(*, actor: Actor, officer: Officer, unavailable_from: datetime) -> Officer:
    """The officer cannot work from ``unavailable_from`` to the end of the event (sick, called away).

    Goes through ``forces.services.update_officer`` (permission ``forces.change``, audited): the
    availability windows are cut at that moment.
    """
    require(actor, "forces.change", officer.event)  # permission first: a refused actor never learns a rule
    event = officer.event
    if timezone.is_naive(unavailable_from):
        raise Invalid(_("Give the time with its time zone."), field="unavailable_from")
    if not event.starts_at <= unavailable_from < event.ends_at:
        raise Invalid(_("The time must lie within the event."), field="unavailable_from")
    windows = (
        parse_windows(officer.availability) if officer.availability else [(event.starts_at, event.ends_at)]
    )
    cut = [(start, min(end, unavailable_from)) for start, end in windows if start < unavailable_from]
    if not cut and officer.availability:
        raise Conflict(_("%(officer)s is already unavailable from that time.") % {"officer": officer})
    # Unavailable from the very start: one minute of availability the day before keeps the list non-empty
    # (an empty list would mean "always available").
    value = [
        {"starts_at": start.isoformat(), "ends_at": end.isoformat()} for start, end in cut if end > start
    ] or [
        {
            "starts_at": (event.starts_at - timedelta(days=1)).isoformat(),
            "ends_at": (event.starts_at - timedelta(days=1, minutes=-1)).isoformat(),
        }
    ]
    return forces_services.update_officer(actor=actor, officer=officer, availability=value)


@transaction.atomic
def cancel_run(*, actor: Actor, run: SolverRun) -> SolverRun:
    """Cancel a queued run at once; ask a running one to stop (it keeps nothing to apply)."""
    require(actor, "planning.solve", run.event)
    run = SolverRun.objects.select_for_update().get(pk=run.pk)
    if run.status == SolverRun.Status.QUEUED:
        run.status = SolverRun.Status.CANCELLED
        run.finished_at = timezone.now()
    elif run.status == SolverRun.Status.RUNNING:
        run.cancel_requested = True
    else:
        raise Conflict(_("This run has already finished; there is nothing to cancel."))
    run.save(update_fields=["status", "finished_at", "cancel_requested", "updated_at"])
    audit.record(actor=actor, action="rostering.cancel_run", target=run, event=run.event)
    return run


# --- the run itself (background task) --------------------------------------------------------------------


class _Progress:
    """The latest progress report, handed from the solver's thread to the task's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latest: solver.Progress | None = None

    def __call__(self, progress: solver.Progress) -> None:
        with self.lock:
            self.latest = progress


def _retry(fn: Callable[[], T]) -> T:
    """Run a short database step again while SQLite reports a lock (the web process reads at the same time)."""
    for attempt in range(60):
        try:
            return fn()
        except OperationalError as exc:
            if "locked" not in str(exc) or attempt == 59:
                raise
            time.sleep(0.25)
    raise AssertionError("unreachable")


def _claim(run_id: int) -> SolverRun | None:
    with transaction.atomic():
        run = SolverRun.objects.select_for_update().select_related("event").filter(pk=run_id).first()
        if run is None or run.status != SolverRun.Status.QUEUED:
            return None
        run.status = SolverRun.Status.RUNNING
        run.started_at = timezone.now()
        run.fingerprint = mapping.fingerprint(run.event)
        run.save(update_fields=["status", "started_at", "fingerprint", "updated_at"])
        return run


def execute_run(run_id: int) -> str:
    """Run the solver for a queued run; every outcome (even a crash) ends in a finished status."""
    run = _retry(lambda: _claim(run_id))
    if run is None:
        found = SolverRun.objects.filter(pk=run_id).values_list("status", flat=True).first()
        return found or "missing"
    try:
        _solve(run)
    except Exception as exc:
        logger.exception("solver run %s failed", run_id)
        message = f"{type(exc).__name__}: {exc}"[:2000]
        _retry(
            lambda: SolverRun.objects.filter(pk=run_id).update(
                status=SolverRun.Status.FAILED,
                error=message,
                finished_at=timezone.now(),
                updated_at=timezone.now(),
            )
        )
    return SolverRun.objects.filter(pk=run_id).values_list("status", flat=True).get()


def _solve(run: SolverRun) -> None:
    event = run.event
    began = time.monotonic()
    unavailable = (
        (run.officer_id, run.unavailable_from)
        if run.officer_id is not None and run.unavailable_from is not None
        else None
    )
    plan_map = _retry(lambda: mapping.build(event, unavailable=unavailable))
    before = result_mapping.figures(plan_map.plan)
    cancel = threading.Event()
    if _retry(lambda: SolverRun.objects.filter(pk=run.pk, cancel_requested=True).exists()):
        cancel.set()
    progress = _Progress()
    options = solver.SolveOptions(
        time_limit=run.time_limit, seed=run.seed, workers=2, progress=progress, cancel=cancel
    )
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["result"] = solver.solve_roster(plan_map.problem, options)
        except BaseException as exc:  # handed back to the task's thread
            outcome["error"] = exc

    if plan_map.has_demand and plan_map.problem.officers:
        worker = threading.Thread(target=work, name=f"solver-{run.pk}", daemon=True)
        worker.start()
        while worker.is_alive():
            worker.join(PROGRESS_EVERY)
            _retry(lambda: _write_progress(run, plan_map, progress, began, before))
            if not cancel.is_set() and _retry(
                lambda: SolverRun.objects.filter(pk=run.pk, cancel_requested=True).exists()
            ):
                cancel.set()
        if "error" in outcome:
            raise outcome["error"]
        result: solver.RosterResult = outcome["result"]
    else:
        result = solver.RosterResult(status=solver.SolveStatus.EMPTY)
    changes = _retry(lambda: result_mapping.result_to_changes(plan_map, result))
    after = _retry(lambda: result_mapping.figures(result_mapping.plan_after(plan_map, changes)))
    published = sum(1 for a in plan_map.plan.assignments if a.status == "published")
    changed_published = sum(1 for a, _reason in plan_map.removed if a.status == Assignment.Status.PUBLISHED)
    summary = {
        "solver_status": str(result.status),
        "before": before,
        "after": after,
        "violations": after["violations"],
        "churn": {
            "published": published,
            "changed_published": changed_published,
            "share": round(changed_published / published, 4) if published else 0.0,
            "changes": changes["totals"]["moved"] + changes["totals"]["added"] + changes["totals"]["removed"],
        },
        "totals": changes["totals"],
        "gaps": changes["gaps"],
        "reasons": [{"vi": r.text("vi"), "en": r.text("en")} for r in result.reasons],
        "open": _open_figures(plan_map, result),
        "excluded_officers": len(plan_map.excluded),
        "demands": len(plan_map.demands),
        "solver_seconds": round(result.wall_time, 2),
        "seconds": round(time.monotonic() - began, 2),
    }
    cancelled = cancel.is_set()
    status = SolverRun.Status.CANCELLED if cancelled else SolverRun.Status.SUCCEEDED
    if result.status is solver.SolveStatus.INFEASIBLE:
        status = SolverRun.Status.FAILED
    finish = SolverRun.objects.filter(pk=run.pk)
    _retry(
        lambda: finish.update(
            status=status,
            summary=summary,
            diff=changes,
            elapsed=round(time.monotonic() - began, 2),
            best_coverage=after["coverage"],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
            error="; ".join(r["en"] for r in summary["reasons"]) if status == SolverRun.Status.FAILED else "",
        )
    )


def _open_figures(plan_map: mapping.Mapping, result: solver.RosterResult) -> dict[str, Any]:
    """What was open (slot-minutes), what the run filled and the solver's upper bound on what can be."""
    pinned = sum(pin.end - pin.start for pin in plan_map.problem.pinned)
    cov = result.coverage
    filled = max(0, cov.covered_minutes - pinned) if result.status is not solver.SolveStatus.EMPTY else 0
    bound = max(0, cov.upper_bound_minutes - pinned) if result.status is not solver.SolveStatus.EMPTY else 0
    return {
        "minutes": plan_map.residual_minutes,
        "filled": filled,
        "coverable": bound,
        "of_coverable": round(filled / bound, 6) if bound else 1.0,
    }


def _write_progress(
    run: SolverRun, plan_map: mapping.Mapping, progress: _Progress, began: float, before: dict[str, Any]
) -> None:
    with progress.lock:
        latest = progress.latest
    values: dict[str, Any] = {"elapsed": round(time.monotonic() - began, 2), "updated_at": timezone.now()}
    if latest is not None:
        # The objective is dominated by uncovered minutes x protection x the weight: an estimate of coverage.
        weight = plan_map.problem.weights.uncovered
        left = min(1.0, max(0.0, latest.objective / max(1, plan_map.residual_weight * weight)))
        demand = before["demand_minutes"] or 1
        estimate = before["coverage"] + (before["uncovered_minutes"] / demand) * (1 - left)
        values.update(
            best_coverage=round(min(1.0, estimate), 6),
            objective=latest.objective,
            bound=latest.bound,
            solutions=latest.solutions,
        )
    SolverRun.objects.filter(pk=run.pk, status=SolverRun.Status.RUNNING).update(**values)


# --- applying the result ------------------------------------------------------------------------------


def _moment(value: str) -> datetime:
    return datetime.fromisoformat(value)


@transaction.atomic
def apply_run(*, actor: Actor, run: SolverRun) -> dict[str, int]:
    """Apply the run's proposed changes as one transaction; refuse a stale result (the plan changed)."""
    event = run.event
    require(actor, "planning.solve", event)
    run = SolverRun.objects.select_for_update().get(pk=run.pk)
    if run.applied_at is not None:
        raise Conflict(_("This result has already been applied."))
    if run.status != SolverRun.Status.SUCCEEDED:
        raise Conflict(_("Only a finished, successful run can be applied."))
    if mapping.fingerprint(event) != run.fingerprint:
        raise Conflict(
            _(
                "The plan has changed since this run started (assignments, requirements, officers or rest "
                "rules): its result is stale. Start a new run."
            ),
            code="stale",
        )
    changes = run.diff or {}
    removals: list[int] = []
    additions: list[tuple[int, dict[str, Any]]] = []
    for entry in changes.get("officers", []):
        removals += [item["assignment_id"] for item in entry["removed"]]
        removals += [pair["from"]["assignment_id"] for pair in entry["moved"]]
        additions += [(entry["officer_id"], item) for item in entry["added"]]
        additions += [(entry["officer_id"], pair["to"]) for pair in entry["moved"]]
    assignments = {
        a.pk: a for a in Assignment.objects.filter(event=event, pk__in=removals).select_related("event")
    }
    officers = {o.pk: o for o in Officer.objects.filter(event=event, pk__in={o for o, _i in additions})}
    posts = {
        p.pk: p
        for p in Post.objects.filter(
            event=event, pk__in={i["post_id"] for _o, i in additions}
        ).select_related("event")
    }
    skills = {s.code: s for s in Skill.objects.filter(event=event)}
    requirements = {
        r.pk: r
        for r in Requirement.objects.filter(
            event=event, pk__in={i["requirement_id"] for _o, i in additions if i.get("requirement_id")}
        )
    }
    removed = [_assignment_snapshot(assignments[pk]) for pk in removals]
    for pk in removals:
        assignment_services.unassign(actor=actor, assignment=assignments[pk])
    created: list[int] = []
    for officer_id, item in additions:
        requirement = requirements.get(item.get("requirement_id") or 0)
        post = posts[item["post_id"]]
        assignment = assignment_services.assign_officer(
            actor=actor,
            post=post,
            officer=officers[officer_id],
            starts_at=_moment(item["starts_at"]),
            ends_at=_moment(item["ends_at"]),
            skill=skills[item["skill"]],
            requirement=requirement if requirement is not None and requirement.post_id == post.pk else None,
        )
        created.append(assignment.pk)
    run.applied_at = timezone.now()
    run.applied_by = cast("User", actor)
    run.applied_changes = {"created": created, "removed": removed, "fingerprint": mapping.fingerprint(event)}
    run.save(update_fields=["applied_at", "applied_by", "applied_changes", "updated_at"])
    counts = {"removed": len(removals), "added": len(additions)}
    audit.record(actor=actor, action="rostering.apply_run", target=run, event=event, changes=counts)
    return counts


def _assignment_snapshot(assignment: Assignment) -> dict[str, Any]:
    return {
        "officer_id": assignment.officer_id,
        "post_id": assignment.post_id,
        "starts_at": assignment.starts_at.isoformat(),
        "ends_at": assignment.ends_at.isoformat(),
        "skill_id": assignment.skill_id,
        "requirement_id": assignment.requirement_id,
        "status": assignment.status,
    }


def may_undo(run: SolverRun) -> bool:
    """Applied, not yet undone, and applied by this version of the service (which kept what it did)."""
    return (
        run.applied_at is not None and run.undone_at is None and "fingerprint" in (run.applied_changes or {})
    )


@transaction.atomic
def undo_apply(*, actor: Any, run: SolverRun) -> dict[str, int]:
    """Apply the reverse of what ``apply_run`` did, as one transaction: remove the assignments it created,
    put back those it removed as they were (``restore_assignment``: status kept, and the findings they had,
    since the solver often removed them for a broken rule). Refused when the plan changed since (its
    fingerprint differs): the reverse would then overwrite someone's later work."""
    event = run.event
    require(actor, "planning.solve", event)
    run = SolverRun.objects.select_for_update().get(pk=run.pk)
    if run.applied_at is None:
        raise Conflict(_("This result has not been applied, so there is nothing to undo."))
    if run.undone_at is not None:
        raise Conflict(_("Applying this result has already been undone."))
    done = run.applied_changes or {}
    if "fingerprint" not in done:
        raise Conflict(_("This result was applied before undo was possible: change the plan in the editor."))
    if mapping.fingerprint(event) != done["fingerprint"]:
        raise Conflict(
            _(
                "The plan has changed since this result was applied: undoing it would overwrite later work. "
                "Change the plan in the editor instead."
            ),
            code="stale",
        )
    for assignment in Assignment.objects.filter(event=event, pk__in=done["created"]).select_related("event"):
        assignment_services.unassign(actor=actor, assignment=assignment)
    officers = {
        o.pk: o
        for o in Officer.objects.filter(event=event, pk__in={r["officer_id"] for r in done["removed"]})
    }
    posts = {
        p.pk: p
        for p in Post.objects.filter(
            event=event, pk__in={r["post_id"] for r in done["removed"]}
        ).select_related("event")
    }
    skills = {s.pk: s for s in Skill.objects.filter(event=event)}
    requirement_ids = {r["requirement_id"] for r in done["removed"] if r["requirement_id"]}
    requirements = {r.pk: r for r in Requirement.objects.filter(event=event, pk__in=requirement_ids)}
    for row in done["removed"]:
        requirement = requirements.get(row["requirement_id"] or 0)
        assignment_services.restore_assignment(
            actor=actor,
            post=posts[row["post_id"]],
            officer=officers[row["officer_id"]],
            starts_at=_moment(row["starts_at"]),
            ends_at=_moment(row["ends_at"]),
            skill=skills[row["skill_id"]],
            requirement=requirement
            if requirement is not None and requirement.post_id == row["post_id"]
            else None,
            status=row["status"],
        )
    run.undone_at = timezone.now()
    run.undone_by = actor
    run.save(update_fields=["undone_at", "undone_by", "updated_at"])
    counts = {"removed": len(done["created"]), "restored": len(done["removed"])}
    audit.record(actor=actor, action="rostering.undo_apply", target=run, event=event, changes=counts)
    return counts
