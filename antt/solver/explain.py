"""Why demand stays uncovered: a reason code and parameters for every open duty.

The reasons, in the order they are tried: no officer has the skill (valid on that date); some do,
but none has the clearance; all qualified officers are unavailable or off; all qualified officers
are busy elsewhere (the competing duties are named); each free one would break a rule (which ones);
otherwise somebody could still take it and the solver preferred other demand or ran out of time.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence

from antt.solver.errors import Reason
from antt.solver.model import DAY, Assignment, Duty, Officer, RosterProblem, Uncovered
from antt.solver.rules import TravelTable, duties_by_key, eligibility_block, horizon_days, schedule_violations

__all__ = ["explain_uncovered", "format_duty"]

_MAX_NAMED = 3
_MAX_EXAMINED = 25  # officers examined per open duty; enough to name a reason


def format_minute(minute: int) -> str:
    """``D2 06:00`` for minute 1800 (days counted from 1)."""
    day, rest = divmod(minute, DAY)
    return f"D{day + 1} {rest // 60:02d}:{rest % 60:02d}"


def format_duty(start: int, end: int) -> str:
    """``D1 06:00-14:00``; the end gets its own day when it falls on another day."""
    end_text = format_minute(end)
    if end // DAY == start // DAY or (end % DAY == 0 and (end - 1) // DAY == start // DAY):
        end_text = end_text.split(" ", 1)[1] if end % DAY else "24:00"
    return f"{format_minute(start)}-{end_text}"


def explain_uncovered(
    problem: RosterProblem,
    duties: Sequence[Duty],
    assignments: Sequence[Assignment],
    held: Mapping[int, int] | None = None,
    *,
    schedules: Mapping[str, Sequence[Duty]] | None = None,
) -> list[Uncovered]:
    """One :class:`Uncovered` per duty with fewer officers than its headcount.

    ``held`` (heads per duty index) and ``schedules`` (duties per officer id), when the caller
    has them, spare rebuilding both from ``assignments``."""
    counts: dict[int, int] = defaultdict(int)
    if held is None or schedules is None:
        keys = duties_by_key(duties)
        built: dict[str, list[Duty]] = defaultdict(list)
        for item in assignments:
            duty = keys.get((item.demand, item.start))
            if duty is not None:
                built[item.officer].append(duty)
                counts[duty.index] += 1
        schedules = built
    if held is not None:
        counts = defaultdict(int, held)
    travel = TravelTable(problem.travel, problem.rules.default_travel_minutes)
    days = horizon_days(duties)
    by_skill: dict[str | None, list[int]] = defaultdict(list)
    for index, officer in enumerate(problem.officers):
        for skill in {grant.skill for grant in officer.skills}:
            by_skill[skill].append(index)
    result: list[Uncovered] = []
    for duty in duties:
        missing = duty.headcount - counts[duty.index]
        if missing <= 0:
            continue
        result.append(
            Uncovered(
                demand=duty.demand,
                post=duty.post,
                start=duty.start,
                end=duty.end,
                missing=missing,
                reason=_reason(problem, duty, schedules, travel, days, by_skill),
            )
        )
    return result


def _reason(
    problem: RosterProblem,
    duty: Duty,
    schedules: Mapping[str, Sequence[Duty]],
    travel: TravelTable,
    days: int,
    by_skill: Mapping[str | None, list[int]],
) -> Reason:
    when = format_duty(duty.start, duty.end)
    skill = duty.skill or "—"
    pool = range(len(problem.officers)) if duty.skill is None else by_skill.get(duty.skill, [])
    skilled = cleared = 0
    available: list[Officer] = []
    for index in pool:
        officer = problem.officers[index]
        if duty.skill is not None and not any(
            grant.skill == duty.skill and grant.covers(duty.start, duty.end) for grant in officer.skills
        ):
            continue
        skilled += 1
        if officer.clearance < duty.min_clearance:
            continue
        cleared += 1
        if len(available) < _MAX_EXAMINED and eligibility_block(officer, duty) is None:
            available.append(officer)
    if not skilled:
        return Reason("no_skill", {"skill": skill, "when": when})
    if not cleared:
        return Reason("no_clearance", {"skill": skill, "clearance": duty.min_clearance})
    if not available:
        return Reason("all_unavailable", {"count": cleared, "when": when})
    busy_with: Counter[str] = Counter()
    rules_hit: Counter[str] = Counter()
    free = 0
    blocked = 0
    for officer in available:
        schedule = schedules.get(officer.id, [])
        if any(other.index == duty.index for other in schedule):
            continue
        overlapping = [other for other in schedule if other.start < duty.end and duty.start < other.end]
        if overlapping:
            for other in overlapping:
                busy_with[f"{other.post} {format_duty(other.start, other.end)}"] += 1
            continue
        before = set(schedule_violations(officer, schedule, problem.rules, travel, days))
        after = set(schedule_violations(officer, [*schedule, duty], problem.rules, travel, days))
        new = sorted(after - before)
        if new:
            blocked += 1
            rules_hit.update(new)
        else:
            free += 1
    if free:
        return Reason("not_chosen", {"count": free})
    if blocked:
        return Reason(
            "rules_blocked", {"count": blocked, "rules": tuple(rule for rule, _ in rules_hit.most_common())}
        )
    named = tuple(name for name, _ in busy_with.most_common(_MAX_NAMED))
    more = len(busy_with) - len(named)
    return Reason(
        "all_busy", {"count": len(available), "duties": named + ((f"+{more}",) if more > 0 else ())}
    )
