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
from itertools import pairwise
from operator import attrgetter, sub
from typing import Any

from .findings import SEVERITY, Finding, FindingKind
from .localdays import LocalCalendar
from .messages import render
from .model import (
    ACTIVE_STATUSES,
    Assignment,
    CoveragePlan,
    Officer,
    Requirement,
    RestRules,
    SiteHours,
    Window,
)

__all__ = ["CoverageDelta", "CoverageIndex", "audit", "collector_paused"]

_DAY = 1_440
_MISSING = -(2**62)  # sentinel "skill not held" (a boundary of None means "never expires")

GroupKey = tuple[int, str]
Union = list[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class CoverageDelta:
    """What one change did to the findings: those that disappeared and those that appeared."""

    removed: tuple[Finding, ...]
    added: tuple[Finding, ...]

    @property
    def empty(self) -> bool:
        """True when the change did not alter any finding."""
        return not self.removed and not self.added


class _OfficerInfo:
    """An officer prepared for checks: skill code → first minute it is no longer valid."""

    __slots__ = ("availability", "clearance", "skills")

    def __init__(self, officer: Officer, calendar: LocalCalendar) -> None:
        self.clearance = officer.clearance
        skills: dict[str, int | None] = {}
        for skill in officer.skills:
            boundary = None if skill.expires is None else calendar.day_start(skill.expires.toordinal() + 1)
            if skill.code in skills:  # the same skill twice: the later expiry wins
                known = skills[skill.code]
                boundary = None if known is None or boundary is None else max(known, boundary)
            skills[skill.code] = boundary
        self.skills = skills
        self.availability = None if officer.availability is None else merge(officer.availability)


def merge(windows: Iterable[Window]) -> Union:
    """Union of windows as sorted, disjoint, non-touching ``(start, end)`` pairs."""
    out: Union = []
    for start, end in sorted((w.start, w.end) for w in windows):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def outside(start: int, end: int, union: Union) -> Union:
    """The maximal parts of ``[start, end)`` not covered by ``union``."""
    parts: Union = []
    cursor = start
    for low, high in union:
        if high <= cursor:
            continue
        if low >= end:
            break
        if low > cursor:
            parts.append((cursor, low))
        cursor = high
        if cursor >= end:
            return parts
    if cursor < end:
        parts.append((cursor, end))
    return parts


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


_start_of = attrgetter("window.start")


class CoverageIndex:
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
            self._all = None
        return CoverageDelta(removed=tuple(removed), added=tuple(added))

    # ------------------------------------------------------------------ findings

    def _finding(
        self,
        kind: FindingKind,
        start: int,
        end: int,
        *,
        role: str | None = None,
        post_ids: tuple[int, ...] = (),
        site_ids: tuple[int, ...] = (),
        officer_ids: tuple[int, ...] = (),
        assignment_ids: tuple[int, ...] = (),
        requirement_ids: tuple[int, ...] = (),
        numbers: tuple[tuple[str, int], ...] = (),
    ) -> Finding:
        window = Window(start, end)
        text = render(
            kind,
            window,
            role=role,
            post_ids=post_ids,
            site_ids=site_ids,
            officer_ids=officer_ids,
            assignment_ids=assignment_ids,
            requirement_ids=requirement_ids,
            numbers=dict(numbers),
            time_zone=self.time_zone,
        )
        return Finding(
            kind=kind,
            severity=SEVERITY[kind],
            window=window,
            role=role,
            post_ids=post_ids,
            site_ids=site_ids,
            officer_ids=officer_ids,
            assignment_ids=assignment_ids,
            requirement_ids=requirement_ids,
            numbers=numbers,
            time_zone=self.time_zone,
            message_vi=text["vi"],
            message_en=text["en"],
        )

    def _about(
        self, kind: FindingKind, start: int, end: int, duties: list[Assignment], **extra: object
    ) -> Finding:
        """A finding about a set of assignments: the objects are theirs."""
        return self._finding(
            kind,
            start,
            end,
            post_ids=tuple(sorted({a.post_id for a in duties})),
            site_ids=tuple(sorted({a.site_id for a in duties})),
            officer_ids=tuple(sorted({a.officer_id for a in duties})),
            assignment_ids=tuple(sorted(a.id for a in duties)),
            requirement_ids=tuple(sorted({a.requirement_id for a in duties if a.requirement_id is not None})),
            **extra,  # type: ignore[arg-type]
        )

    # ------------------------------------------------------------------ group: coverage

    def _check_group(self, key: GroupKey, *, with_assignments: bool = False) -> list[Finding]:
        """The coverage findings of one (post, role) group.

        ``with_assignments`` also checks each active assignment of the group on its own and stores
        the findings (the full build does this here, to look each officer's skill up only once).
        """
        # Event keys are ``minute * 16 + channel``: channels 0-3 seats by clearance level, 4-7 qualified
        # people by clearance, 8 people present but not qualified. Counting keys (in C) merges equal
        # endpoints, so the sweep visits each distinct minute once.
        requirements = self._req_by_group.get(key, {})
        duties = self._asg_by_group.get(key, {})
        if self._scope is not None and key not in self._scope:  # outside the slice: assignments only
            if with_assignments:
                for a in duties.values():
                    self._record_assignment(a)
            return []
        levels = {r.min_clearance for r in requirements.values()}
        if len(levels) <= 1:
            return self._check_group_one_level(
                key, requirements, duties, max(levels, default=0), with_assignments
            )
        if with_assignments:
            for a in duties.values():
                self._record_assignment(a)
        ups: list[int] = []
        downs: list[int] = []
        up, down = ups.append, downs.append
        role = key[1]
        info_of = self._officer_info
        for a in duties.values():
            w = a.window
            start, end = w.start, w.end
            info = info_of.get(a.officer_id)
            if info is not None:
                boundary = info.skills.get(role, _MISSING)
                if boundary is None or boundary >= end:  # qualified throughout: the usual case
                    channel = 4 + info.clearance
                    up(start * 16 + channel)
                    down(end * 16 + channel)
                    continue
                if boundary > start:  # qualified until the skill expires, then only present
                    channel = 4 + info.clearance
                    up(start * 16 + channel)
                    down(boundary * 16 + channel)
                    start = boundary
            up(start * 16 + 8)
            down(end * 16 + 8)
        plus, minus = Counter(ups), Counter(downs)
        for r in requirements.values():
            w = r.window
            plus[w.start * 16 + r.min_clearance] += r.headcount
            minus[w.end * 16 + r.min_clearance] += r.headcount
        deltas = plus
        for k, v in minus.items():
            deltas[k] -= v
        counts = [0] * 9
        out: list[Finding] = []
        short = excess = 0
        short_from = excess_from = 0
        keys = sorted(deltas)
        n = len(keys)
        i = 0
        while i < n:
            t = keys[i] >> 4
            while i < n and keys[i] >> 4 == t:
                counts[keys[i] & 15] += deltas[keys[i]]
                i += 1
            d3 = counts[3]
            s3 = counts[7]
            d2 = d3 + counts[2]
            s2 = s3 + counts[6]
            d1 = d2 + counts[1]
            s1 = s2 + counts[5]
            d0 = d1 + counts[0]
            s0 = s1 + counts[4]
            new_short = max(d3 - s3, d2 - s2, d1 - s1, d0 - s0, 0)
            new_excess = s0 + counts[8] - d0
            if new_excess < 0:
                new_excess = 0
            if new_short != short:
                if short:
                    out.append(self._uncovered(key, requirements, short_from, t, short))
                short, short_from = new_short, t
            if new_excess != excess:
                if excess:
                    out.append(self._overstaffed(key, requirements, duties, excess_from, t, excess))
                excess, excess_from = new_excess, t
        return out

    def _check_group_one_level(
        self,
        key: GroupKey,
        requirements: dict[int, Requirement],
        duties: dict[int, Assignment],
        level: int,
        with_assignments: bool,
    ) -> list[Finding]:
        """``_check_group`` when every seat needs the same clearance ``level`` (the common case).

        Then, with ``R = seats - qualified people`` and ``U`` the people present but not qualified,
        the shortfall is ``max(0, R)`` and the excess ``max(0, U - R)``. Qualified people change both
        at once, so one map of the changes of ``R`` (and a sparse one of ``U``) over the distinct
        endpoints suffices.
        """
        role = key[1]
        info_of = self._officer_info
        arrivals: list[int] = []  # a qualified person arrives: R - 1
        departures: list[int] = []  # a qualified person leaves (or stops being qualified): R + 1
        unqualified: list[int] = []  # U + 1 (present, not qualified)
        unqualified_end: list[int] = []  # U - 1
        arrive, depart = arrivals.append, departures.append
        record = self._record_assignment if with_assignments else None
        event_start, event_end = self.event.start, self.event.end
        site_hours, linked_to = self._site_hours, self._requirements
        for a in duties.values():
            w = a.window
            info = info_of.get(a.officer_id)
            if info is not None and info.clearance >= level:
                boundary = info.skills.get(role, _MISSING)
                if boundary is None or boundary >= w.end:  # qualified throughout: the usual case
                    arrive(w.start)
                    depart(w.end)
                    if record is None:
                        continue
                    # the no-finding case of _check_assignment, inlined
                    if (
                        info.availability is None
                        and w.start >= event_start
                        and w.end <= event_end
                        and a.site_id not in site_hours
                    ):
                        rid = a.requirement_id
                        if rid is None:
                            continue
                        linked = linked_to.get(rid)
                        if linked is not None and linked.min_clearance <= info.clearance:
                            continue
                    record(a)
                    continue
                if record is not None:
                    record(a)
                if boundary > w.start:  # qualified until the skill expires, then only present
                    arrive(w.start)
                    depart(boundary)
                    unqualified.append(boundary)
                    unqualified_end.append(w.end)
                    continue
            if record is not None:
                record(a)
            unqualified.append(w.start)
            unqualified_end.append(w.end)
        change: dict[int, int] = {}
        get = change.get
        for r in requirements.values():
            w = r.window
            change[w.start] = get(w.start, 0) + r.headcount
            change[w.end] = get(w.end, 0) - r.headcount
        for t, n in Counter(arrivals).items():
            change[t] = get(t, 0) - n
        for t, n in Counter(departures).items():
            change[t] = get(t, 0) + n
        if unqualified:
            present: dict[int, int] = Counter(unqualified)
            for t, n in Counter(unqualified_end).items():
                present[t] = present.get(t, 0) - n
            for t in present:
                if t not in change:
                    change[t] = 0
        else:
            present = {}
        out: list[Finding] = []
        short = excess = running = others = 0
        short_from = excess_from = 0
        for t, d in sorted(change.items()):
            if present:
                others += present.get(t, 0)
            elif not d:
                continue
            running += d
            new_short = running if running > 0 else 0
            new_excess = others - running
            if new_excess < 0:
                new_excess = 0
            if new_short != short:
                if short:
                    out.append(self._uncovered(key, requirements, short_from, t, short))
                short, short_from = new_short, t
            if new_excess != excess:
                if excess:
                    out.append(self._overstaffed(key, requirements, duties, excess_from, t, excess))
                excess, excess_from = new_excess, t
        return out

    def _uncovered(
        self, key: GroupKey, requirements: dict[int, Requirement], start: int, end: int, shortfall: int
    ) -> Finding:
        involved = [r for r in requirements.values() if r.window.start < end and start < r.window.end]
        return self._finding(
            FindingKind.UNCOVERED,
            start,
            end,
            role=key[1],
            post_ids=(key[0],),
            site_ids=tuple(sorted({r.site_id for r in involved})),
            requirement_ids=tuple(sorted(r.id for r in involved)),
            numbers=(("shortfall", shortfall),),
        )

    def _overstaffed(
        self,
        key: GroupKey,
        requirements: dict[int, Requirement],
        duties: dict[int, Assignment],
        start: int,
        end: int,
        excess: int,
    ) -> Finding:
        reqs = [r for r in requirements.values() if r.window.start < end and start < r.window.end]
        staff = [a for a in duties.values() if a.window.start < end and start < a.window.end]
        return self._finding(
            FindingKind.OVERSTAFFED,
            start,
            end,
            role=key[1],
            post_ids=(key[0],),
            site_ids=tuple(sorted({r.site_id for r in reqs} | {a.site_id for a in staff})),
            officer_ids=tuple(sorted({a.officer_id for a in staff})),
            assignment_ids=tuple(sorted(a.id for a in staff)),
            requirement_ids=tuple(sorted(r.id for r in reqs)),
            numbers=(("excess", excess),),
        )

    # ------------------------------------------------------------------ officer: double booking, rest

    def _check_officer(self, officer_id: int) -> list[Finding]:
        out: list[Finding] = []
        bucket = self._asg_by_officer.get(officer_id)
        if not bucket:
            return out
        # duty periods: back-to-back or overlapping duties merged. Sorting by start is enough: every
        # check below gives the same findings whatever the order of duties that start together.
        duties = sorted(bucket.values(), key=_start_of)
        starts: list[int] = []
        ends: list[int] = []
        overlap = False
        last_end = -(2**62)
        for a in duties:
            w = a.window
            start, end = w.start, w.end
            if start < last_end:
                overlap = True
                if end > last_end:
                    ends[-1] = last_end = end
            elif start == last_end:
                if end > last_end:
                    ends[-1] = last_end = end
            else:
                starts.append(start)
                ends.append(end)
                last_end = end
        if overlap:
            self._check_double_booking(duties, out)
        rest = self.rest
        minimum = rest.min_rest_minutes
        if minimum is not None and len(starts) > 1 and min(map(sub, starts[1:], ends)) < minimum:
            for k in range(1, len(starts)):
                gap_start, gap_end = ends[k - 1], starts[k]
                if gap_end - gap_start < minimum:
                    around = [a for a in duties if a.window.end == gap_start or a.window.start == gap_end]
                    out.append(
                        self._about(
                            FindingKind.REST_TOO_SHORT,
                            gap_start,
                            gap_end,
                            around,
                            numbers=(("rest_minutes", gap_end - gap_start), ("required_minutes", minimum)),
                        )
                    )
        if rest.max_duty_minutes_per_24h is not None:
            self._check_24h(duties, starts, ends, rest.max_duty_minutes_per_24h, out)
        if rest.max_consecutive_days is not None:
            self._check_days(duties, starts, ends, rest.max_consecutive_days, out)
        return out

    def _check_double_booking(self, duties: list[Assignment], out: list[Finding]) -> None:
        n = len(duties)
        for i in range(n - 1):
            a = duties[i]
            a_end = a.window.end
            for j in range(i + 1, n):
                b = duties[j]
                if b.window.start >= a_end:
                    break
                end = min(a_end, b.window.end)
                out.append(
                    self._about(
                        FindingKind.DOUBLE_BOOKED,
                        b.window.start,
                        end,
                        [a, b],
                        numbers=(("minutes", end - b.window.start),),
                    )
                )

    def _check_24h(
        self, duties: list[Assignment], starts: list[int], ends: list[int], limit: int, out: list[Finding]
    ) -> None:
        # f(t) = duty minutes in [t, t + 1440) is piecewise linear; its maximum is reached at the start of
        # a duty period. Check those first (cheaply when the next period starts a day later or more).
        nb = len(starts)
        if max(map(sub, ends, starts)) <= limit and (
            nb == 1 or min(map(sub, starts[1:], starts)) >= _DAY
        ):  # every 24 h window meets at most one duty period, each short enough: the usual case
            return
        worst = 0
        for i in range(nb):
            window_end = starts[i] + _DAY
            if i + 1 < nb and starts[i + 1] < window_end:
                j = bisect_left(starts, window_end)
                load = sum(ends[k] - starts[k] for k in range(i, j)) - max(0, ends[j - 1] - window_end)
            else:
                load = min(ends[i], window_end) - starts[i]
            if load > worst:
                worst = load
        if worst <= limit:
            return

        def on_duty(x: int) -> int:
            k = bisect_right(starts, x) - 1
            return 1 if k >= 0 and x < ends[k] else 0

        points = sorted({p for s, e in zip(starts, ends, strict=True) for p in (s, e, s - _DAY, e - _DAY)})
        value = 0
        ranges: list[list[int]] = []  # [first t, last t, peak]
        for b, b_next in pairwise(points):
            slope = on_duty(b + _DAY) - on_duty(b)
            last = b_next - 1
            if slope == 0:
                lo, hi, peak = (b, last, value) if value > limit else (1, 0, 0)
            elif slope == 1:
                lo, hi, peak = max(b, b + limit - value + 1), last, value + (last - b)
            else:
                lo, hi, peak = b, min(last, b + value - limit - 1), value
            if lo <= hi:
                if ranges and ranges[-1][1] + 1 == lo:
                    ranges[-1][1] = hi
                    ranges[-1][2] = max(ranges[-1][2], peak)
                else:
                    ranges.append([lo, hi, peak])
            value += slope * (b_next - b)
        for lo, hi, peak in ranges:
            start, end = lo, hi + _DAY
            involved = [a for a in duties if a.window.start < end and start < a.window.end]
            out.append(
                self._about(
                    FindingKind.DUTY_OVER_24H,
                    start,
                    end,
                    involved,
                    numbers=(("peak_minutes", peak), ("limit_minutes", limit)),
                )
            )

    def _check_days(
        self, duties: list[Assignment], starts: list[int], ends: list[int], limit: int, out: list[Finding]
    ) -> None:
        day_starts, _ = self.calendar.days_between(starts[0], ends[-1])
        run_first = bisect_right(day_starts, starts[0])  # days are indexes into day_starts
        if bisect_right(day_starts, ends[-1] - 1) - run_first < limit:  # the whole duty spans few days
            return
        # runs of local days touched by a duty minute; blocks are sorted and disjoint, so a run breaks
        # only where a block starts two or more days after the last day of the one before
        runs: list[tuple[int, int]] = []
        last = bisect_right(day_starts, ends[0] - 1)
        for k in range(1, len(starts)):
            first = bisect_right(day_starts, starts[k])
            if first - last > 1:
                if last - run_first >= limit:
                    runs.append((run_first, last))
                run_first = first
            last = bisect_right(day_starts, ends[k] - 1)
        if last - run_first >= limit:
            runs.append((run_first, last))
        for d1, d2 in runs:
            start, end = day_starts[d1 - 1], day_starts[d2]
            involved = [a for a in duties if a.window.start < end and start < a.window.end]
            out.append(
                self._about(
                    FindingKind.TOO_MANY_CONSECUTIVE_DAYS,
                    start,
                    end,
                    involved,
                    numbers=(("days", d2 - d1 + 1), ("limit_days", limit)),
                )
            )

    # ------------------------------------------------------------------ assignment: qualification, windows

    def _record_assignment(self, a: Assignment) -> None:
        """Check one assignment on its own and store its findings (during the build)."""
        found = self._check_assignment(a)
        if found:
            self._assignment_findings[a.id] = found

    def _check_assignment(self, a: Assignment) -> list[Finding]:
        out: list[Finding] = []
        start, end = a.window.start, a.window.end
        info = self._officer_info.get(a.officer_id)
        event = self.event
        hours = self._site_hours.get(a.site_id) if self._site_hours else None
        if (
            info is not None
            and info.availability is None
            and hours is None
            and event.start <= start
            and end <= event.end
        ):
            boundary = info.skills.get(a.role, _MISSING)
            if boundary is None or boundary >= end:
                rid = a.requirement_id
                if rid is None:
                    return out
                requirement = self._requirements.get(rid)
                if requirement is not None and requirement.min_clearance <= info.clearance:
                    return out
        one = [a]
        if info is None:
            out.append(self._about(FindingKind.UNKNOWN_OFFICER, start, end, one))
        else:
            boundary = info.skills.get(a.role, _MISSING)
            if boundary == _MISSING:
                out.append(self._about(FindingKind.SKILL_MISSING, start, end, one, role=a.role))
            elif boundary is not None and boundary < end:
                cut = max(start, boundary)
                out.append(
                    self._about(
                        FindingKind.SKILL_EXPIRED,
                        cut,
                        end,
                        one,
                        role=a.role,
                        numbers=(("minutes", end - cut),),
                    )
                )
            if info.availability is not None:
                for low, high in outside(start, end, info.availability):
                    out.append(
                        self._about(
                            FindingKind.OFFICER_UNAVAILABLE,
                            low,
                            high,
                            one,
                            numbers=(("minutes", high - low),),
                        )
                    )
        if a.requirement_id is not None:
            requirement = self._requirements.get(a.requirement_id)
            if requirement is None:
                out.append(self._about(FindingKind.ORPHAN_ASSIGNMENT, start, end, one))
            elif info is not None and requirement.min_clearance > info.clearance:
                out.append(
                    self._about(
                        FindingKind.CLEARANCE_TOO_LOW,
                        start,
                        end,
                        one,
                        numbers=(
                            ("clearance", info.clearance),
                            ("required_clearance", requirement.min_clearance),
                        ),
                    )
                )
        if start < event.start or end > event.end:
            for low, high in outside(start, end, [(event.start, event.end)]):
                out.append(
                    self._about(FindingKind.OUTSIDE_EVENT, low, high, one, numbers=(("minutes", high - low),))
                )
        if hours is not None:
            for low, high in outside(start, end, hours):
                out.append(
                    self._about(
                        FindingKind.OUTSIDE_SITE_HOURS, low, high, one, numbers=(("minutes", high - low),)
                    )
                )
        return out


def audit(plan: CoveragePlan) -> list[Finding]:
    """Audit a whole plan and return every finding, sorted (see :class:`CoverageIndex`)."""
    with collector_paused():  # also while the index is listed and freed: nothing of it survives
        index = CoverageIndex.__new__(CoverageIndex)
        index._build(plan, for_changes=False)
        findings = index.findings()
        del index
    return findings
