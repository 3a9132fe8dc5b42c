"""Every write to assignments: assign an officer or a whole unit, move, remove, publish.

Who may assign whom and what refuses an assignment are asked of ``assignability`` (the same answers the
editor shows); one transaction each; one audit entry per assignment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, DomainError, Invalid
from antt.core.languages import current_language
from antt.core.lookups import ids_in
from antt.core.permissions import require
from antt.forces import queries as forces_queries
from antt.forces.models import Officer, Skill, Unit
from antt.planning import assignability, candidates, coverage, findings, services, timelines, versions
from antt.planning.models import Assignment, Post, Requirement

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

# --- assignments -----------------------------------------------------------------------------------------


def _lock_officer(officer: Officer) -> Officer:
    """Serialise every change to one officer's duties (a row lock on PostgreSQL; SQLite locks the file)."""
    return Officer.objects.select_for_update().get(pk=officer.pk)


def _refuse(
    event: Event,
    proposal: assignability.Proposal,
    *,
    officers: Iterable[Officer],
    skill: Skill,
    before: assignability.Proposal | None = None,
) -> None:
    """Refuse, from the officers' slice of the plan (``assignability.officer_slice``, four queries): a skill not
    held, double booking, and what the coverage engine says the assignment would break for the officer:
    skill expired on that date, clearance below the requirement's, outside the officer's availability,
    rest rules."""
    officer = next(o for o in officers if o.pk == proposal.officer_id)
    wanted = [r for r in (proposal.requirement_id, before and before.requirement_id) if r]
    part = assignability.officer_slice(event, officers, requirement_ids=wanted)
    if not part.holds(officer.pk, skill.pk):
        raise Invalid(
            _("%(officer)s does not hold the skill %(skill)s.") % {"officer": officer, "skill": skill},
            field="skill",
        )
    clash = part.clash(officer.pk, proposal.starts_at, proposal.ends_at, exclude=proposal.replaces)
    if clash is not None:
        raise Conflict(
            _("%(officer)s is already assigned to %(post)s at that time.")
            % {"officer": officer, "post": Post.objects.get(pk=clash)},
            field="officer",
        )
    refusals = part.refusals(proposal, before=before)
    if not refusals:
        return
    first = refusals[0]
    lang = current_language()
    reason = coverage.explain(first, lang, findings.labeller(event, refusals))
    error = Invalid if first.kind in assignability.REFUSED_INVALID else Conflict
    raise error(_("Not saved: %(reason)s") % {"reason": reason}, field="officer", code=str(first.kind))


