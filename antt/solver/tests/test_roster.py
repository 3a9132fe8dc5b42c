"""Event mode: hard rules, explanations, infeasibility, re-planning, options."""

from __future__ import annotations

import threading

import pytest

from antt.solver import (
    DAY,
    Assignment,
    AssignmentMoved,
    Demand,
    DemandAdded,
    DemandMoved,
    Officer,
    OfficerUnavailable,
    Post,
    Progress,
    RosterProblem,
    Rules,
    ShiftPattern,
    Site,
    SkillGrant,
    SolveOptions,
    SolveStatus,
    Travel,
    apply_change,
    coverable_upper_bound,
    replan,
    solve_roster,
)
from antt.solver.generate import generate_event
from antt.solver.messages import LANGUAGES, MESSAGES, render
from antt.solver.tests.rulecheck import check_roster

OPTIONS = SolveOptions(time_limit=10, seed=7)
E, L, N = ShiftPattern("E", 360, 840), ShiftPattern("L", 840, 1320), ShiftPattern("N", 1320, 360)
LOOSE = Rules(
    min_rest_minutes=0,
    forbidden_successions=(),
    max_minutes_per_24h=None,
    max_consecutive_days=None,
    min_consecutive_days_off=1,
)


def officer(name: str, **fields: object) -> Officer:
    fields.setdefault("skills", (SkillGrant("guard"),))
    return Officer(name, **fields)  # type: ignore[arg-type]


def at(day: int, hour: int) -> int:
    return day * DAY + hour * 60


def event(
    officers: list[Officer], demands: list[Demand], rules: Rules = LOOSE, **extra: object
) -> RosterProblem:
    posts = extra.pop("posts", (Post("P1", "S1", (E, L, N)), Post("P2", "S2", (E, L, N))))
    return RosterProblem(
        officers=tuple(officers),
        posts=posts,  # type: ignore[arg-type]
        demands=tuple(demands),
        sites=(Site("S1", "C1"), Site("S2", "C1")),
        rules=rules,
        **extra,  # type: ignore[arg-type]
    )


def solve(problem: RosterProblem, **kwargs: object) -> tuple[int, list[str]]:
    result = solve_roster(problem, OPTIONS, **kwargs)  # type: ignore[arg-type]
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert check_roster(problem, result.assignments) == []
    return len(result.assignments), [u.reason.code for u in result.uncovered]


# --- hard rules: each case would cover more if the rule were dropped -------------------------


def test_minimum_rest_between_duties() -> None:
    demands = [
        Demand("a", "P1", at(0, 6), at(0, 14), "guard"),
        Demand("b", "P1", at(0, 22), at(1, 6), "guard"),
    ]
    people = [officer("A")]
    assert solve(event(people, demands))[0] == 2
    count, reasons = solve(event(people, demands, Rules(**{**LOOSE.__dict__, "min_rest_minutes": 660})))
    assert count == 1
    assert reasons == ["rules_blocked"]


def test_forbidden_succession_no_early_after_night() -> None:
    early = ShiftPattern("E", 8 * 60, 16 * 60)
    posts = (Post("P1", "S1", (early, N)),)
    demands = [
        Demand("n", "P1", at(0, 22), at(1, 6), "guard"),
        Demand("e", "P1", at(1, 8), at(1, 16), "guard"),
    ]
    people = [officer("A")]
    assert solve(event(people, demands, posts=posts))[0] == 2
    rules = Rules(**{**LOOSE.__dict__, "forbidden_successions": (("N", "E"),)})
    assert solve(event(people, demands, rules, posts=posts))[0] == 1


def test_travel_time_between_sites() -> None:
    demands = [
        Demand("a", "P1", at(0, 6), at(0, 10), "guard"),
        Demand("b", "P2", at(0, 11), at(0, 14), "guard"),
    ]
    people = [officer("A")]
    assert solve(event(people, demands))[0] == 2
    assert solve(event(people, demands, travel=(Travel("S1", "S2", 90),)))[0] == 1


def test_one_place_at_a_time() -> None:
    demands = [
        Demand("a", "P1", at(0, 6), at(0, 14), "guard"),
        Demand("b", "P2", at(0, 6), at(0, 14), "guard"),
    ]
    count, reasons = solve(event([officer("A")], demands))
    assert count == 1
    assert reasons == ["all_busy"]


def test_maximum_minutes_per_24_hours() -> None:
    demands = [Demand("a", "P1", at(0, 6), at(0, 22), "guard")]
    assert solve(event([officer("A")], demands))[0] == 2
    assert (
        solve(event([officer("A")], demands, Rules(**{**LOOSE.__dict__, "max_minutes_per_24h": 600})))[0] == 1
    )


