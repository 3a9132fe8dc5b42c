"""``antt coverage --event CODE [--json]``."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from antt.planning.tests.factories import RequirementFactory

pytestmark = pytest.mark.django_db


def test_coverage_prints_counts_then_findings(event: Any, capsys: Any) -> None:
    requirement = RequirementFactory(event=event, headcount=3)
    call_command("coverage", "--event", event.code)
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"{event.code}: 1 finding(s)"
    assert out[1].split() == ["uncovered", "1"]
    assert out[2].startswith("[critical] uncovered: Post ")
    assert requirement.post.code in out[2]


def test_coverage_json_lists_every_finding(event: Any, capsys: Any) -> None:
    RequirementFactory(event=event, headcount=3)
    RequirementFactory(event=event)
    call_command("coverage", "--event", event.code, "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["counts"] == {"uncovered": 2}
    assert [f["kind"] for f in data["findings"]] == ["uncovered", "uncovered"]
    assert {f["numbers"]["shortfall"] for f in data["findings"]} == {1, 3}
    assert data["findings"][0]["explanation"]["vi"].startswith("Chốt ")


def test_unknown_event_is_an_error(db: Any) -> None:
    with pytest.raises(CommandError, match="No event"):
        call_command("coverage", "--event", "nope")
