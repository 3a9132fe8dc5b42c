# mypy: disable-error-code="arg-type, operator"
"""Planning → solver core → diff, on small plans."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from antt import solver
from antt.forces.tests.factories import OfficerFactory
from antt.planning.tests.factories import AssignmentFactory, RequirementFactory
from antt.rostering import mapping, result_mapping

pytestmark = pytest.mark.django_db


def _solve(event: Any) -> tuple[mapping.Mapping, dict[str, Any], dict[str, Any]]:
    plan_map = mapping.build(event)
    result = solver.solve_roster(plan_map.problem, solver.SolveOptions(time_limit=5, seed=1))
    changes = result_mapping.result_to_changes(plan_map, result)
    return plan_map, changes, result_mapping.figures(result_mapping.plan_after(plan_map, changes))


def test_layers_merge_contiguous_shortfall_into_long_windows() -> None:
    # 06-10 one missing, 10-14 two missing → 06-14 x1 and 10-14 x1 (not three short duties)
    assert mapping._layers([(360, 600, 1), (600, 840, 2)]) == [(360, 840, 1), (600, 840, 1)]
    assert mapping._layers([(0, 60, 1), (120, 180, 1)]) == [(0, 60, 1), (120, 180, 1)]


def test_the_solver_closes_a_gap_that_can_be_closed(event: Any, small_plan: dict[str, Any]) -> None:
    plan_map, changes, after = _solve(event)
    assert result_mapping.figures(plan_map.plan)["gaps"] == 1
    assert len(plan_map.demands) == 1
    (entry,) = changes["officers"]
    assert entry["officer_id"] == small_plan["free"].pk  # the busy one overlaps
    (added,) = entry["added"]
    assert added["post_id"] == small_plan["post"].pk
    assert added["requirement_id"] == small_plan["gap"].pk
    assert after["gaps"] == 0
    assert after["violations"] == 0
    assert changes["totals"] == {"kept": 1, "moved": 0, "added": 1, "removed": 0}


def test_an_impossible_gap_gets_the_no_skill_reason(event: Any, small_plan: dict[str, Any]) -> None:
    day = event.starts_at + timedelta(days=2)
    RequirementFactory(event=event, skill__code="eod", starts_at=day, ends_at=day + timedelta(hours=4))
    _plan_map, changes, after = _solve(event)
    (gap,) = changes["gaps"]
    assert gap["code"] == "no_skill"
    assert "eod" in gap["reason_en"]
    assert "kỹ năng" in gap["reason_vi"]
    assert after["gaps"] == 1


def test_a_gap_needing_more_clearance_than_anyone_has_says_so(event: Any, small_plan: dict[str, Any]) -> None:
    day = event.starts_at + timedelta(days=2)
    RequirementFactory(
        event=event,
        skill=small_plan["gap"].skill,
        min_clearance=3,
        starts_at=day,
        ends_at=day + timedelta(hours=4),
    )
    _plan_map, changes, _after = _solve(event)
    assert [g["code"] for g in changes["gaps"]] == ["no_clearance"]


def test_an_expired_skill_is_not_used_and_its_assignment_is_replaced(
    event: Any, small_plan: dict[str, Any]
) -> None:
    gap = small_plan["gap"]
    lapsed = OfficerFactory(event=event, skills=[("checkpoint", date(2000, 1, 1))])
    AssignmentFactory(
        event=event,
        officer=lapsed,
        post=gap.post,
        skill=gap.skill,
        requirement=gap,
        starts_at=gap.starts_at,
        ends_at=gap.ends_at,
    )
    plan_map, changes, after = _solve(event)
    assert [(a.officer_id, reason) for a, reason in plan_map.removed] == [(lapsed.pk, "skill_expired")]
    added = {e["officer_id"]: e for e in changes["officers"]}
    assert lapsed.pk not in {o for o, e in added.items() if e["added"] or e["moved"]}
    assert small_plan["free"].pk in added
    assert after["violations"] == 0
    assert after["gaps"] == 0


def test_rest_rules_keep_an_officer_off_a_duty_too_close_to_their_kept_one(
    event: Any, small_plan: dict[str, Any]
) -> None:
    # A second gap right after the busy officer's duty: only the free one may take either gap, and not both
    # (8 h rest), so one stays open with a rule reason.
    covered = small_plan["covered"]
    RequirementFactory(
        event=event,
        skill=covered.skill,
        post=small_plan["post"],
        starts_at=covered.ends_at + timedelta(hours=1),
        ends_at=covered.ends_at + timedelta(hours=5),
    )
    _plan_map, changes, after = _solve(event)
    assert after["violations"] == 0
    assert after["gaps"] == 1
    (gap,) = changes["gaps"]
    assert gap["code"] in {"rules_blocked", "all_busy"}


def test_the_fingerprint_changes_with_the_plan(event: Any, small_plan: dict[str, Any]) -> None:
    before = mapping.fingerprint(event)
    assert mapping.fingerprint(event) == before
    small_plan["kept"].ends_at -= timedelta(hours=1)
    small_plan["kept"].save()
    assert mapping.fingerprint(event) != before


def test_travel_time_between_distant_sites_is_respected(event: Any) -> None:
    from antt.planning.tests.factories import PostFactory, RestRulesFactory, SiteFactory

    RestRulesFactory(
        event=event, min_rest_minutes=0, max_duty_minutes_per_24h=None, max_consecutive_days=None
    )
    venue = SiteFactory(event=event, geometry={"type": "Point", "coordinates": [108.3380, 15.8801]})
    airport = SiteFactory(
        event=event, geometry={"type": "Point", "coordinates": [108.1990, 16.0439]}
    )  # ~23 km
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    day = event.starts_at + timedelta(days=1)
    kept_req = RequirementFactory(
        event=event,
        post=PostFactory(event=event, site=venue),
        starts_at=day,
        ends_at=day + timedelta(hours=4),
    )
    AssignmentFactory(
        event=event,
        officer=officer,
        post=kept_req.post,
        skill=kept_req.skill,
        requirement=kept_req,
        starts_at=kept_req.starts_at,
        ends_at=kept_req.ends_at,
    )
    after_req = kept_req.ends_at + timedelta(minutes=20)  # too soon to drive 23 km at 30 km/h
    RequirementFactory(
        event=event,
        post=PostFactory(event=event, site=airport),
        skill=kept_req.skill,
        starts_at=after_req,
        ends_at=after_req + timedelta(hours=3),
    )
    plan_map, changes, _after = _solve(event)
    assert any(t.minutes >= 45 for t in plan_map.problem.travel)
    assert changes["officers"] == []
    (gap,) = changes["gaps"]
    assert gap["code"] == "rules_blocked"
    assert "travel" in gap["reason_en"]
