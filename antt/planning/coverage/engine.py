"""The coverage engine: a full audit and an incremental index over one plan.

Coverage rule (which assignments cover which requirements)
-----------------------------------------------------------
Demand and supply are grouped by *(post, role)*. At every minute ``m`` of a group:

- demand: every requirement of the group whose window contains ``m`` asks for ``headcount``
  seats, each needing clearance ``min_clearance``; overlapping requirements add up;
- supply: every *active* assignment of the group whose window contains ``m`` and whose officer is
  qualified at ``m`` — the officer is in the plan and holds the skill ``role``, valid on the local
  date of ``m`` — is one person with the officer's clearance;
- one person fills at most one seat, and only a seat whose ``min_clearance`` is at most the
  officer's clearance. The shortfall is the number of seats left empty by the best possible
  matching, which for these nested levels is ``max(0, max_k(D_k - S_k))`` with ``D_k`` the seats
  needing level ``k`` or more and ``S_k`` the people cleared to level ``k`` or more.

The ``requirement_id`` of an assignment does not restrict which seat it fills; it is checked on its
own (orphan, clearance too low). Availability, rest rules and opening hours do not reduce coverage:
they are reported as their own findings. Overstaffing is the number of active assignments of the
group (qualified or not) above the total seats. Uncovered and overstaffed minutes are merged into
maximal intervals of equal shortfall / excess.

All arithmetic is on integer UTC minutes with sweeps over sorted endpoints; nothing iterates minutes.
"""

from __future__ import annotations

import gc
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .findings import Finding
from .localdays import LocalCalendar
from .model import (
    ACTIVE_STATUSES,
    Assignment,
    CoveragePlan,
    Officer,
    Requirement,
    RestRules,
    SiteHours,
)

__all__ = ["CoverageDelta", "CoverageIndex", "audit", "collector_paused"]

from .group_rules import GroupRules
from .officer_rules import OfficerRules
from .state import GroupKey, Union, _OfficerInfo, merge


@dataclass(frozen=True, slots=True)
class CoverageDelta:
    """What one change did to the findings: those that disappeared and those that appeared."""

    removed: tuple[Finding, ...]
    added: tuple[Finding, ...]

    @property
    def empty(self) -> bool:
        """True when the change did not alter any finding."""
        return not self.removed and not self.added


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector meanwhile (nests). The engine's records form no reference cycles,
    so the collector would only rescan hundreds of thousands of them again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


