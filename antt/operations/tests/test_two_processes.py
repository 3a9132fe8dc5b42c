"""Two server processes on two ports sharing one board through Redis: a board connected to the first sees
an incident opened through the second. Runs where CI runs it, with PostgreSQL and Redis
(``ANTT_DATABASE_URL``, ``ANTT_REDIS_URL``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from typing import Any

import pytest
from django.conf import settings

from antt.core.testing import verified_client
from antt.operations.opening import ensure_categories

pytestmark = [
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.usefixtures("audit_flushable"),
    pytest.mark.skipif(
        not (settings.DATABASES["default"]["ENGINE"].endswith("postgresql") and settings.REDIS_URL),
        reason="needs PostgreSQL and Redis (ANTT_DATABASE_URL, ANTT_REDIS_URL)",
    ),
]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int) -> subprocess.Popen[bytes]:
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {
        **os.environ,
        "ANTT_DATABASE_URL": url,
        "ANTT_REDIS_URL": settings.REDIS_URL,
        "ANTT_SECRET_KEY": settings.SECRET_KEY,
        "ANTT_DEBUG": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "antt.asgi:application", "--port", str(port), "--ws", "websockets-sansio",
         "--log-level", "warning"],
        env=env,
    )  # fmt: skip


def _wait(base: str) -> None:
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=60) as response:  # noqa: S310 (loopback)
                response.read()
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def test_a_board_on_one_process_sees_an_incident_opened_through_the_other(
    event: Any, dispatcher: Any
) -> None:
    from websockets.sync.client import connect

    from antt.accounts import services as accounts

    ensure_categories(event)
    client = verified_client(dispatcher)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    _token, key = accounts.create_token(actor=dispatcher, name="two processes")
    ports = [_free_port(), _free_port()]
    servers = [_serve(port) for port in ports]
    try:
        board_base, api_base = (f"http://127.0.0.1:{port}" for port in ports)
        _wait(board_base)
        _wait(api_base)
        with connect(
            f"ws://127.0.0.1:{ports[0]}/ws/events/{event.code}/ops/",
            additional_headers={"Cookie": cookie, "Origin": board_base},
            open_timeout=60,
        ) as board:
            board.send(json.dumps({"type": "hello", "since": 0}))
            assert json.loads(board.recv(timeout=60))["type"] == "catchup"
            request = urllib.request.Request(  # noqa: S310 (loopback)
                f"{api_base}/api/v1/events/{event.code}/incidents/",
                data=json.dumps({"category": "crowd", "summary": "Qua tiến trình thứ hai"}).encode(),
                headers={"Authorization": f"Bearer {key}", "Content-Type": "application/json"},
                method="POST",
            )
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (loopback)
                opened = json.loads(response.read())
            update = json.loads(board.recv(timeout=30))
        assert (update["type"], update["seq"], update["data"]["id"]) == ("update", 1, opened["id"])
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=20)
