"""The scoped checks (a slice of the plan) against the full audit, on random small plans, and the same
loaders on the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antt.planning import coverage_input
from antt.planning.assignability import REFUSED
from antt.planning.coverage import (
    ACTIVE_STATUSES,
    Assignment,
    CoverageIndex,
    CoveragePlan,
    Finding,
    FindingKind,
    audit,
)
from antt.planning.coverage.tests.strategies import assignments, base_of, plans

COVERAGE_KINDS = {FindingKind.UNCOVERED, FindingKind.OVERSTAFFED}
SETTINGS = settings(
    max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)


def _active(a: Assignment) -> bool:
    return a.status in ACTIVE_STATUSES


def _slice(plan: CoveragePlan, subjects: Callable[[Assignment], bool], whole: Callable[[Any], bool] | None):
    """The slice the editor's database loaders read (``findings._scoped``), from a plan in memory."""
    officer_ids = {a.officer_id for a in plan.assignments if _active(a) and subjects(a)}
    own = [a for a in plan.assignments if _active(a) and a.officer_id in officer_ids]
    keys = {(a.post_id, a.role) for a in own}
    if whole is None:
        whole = lambda x: (x.post_id, x.role) in keys  # noqa: E731
    rows = {a.id: a for a in [*own, *(a for a in plan.assignments if _active(a) and whole(a))]}
    named = {a.requirement_id for a in rows.values()}
    requirements = tuple(r for r in plan.requirements if whole(r) or r.id in named)
    people = {a.officer_id for a in rows.values()}
    sites = {a.site_id for a in rows.values()} | {r.site_id for r in requirements}
    part = replace(
        plan,
        requirements=requirements,
        assignments=tuple(rows.values()),
        officers=tuple(o for o in plan.officers if o.id in people),
        site_hours=tuple(h for h in plan.site_hours if h.site_id in sites),
    )
    wanted = {(x.post_id, x.role) for x in (*part.assignments, *part.requirements) if whole(x)}
    return CoverageIndex(part, groups=wanted)


@pytest.mark.slow
@SETTINGS
@given(plans())
def test_officer_slice_finds_what_the_full_audit_says_about_the_officer(plan: CoveragePlan) -> None:
    full = audit(plan)
    for officer_id in {a.officer_id for a in plan.assignments}:
        index = _slice(plan, lambda a, pk=officer_id: a.officer_id == pk, None)
        mine = [f for f in index.findings() if officer_id in f.officer_ids]
        assert mine == [f for f in full if officer_id in f.officer_ids]


@pytest.mark.slow
@SETTINGS
@given(plans())
def test_site_slice_finds_what_the_full_audit_says_about_the_site(plan: CoveragePlan) -> None:
    full = audit(plan)
    for site_id in (100, 101):
        at = lambda x, pk=site_id: x.site_id == pk  # noqa: E731
        index = _slice(plan, at, at)
        assert [f for f in index.findings() if site_id in f.site_ids] == [
            f for f in full if site_id in f.site_ids
        ]


@pytest.mark.slow
@SETTINGS
@given(plans(), st.data())
def test_group_scope_leaves_out_the_coverage_of_other_groups_only(
    plan: CoveragePlan, data: st.DataObject
) -> None:
    keys = sorted({(x.post_id, x.role) for x in (*plan.assignments, *plan.requirements)})
    groups = set(data.draw(st.lists(st.sampled_from(keys)) if keys else st.just([])))

    def kept(f: Finding) -> bool:
        return f.kind not in COVERAGE_KINDS or (f.post_ids[0], f.role) in groups

    assert CoverageIndex(plan, groups=groups).findings() == [f for f in audit(plan) if kept(f)]


def _refusals(delta_added: Any, proposal_id: int) -> list[Finding]:
    return [f for f in delta_added if f.kind in REFUSED and proposal_id in f.assignment_ids]