class CoverageIndex(GroupRules, OfficerRules):
    """The coverage audit of one plan, kept up to date change by change.

    Build it from a full :class:`CoveragePlan`; :meth:`findings` lists every finding. The
    ``add_*`` / ``update_*`` / ``remove_*`` methods apply one change, re-check only what it touches
    (the (post, role) groups, the officer's duties and the assignments involved) and return the
    :class:`CoverageDelta`. The result is always identical to a fresh ``audit`` of the changed plan.
    Changing the event window, zone, rest rules or opening hours needs a new index.

    ``groups`` scopes the index to a slice of a plan: only the coverage (uncovered, overstaffed) of
    those (post id, role) groups is checked, every officer and every assignment is still checked on its
    own. The findings are then those of :func:`audit` about the groups, officers and assignments given
    (the other groups' duties may be there for their officers' working-time rules only).
    ``None`` (the default) checks every group.

    ``calendar``: a :class:`LocalCalendar` of the plan's zone to reuse (it learns day boundaries as it
    goes; many small indexes built one after the other share its work). Not shared between threads.
    """

    def __init__(
        self,
        plan: CoveragePlan,
        *,
        groups: Iterable[GroupKey] | None = None,
        calendar: LocalCalendar | None = None,
    ) -> None:
        # Building creates hundreds of thousands of container objects and no reference cycles; the
        # cyclic garbage collector would only rescan them again and again, so it pauses meanwhile.
        with collector_paused():
            self._build(plan, groups=groups, calendar=calendar)

    def _build(
        self,
        plan: CoveragePlan,
        *,
        for_changes: bool = True,
        groups: Iterable[GroupKey] | None = None,
        calendar: LocalCalendar | None = None,
    ) -> None:
        """Index the plan and check everything; ``for_changes=False`` leaves out the indexes that only
        changes use (for a one-off :func:`audit`); ``groups``, ``calendar``: see the class."""
        self._scope: frozenset[GroupKey] | None = None if groups is None else frozenset(groups)
        self.time_zone = plan.time_zone
        self.event = plan.window
        self.rest: RestRules = plan.rest
        reuse = calendar is not None and calendar.time_zone == plan.time_zone
        self.calendar = calendar if calendar is not None and reuse else LocalCalendar(plan.time_zone)
        self._site_hours: dict[int, Union] = {h.site_id: merge(h.windows) for h in plan.site_hours}
        self._site_hours_input: tuple[SiteHours, ...] = plan.site_hours
        self._requirements: dict[int, Requirement] = {}
        self._assignments: dict[int, Assignment] = {}
        self._officers: dict[int, Officer] = {}
        self._officer_info: dict[int, _OfficerInfo] = {}
        self._req_by_group: dict[GroupKey, dict[int, Requirement]] = {}
        self._asg_by_group: dict[GroupKey, dict[int, Assignment]] = {}
        self._asg_by_officer: dict[int, dict[int, Assignment]] = {}
        self._asg_by_req: dict[int, dict[int, Assignment]] = {}
        self._group_findings: dict[GroupKey, list[Finding]] = {}
        self._officer_findings: dict[int, list[Finding]] = {}
        self._assignment_findings: dict[int, list[Finding]] = {}
        self._all: list[Finding] | None = None

        for officer in plan.officers:
            self._officers[officer.id] = officer
            self._officer_info[officer.id] = _OfficerInfo(officer, self.calendar)
        for requirement in plan.requirements:
            self._requirements[requirement.id] = requirement
            self._req_by_group.setdefault((requirement.post_id, requirement.role), {})[requirement.id] = (
                requirement
            )
        assignments = self._assignments
        by_group: defaultdict[GroupKey, dict[int, Assignment]] = defaultdict(dict)
        by_officer: defaultdict[int, dict[int, Assignment]] = defaultdict(dict)
        by_req: defaultdict[int, dict[int, Assignment]] = defaultdict(dict)
        active = ACTIVE_STATUSES
        if for_changes:
            assignments.update((a.id, a) for a in plan.assignments)
        for a in plan.assignments:  # the inlined equivalent of self._index()
            aid = a.id
            if a.status in active:
                by_group[a.post_id, a.role][aid] = a
                by_officer[a.officer_id][aid] = a
                rid = a.requirement_id
                if rid is not None and for_changes:
                    by_req[rid][aid] = a
        # plain dicts from here on: a lookup of a missing key must not create it
        self._asg_by_group, self._asg_by_officer = dict(by_group), dict(by_officer)
        self._asg_by_req = dict(by_req)
        for key in set(self._req_by_group) | set(self._asg_by_group):  # also checks each active assignment
            found = self._check_group(key, with_assignments=True)
            if found:
                self._group_findings[key] = found
        for officer_id in self._asg_by_officer:
            found = self._check_officer(officer_id)
            if found:
                self._officer_findings[officer_id] = found

    # ------------------------------------------------------------------ reading

    def findings(self) -> list[Finding]:
        """Every finding of the plan, sorted by kind, window and objects."""
        if self._all is None:
            everything: list[Finding] = []
            for store in (self._group_findings, self._officer_findings, self._assignment_findings):
                for items in store.values():
                    everything.extend(items)
            everything.sort(key=Finding.sort_key)
            self._all = everything
        return list(self._all)

    def assignment(self, assignment_id: int) -> Assignment | None:
        """The assignment the index holds under this id (None: none)."""
        return self._assignments.get(assignment_id)

    def requirement(self, requirement_id: int) -> Requirement | None:
        """The requirement the index holds under this id (None: none)."""
        return self._requirements.get(requirement_id)

    def officer(self, officer_id: int) -> Officer | None:
        """The officer the index holds under this id (None: none)."""
        return self._officers.get(officer_id)

    def plan(self) -> CoveragePlan:
        """The current plan, as it would be passed to :func:`audit`."""
        return CoveragePlan(
            window=self.event,
            time_zone=self.time_zone,
            requirements=tuple(self._requirements.values()),
            assignments=tuple(self._assignments.values()),
            officers=tuple(self._officers.values()),
            rest=self.rest,
            site_hours=self._site_hours_input,
        )

    def probe(self, assignment: Assignment, *, duties: Iterable[Assignment] | None = None) -> list[Finding]:
        """What adding ``assignment`` (a new id) would bring about itself, without changing the index: the
        findings that involve it among those of its own checks (qualification, availability, clearance,
        requirement, event and site hours) and of its officer's (double booking and working-time rules),
        sorted. Its group's coverage (uncovered, overstaffed) is not looked at. ``duties``: the officer's
        other active duties to check it against, in place of those in the index. With every duty of the
        officer the findings are exact; with those near it only (within the rest, 24 h and consecutive-days
        horizons) the same kinds are found, a long run of days being counted up to the horizon only."""
        if assignment.id in self._assignments:
            raise ValueError(f"coverage: assignment {assignment.id} already exists")
        if not assignment.active:
            return []
        out = self._check_assignment(assignment)
        officer_id = assignment.officer_id
        kept = self._asg_by_officer.get(officer_id)
        trial = dict(kept or {}) if duties is None else {a.id: a for a in duties if a.active}
        trial[assignment.id] = assignment
        self._asg_by_officer[officer_id] = trial
        try:
            out.extend(f for f in self._check_officer(officer_id) if assignment.id in f.assignment_ids)
        finally:
            if kept is None:
                del self._asg_by_officer[officer_id]
            else:
                self._asg_by_officer[officer_id] = kept
        out.sort(key=Finding.sort_key)
        return out

    # ------------------------------------------------------------------ changes

    def add_assignment(self, assignment: Assignment) -> CoverageDelta:
        """Add a new assignment (ValueError if the id exists)."""
        if assignment.id in self._assignments:
            raise ValueError(f"coverage: assignment {assignment.id} already exists")
        return self._put_assignment(assignment)

    def update_assignment(self, assignment: Assignment) -> CoverageDelta:
        """Replace the assignment with the same id (KeyError if unknown)."""
        if assignment.id not in self._assignments:
            raise KeyError(assignment.id)
        return self._put_assignment(assignment)

    def remove_assignment(self, assignment_id: int) -> CoverageDelta:
        """Remove an assignment (KeyError if unknown)."""
        old = self._assignments[assignment_id]
        groups, officers = self._assignment_scopes(old)

        def mutate() -> None:
            self._unindex(old)
            del self._assignments[assignment_id]

        return self._change(groups, officers, {assignment_id}, mutate)

    def add_requirement(self, requirement: Requirement) -> CoverageDelta:
        """Add a new requirement (ValueError if the id exists)."""
        if requirement.id in self._requirements:
            raise ValueError(f"coverage: requirement {requirement.id} already exists")
        return self._put_requirement(requirement)

    def update_requirement(self, requirement: Requirement) -> CoverageDelta:
        """Replace the requirement with the same id (KeyError if unknown)."""
        if requirement.id not in self._requirements:
            raise KeyError(requirement.id)
        return self._put_requirement(requirement)

    def remove_requirement(self, requirement_id: int) -> CoverageDelta:
        """Remove a requirement (KeyError if unknown); assignments linked to it become orphans."""
        old = self._requirements[requirement_id]
        linked = set(self._asg_by_req.get(requirement_id, ()))

        def mutate() -> None:
            self._drop_requirement(old)

        return self._change({(old.post_id, old.role)}, set(), linked, mutate)

    def add_officer(self, officer: Officer) -> CoverageDelta:
        """Add a new officer (ValueError if the id exists)."""
        if officer.id in self._officers:
            raise ValueError(f"coverage: officer {officer.id} already exists")
        return self._put_officer(officer)

    def update_officer(self, officer: Officer) -> CoverageDelta:
        """Replace the officer with the same id (KeyError if unknown)."""
        if officer.id not in self._officers:
            raise KeyError(officer.id)
        return self._put_officer(officer)

    def remove_officer(self, officer_id: int) -> CoverageDelta:
        """Remove an officer (KeyError if unknown); their assignments stay and are reported."""
        if officer_id not in self._officers:
            raise KeyError(officer_id)
        groups, ids = self._officer_scopes(officer_id)

        def mutate() -> None:
            del self._officers[officer_id]
            del self._officer_info[officer_id]

        return self._change(groups, set(), ids, mutate)

    # ------------------------------------------------------------------ change plumbing

    def _put_assignment(self, assignment: Assignment) -> CoverageDelta:
        old = self._assignments.get(assignment.id)
        groups, officers = self._assignment_scopes(assignment)
        if old is not None:
            old_groups, old_officers = self._assignment_scopes(old)
            groups |= old_groups
            officers |= old_officers

        def mutate() -> None:
            if old is not None:
                self._unindex(old)
            self._assignments[assignment.id] = assignment
            if assignment.active:
                self._index(assignment)

        return self._change(groups, officers, {assignment.id}, mutate)

    def _put_requirement(self, requirement: Requirement) -> CoverageDelta:
        old = self._requirements.get(requirement.id)
        groups = {(requirement.post_id, requirement.role)}
        if old is not None:
            groups.add((old.post_id, old.role))
        linked = set(self._asg_by_req.get(requirement.id, ()))

        def mutate() -> None:
            if old is not None:
                self._drop_requirement(old)
            self._requirements[requirement.id] = requirement
            key = (requirement.post_id, requirement.role)
            self._req_by_group.setdefault(key, {})[requirement.id] = requirement

        return self._change(groups, set(), linked, mutate)

    def _put_officer(self, officer: Officer) -> CoverageDelta:
        groups, ids = self._officer_scopes(officer.id)
        old = self._officers.get(officer.id)
        if old is not None and old.skills == officer.skills and old.clearance == officer.clearance:
            groups = set()  # coverage depends on skills and clearance only (e.g. availability changed)

        def mutate() -> None:
            self._officers[officer.id] = officer
            self._officer_info[officer.id] = _OfficerInfo(officer, self.calendar)

        return self._change(groups, set(), ids, mutate)

    def _assignment_scopes(self, assignment: Assignment) -> tuple[set[GroupKey], set[int]]:
        if not assignment.active:
            return set(), set()
        return {(assignment.post_id, assignment.role)}, {assignment.officer_id}

    def _officer_scopes(self, officer_id: int) -> tuple[set[GroupKey], set[int]]:
        duties = self._asg_by_officer.get(officer_id, {})
        return {(a.post_id, a.role) for a in duties.values()}, set(duties)

    def _drop_requirement(self, requirement: Requirement) -> None:
        del self._requirements[requirement.id]
        key = (requirement.post_id, requirement.role)
        group = self._req_by_group[key]
        del group[requirement.id]
        if not group:
            del self._req_by_group[key]

    def _index(self, a: Assignment) -> None:
        self._asg_by_group.setdefault((a.post_id, a.role), {})[a.id] = a
        self._asg_by_officer.setdefault(a.officer_id, {})[a.id] = a
        if a.requirement_id is not None:
            self._asg_by_req.setdefault(a.requirement_id, {})[a.id] = a

    def _unindex(self, a: Assignment) -> None:
        if not a.active:
            return
        for store, key in (
            (self._asg_by_group, (a.post_id, a.role)),
            (self._asg_by_officer, a.officer_id),
            (self._asg_by_req, a.requirement_id),
        ):
            if key is None:
                continue
            bucket = store[key]  # type: ignore[index]
            del bucket[a.id]
            if not bucket:
                del store[key]  # type: ignore[arg-type]

    @staticmethod
    def _store(store: dict[Any, Any], key: object, items: list[Finding]) -> None:
        if items:
            store[key] = items
        else:
            store.pop(key, None)

    def _gather(self, groups: set[GroupKey], officers: set[int], ids: set[int]) -> list[Finding]:
        out: list[Finding] = []
        for key in groups:
            out.extend(self._group_findings.get(key, ()))
        for officer_id in officers:
            out.extend(self._officer_findings.get(officer_id, ()))
        for assignment_id in ids:
            out.extend(self._assignment_findings.get(assignment_id, ()))
        return out

    def _change(
        self, groups: set[GroupKey], officers: set[int], ids: set[int], mutate: Callable[[], None]
    ) -> CoverageDelta:
        before = self._gather(groups, officers, ids)
        mutate()
        for key in groups:
            self._store(self._group_findings, key, self._check_group(key))
        for officer_id in officers:
            self._store(self._officer_findings, officer_id, self._check_officer(officer_id))
        for assignment_id in ids:
            assignment = self._assignments.get(assignment_id)
            found = self._check_assignment(assignment) if assignment is not None and assignment.active else []
            self._store(self._assignment_findings, assignment_id, found)
        after = self._gather(groups, officers, ids)
        old, new = Counter(before), Counter(after)
        removed = sorted((old - new).elements(), key=Finding.sort_key)
        added = sorted((new - old).elements(), key=Finding.sort_key)
        if removed or added:
            self._merge(removed, added)
        return CoverageDelta(removed=tuple(removed), added=tuple(added))

    def _merge(self, removed: list[Finding], added: list[Finding]) -> None:
        """Keep the sorted list of every finding (when it was listed) up to date with a change: each removed
        finding found by bisection and taken out, each added one put in its place, instead of sorting all
        of them again at the next :meth:`findings`. Findings with equal sort keys are equal findings, so
        where among them one goes does not change the list."""
        everything = self._all
        if everything is None:
            return
        key = Finding.sort_key
        for finding in removed:
            at = bisect_left(everything, finding.sort_key(), key=key)
            if at == len(everything) or everything[at] != finding:  # not listed: cannot happen
                self._all = None  # list everything again at the next findings(), to be safe
                return
            del everything[at]
        for finding in added:
            everything.insert(bisect_right(everything, finding.sort_key(), key=key), finding)


def audit(plan: CoveragePlan) -> list[Finding]:
    """Audit a whole plan and return every finding, sorted (see :class:`CoverageIndex`)."""
    with collector_paused():  # also while the index is listed and freed: nothing of it survives
        index = CoverageIndex.__new__(CoverageIndex)
        index._build(plan, for_changes=False)
        findings = index.findings()
        del index
    return findings
