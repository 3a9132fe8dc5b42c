"""Crash: ``kill -9`` the server twice while clients send reports with retries; every report that got a 2xx
is stored once, with its incident and audit entry, and the audit chain verifies (benchmarks/field.py crash).
1,000 reports by default (``ANTT_FIELD_CRASH_REPORTS`` to change); a separate process with its own database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.slow
def test_reports_survive_kill_9_of_the_server_once_each() -> None:
    reports = os.environ.get("ANTT_FIELD_CRASH_REPORTS", "1000")
    env = {k: v for k, v in os.environ.items() if k not in ("ANTT_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    done = subprocess.run(
        [sys.executable, "-u", "benchmarks/field.py", "crash", "--reports", reports],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    summary = [line for line in done.stdout.splitlines() if "crash on" in line]
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert summary
    assert "missing 0, stored twice 0" in summary[0]
    assert "audit chain verifies: True" in summary[0]
