"""Scale work: scarce skills over the whole horizon, the officer x day flow bound, complete hints."""

from __future__ import annotations

import itertools
import random
from dataclasses import replace

import pytest

from antt.solver import (
    DAY,
    Assignment,
    Demand,
    Officer,
    Post,
    RosterProblem,
    Rules,
    ShiftPattern,
    Site,
    SkillGrant,
    SolveOptions,
    Weights,
    coverable_upper_bound,
    diff_rosters,
    solve_roster,
)
from antt.solver.bound import _max_work
from antt.solver.context import _context
from antt.solver.generate import generate_event
from antt.solver.rules import build_duties
from antt.solver.scarce import _scarce_skills
from antt.solver.tests.rulecheck import check_roster

EARLY = ShiftPattern("E", 6 * 60, 14 * 60)
OPTIONS = SolveOptions(time_limit=4, seed=3, deterministic=True)


def _brute_max_work(caps: list[int], limit: int | None, min_off: int) -> int:
    best = 0
    for flags in itertools.product((False, True), repeat=len(caps)):
        if any(flag and cap <= 0 for flag, cap in zip(flags, caps, strict=True)):
            continue
        run, worst, last = 0, 0, None
        short_rest = False
        for day, flag in enumerate(flags):
            run = run + 1 if flag else 0
            worst = max(worst, run)
            if flag:
                if last is not None and 1 <= day - last - 1 < min_off:
                    short_rest = True
                last = day
        if (limit is None or worst <= limit) and not short_rest:
            best = max(best, sum(cap for flag, cap in zip(flags, caps, strict=True) if flag))
    return best


@pytest.mark.parametrize("seed", range(30))
def test_max_work_matches_brute_force(seed: int) -> None:
    rng = random.Random(seed)
    caps = [rng.choice((0, 480, 480, 600)) for _ in range(rng.randrange(1, 10))]
    limit = rng.choice((None, 1, 2, 3, 6))
    min_off = rng.choice((1, 2, 3))
    assert _max_work(caps, limit, min_off) == _brute_max_work(caps, limit, min_off)


def _eod_event(officers: list[Officer], days: int, headcount: int = 1) -> RosterProblem:
    demands = [
        Demand(f"d{day}", "P1", day * DAY + 6 * 60, day * DAY + 14 * 60, "eod", headcount)
        for day in range(days)
    ]
    return RosterProblem(
        officers=tuple(officers),
        posts=(Post("P1", "S1", (EARLY,)),),
        demands=tuple(demands),
        sites=(Site("S1", "C1"),),
        rules=Rules(),
    )


def test_bound_counts_the_days_off_the_consecutive_days_rule_forces() -> None:
    # Ten early duties, one officer: at most six days in a row, so nine days at best; a required
    # day off on day 1 leaves days 2-9 (eight in a row): seven more, eight in all.
    free = Officer("A", skills=(SkillGrant("eod"),))
    assert coverable_upper_bound(_eod_event([free], 10)) == 9 * 480
    off = Officer("A", skills=(SkillGrant("eod"),), days_off=frozenset({1}))
    problem = _eod_event([off], 10)
    assert coverable_upper_bound(problem) == 8 * 480
    result = solve_roster(problem, OPTIONS)
    assert result.coverage.covered_minutes == 8 * 480
    assert result.coverage.of_coverable == 1.0


def test_bound_counts_a_skill_only_on_the_days_it_is_valid() -> None:
    # B's EOD expires after day 2; B may still work (guard) later, but not the EOD duties.
    a = Officer("A", skills=(SkillGrant("eod"),))
    b = Officer("B", skills=(SkillGrant("eod", None, 3 * DAY), SkillGrant("guard")))
    problem = _eod_event([a, b], 6, headcount=2)
    assert coverable_upper_bound(problem) == (6 + 3) * 480


def test_scarce_skill_is_rostered_over_the_whole_horizon() -> None:
    # Two heads a day for eight days, three holders: each may work at most six days in a row, so
    # the rest days must be staggered; a day-by-day view (no fairness price to rotate them) works
    # two of them six days and then has one officer for day seven.
    people = [Officer(name, skills=(SkillGrant("eod"),)) for name in "ABC"]
    problem = replace(
        _eod_event(people, 8, headcount=2), weights=Weights(fairness_minute=0, fairness_night=0)
    )
    duties = build_duties(problem)
    ctx = _context(problem, duties, full_candidates=False)
    scarce = _scarce_skills(ctx, {duty.index: duty.headcount for duty in duties})
    assert [skill for skill, _holders in scarce] == ["eod"]
    assert coverable_upper_bound(problem) == 16 * 480
    result = solve_roster(problem, OPTIONS, decompose=True)
    assert result.decomposed
    assert check_roster(problem, result.assignments) == []
    assert result.coverage.covered_minutes == 16 * 480
    again = solve_roster(problem, OPTIONS, decompose=True)
    assert again.assignments == result.assignments


