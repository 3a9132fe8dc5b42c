"""The incremental index against a full recompute, over random sequences of changes."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antt.planning.coverage import CoverageIndex, CoveragePlan, FindingKind, audit

from .oracle import normalise
from .strategies import assignments, base_of, officers, plans, requirements
from .test_examples import duty, need, officer, plan_with

OPERATIONS = ("add", "update", "remove")
TARGETS = ("assignment", "requirement", "officer")


@pytest.mark.slow
@settings(max_examples=120, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.data())
def test_incremental_changes_match_full_recompute(plan: CoveragePlan, data: st.DataObject) -> None:
    index = CoverageIndex(plan)
    base = base_of(plan)
    records: dict[str, dict[int, Any]] = {
        "assignment": {a.id: a for a in plan.assignments},
        "requirement": {r.id: r for r in plan.requirements},
        "officer": {o.id: o for o in plan.officers},
    }
    for _ in range(data.draw(st.integers(1, 8), label="changes")):
        target = data.draw(st.sampled_from(TARGETS), label="target")
        existing = sorted(records[target])
        operation = data.draw(st.sampled_from(OPERATIONS if existing else ("add",)), label="operation")
        if operation == "add":
            record_id = max(existing, default=0) + 1
        else:
            record_id = data.draw(st.sampled_from(existing), label="id")
        n_officers, n_requirements = len(records["officer"]) + 1, len(records["requirement"]) + 1
        new: Any
        if target == "assignment":
            new = data.draw(assignments(record_id, base, n_officers, n_requirements), label="assignment")
        elif target == "requirement":
            new = data.draw(requirements(record_id, base), label="requirement")
        else:
            first_day = date(1970, 1, 1) + timedelta(days=base // 1440)
            new = data.draw(officers(record_id, first_day, base), label="officer")
            if operation == "update":  # often change one facet only, as planners do
                old = records["officer"][record_id]
                new = data.draw(
                    st.sampled_from(
                        [
                            new,
                            replace(old, availability=new.availability),
                            replace(old, skills=new.skills, clearance=new.clearance),
                        ]
                    ),
                    label="officer change",
                )
        before = Counter(index.findings())
        if operation == "remove":
            delta = getattr(index, f"remove_{target}")(record_id)
            del records[target][record_id]
        else:
            delta = getattr(index, f"{operation}_{target}")(new)
            records[target][record_id] = new
        current = replace(
            plan,
            assignments=tuple(records["assignment"].values()),
            requirements=tuple(records["requirement"].values()),
            officers=tuple(records["officer"].values()),
        )
        expected = audit(current)
        assert normalise(index.findings()) == normalise(expected)
        assert index.findings() == expected  # messages included
        assert audit(index.plan()) == expected
        assert before - Counter(delta.removed) + Counter(delta.added) == Counter(expected)
        assert not Counter(delta.removed) - before


def test_changes_refuse_unknown_and_duplicate_ids() -> None:
    index = CoverageIndex(plan_with(assignments=(duty(1, officer_id=1),), officers=(officer(1),)))
    with pytest.raises(ValueError, match="already exists"):
        index.add_assignment(duty(1, officer_id=1))
    with pytest.raises(KeyError):
        index.update_assignment(duty(2, officer_id=1))
    with pytest.raises(KeyError):
        index.remove_officer(5)


def test_an_officer_gaining_the_skill_closes_the_gap_and_losing_it_reopens_it() -> None:
    plan = plan_with(
        requirements=(need(1),),
        assignments=(duty(1, officer_id=1),),
        officers=(officer(1, skills=("traffic",)),),
    )
    index = CoverageIndex(plan)
    closed = index.update_officer(officer(1, skills=("traffic", "checkpoint")))
    assert sorted(f.kind for f in closed.removed) == [FindingKind.SKILL_MISSING, FindingKind.UNCOVERED]
    assert closed.added == ()
    reopened = index.remove_officer(1)
    assert sorted(f.kind for f in reopened.added) == [FindingKind.UNCOVERED, FindingKind.UNKNOWN_OFFICER]
    assert index.findings() == audit(index.plan())


def test_removing_a_requirement_turns_its_assignments_into_orphans() -> None:
    plan = plan_with(
        requirements=(need(1),),
        assignments=(duty(1, officer_id=1, requirement_id=1),),
        officers=(officer(1),),
    )
    index = CoverageIndex(plan)
    delta = index.remove_requirement(1)
    assert [(f.kind, f.requirement_ids) for f in delta.added] == [
        (FindingKind.OVERSTAFFED, ()),
        (FindingKind.ORPHAN_ASSIGNMENT, (1,)),
    ]
    assert delta.removed == ()
