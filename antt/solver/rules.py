"""Duties and the hard rules, evaluated directly on one officer's schedule.

The CP-SAT models encode these rules as constraints; the functions here evaluate them on
concrete schedules, to prune candidates, check locked assignments, explain uncovered demand and
repair a roster after a change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from antt.solver.model import DAY, Demand, Duty, Officer, Post, RosterProblem, Rules, Travel

__all__ = [
    "TravelTable",
    "build_duties",
    "duties_by_key",
    "eligibility_block",
    "horizon_days",
    "limits",
    "pair_conflict",
    "schedule_violations",
]


class TravelTable:
    """Travel minutes between sites, symmetric, with the rules' default for unknown pairs."""

    def __init__(self, travel: Iterable[Travel], default: int) -> None:
        self._table: dict[tuple[str, str], int] = {}
        for item in travel:
            self._table[item.site_a, item.site_b] = item.minutes
            self._table[item.site_b, item.site_a] = item.minutes
        self.default = default
        self.max = max([default, *self._table.values()])

    def minutes(self, a: str, b: str) -> int:
        """Minutes from site ``a`` to ``b`` (0 for the same site)."""
        if a == b:
            return 0
        return self._table.get((a, b), self.default)


def _pieces(demand: Demand, post: Post) -> list[tuple[int, int, int, str]]:
    if not post.patterns:
        return [(demand.start, demand.end, demand.start // DAY, "")]
    pieces = []
    for day in range(demand.start // DAY - 1, (demand.end - 1) // DAY + 1):
        for pattern in post.patterns:
            start = day * DAY + pattern.start
            end = day * DAY + pattern.end + (DAY if pattern.end <= pattern.start else 0)
            lo, hi = max(start, demand.start), min(end, demand.end)
            if lo < hi:
                pieces.append((lo, hi, day, pattern.code))
    pieces.sort()
    return pieces


# The duties of the last problem seen, keyed by the identity of its (immutable) demand, post and
# site tuples: a re-plan after absences builds the same duties as the solve before it.
_LAST_DUTIES: list[tuple[tuple[object, ...], tuple[Duty, ...]]] = []


def build_duties(problem: RosterProblem) -> list[Duty]:
    """Split every demand window into duties by its post's shift patterns."""
    source = (problem.demands, problem.posts, problem.sites)
    cacheable = all(isinstance(part, tuple) for part in source)
    for key, cached in list(_LAST_DUTIES):
        if cacheable and all(a is b for a, b in zip(key, source, strict=True)):
            return list(cached)
    duties = _build_duties(problem)
    if cacheable:
        _LAST_DUTIES[:] = [(source, tuple(duties))]
    return duties


def _build_duties(problem: RosterProblem) -> list[Duty]:
    posts = {post.id: post for post in problem.posts}
    clusters = {site.id: site.cluster for site in problem.sites}
    duties: list[Duty] = []
    for demand in problem.demands:
        if demand.end <= demand.start or demand.headcount <= 0:
            continue
        post = posts.get(demand.post)
        if post is None:
            continue
        for start, end, day, code in _pieces(demand, post):
            duties.append(
                Duty(
                    index=len(duties),
                    demand=demand.id,
                    post=post.id,
                    site=post.site,
                    cluster=clusters.get(post.site, post.site),
                    start=start,
                    end=end,
                    day=max(day, 0),
                    pattern=code,
                    skill=demand.skill,
                    min_clearance=demand.min_clearance,
                    headcount=demand.headcount,
                    protection=max(1, demand.protection),
                    unit=demand.unit,
                )
            )
    return duties


def horizon_days(duties: Sequence[Duty]) -> int:
    """Number of days the duties span (day indexes 0 .. n-1)."""
    return max((duty.day for duty in duties), default=-1) + 1


def eligibility_block(officer: Officer, duty: Duty) -> str | None:
    """The rule code that keeps ``officer`` off ``duty`` whatever the rest of the roster, or None."""
    if duty.skill is not None and not any(
        grant.skill == duty.skill and grant.covers(duty.start, duty.end) for grant in officer.skills
    ):
        return "rule_skill"
    if officer.clearance < duty.min_clearance:
        return "rule_clearance"
    if duty.day in officer.days_off:
        return "rule_day_off"
    for start, end in officer.unavailable:
        if start < duty.end and duty.start < end:
            return "rule_unavailable"
    return None


def pair_conflict(a: Duty, b: Duty, rules: Rules, travel: TravelTable) -> str | None:
    """The rule broken by one officer working both ``a`` and ``b``, or None."""
    if b.start < a.start or (b.start == a.start and b.index < a.index):
        a, b = b, a
    if b.start < a.end:
        return "rule_overlap"
    gap = b.start - a.end
    if gap < travel.minutes(a.site, b.site):
        return "rule_travel"
    if gap < rules.min_rest_minutes:
        return "rule_rest"
    if b.day == a.day + 1 and (a.pattern, b.pattern) in rules.forbidden_successions:
        return "rule_succession"
    return None


def limits(officer: Officer, rules: Rules) -> tuple[int | None, int | None]:
    """(max, min) total minutes for the officer."""
    maximum = officer.max_minutes_total if officer.max_minutes_total is not None else rules.max_minutes_total
    minimum = officer.min_minutes_total if officer.min_minutes_total is not None else rules.min_minutes_total
    return maximum, minimum


def schedule_violations(
    officer: Officer,
    duties: Sequence[Duty],
    rules: Rules,
    travel: TravelTable,
    days: int,
    *,
    check_minimum: bool = False,
) -> list[str]:
    """Every rule code that ``officer`` working exactly ``duties`` breaks (empty list: all good)."""
    broken: list[str] = []
    ordered = sorted(duties, key=lambda duty: (duty.start, duty.index))
    for duty in ordered:
        block = eligibility_block(officer, duty)
        if block:
            broken.append(block)
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start - a.end >= max(rules.min_rest_minutes, travel.max) + DAY:
                break
            rule = pair_conflict(a, b, rules, travel)
            if rule:
                broken.append(rule)
    if rules.max_minutes_per_24h is not None:
        for i, a in enumerate(ordered):
            total = sum(b.minutes for b in ordered[i:] if b.start < a.start + DAY)
            if total > rules.max_minutes_per_24h:
                broken.append("rule_max_24h")
                break
    maximum, minimum = limits(officer, rules)
    worked = sum(duty.minutes for duty in ordered)
    if maximum is not None and worked > maximum:
        broken.append("rule_max_total")
    if check_minimum and minimum is not None and worked < minimum:
        broken.append("rule_min_total")
    day_flags = [False] * days
    for duty in ordered:
        if 0 <= duty.day < days:
            day_flags[duty.day] = True
    if rules.max_consecutive_days is not None:
        run = 0
        for flag in day_flags:
            run = run + 1 if flag else 0
            if run > rules.max_consecutive_days:
                broken.append("rule_max_consecutive")
                break
    if rules.min_consecutive_days_off > 1 and _short_rest(day_flags, rules.min_consecutive_days_off):
        broken.append("rule_min_days_off")
    return broken


def _short_rest(day_flags: Sequence[bool], minimum: int) -> bool:
    """True when a work day, 1..minimum-1 days off and a work day follow each other."""
    last_worked: int | None = None
    for day, flag in enumerate(day_flags):
        if flag:
            if last_worked is not None and 1 <= day - last_worked - 1 < minimum:
                return True
            last_worked = day
    return False


def duties_by_key(duties: Iterable[Duty]) -> Mapping[tuple[str, int], Duty]:
    """Index duties by ``(demand, start)``, the identity an :class:`Assignment` carries."""
    return {(duty.demand, duty.start): duty for duty in duties}