@pytest.mark.slow
def test_scarce_phase_keeps_pins_and_respects_rules_on_a_generated_event() -> None:
    problem = generate_event(300, 30, 4, seed=3, posts_per_site=5, sites_per_cluster=3)
    duties = build_duties(problem)
    ctx = _context(problem, duties, full_candidates=False)
    scarce = [skill for skill, _ in _scarce_skills(ctx, {duty.index: duty.headcount for duty in duties})]
    assert scarce == ["eod", "k9"]
    eod_holders = [o.id for o in problem.officers if any(g.skill in scarce for g in o.skills)]
    first = solve_roster(problem, OPTIONS, decompose=True)
    assert check_roster(problem, first.assignments) == []
    pin = next(a for a in first.assignments if a.officer in eod_holders and a.start >= DAY)
    pinned = RosterProblem(
        officers=problem.officers,
        posts=problem.posts,
        demands=problem.demands,
        sites=problem.sites,
        rules=problem.rules,
        pinned=(pin,),
    )
    result = solve_roster(pinned, OPTIONS, decompose=True)
    assert pin in result.assignments
    assert check_roster(pinned, result.assignments) == []
    assert first.coverage.covered_minutes <= first.coverage.upper_bound_minutes


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_flow_bound_is_never_beaten_by_the_exact_small_model(seed: int) -> None:
    problem = generate_event(30, 4, 3, seed=seed, posts_per_site=2, sites_per_cluster=2)
    result = solve_roster(problem, SolveOptions(time_limit=2, seed=1, deterministic=True), decompose=False)
    assert check_roster(problem, result.assignments) == []
    assert result.coverage.covered_minutes <= coverable_upper_bound(problem)


@pytest.mark.parametrize("seed", range(5))
def test_diff_accounts_for_every_published_and_new_assignment(seed: int) -> None:
    rng = random.Random(seed)
    pool = [
        Assignment(f"O{rng.randrange(6)}", f"d{rng.randrange(5)}", start, start + 480, "P1")
        for start in range(0, 20 * 480, 480)
    ]
    published = rng.sample(pool, 12)
    new = [item for item in published if rng.random() < 0.6]
    new += [Assignment(item.officer, item.demand, item.start, item.end, item.post) for item in published[:2]]
    new += rng.sample([item for item in pool if item not in published], 4)
    diff = diff_rosters(published, new)
    old_keys = {(a.officer, a.demand, a.start, a.end) for a in published}
    new_keys = {(a.officer, a.demand, a.start, a.end) for a in new}
    assert diff.kept == len(old_keys & new_keys)
    assert diff.moved + diff.removed == len(old_keys - new_keys)
    assert diff.moved + diff.added == len(new_keys - old_keys)
    assert [entry.officer for entry in diff.officers] == sorted({a.officer for a in published + new})
    for entry in diff.officers:
        assert [a.start for a in entry.kept] == sorted(a.start for a in entry.kept)


def test_bound_allows_a_cut_night_that_starts_the_next_calendar_day() -> None:
    # Pattern day 0 holds 00:00-04:00 and the night 22:00-06:00 cut by a demand from 05:00 on
    # day 1: both count as day 0 but start 29 hours apart, so one officer may work both under a
    # four-hour 24-hour limit.
    early, night = ShiftPattern("A", 0, 240), ShiftPattern("N", 22 * 60, 6 * 60)
    rules = Rules(
        min_rest_minutes=0,
        forbidden_successions=(),
        max_minutes_per_24h=240,
        max_consecutive_days=None,
    )
    problem = RosterProblem(
        officers=(Officer("A", skills=(SkillGrant("guard"),)),),
        posts=(Post("P1", "S1", (early, night)),),
        demands=(
            Demand("a", "P1", 0, 240, "guard"),
            Demand("n", "P1", DAY + 5 * 60, DAY + 6 * 60, "guard"),
        ),
        sites=(Site("S1", "C1"),),
        rules=rules,
    )
    assert {duty.day for duty in build_duties(problem)} == {0}
    result = solve_roster(problem, OPTIONS)
    assert check_roster(problem, result.assignments) == []
    assert result.coverage.covered_minutes == 300
    assert coverable_upper_bound(problem) >= 300


def test_scarce_skills_in_turn_respect_consecutive_days_across_their_models() -> None:
    # One officer holds both scarce skills: EOD fills days 0-5 first; K9 wants day 6 only (three
    # posts). The K9 model sees that officer on a single day, where no consecutive-days window is
    # built: it must still not make a seventh day in a row (found at size L: a ten-day run).
    both = Officer("A", skills=(SkillGrant("eod"), SkillGrant("k9")))
    demands = [Demand(f"e{day}", "P1", day * DAY + 6 * 60, day * DAY + 14 * 60, "eod", 1) for day in range(6)]
    demands += [
        Demand(f"k{post}", post, 6 * DAY + 6 * 60, 6 * DAY + 14 * 60, "k9", 1) for post in ("P2", "P3", "P4")
    ]
    problem = RosterProblem(
        officers=(both,),
        posts=tuple(Post(post, "S1", (EARLY,)) for post in ("P1", "P2", "P3", "P4")),
        demands=tuple(demands),
        sites=(Site("S1", "C1"),),
        rules=Rules(max_consecutive_days=6),
    )
    duties = build_duties(problem)
    ctx = _context(problem, duties, full_candidates=False)
    scarce = [skill for skill, _ in _scarce_skills(ctx, {duty.index: duty.headcount for duty in duties})]
    assert scarce == ["eod", "k9"]
    result = solve_roster(problem, OPTIONS, decompose=True)
    assert check_roster(problem, result.assignments) == []
    assert result.coverage.covered_minutes == 6 * 480