def test_maximum_and_minimum_total_minutes() -> None:
    demands = [Demand(f"d{day}", "P1", at(day, 6), at(day, 14), "guard") for day in range(3)]
    assert solve(event([officer("A", max_minutes_total=960)], demands))[0] == 2
    # A minimum total forces work even where a day-off request would rather not.
    wish = officer("A", min_minutes_total=1440, day_off_requests=frozenset({1}))
    assert solve(event([wish], demands))[0] == 3
    assert solve(event([officer("A", day_off_requests=frozenset({1}))], demands))[0] == 3


def test_maximum_consecutive_duty_days() -> None:
    demands = [Demand(f"d{day}", "P1", at(day, 6), at(day, 14), "guard") for day in range(4)]
    rules = Rules(**{**LOOSE.__dict__, "max_consecutive_days": 2})
    assert solve(event([officer("A")], demands))[0] == 4
    assert solve(event([officer("A")], demands, rules))[0] == 3


def test_minimum_consecutive_days_off() -> None:
    demands = [Demand(f"d{day}", "P1", at(day, 6), at(day, 14), "guard") for day in range(5)]
    person = officer("A", days_off=frozenset({1}))
    assert solve(event([person], demands))[0] == 4
    assert solve(event([person], demands, Rules(**{**LOOSE.__dict__, "min_consecutive_days_off": 2})))[0] == 3


def test_skill_validity_clearance_and_availability() -> None:
    demands = [Demand("a", "P1", at(1, 6), at(1, 14), "guard", min_clearance=2)]
    expired = officer("A", skills=(SkillGrant("guard", valid_until=at(1, 0)),), clearance=2)
    low = officer("B", clearance=1)
    away = officer("C", clearance=2, unavailable=((at(1, 10), at(1, 12)),))
    resting = officer("D", clearance=2, days_off=frozenset({1}))
    count, _ = solve(event([expired, low, away, resting], demands))
    assert count == 0
    assert solve(event([expired, low, away, resting, officer("E", clearance=3)], demands))[0] == 1


def test_pinned_assignment_is_kept_even_when_costly() -> None:
    demands = [
        Demand("a", "P1", at(0, 6), at(0, 14), "guard", protection=3),
        Demand("b", "P2", at(0, 6), at(0, 14), "guard"),
    ]
    pin = Assignment("A", "b", at(0, 6), at(0, 14))
    result = solve_roster(event([officer("A")], demands, pinned=(pin,)), OPTIONS)
    assert [(a.officer, a.demand) for a in result.assignments] == [("A", "b")]


# --- infeasible and empty input ---------------------------------------------------------------


def test_pins_breaking_the_rest_rule_are_reported_not_crashed() -> None:
    demands = [
        Demand("a", "P1", at(0, 6), at(0, 14), "guard"),
        Demand("b", "P1", at(0, 22), at(1, 6), "guard"),
    ]
    pins = (Assignment("A", "a", at(0, 6), at(0, 14)), Assignment("A", "b", at(0, 22), at(1, 6)))
    rules = Rules(**{**LOOSE.__dict__, "min_rest_minutes": 660})
    result = solve_roster(event([officer("A")], demands, rules, pinned=pins), OPTIONS)
    assert result.status is SolveStatus.INFEASIBLE
    assert [reason.code for reason in result.reasons] == ["pin_conflict"]
    assert result.reasons[0].params["rule"] == "rule_rest"
    assert "minimum rest between duties" in result.reasons[0].text("en")
    assert "thời gian nghỉ tối thiểu" in result.reasons[0].text("vi")


def test_pin_on_unknown_duty_is_reported() -> None:
    demands = [Demand("a", "P1", at(0, 6), at(0, 14), "guard")]
    result = solve_roster(event([officer("A")], demands, pinned=(Assignment("A", "zzz", 0, 10),)), OPTIONS)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.reasons[0].code == "pin_unknown"


def test_unreachable_minimum_total_names_the_officer() -> None:
    demands = [Demand("a", "P1", at(0, 6), at(0, 14), "guard")]
    result = solve_roster(event([officer("A", min_minutes_total=2000)], demands), OPTIONS)
    assert result.status is SolveStatus.INFEASIBLE
    assert result.reasons[0].code == "hard_rules_conflict"
    assert "A" in result.reasons[0].text("en")


def test_empty_input_is_nothing_to_roster() -> None:
    result = solve_roster(event([], []), OPTIONS)
    assert result.status is SolveStatus.EMPTY
    assert result.reasons[0].code == "nothing_to_roster"
    assert result.assignments == ()


# --- explanations ---------------------------------------------------------------------------


