"""Health, error pages, request ids, start-up refusals: the operator's side."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_healthz_reports_each_dependency(client: Client, settings: Any) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] is True
    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)


@pytest.mark.django_db
def test_healthz_says_503_when_redis_is_unreachable(client: Client, settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["ok"] is False


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("en", "Not found, or you do not have access."),
        ("vi", "Không tìm thấy, hoặc bạn không có quyền truy cập."),
    ],
)
def test_404_page_in_both_languages(as_user: Any, planner: Any, lang: str, text: str) -> None:
    response = as_user(planner).get("/events/no-such-event/", HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 404
    assert text in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_gets_an_actionable_page(planner: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "Reload the page and submit again" in response.content.decode()


@pytest.mark.django_db
def test_every_response_carries_a_request_id_and_logs_are_json(client: Client) -> None:
    response = client.get("/healthz", HTTP_X_REQUEST_ID="req-12345678")
    assert response["X-Request-ID"] == "req-12345678"
    assert len(client.get("/healthz", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]) == 32
    from antt.core.logging import JsonFormatter, RequestIdFilter

    record = logging.LogRecord("antt", logging.INFO, __file__, 1, "hello %s", ("Hội An",), None)
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "hello Hội An"
    assert "request_id" in line


def test_server_error_page_is_clean(rf: Any) -> None:
    from antt.core.views import server_error

    response = server_error(rf.get("/boom"))
    assert response.status_code == 500
    assert b"Traceback" not in response.content


def _run_antt(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ANTT_")}
    return subprocess.run(
        [sys.executable, "-m", "antt.cli", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ANTT_DATABASE_URL": "mysql://root@localhost/x"}, "ANTT_DATABASE_URL must look like postgres://"),
        ({"ANTT_DATABASE_URL": "postgres://u@h:notaport/x"}, "ANTT_DATABASE_URL cannot be parsed"),
        ({"ANTT_DEBUG": "maybe"}, "ANTT_DEBUG='maybe' is not a yes/no value"),
        ({"ANTT_SESSION_IDLE_MINUTES": "-3"}, "must be a whole number"),
        ({"ANTT_REDIS_URL": "http://x"}, "ANTT_REDIS_URL must look like redis://"),
        (
            {"ANTT_DATABASE_URL": "postgres://u@h/x", "ANTT_DB_PREPARE": "often"},
            "ANTT_DB_PREPARE='often' must",
        ),
        ({}, "ANTT_SECRET_KEY is not set"),
    ],
)
def test_bad_settings_stop_start_up_with_a_clear_message(env: dict[str, str], message: str) -> None:
    base = {"ANTT_SECRET_KEY": "x" * 60} if "ANTT_SECRET_KEY" not in message else {}
    result = _run_antt("check", **{**base, **env})
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("env", "options"),
    [
        ({}, {}),
        ({"ANTT_DB_POOL": "8"}, {"server_side_binding": True, "prepare_threshold": 5}),
        ({"ANTT_DB_CONN_MAX_AGE": "60"}, {"server_side_binding": True, "prepare_threshold": 5}),
        ({"ANTT_DB_POOL": "8", "ANTT_DB_PREPARE": "0"}, {}),
        ({"ANTT_DB_PREPARE": "2"}, {"server_side_binding": True, "prepare_threshold": 2}),
    ],
)
def test_postgresql_prepares_statements_on_connections_that_live_long(
    env: dict[str, str], options: dict[str, Any]
) -> None:
    """With the pool (or kept connections) a statement run 5 times on a connection is prepared in
    PostgreSQL (server-side binding); a connection per request gains nothing from it, and 0 turns it off
    (e.g. behind a PgBouncer that cannot keep prepared statements)."""
    shown = "from django.db import connection as c; import json; o = c.settings_dict['OPTIONS']; "
    shown += "print(json.dumps({k: o[k] for k in ('server_side_binding', 'prepare_threshold') if k in o}))"
    result = _run_antt(
        "shell",
        "-c",
        shown,
        ANTT_SECRET_KEY="x" * 60,
        ANTT_DATABASE_URL="postgres://u@h/x",
        **env,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == options


@pytest.mark.slow
def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    result = _run_antt(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        ANTT_SECRET_KEY="k" * 30 + "Zx9!" * 10,
        ANTT_AUDIT_KEY="audit",
        ANTT_DOCUMENTS_KEYS="prod-1:" + "cHJvZHVjdGlvbi1kb2N1bWVudHMta2V5LTMyYnl0ZXM=",
        ANTT_ALLOWED_HOSTS="antt.example.org",
        ANTT_SQLITE_PATH=str(tmp_path / "db.sqlite3"),
    )
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.django_db
def test_production_refuses_to_start_with_demo_accounts(settings: Any) -> None:
    from antt.accounts.tests.factories import UserFactory
    from antt.core.startup import refuse_unsafe_start

    settings.DEMO = False
    refuse_unsafe_start()  # no demo accounts: fine
    UserFactory(username="demo-commander", is_demo=True)
    with pytest.raises(ImproperlyConfigured, match="demo account"):
        refuse_unsafe_start()
    settings.DEMO = True
    refuse_unsafe_start()
