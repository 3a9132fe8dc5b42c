"""A scenario file built to break the reader (deep nesting, huge numbers) is refused with a message.

``antt plan import`` exits 2 with one line naming the place; the service refuses the same values when
another door hands it an already parsed document. Nothing is written.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.events.models import Event
from antt.interop import scenario, scenario_export, scenario_import
from antt.interop.tests.test_cli import main
from antt.interop.tests.test_scenario import build_plan

pytestmark = pytest.mark.django_db

HUGE = "1" + "0" * 5000
OUT_OF_RANGE = "The number {} is out of range (-2147483648 to 2147483647)."


@pytest.fixture
def admin(db: Any) -> Any:
    return UserFactory(username="root", is_superuser=True)


@pytest.fixture
def sample(event: Any) -> dict[str, Any]:
    build_plan(event)
    return scenario_export.scenario_of(event)


def with_literal(sample: dict[str, Any], put: Any, literal: str) -> str:
    """The sample as JSON text with ``literal`` written where ``put`` places the marker."""
    put(sample, "@@HERE@@")
    return json.dumps(sample).replace('"@@HERE@@"', literal)


def set_headcount(d: dict[str, Any], v: Any) -> None:
    d["programme"][0]["rules"][0]["headcount"] = v


def set_longitude(d: dict[str, Any], v: Any) -> None:
    d["sites"][0]["geometry"]["coordinates"][0][0][0] = v


def run_import(tmp_path: Path, admin: Any, text: str, capsys: Any) -> tuple[int, list[str]]:
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    code = main(["plan", "import", "--new-event", "copy", str(path), "--user", admin.username, "--dry-run"])
    captured = capsys.readouterr()
    return code, (captured.out + captured.err).splitlines()


def test_json_nested_a_thousand_levels_deep_exits_2_with_one_line(
    tmp_path: Path, admin: Any, capsys: Any
) -> None:
    text = '{"schema_version": 1, "event": ' + "[" * 1000 + "]" * 1000 + "}"
    code, lines = run_import(tmp_path, admin, text, capsys)
    assert code == 2
    assert lines == ["CommandError: error: $: Nested more than 32 levels deep."]


def test_nesting_below_the_parser_limit_is_reported_with_its_path(
    tmp_path: Path, admin: Any, sample: dict[str, Any], capsys: Any
) -> None:
    nested: Any = []
    for _level in range(100):
        nested = [nested]
    sample["programme"][0]["delegations"] = nested
    code, lines = run_import(tmp_path, admin, json.dumps(sample), capsys)
    assert code == 2
    deep = "$.programme[0].delegations" + "[0]" * 29
    assert lines[0] == f"error: {deep}: Nested more than 32 levels deep."


@pytest.mark.parametrize(
    ("put", "literal", "path", "shown"),
    [
        (set_headcount, HUGE, "$.programme[0].rules[0].headcount", "100000000000… (5,001 digits)"),
        (set_headcount, "3000000000", "$.programme[0].rules[0].headcount", "3000000000"),
        (
            set_longitude,
            "1" + "0" * 400,
            "$.sites[0].geometry.coordinates[0][0][0]",
            "100000000000… (401 digits)",
        ),
        (set_longitude, "1e400", "$.sites[0].geometry.coordinates[0][0][0]", "1e400"),
        (set_longitude, "NaN", "$.sites[0].geometry.coordinates[0][0][0]", "NaN"),
        (set_longitude, "-Infinity", "$.sites[0].geometry.coordinates[0][0][0]", "-Infinity"),
    ],
)
def test_a_number_no_field_can_hold_exits_2_naming_its_path(
    tmp_path: Path,
    admin: Any,
    sample: dict[str, Any],
    capsys: Any,
    put: Any,
    literal: str,
    path: str,
    shown: str,
) -> None:
    code, lines = run_import(tmp_path, admin, with_literal(sample, put, literal), capsys)
    assert code == 2
    assert lines == [
        f"error: {path}: {OUT_OF_RANGE.format(shown)}",
        "CommandError: 1 error(s): nothing was written.",
    ]
    assert not Event.objects.filter(code="copy").exists()


def test_a_file_over_the_size_limit_is_not_read(
    tmp_path: Path, admin: Any, capsys: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenario, "MAX_BYTES", 1024 * 1024)
    code, lines = run_import(tmp_path, admin, " " * (1024 * 1024 + 1), capsys)
    assert code == 2
    assert lines == ["CommandError: error: $: The file is larger than 1 MB."]


@pytest.mark.parametrize(
    ("put", "value", "path", "shown"),
    [
        (
            set_longitude,
            lambda: 10**400,
            "$.sites[0].geometry.coordinates[0][0][0]",
            "100000000000… (401 digits)",
        ),
        (set_longitude, lambda: float("inf"), "$.sites[0].geometry.coordinates[0][0][0]", "inf"),
        (set_headcount, lambda: 10**5000, "$.programme[0].rules[0].headcount", "±2**16610"),
    ],
    ids=["10**400", "inf", "10**5000"],
)
def test_the_service_refuses_the_same_values_from_any_door(
    sample: dict[str, Any], admin: Any, put: Any, value: Any, path: str, shown: str
) -> None:
    """The web or API door hands over a parsed document: the service checks it the same way."""
    put(sample, value())
    report = scenario_import.import_scenario(actor=admin, data=sample, new_event_code="copy", commit=False)
    assert [(p.path, p.en) for p in report.errors] == [(path, OUT_OF_RANGE.format(shown))]
    assert not Event.objects.filter(code="copy").exists()


def test_a_deep_document_from_another_door_is_refused_without_recursion(
    sample: dict[str, Any], admin: Any
) -> None:
    nested: Any = []
    for _level in range(10_000):
        nested = [nested]
    sample["programme"][0]["delegations"] = nested
    report = scenario_import.import_scenario(actor=admin, data=sample, new_event_code="copy", commit=False)
    assert len(report.errors) == 1
    assert report.errors[0].en == "Nested more than 32 levels deep."