def test_uncovered_demand_gets_a_reason_with_parameters() -> None:
    demands = [
        Demand("dog", "P1", at(0, 6), at(0, 14), "k9"),
        Demand("vip", "P1", at(0, 6), at(0, 14), "guard", min_clearance=3),
        Demand("night", "P2", at(0, 22), at(1, 6), "medic"),
        Demand("x1", "P1", at(0, 14), at(0, 22), "guard"),
        Demand("x2", "P2", at(0, 14), at(0, 22), "guard"),
    ]
    people = [officer("A"), officer("M", skills=(SkillGrant("medic"),), unavailable=((at(0, 20), at(1, 8)),))]
    result = solve_roster(event(people, demands), OPTIONS)
    reasons = {u.demand: u.reason for u in result.uncovered}
    assert reasons["dog"].code == "no_skill"
    assert reasons["dog"].params["skill"] == "k9"
    assert reasons["vip"].code == "no_clearance"
    assert reasons["night"].code == "all_unavailable"
    busy = reasons["x1"] if "x1" in reasons else reasons["x2"]
    assert busy.code == "all_busy"
    assert "P" in busy.text("en")
    for reason in reasons.values():
        assert reason.text("vi") != reason.text("en")


def test_every_reason_code_has_both_languages() -> None:
    for code, templates in MESSAGES.items():
        assert set(LANGUAGES) <= set(templates), code
        assert all(templates[lang].strip() for lang in LANGUAGES), code


def test_render_translates_rule_codes_inside_lists() -> None:
    text = render("rules_blocked", {"count": 2, "rules": ("rule_rest", "rule_max_24h")}, "vi")
    assert "thời gian nghỉ tối thiểu giữa hai ca, số phút tối đa trong 24 giờ" in text


# --- upper bound ---------------------------------------------------------------------------


def test_upper_bound_counts_only_what_qualified_officers_can_cover() -> None:
    demands = [
        Demand("a", "P1", at(0, 6), at(0, 14), "guard", headcount=3),
        Demand("b", "P2", at(0, 6), at(0, 14), "k9"),
    ]
    problem = event([officer("A"), officer("B")], demands)
    assert coverable_upper_bound(problem) == 2 * 480
    result = solve_roster(problem, OPTIONS)
    assert result.coverage.covered_minutes == 2 * 480
    assert result.coverage.of_coverable == 1.0
    assert result.coverage.of_demand == pytest.approx(0.5)


def test_roster_never_beats_the_upper_bound_on_a_generated_event() -> None:
    problem = generate_event(60, 6, 2, seed=5)
    result = solve_roster(problem, SolveOptions(time_limit=5, seed=1))
    assert result.coverage.covered_minutes <= result.coverage.upper_bound_minutes
    assert check_roster(problem, result.assignments) == []


# --- re-planning ----------------------------------------------------------------------------


def _published_event() -> tuple[RosterProblem, list[Assignment]]:
    demands = [Demand(f"d{day}", "P1", at(day, 6), at(day, 22), "guard", headcount=2) for day in range(3)]
    people = [officer(name) for name in "ABCDEFG"]
    problem = event(people, demands, Rules(min_rest_minutes=480, max_consecutive_days=None))
    result = solve_roster(problem, OPTIONS)
    assert result.coverage.of_demand == 1.0
    return problem, list(result.assignments)


def apply_all(problem: RosterProblem, leaving: str) -> RosterProblem:
    return apply_change(problem, OfficerUnavailable(leaving, at(1, 0)))


@pytest.mark.parametrize("repair", [False, True])
def test_replan_after_a_dropout_changes_only_what_it_must(repair: bool) -> None:
    problem, published = _published_event()
    leaving = published[0].officer
    forced = [a for a in published if a.officer == leaving and a.end > at(1, 0)]
    outcome = replan(problem, published, [OfficerUnavailable(leaving, at(1, 0))], OPTIONS, repair=repair)
    assert outcome.result.coverage.of_demand == 1.0
    assert outcome.diff.changed_published == len(forced)
    assert not [a for a in outcome.result.assignments if a.officer == leaving and a.end > at(1, 0)]
    assert check_roster(apply_all(problem, leaving), outcome.result.assignments) == []
    unaffected = {a for a in published if a not in forced}
    assert unaffected <= set(outcome.result.assignments)


def test_replan_with_added_demand_keeps_the_published_roster() -> None:
    problem, published = _published_event()
    extra = Demand("new", "P2", at(2, 6), at(2, 14), "guard")
    outcome = replan(problem, published, [DemandAdded(extra)], OPTIONS)
    assert outcome.diff.changed_published == 0
    assert any(a.demand == "new" for a in outcome.result.assignments)
    assert {d.officer for d in outcome.diff.officers if d.added}