@pytest.mark.slow
@SETTINGS
@given(plans(), st.data())
def test_officer_slice_refuses_what_the_whole_plan_refuses(plan: CoveragePlan, data: st.DataObject) -> None:
    """``assignability.officer_slice``: the officers' duties, skills and named requirements, no coverage."""
    n_officers, n_requirements = len(plan.officers), len(plan.requirements)
    existing = [a.id for a in plan.assignments]
    replaces = data.draw(st.sampled_from([None, *existing]), label="replaces")
    new_id = replaces or max(existing, default=0) + 1
    proposal = replace(
        data.draw(assignments(new_id, base_of(plan), n_officers, n_requirements), label="proposal"),
        status="planned",
    )
    before = next((a for a in plan.assignments if a.id == replaces), None)
    full = CoverageIndex(plan)
    delta = full.update_assignment(proposal) if before else full.add_assignment(proposal)
    officer_ids = {proposal.officer_id} | ({before.officer_id} if before else set())
    duties = tuple(a for a in plan.assignments if _active(a) and a.officer_id in officer_ids)
    if before is not None and before not in duties:
        duties = (*duties, before)  # an inactive one being changed: it is loaded as it is
    named = {a.requirement_id for a in (*duties, proposal)}
    part = replace(
        plan,
        requirements=tuple(r for r in plan.requirements if r.id in named),
        assignments=duties,
        officers=tuple(o for o in plan.officers if o.id in officer_ids),
        site_hours=(),
    )
    small = CoverageIndex(part, groups=())
    small_delta = small.update_assignment(proposal) if before else small.add_assignment(proposal)
    assert _refusals(small_delta.added, proposal.id) == _refusals(delta.added, proposal.id)


@pytest.mark.slow
@SETTINGS
@given(plans(), st.data())
def test_probe_is_what_adding_brings_about_the_assignment(plan: CoveragePlan, data: st.DataObject) -> None:
    new_id = max((a.id for a in plan.assignments), default=0) + 1
    proposal = replace(
        data.draw(assignments(new_id, base_of(plan), len(plan.officers), len(plan.requirements))),
        status="planned",
    )
    index = CoverageIndex(plan)
    expected = [
        f
        for f in index.add_assignment(proposal).added
        if f.kind not in COVERAGE_KINDS and proposal.id in f.assignment_ids
    ]
    index.remove_assignment(proposal.id)
    assert CoverageIndex(plan).probe(proposal) == expected
    duties = [a for a in plan.assignments if a.officer_id == proposal.officer_id]
    bare = CoverageIndex(replace(plan, assignments=()), groups=())
    assert bare.probe(proposal, duties=duties) == expected
    assert bare.findings() == [
        f for f in audit(replace(plan, assignments=())) if f.kind not in COVERAGE_KINDS
    ]


# --- the database loaders -----------------------------------------------------------------------------------


