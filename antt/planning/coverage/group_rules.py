"""The coverage rule of one (post, role) group: uncovered and overstaffed intervals (see ``engine``'s
docstring for the rule). Moved whole from ``engine.py``."""

from __future__ import annotations

from collections import Counter

from .findings import Finding, FindingKind
from .model import (
    Assignment,
    Requirement,
)
from .state import _MISSING, GroupKey, IndexState


class GroupRules(IndexState):
    """Coverage of a group (a mixin of :class:`~.engine.CoverageIndex`)."""

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
