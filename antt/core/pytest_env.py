"""Loaded by pytest (``-p antt.core.pytest_env``) before Django settings: safe defaults for tests.

Tests run over plain HTTP with a throw-away secret; everything else comes from the environment, so
``ANTT_DATABASE_URL`` / ``ANTT_REDIS_URL`` switch the same suite to PostgreSQL and Redis.
"""

import atexit
import os
import shutil
import tempfile
from datetime import datetime
from typing import Any

import pytest

os.environ.setdefault("ANTT_SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789abcdefghij")
os.environ.setdefault("ANTT_HTTPS", "0")
os.environ.setdefault("ANTT_AUDIT_KEY", "test-only-audit-key")
os.environ.setdefault("ANTT_DEMO", "0")
os.environ.setdefault("ANTT_DOCUMENTS_KEYS", "test-1:dGVzdC1vbmx5LWRvY3VtZW50cy1rZXktMzItYnl0ZXM=")
if (
    "ANTT_DOCUMENTS_ROOT" not in os.environ
):  # classified-document ciphertext of a test run: a temporary directory
    _documents_root = tempfile.mkdtemp(prefix="antt-test-documents-")
    atexit.register(shutil.rmtree, _documents_root, True)
    os.environ["ANTT_DOCUMENTS_ROOT"] = _documents_root
os.environ.setdefault("ANTT_STATIC_MANIFEST", "0")
os.environ.setdefault(
    "ANTT_DB_CONN_MAX_AGE", "0"
)  # threads (live server, parallel writers) must not keep connections
os.environ.setdefault("ANTT_LOG_LEVEL", "WARNING")
os.environ.setdefault("ANTT_WARM_COVERAGE", "0")  # servers a test starts do not warm (a test asks for it)


# --- The wall clock for the whole run (ANTT_TEST_WALL_CLOCK) -------------------------------------------
# Tests must not depend on the hour they run at. ``ANTT_TEST_WALL_CLOCK=2026-12-03T07:30:00Z pytest`` starts
# the session at that instant (the clock then ticks on, so timeouts and solver deadlines still work);
# CI runs the clock-sensitive part of the suite under several such instants (.ci/run).
WALL_CLOCK_ENV = "ANTT_TEST_WALL_CLOCK"


def pytest_configure(config: Any) -> None:
    wall_clock = os.environ.get(WALL_CLOCK_ENV, "").strip()
    if not wall_clock:
        return
    import time_machine

    instant = datetime.fromisoformat(wall_clock)
    if instant.tzinfo is None:
        raise pytest.UsageError(f"{WALL_CLOCK_ENV} needs a time zone, e.g. 2026-12-03T07:30:00Z")
    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_report_header(config: Any) -> str | None:
    wall_clock = os.environ.get(WALL_CLOCK_ENV, "").strip()
    return f"wall clock frozen at {wall_clock} ({WALL_CLOCK_ENV}), ticking" if wall_clock else None


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Chromium keeps the machine's real clock: cookies the travelled server sets would look expired or
    not yet valid to it, so browser tests run only on the real clock."""
    if not os.environ.get(WALL_CLOCK_ENV, "").strip():
        return
    skip = pytest.mark.skip(reason=f"browser tests run on the real clock, not under {WALL_CLOCK_ENV}")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)