def _clean_assignment(assignment: Assignment) -> None:
    """``full_clean()`` once, less what is known already: the event, officer, post and skill are instances
    of this event (``writes.same_event``; the officer is locked next) whose rows the database's foreign
    keys guard, and the window rule is ``_check_window``'s. (The requirement, whose foreign key the
    database does not guard, is still looked up.)"""
    try:
        assignment.full_clean(exclude=("event", "officer", "post", "skill"), validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise Invalid(" ".join(messages), field=None if field == "__all__" else field) from exc


def _check_window(starts_at: datetime, ends_at: datetime) -> None:
    if ends_at <= starts_at:
        raise Invalid(_("The end must be after the start."), field="ends_at")


@transaction.atomic
def assign_officer(
    *,
    actor: Actor,
    post: Post,
    officer: Officer,
    starts_at: datetime,
    ends_at: datetime,
    skill: Skill | None = None,
    requirement: Requirement | None = None,
) -> Assignment:
    """Put ``officer`` on ``post`` for the window. Refused: double booking, a missing skill or one expired on
    that date, clearance below the requirement's, outside the officer's availability, a broken rest rule
    (minimum rest, maximum per 24 h, maximum consecutive days). A unit commander assigns only the officers
    of their own units."""
    event = post.event
    scope = assignability.assign_scope(actor, event)
    writes.same_event(event, officer=officer, skill=skill, requirement=requirement)
    scope.require_officers(officer)
    if requirement is not None and requirement.post_id != post.pk:
        raise Invalid(_("The requirement belongs to another post."), field="requirement")
    if requirement is not None and skill is not None and skill.pk != requirement.skill_id:
        raise Invalid(_("The role/skill differs from the requirement's."), field="skill")
    skill = skill or (requirement.skill if requirement else None) or post.default_skill
    if skill is None:
        raise Invalid(_("Choose the role/skill of this assignment."), field="skill")
    assignment = Assignment(
        event=event,
        officer=officer,
        post=post,
        starts_at=starts_at,
        ends_at=ends_at,
        skill=skill,
        requirement=requirement,
    )
    _check_window(starts_at, ends_at)
    _clean_assignment(assignment)
    services.within_event(event, starts_at, ends_at)
    officer = _lock_officer(officer)
    proposal = assignability.Proposal(
        officer_id=officer.pk,
        post_id=post.pk,
        site_id=post.site_id,
        skill_id=skill.pk,
        role=skill.code,
        starts_at=starts_at,
        ends_at=ends_at,
        requirement_id=requirement.pk if requirement else None,
    )
    _refuse(event, proposal, officers=[officer], skill=skill)
    # writes.create without its second full_clean (done above) and second permission check (assign_scope)
    writes.save(assignment)
    audit.record(
        actor=actor,
        action="planning.assign_officer",
        target=assignment,
        event=event,
        changes=audit.diff({}, audit.snapshot(assignment, services.ASSIGNMENT_FIELDS)),
    )
    versions.bump(event, assignments=[assignment.pk])
    return assignment


@transaction.atomic
def restore_assignment(
    *,
    actor: Any,
    post: Post,
    officer: Officer,
    starts_at: datetime,
    ends_at: datetime,
    skill: Skill,
    requirement: Requirement | None = None,
    status: str = Assignment.Status.PLANNED,
) -> Assignment:
    """Put back an assignment that existed (undoing a solver result). Not a new decision, so the plan's
    refusals are not asked again: the row returns as it was, with the findings it had (an expired skill
    the solver had removed shows again on the gap board). Who may assign whom still applies."""
    event = post.event
    scope = assignability.assign_scope(actor, event)
    writes.same_event(event, officer=officer, skill=skill, requirement=requirement)
    scope.require_officers(officer)
    assignment = Assignment(
        event=event,
        officer=officer,
        post=post,
        starts_at=starts_at,
        ends_at=ends_at,
        skill=skill,
        requirement=requirement,
        status=status,
    )
    _clean_assignment(assignment)
    writes.save(assignment)
    audit.record(
        actor=actor,
        action="planning.restore_assignment",
        target=assignment,
        event=event,
        changes=audit.diff({}, audit.snapshot(assignment, services.ASSIGNMENT_FIELDS)),
    )
    versions.bump(event, assignments=[assignment.pk])
    return assignment


@transaction.atomic
def update_assignment(*, actor: Any, assignment: Assignment, **changes: Any) -> Assignment:
    """Move an assignment in time, to another post or officer; the same refusals as ``assign_officer``."""
    event = assignment.event
    scope = assignability.assign_scope(actor, event)
    writes.same_event(
        event, officer=changes.get("officer"), post=changes.get("post"), skill=changes.get("skill")
    )
    unknown = set(changes) - {"officer", "post", "starts_at", "ends_at", "skill"}
    if unknown:
        raise Invalid(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    officer = changes.get("officer", assignment.officer)
    scope.require_officers(assignment.officer, officer)
    skill = changes.get("skill", assignment.skill)
    starts_at = changes.get("starts_at", assignment.starts_at)
    ends_at = changes.get("ends_at", assignment.ends_at)
    _check_window(starts_at, ends_at)
    services.within_event(event, starts_at, ends_at)
    officer = _lock_officer(officer)
    others = [assignment.officer] if assignment.officer_id != officer.pk else []
    _refuse(
        event,
        assignability.proposal_of(assignment, **changes),
        officers=[officer, *others],
        skill=skill,
        before=assignability.proposal_of(assignment),
    )
    assignment, _delta = writes.update(
        actor=actor,
        action=scope.action,
        event=event,
        obj=assignment,
        changes=changes,
        allowed=("officer", "post", "starts_at", "ends_at", "skill"),
        fields=services.ASSIGNMENT_FIELDS,
        audit_action="planning.update_assignment",
    )
    if _delta:
        versions.bump(event, assignments=[assignment.pk])
    return assignment


@transaction.atomic
def unassign(*, actor: Actor, assignment: Assignment) -> None:
    scope = assignability.assign_scope(actor, assignment.event)
    scope.require_officers(assignment.officer)
    writes.delete(
        actor=actor,
        action=scope.action,
        event=assignment.event,
        obj=assignment,
        fields=services.ASSIGNMENT_FIELDS,
        audit_action="planning.unassign",
    )
    versions.bump(assignment.event_id, assignments=[assignment.pk])


@dataclass
class BulkResult:
    """What ``assign_unit`` did: who was placed, who could not be (and why), seats still open."""

    placed: list[Assignment]
    not_placed: list[tuple[Officer, str]]
    without_skill: int
    still_short: int


@transaction.atomic
def assign_unit(
    *,
    actor: Actor,
    requirement: Requirement,
    unit: Unit,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> BulkResult:
    """Assign the qualified free officers of ``unit`` (and its sub-units) to ``requirement`` for the window
    (default: the requirement's; a gap may run over several requirements of the post), best ranked first,
    up to the shortfall; one transaction, one audit entry per assignment. Those who could not be placed are
    returned with the reason."""
    event = requirement.event
    scope = assignability.assign_scope(actor, event)
    writes.same_event(event, unit=unit)
    unit_ids = forces_queries.unit_tree_ids(event, [unit.pk])
    scope.require_unit(unit)
    starts_at = starts_at or requirement.starts_at
    ends_at = ends_at or requirement.ends_at
    _check_window(starts_at, ends_at)
    services.within_event(event, starts_at, ends_at)
    found = candidates.candidates(
        event, requirement, starts_at=starts_at, ends_at=ends_at, unit_ids=unit_ids, show=0
    )
    if found.shortfall == 0:
        raise Conflict(_("This requirement is already covered in that window."))
    wanted = [c.officer_id for c in found.qualified] + [c.officer_id for c in found.near_misses]
    officers = Officer.objects.filter(event=event, pk__in=wanted).select_related("unit").in_bulk()
    placed: list[Assignment] = []
    not_placed: list[tuple[Officer, str]] = []
    lang = current_language()
    for candidate in found.qualified:
        officer = officers[candidate.officer_id]
        if len(placed) >= found.shortfall:
            break
        try:  # assign_officer is atomic itself: a refusal rolls back to its savepoint and leaves nothing
            placed.append(
                assign_officer(
                    actor=actor,
                    post=requirement.post,
                    officer=officer,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    requirement=requirement,
                )
            )
        except DomainError as exc:
            not_placed.append((officer, str(exc)))
    if found.near_misses:
        label = findings.labeller(
            event, [f for c in found.near_misses for f in c.refusals[:1]], officers=officers.values()
        )
        for candidate in found.near_misses:
            reason = coverage.explain(candidate.refusals[0], lang, label)
            not_placed.append((officers[candidate.officer_id], reason))
    without_skill = (
        Officer.objects.filter(event=event, unit_id__in=unit_ids)
        .exclude(skills__skill_id=requirement.skill_id)
        .count()
    )
    return BulkResult(
        placed=placed,
        not_placed=not_placed,
        without_skill=without_skill,
        still_short=found.shortfall - len(placed),
    )


def publish_selection(
    event: Any, *, day: date | None = None, unit: Unit | None = None
) -> QuerySet[Assignment]:
    """The planned assignments a publication of ``event`` covers: all, those starting on one local ``day``,
    or those of officers of ``unit`` and the units under it. The preview and ``publish_roster`` both ask
    this, so the officers who receive are the officers shown."""
    qs = Assignment.objects.filter(event=event, status=Assignment.Status.PLANNED)
    if day is not None:
        start, end = timelines.day_bounds(day, event.tz)
        qs = qs.filter(starts_at__gte=start, starts_at__lt=end)
    if unit is not None:
        qs = qs.filter(officer__unit_id__in=forces_queries.unit_tree_ids(event, [unit.pk]))
    return qs.select_related("officer", "officer__unit", "post", "post__site", "skill").order_by(
        "officer__code", "starts_at", "pk"
    )


@transaction.atomic
def publish_roster(*, actor: Any, event: Any, day: date | None = None, unit: Unit | None = None) -> int:
    """Publish what ``publish_selection`` covers as one audited action; the scope goes into the audit."""
    require(actor, "planning.publish", event)
    if unit is not None:
        writes.same_event(event, unit=unit)
    scope = {"day": day.isoformat() if day else None, "unit": unit.code if unit else None}
    ids = list(publish_selection(event, day=day, unit=unit).values_list("pk", flat=True))
    if not ids:
        raise Conflict(_("Nothing to publish: no planned assignment in this choice."), code="empty")
    return publish_assignments(actor=actor, event=event, ids=ids, scope=scope)


@transaction.atomic
def publish_assignments(
    *, actor: Any, event: Any, ids: Iterable[int] | None = None, scope: dict[str, Any] | None = None
) -> int:
    """Publish the planned assignments of ``event`` (all, or those in ``ids``) as one audited action."""
    require(actor, "planning.publish", event)
    qs = Assignment.objects.filter(event=event, status=Assignment.Status.PLANNED)
    if ids is not None:
        qs = qs.filter(pk__in=ids_in(ids))
    published = sorted(qs.values_list("pk", flat=True))
    if not published:
        return 0
    Assignment.objects.filter(pk__in=published).update(status=Assignment.Status.PUBLISHED)
    changes: dict[str, Any] = {"status": ["planned", "published"], "ids": published}
    if scope:
        changes["scope"] = scope
    audit.record(
        actor=actor,
        action="planning.publish_assignments",
        event=event,
        object_type="planning.assignment",
        object_repr=_("%(count)d assignment(s)") % {"count": len(published)},
        changes=changes,
    )
    versions.bump(event, assignments=published)
    return len(published)
