"""The documented production command serves: ``uvicorn antt.asgi:application --workers 2`` with production
settings starts every worker (the start-up check ran in the event loop and killed each one before), answers
``/healthz``, sends no ``server`` banner and sends the security headers."""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
HOST = "antt.example.org"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _healthz(port: int) -> tuple[int, dict[str, str]] | None:
    """The status and headers (lower-case names) of ``GET /healthz``; None when nothing answers."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", "/healthz", headers={"Host": HOST})
        response = connection.getresponse()
        response.read()
        return response.status, {name.lower(): value for name, value in response.getheaders()}
    except OSError:
        return None
    finally:
        connection.close()


def test_the_documented_production_command_serves_with_two_workers(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ANTT_", "DJANGO_")) and key != "PYTEST_ADDOPTS"
    }
    env |= {
        "ANTT_SECRET_KEY": "production-start-test-" + "k" * 40,
        "ANTT_AUDIT_KEY": "production-start-test-audit-key",
        "ANTT_ALLOWED_HOSTS": HOST,
        "ANTT_SQLITE_PATH": str(tmp_path / "antt.sqlite3"),
        "ANTT_STATIC_ROOT": str(tmp_path / "static"),
        "ANTT_STATIC_MANIFEST": "0",
        "ANTT_HTTPS": "0",  # no TLS proxy in the test: /healthz over plain HTTP
    }
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [str(bin_dir / "antt"), "migrate", "--noinput", "-v", "0"], env=env, cwd=ROOT, check=True, timeout=300
    )
    port = _free_port()
    log = tmp_path / "uvicorn.log"
    with log.open("wb") as out:
        server = subprocess.Popen(  # the command of docs/operations.md
            [
                *(str(bin_dir / "uvicorn"), "antt.asgi:application", "--host", "127.0.0.1"),
                *("--port", str(port), "--workers", "2", "--no-server-header"),
            ],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            response = None
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and server.poll() is None:
                response = _healthz(port)
                if response is not None and response[0] == 200:
                    break
                time.sleep(0.25)
            time.sleep(1.0)  # let the second worker finish its start (or die) too
            second = _healthz(port)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    text = log.read_text(errors="replace")
    assert response is not None, text
    assert second is not None, text
    status, headers = response
    assert (status, second[0]) == (200, 200), text
    assert "server" not in headers
    assert "camera=()" in headers["permissions-policy"]
    assert "SynchronousOnlyOperation" not in text
    assert "Traceback" not in text
    assert text.count("Application startup complete") == 2, text
