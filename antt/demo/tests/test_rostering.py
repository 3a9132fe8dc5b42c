# mypy: disable-error-code="arg-type, operator"
"""On the demo summit a short run closes every closable gap, explains the rest and breaks no rule.

How long the run takes is measured by ``benchmarks/demo_run.py``, not asserted here."""

from __future__ import annotations

from typing import Any

import pytest

from antt.accounts.models import User
from antt.demo import seed as demo
from antt.events.models import Event
from antt.planning import coverage_audit
from antt.rostering import services
from antt.rostering.models import SolverRun

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_summit_run_closes_every_gap_it_can(run_now: Any) -> None:
    demo.seed()
    event = Event.objects.get(code="demo-summit")
    planner = User.objects.get(username="demo-planner")
    run = run_now(services.start_run, actor=planner, event=event, time_limit=20, seed=1)
    assert run.status == SolverRun.Status.SUCCEEDED
    summary = run.summary
    assert summary["before"]["gaps"] > 0
    assert summary["before"]["violations"] > 0  # the demo's double booking and lapsed skill
    assert summary["violations"] == 0
    # every gap left is explained (the demo has none the rules leave open)
    assert summary["after"]["gaps"] == len({(g["post_id"], g["starts_at"]) for g in summary["gaps"]})
    assert all(g["reason_vi"] and g["reason_en"] for g in summary["gaps"])
    assert summary["after"]["coverage"] == 1.0
    services.apply_run(actor=planner, run=run)
    findings = coverage_audit.coverage_for(event)
    assert not [f for f in findings if str(f.kind) == "uncovered"]
    assert not [f for f in findings if str(f.kind) in {"double_booked", "skill_expired"}]
