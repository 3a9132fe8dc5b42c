"""The suggestions rank only the officers within reach (the nearest points first) and read post loads for
those few: the answer must be the one the ranking gives over every officer on duty with every post's load."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antt.forces.tests.factories import OfficerFactory
from antt.operations import dispatch_input
from antt.operations.dispatch import Candidate, PostLoad, suggest, within_reach
from antt.operations.models import PositionReport
from antt.operations.tests.factories import NOW, IncidentFactory, a_day, category
from antt.planning.tests.factories import AssignmentFactory

# A few points, some at the same distance from the target (east and west of it), and no point at all.
TARGET = (16.0, 108.0)
POINTS = [(16.0, 108.01), (16.0, 107.99), (16.02, 108.0), (16.05, 108.0), (15.9, 108.1), None]

candidate_rows = st.lists(
    st.tuples(
        st.sampled_from(POINTS),
        st.integers(min_value=1, max_value=5),  # post
        st.frozensets(st.sampled_from(["medical", "eod"])),
        st.booleans(),  # committed
    ),
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(
    rows=candidate_rows,
    loads=st.dictionaries(
        st.integers(min_value=1, max_value=5),
        st.tuples(st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=4)),
    ),
    skills=st.sampled_from([[], ["medical"], ["medical", "eod"]]),
    limit=st.integers(min_value=1, max_value=10),
    target=st.sampled_from([TARGET, None]),
)
def test_ranking_those_within_reach_gives_the_ranking_of_everyone(
    rows: list[Any], loads: dict[int, tuple[int, int]], skills: list[str], limit: int, target: Any
) -> None:
    everyone = [Candidate(i + 1, 7, held, point, post) for i, (point, post, held, _) in enumerate(rows)]
    committed = {i + 1 for i, row in enumerate(rows) if row[3]}
    posts = {pk: PostLoad(present, required) for pk, (present, required) in loads.items()}
    expected = suggest(
        target=target, skills=skills, candidates=everyone, committed=committed, posts=posts, limit=limit
    )
    free = [c for c in everyone if c.officer_id not in committed and set(skills) <= c.skills]
    near = set(within_reach(target, {c.officer_id: c.position for c in free}, limit))
    shortlist = [c for c in free if c.officer_id in near]
    their_posts = {pk: load for pk, load in posts.items() if any(c.post_id == pk for c in shortlist)}
    got = suggest(
        target=target,
        skills=skills,
        candidates=shortlist,
        committed=committed,
        posts=their_posts,
        limit=limit,
    )
    assert got == expected


def test_within_reach_keeps_everyone_at_the_cut_distance() -> None:
    # Two officers east and two west, all 1.07 km away: with a limit of 3 all four stay (ties are decided by
    # their posts' loads, read afterwards); the one farther away goes.
    positions = {1: POINTS[0], 2: POINTS[0], 3: POINTS[1], 4: POINTS[1], 5: POINTS[3]}
    assert sorted(within_reach(TARGET, positions, 3)) == [1, 2, 3, 4]
    assert sorted(within_reach(TARGET, positions, 5)) == [1, 2, 3, 4, 5]
    assert sorted(within_reach(TARGET, {**positions, 6: None}, 5)) == [1, 2, 3, 4, 5]
    assert sorted(within_reach(TARGET, {1: POINTS[0], 2: None}, 2)) == [1, 2]
    assert sorted(within_reach(None, positions, 1)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db
def test_an_officer_must_hold_every_skill_the_category_needs(event: Any) -> None:
    day = a_day(event)
    needs_two = category(event, "medical")
    needs_two.skill_codes = ["medical", "checkpoint"]
    needs_two.save()
    medic_only = OfficerFactory(event=event, unit=day.unit, skills=["medical"])
    start = event.starts_at + timedelta(hours=8)
    AssignmentFactory(
        event=event,
        post=day.posts[0],
        officer=medic_only,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
    )
    incident: Any = IncidentFactory(event=event, category=needs_two)
    rows = dispatch_input.suggestions_for(incident, at=NOW)
    assert [r.officer.pk for r in rows] == [day.officers[1].pk, day.officers[2].pk]


@pytest.mark.django_db
def test_a_fresh_position_from_the_phone_ranks_before_the_post(event: Any) -> None:
    day = a_day(event)
    far, near = day.officers[2], day.officers[1]  # posts ~5 km and ~2 km from the incident

    def report(officer: Any, minutes_ago: int, lat: float) -> None:
        PositionReport.objects.create(
            event=event,
            officer=officer,
            device_time=NOW - timedelta(minutes=minutes_ago),
            received_at=NOW,
            lat=lat,
            lon=108.3380,
        )

    report(far, 30, 15.8802)  # too old: the plan still places them at their post
    report(far, 2, 15.8810)  # ~100 m from the incident
    report(near, 40, 15.8801)  # too old
    incident: Any = IncidentFactory(event=event, category=category(event))
    rows = dispatch_input.suggestions_for(incident, at=NOW)
    assert [r.officer.pk for r in rows] == [far.pk, near.pk]
    first = rows[0].suggestion
    assert first.distance_m is not None
    assert 90 < first.distance_m < 110
    assert first.unit_id == day.unit.pk
    assert first.post_id == day.posts[2].pk