def test_replan_after_an_item_moves_reports_moves_per_officer() -> None:
    problem, published = _published_event()
    outcome = replan(problem, published, [DemandMoved("d2", at(2, 8), at(2, 22))], OPTIONS)
    assert outcome.result.coverage.of_demand == 1.0
    moved_or_removed = [a for a in published if a.demand == "d2"]
    assert outcome.diff.changed_published <= len(moved_or_removed)
    assert outcome.diff.moved + outcome.diff.removed == outcome.diff.changed_published
    kept_elsewhere = {a for a in published if a.demand != "d2"}
    assert kept_elsewhere <= set(outcome.result.assignments)
    assert any(entry.moved for entry in outcome.diff.officers)


def test_assignment_moved_by_a_planner_is_locked_to_the_new_officer() -> None:
    problem, published = _published_event()
    first = published[0]
    newcomer = next(
        name for name in "ABCDEFG" if name not in {a.officer for a in published if a.start == first.start}
    )
    outcome = replan(problem, published, [AssignmentMoved(first, newcomer)], OPTIONS)
    assert any(
        a.officer == newcomer and a.demand == first.demand and a.start == first.start
        for a in outcome.result.assignments
    )
    assert outcome.diff.changed_published >= 1


# --- options --------------------------------------------------------------------------------


@pytest.mark.slow
def test_same_seed_same_roster() -> None:
    problem = generate_event(40, 4, 2, seed=2)
    options = SolveOptions(time_limit=2, seed=11, deterministic=True)
    first = solve_roster(problem, options)
    second = solve_roster(problem, options)
    assert first.assignments
    assert first.assignments == second.assignments
    decomposed = [solve_roster(problem, options, decompose=True).assignments for _ in range(2)]
    assert decomposed[0] == decomposed[1]


@pytest.mark.slow
def test_cancellation_returns_promptly_with_the_best_so_far() -> None:
    problem = generate_event(120, 12, 3, seed=4)
    stop = threading.Event()
    seen: list[Progress] = []

    def progress(report: Progress) -> None:
        seen.append(report)
        stop.set()

    result = solve_roster(
        problem, SolveOptions(time_limit=60, seed=1, progress=progress, cancel=stop), decompose=False
    )
    assert result.status is SolveStatus.CANCELLED
    assert result.wall_time < 30
    assert seen
    assert seen[0].elapsed >= 0
    assert check_roster(problem, result.assignments) == []


def test_cancel_before_start() -> None:
    problem = generate_event(40, 4, 2, seed=2)
    result = solve_roster(problem, SolveOptions(time_limit=30, cancel=lambda: True))
    assert result.status is SolveStatus.CANCELLED
    assert result.wall_time < 10


# --- decomposition ----------------------------------------------------------------------------


def test_rolling_horizon_carries_rest_and_consecutive_days_across_the_cut() -> None:
    demands = [Demand(f"n{day}", "P1", at(day, 22), at(day + 1, 6), "guard") for day in range(4)]
    demands.append(Demand("early", "P1", at(1, 6), at(1, 14), "guard"))
    rules = Rules(**{**LOOSE.__dict__, "min_rest_minutes": 660, "max_consecutive_days": 2})
    problem = event([officer("A")], demands, rules)
    result = solve_roster(problem, OPTIONS, decompose=True)
    assert result.decomposed
    assert check_roster(problem, result.assignments) == []
    assert len(result.assignments) == 3


@pytest.mark.slow
def test_decomposed_solve_of_a_generated_event_is_valid_and_near_the_bound() -> None:
    problem = generate_event(400, 40, 3, seed=9, posts_per_site=5, sites_per_cluster=3)
    result = solve_roster(problem, SolveOptions(time_limit=3, seed=1, deterministic=True), decompose=True)
    assert result.decomposed
    assert check_roster(problem, result.assignments) == []
    assert result.coverage.of_coverable >= 0.98


def test_rolling_horizon_keeps_a_later_pin_over_an_earlier_cheaper_choice() -> None:
    demands = [
        Demand("night", "P1", at(0, 22), at(1, 6), "guard", protection=3),
        Demand("early", "P1", at(1, 6), at(1, 14), "guard"),
    ]
    pin = Assignment("A", "early", at(1, 6), at(1, 14))
    rules = Rules(**{**LOOSE.__dict__, "min_rest_minutes": 660})
    problem = event([officer("A")], demands, rules, pinned=(pin,))
    result = solve_roster(problem, OPTIONS, decompose=True)
    assert [(a.officer, a.demand) for a in result.assignments] == [("A", "early")]
    assert check_roster(problem, result.assignments) == []
    assert [u.demand for u in result.uncovered] == ["night"]