def _messy_plan(event: Any, seed: int) -> dict[str, Any]:
    """A random plan written straight to the tables (no service refusals): double bookings, short rests,
    expired skills, low clearances, availability limits, opening hours, gaps and overstaffing."""
    import random
    from datetime import timedelta

    from antt.forces.tests.factories import OfficerFactory, SkillFactory
    from antt.planning.tests.factories import (
        AssignmentFactory,
        PostFactory,
        RequirementFactory,
        RestRulesFactory,
        SiteFactory,
    )

    rng = random.Random(seed)
    start = event.starts_at
    day = start.astimezone(event.tz).date()
    RestRulesFactory(event=event, min_rest_minutes=480, max_duty_minutes_per_24h=720, max_consecutive_days=2)
    hours = [{"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=30)).isoformat()}]
    sites = [SiteFactory(event=event), SiteFactory(event=event, opening_windows=hours)]
    posts = [PostFactory(event=event, site=rng.choice(sites)) for _ in range(3)]
    skills = [SkillFactory(event=event, code=code) for code in ("checkpoint", "traffic")]
    officers = []
    for _ in range(6):
        held = [
            (s.code, rng.choice([None, day, day + timedelta(days=1)])) for s in skills if rng.random() < 0.8
        ]
        limited = rng.random() < 0.3
        officers.append(
            OfficerFactory(
                event=event,
                clearance=rng.randint(0, 3),
                skills=held,
                availability=[
                    {"starts_at": start.isoformat(), "ends_at": (start + timedelta(hours=20)).isoformat()}
                ]
                if limited
                else None,
            )
        )

    def window() -> tuple[Any, Any]:
        begin = start + timedelta(hours=rng.randint(0, 60))
        return begin, begin + timedelta(hours=rng.choice([2, 4, 8, 12]))

    requirements = []
    for _ in range(6):
        begin, end = window()
        requirements.append(
            RequirementFactory(
                event=event,
                post=rng.choice(posts),
                skill=rng.choice(skills),
                starts_at=begin,
                ends_at=end,
                headcount=rng.randint(1, 2),
                min_clearance=rng.randint(0, 2),
            )
        )
    for _ in range(18):
        linked = rng.choice([None, *requirements])
        begin, end = window()
        AssignmentFactory(
            event=event,
            officer=rng.choice(officers),
            post=linked.post if linked else rng.choice(posts),
            skill=linked.skill if linked else rng.choice(skills),
            requirement=linked,
            starts_at=begin,
            ends_at=end,
            status=rng.choice(["planned", "published", "absent"]),
        )
    return {"sites": sites, "officers": officers, "requirements": requirements, "rng": rng}


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_scoped_findings_of_officers_and_sites_equal_the_full_audit(event: Any, seed: int) -> None:
    from antt.planning import findings

    made = _messy_plan(event, seed)
    full = audit(coverage_input.coverage_plan(event))
    assert full  # the plan is messy enough to be worth checking
    for officer in made["officers"]:
        assert findings.findings_for_officer(event, officer) == [
            f for f in full if officer.pk in f.officer_ids
        ]
    for site in made["sites"]:
        assert findings.findings_for_site(event, site) == [f for f in full if site.pk in f.site_ids]


@pytest.mark.django_db
@pytest.mark.parametrize("seed", range(6))
def test_the_officer_slice_and_the_candidates_refuse_what_the_editor_check_refuses(
    event: Any, seed: int
) -> None:
    from antt.planning import assignability, candidates
    from antt.planning.models import Assignment as Duty
    from antt.planning.models import Requirement

    made = _messy_plan(event, seed)
    rng = made["rng"]
    refused = 0
    for requirement in Requirement.objects.filter(event=event).select_related("post__site", "skill"):
        found = candidates.candidates(event, requirement)
        for candidate in [*found.qualified, *found.near_misses]:
            officer = next(o for o in made["officers"] if o.pk == candidate.officer_id)
            proposal = assignability.proposal_for(
                requirement, officer, requirement.starts_at, requirement.ends_at
            )
            expected = assignability.check(event, proposal, site=requirement.post.site).refusals
            assert assignability.refusals(event, proposal) == expected
            assert {f.kind for f in candidate.refusals} == {f.kind for f in expected}
            refused += bool(expected)
    for duty in Duty.objects.filter(event=event).select_related("officer", "post__site", "skill"):
        moved = assignability.proposal_of(
            duty,
            officer=rng.choice(made["officers"]),
            starts_at=duty.starts_at + rng.choice([-1, 1]) * (duty.ends_at - duty.starts_at) / 2,
        )
        moved = replace(
            moved, ends_at=max(moved.ends_at, moved.starts_at) + (duty.ends_at - duty.starts_at) / 4
        )
        before = assignability.proposal_of(duty)
        expected = assignability.check(event, moved, site=duty.post.site, before=before).refusals
        assert assignability.refusals(event, moved, before=before) == expected
        refused += bool(expected)
    assert refused  # some proposals are refused, some not
