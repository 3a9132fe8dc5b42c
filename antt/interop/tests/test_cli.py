# mypy: disable-error-code="list-item"
"""``antt import-forces`` and ``antt plan export|import``: reports and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from antt.audit.models import AuditEntry
from antt.events.models import Event
from antt.forces.models import Officer
from antt.forces.tests.factories import SkillFactory
from antt.interop.tests.test_scenario import build_plan

pytestmark = pytest.mark.django_db


def main(argv: list[str]) -> int:
    """The command's exit code (``antt.cli.main`` would also close the test's database connection)."""
    try:
        call_command(*argv)
    except CommandError as exc:
        import sys

        print(f"CommandError: {exc}", file=sys.stderr)
        return exc.returncode
    return 0


UNITS = "code,name_vi,name_en,parent_code,commander_code\nD1,Đội 1,Team 1,,\n"
OFFICERS = "code,full_name,unit_code,skills\nCA1,Nguyễn Văn An,D1,checkpoint\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    units, officers = tmp_path / "units.csv", tmp_path / "officers.csv"
    units.write_text(UNITS, encoding="utf-8-sig")
    officers.write_text(OFFICERS, encoding="utf-8")
    return str(units), str(officers)


def test_import_forces_dry_run_then_real(
    event: Any, planner: Any, files: tuple[str, str], capsys: Any
) -> None:
    SkillFactory(event=event, code="checkpoint")
    args = ["import-forces", "--event", event.code, *files, "--user", planner.username]
    assert main([*args, "--dry-run"]) == 0
    assert "Units: 1 new, 0 updated, 0 unchanged" in capsys.readouterr().out
    assert not Officer.objects.filter(event=event).exists()
    assert main(args) == 0
    assert Officer.objects.filter(event=event).count() == 1
    assert main([*args, "--json"]) == 0
    report = json.loads(_json_of(capsys))
    assert report["officers"] == {"new": 0, "updated": 0, "unchanged": 1}


def _json_of(capsys: Any) -> str:
    out = capsys.readouterr().out
    return out[out.index("{") : out.rindex("}") + 1]


def test_import_forces_bad_input_exits_2_with_the_errors(
    event: Any, planner: Any, files: tuple[str, str], capsys: Any
) -> None:
    before = AuditEntry.objects.count()
    assert main(["import-forces", "--event", event.code, *files, "--user", planner.username]) == 2
    captured = capsys.readouterr()
    assert "officers.csv · 2 · skills: Unknown skill checkpoint" in captured.out
    assert "nothing was written" in captured.err
    assert AuditEntry.objects.count() == before


def test_import_forces_refuses_unknown_event_user_and_file(
    event: Any, planner: Any, files: tuple[str, str]
) -> None:
    assert main(["import-forces", "--event", "nope", *files, "--user", planner.username]) == 2
    assert main(["import-forces", "--event", event.code, *files, "--user", "nobody"]) == 2
    assert main(["import-forces", "--event", event.code, "/no/such.csv", "--user", planner.username]) == 2


def test_plan_export_and_import_round_trip(event: Any, tmp_path: Path, capsys: Any) -> None:
    from antt.accounts.tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True)
    build_plan(event)
    out = tmp_path / "plan.json"
    assert main(["plan", "export", "--event", event.code, "--out", str(out)]) == 0
    assert AuditEntry.objects.filter(action="interop.export_scenario", actor_id=None).count() == 1
    assert (
        main(["plan", "import", "--new-event", "copy", str(out), "--user", admin.username, "--dry-run"]) == 0
    )
    assert not Event.objects.filter(code="copy").exists()
    assert main(["plan", "import", "--new-event", "copy", str(out), "--user", admin.username]) == 0
    assert Officer.objects.filter(event__code="copy").count() == 2
    capsys.readouterr()
    assert main(["plan", "export", "--event", "copy"]) == 0
    again = json.loads(capsys.readouterr().out)
    first = json.loads(out.read_text(encoding="utf-8"))
    again["event"]["code"] = first["event"]["code"]
    assert again == first


def test_plan_import_bad_file_exits_2_with_json_paths(event: Any, tmp_path: Path, capsys: Any) -> None:
    from antt.accounts.tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True)
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 1, "event": {}}', encoding="utf-8")
    assert main(["plan", "import", "--new-event", "copy", str(bad), "--user", admin.username]) == 2
    assert "$.event: The member code is missing." in capsys.readouterr().out
    bad.write_text("not json", encoding="utf-8")
    assert main(["plan", "import", "--new-event", "copy", str(bad), "--user", admin.username]) == 2
    assert main(["plan", "import", "--new-event", "copy", str(bad)]) == 2  # nobody said who acts
    assert not Event.objects.filter(code="copy").exists()
