"""The engine against the brute-force oracle on random small plans."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from antt.planning.coverage import CoveragePlan, audit

from .oracle import normalise, oracle
from .strategies import plans


@pytest.mark.slow
@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_engine_matches_minute_by_minute_oracle(plan: CoveragePlan) -> None:
    assert normalise(audit(plan)) == oracle(plan)
