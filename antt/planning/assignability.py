"""May this assignment be made? The one place for both halves of that decision.

Who may assign whom: ``assign_scope`` (``planning.assign``: any officer of the event; ``planning.assign_own_unit``:
the officers of the units the user commands and their sub-units). The editor's pages, the gap board's links,
the API and the services all ask it.

What refuses a proposed assignment: the coverage engine's findings about the proposal itself (``REFUSED``),
from a small plan around it (``check``: also what it fixes and what it warns about) or from the officers'
slice alone (``refusals``, the services' check). One set of rules, the engine's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from antt.core.errors import NotAllowed
from antt.core.permissions import can, require
from antt.forces import queries as forces_queries
from antt.forces.models import Officer, OfficerSkill
from antt.planning import coverage, coverage_input
from antt.planning.coverage import FindingKind
from antt.planning.models import Assignment, Requirement, Site

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event
    from antt.forces.models import Unit

# --- who may assign whom ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignScope:
    """What a user may assign in an event: ``action`` is the permission it rests on; ``unit_ids`` the units
    whose officers they may assign (None: every officer of the event)."""

    action: str
    unit_ids: frozenset[int] | None

    def covers(self, officer: Officer) -> bool:
        return self.unit_ids is None or officer.unit_id in self.unit_ids

    def require_officers(self, *officers: Officer) -> None:
        for officer in officers:
            if not self.covers(officer):
                raise NotAllowed(
                    _("You may assign only the officers of your own units; %(officer)s is not one of them.")
                    % {"officer": officer},
                    field="officer",
                )

    def require_unit(self, unit: Unit) -> None:
        if self.unit_ids is not None and unit.pk not in self.unit_ids:
            raise NotAllowed(_("You may assign only your own unit and its sub-units."), field="unit")


def may_assign(user: Actor, event: Event) -> bool:
    """Whether ``user`` may assign anyone at all in ``event`` (for links and buttons)."""
    return can(user, "planning.assign", event) or can(user, "planning.assign_own_unit", event)


def assign_scope(user: Actor, event: Event) -> AssignScope:
    """Who ``user`` may assign in ``event``; ``NotFound`` for a non-member, ``NotAllowed`` for a member who
    may not assign."""
    if can(user, "planning.assign", event):
        return AssignScope(action="planning.assign", unit_ids=None)
    if can(user, "planning.assign_own_unit", event):
        return AssignScope(
            action="planning.assign_own_unit",
            unit_ids=frozenset(forces_queries.commanded_unit_ids(user, event)),
        )
    require(user, "planning.assign", event)  # raises NotFound or NotAllowed
    return AssignScope(action="planning.assign", unit_ids=None)


# --- what refuses a proposed assignment ------------------------------------------------------------------

#: Engine id of a proposed (not yet saved) assignment; database ids start at 1.
PROPOSED = 0
ACTIVE = coverage_input.ACTIVE

#: Findings about the proposed assignment itself that make the service refuse it.
REFUSED_INVALID = frozenset(
    {
        FindingKind.SKILL_MISSING,
        FindingKind.SKILL_EXPIRED,
        FindingKind.CLEARANCE_TOO_LOW,
        FindingKind.OFFICER_UNAVAILABLE,
    }
)
REFUSED_CONFLICT = frozenset(
    {
        FindingKind.DOUBLE_BOOKED,
        FindingKind.REST_TOO_SHORT,
        FindingKind.DUTY_OVER_24H,
        FindingKind.TOO_MANY_CONSECUTIVE_DAYS,
    }
)
REFUSED = REFUSED_INVALID | REFUSED_CONFLICT


@dataclass(frozen=True)
class Proposal:
    """An assignment as it would be saved (``replaces``: the id of the assignment being changed)."""

    officer_id: int
    post_id: int
    site_id: int
    skill_id: int
    role: str
    starts_at: datetime
    ends_at: datetime
    requirement_id: int | None = None
    replaces: int | None = None

    @property
    def id(self) -> int:
        return self.replaces or PROPOSED

    def engine(self, officer_id: int | None = None) -> coverage.Assignment:
        return coverage.Assignment(
            id=self.id,
            officer_id=self.officer_id if officer_id is None else officer_id,
            post_id=self.post_id,
            site_id=self.site_id,
            window=coverage.Window.of(self.starts_at, self.ends_at),
            role=self.role,
            status="planned",
            requirement_id=self.requirement_id,
        )


@dataclass
class Check:
    """What saving ``proposal`` would do to the findings of the plan."""

    proposal: Proposal
    added: list[coverage.Finding]
    removed: list[coverage.Finding]

    def _about_proposal(self, finding: coverage.Finding) -> bool:
        return self.proposal.id in finding.assignment_ids

    @property
    def refusals(self) -> list[coverage.Finding]:
        """Findings the service refuses: the proposal breaks a qualification or working-time rule."""
        return [f for f in self.added if f.kind in REFUSED and self._about_proposal(f)]

    @property
    def warnings(self) -> list[coverage.Finding]:
        """New findings that do not stop the save (overstaffing, outside opening hours, …)."""
        refused = self.refusals
        return [f for f in self.added if f not in refused and f.kind != FindingKind.UNCOVERED]

    @property
    def fixes(self) -> list[coverage.Finding]:
        """Gaps the proposal closes or narrows."""
        return [f for f in self.removed if f.kind == FindingKind.UNCOVERED]

    @property
    def ok(self) -> bool:
        return not self.refusals


# --- one proposal -----------------------------------------------------------------------------------------


def check(event: Event, proposal: Proposal, *, site: Site, before: Proposal | None = None) -> Check:
    """What saving ``proposal`` would break and fix. ``before``: the assignment as it is now, when
    ``proposal`` changes an existing one (same ``replaces`` id)."""
    officer_ids = {proposal.officer_id} | ({before.officer_id} if before else set())
    groups = [(proposal.post_id, proposal.skill_id, proposal.starts_at, proposal.ends_at)]
    if before is not None:
        groups.append((before.post_id, before.skill_id, before.starts_at, before.ends_at))
    small = coverage_input.small_plan(
        event,
        officers=Q(pk__in=officer_ids),
        groups=groups,
        site=site,
        requirement_ids=[r for r in (proposal.requirement_id,) if r is not None],
    )
    wanted = {(proposal.post_id, proposal.role)} | ({(before.post_id, before.role)} if before else set())
    index = coverage.CoverageIndex(small.plan, groups=wanted, calendar=coverage_input.calendar_of(event))
    known = {a.id for a in small.plan.assignments}
    if proposal.replaces is not None and proposal.replaces in known:
        delta = index.update_assignment(proposal.engine())
    else:
        delta = index.add_assignment(proposal.engine())
    return Check(proposal=proposal, added=list(delta.added), removed=list(delta.removed))


@dataclass
class OfficerSlice:
    """The part of the plan that decides every refusal about some officers: the officers with all their
    active duties (a person holds a few dozen at most), every skill they hold, the requirements of those
    duties and the rest rules. Every refused kind is about the officer and the assignment alone (no
    coverage), so checking a proposal on this slice refuses exactly what ``check`` refuses."""

    plan: coverage.CoveragePlan
    skill_ids: dict[int, set[int]]  # officer id → skill ids held (valid or not)

    def holds(self, officer_id: int, skill_id: int) -> bool:
        return skill_id in self.skill_ids.get(officer_id, set())

    def clash(
        self, officer_id: int, starts_at: datetime, ends_at: datetime, *, exclude: int | None = None
    ) -> Any:
        """The first active duty of the officer overlapping the window (its post id), or None."""
        window = coverage.Window.of(starts_at, ends_at)
        for a in sorted(self.plan.assignments, key=lambda a: (a.window.start, a.id)):
            if a.officer_id == officer_id and a.id != exclude and a.window.overlaps(window):
                return a.post_id
        return None

    def refusals(self, proposal: Proposal, *, before: Proposal | None = None) -> list[coverage.Finding]:
        """``check(...).refusals``: what the proposal breaks of its own qualification and its officer's
        working-time rules (``before``: the assignment as it is now, when changing one)."""
        index = coverage.CoverageIndex(self.plan, groups=(), calendar=coverage_input.calendar_of(self.plan))
        known = {a.id for a in self.plan.assignments}
        if proposal.replaces is not None and proposal.replaces in known:
            delta = index.update_assignment(proposal.engine())
        else:
            delta = index.add_assignment(proposal.engine())
        return Check(proposal=proposal, added=list(delta.added), removed=list(delta.removed)).refusals


def officer_slice(
    event: Event, officers: Iterable[Officer], *, requirement_ids: Iterable[int] = ()
) -> OfficerSlice:
    """The slice of ``officers`` (instances as loaded: their clearance and availability are used) and
    ``requirement_ids`` besides their duties' own. Four queries: duties (on the (officer, starts_at)
    index), skills, requirements, rest rules."""
    people = {o.pk: o for o in officers}
    rows = list(
        Assignment.objects.filter(event=event, officer_id__in=sorted(people), status__in=ACTIVE)
        .order_by()
        .values_list(*coverage_input.ASSIGNMENT_VALUES)
    )
    wanted = {r for r in requirement_ids if r} | {row[-1] for row in rows if row[-1] is not None}
    skills: dict[int, list[coverage.Skill]] = defaultdict(list)
    skill_ids: dict[int, set[int]] = defaultdict(set)
    for officer_id, skill_id, code, expires in OfficerSkill.objects.filter(
        officer_id__in=sorted(people)
    ).values_list("officer_id", "skill_id", "skill__code", "expires_on"):
        skills[officer_id].append(coverage.Skill(code=code, expires=expires))
        skill_ids[officer_id].add(skill_id)
    plan = coverage.CoveragePlan(
        window=coverage.Window.of(event.starts_at, event.ends_at),
        time_zone=event.time_zone,
        requirements=coverage_input.engine_requirements(
            Requirement.objects.filter(event=event, pk__in=sorted(wanted))
        )
        if wanted
        else (),
        assignments=tuple(
            sorted((coverage_input.engine_assignment(row) for row in rows), key=lambda a: a.id)
        ),
        officers=tuple(
            coverage.Officer(
                id=o.pk,
                unit_id=o.unit_id,
                skills=tuple(skills.get(o.pk, ())),
                clearance=o.clearance,
                availability=coverage_input.windows(o.availability) if o.availability else None,
            )
            for o in sorted(people.values(), key=lambda o: o.pk)
        ),
        rest=coverage_input.rest_rules(event),
    )
    return OfficerSlice(plan=plan, skill_ids=dict(skill_ids))


def refusals(event: Event, proposal: Proposal, *, before: Proposal | None = None) -> list[coverage.Finding]:
    """``check(event, proposal, before=before).refusals``, from the officers' slice (five queries)."""
    ids = {proposal.officer_id} | ({before.officer_id} if before else set())
    people = Officer.objects.filter(event=event, pk__in=sorted(ids))
    wanted = [r for r in (proposal.requirement_id, before and before.requirement_id) if r]
    return officer_slice(event, people, requirement_ids=wanted).refusals(proposal, before=before)


def proposal_for(
    requirement: Requirement, officer: Officer, starts_at: datetime, ends_at: datetime
) -> Proposal:
    return Proposal(
        officer_id=officer.pk,
        post_id=requirement.post_id,
        site_id=requirement.post.site_id,
        skill_id=requirement.skill_id,
        role=requirement.skill.code,
        starts_at=starts_at,
        ends_at=ends_at,
        requirement_id=requirement.pk,
    )


def proposal_of(assignment: Assignment, **changes: Any) -> Proposal:
    """``assignment`` (or the same with ``changes`` applied) as a proposal replacing itself."""
    officer = changes.get("officer", assignment.officer)
    post = changes.get("post", assignment.post)
    skill = changes.get("skill", assignment.skill)
    return Proposal(
        officer_id=officer.pk,
        post_id=post.pk,
        site_id=post.site_id,
        skill_id=skill.pk,
        role=skill.code,
        starts_at=changes.get("starts_at", assignment.starts_at),
        ends_at=changes.get("ends_at", assignment.ends_at),
        requirement_id=assignment.requirement_id,
        replaces=assignment.pk,
    )
