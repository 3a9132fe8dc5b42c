"""In one process, no server and no client: CPU per request through the project's ASGI application (the
floor endpoints of ``benchmarks/field_floor.py`` and the report), to tell what Django's ASGI path costs
from what uvicorn and the client cost.

    .venv/bin/python benchmarks/field_asgi.py plain|auth|event|report|positions [N]   (CONC=16: concurrent)

Run it from another checkout (``cd /work/main && PYTHONDONTWRITEBYTECODE=1 /path/.venv/bin/python
/path/benchmarks/field_asgi.py report``) for a before/after: it imports the code of the current directory.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from typing import Any

sys.path.insert(0, os.getcwd())

import benchmarks.field as bench


async def main(mode: str, n: int, label: str, tokens: list[str]) -> None:
    from benchmarks.field_floor import application

    paths = {
        "plain": "/api/v1/floor/django/",
        "auth": f"/api/v1/floor/auth/{bench.EVENT}/",
        "event": f"/api/v1/floor/event/{bench.EVENT}/",
        "report": f"/api/v1/events/{bench.EVENT}/field/reports/",
        "positions": f"/api/v1/events/{bench.EVENT}/field/positions/",
    }
    path = paths[mode]
    make: Any = {"report": bench.report_body, "positions": bench.positions_body}.get(mode, dict)

    async def one(i: int) -> None:
        body = json.dumps(make()).encode()
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "POST",
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "query_string": b"",
            "root_path": "",
            "server": ("127.0.0.1", 8000),
            "client": ("127.0.0.1", 5555),
            "headers": [
                (b"host", b"127.0.0.1"),
                (b"content-type", b"application/json"),
                (b"authorization", f"Bearer {tokens[i % len(tokens)]}".encode()),
                (b"idempotency-key", str(uuid.uuid4()).encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()
            return {}

        status: list[int] = []

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])

        await application(scope, receive, send)
        if not status or status[0] not in (200, 201):
            raise SystemExit(f"{mode}: answer {status}")

    for i in range(20):  # warm-up
        await one(i)
    conc = int(os.environ.get("CONC", "1"))
    rounds, per_round, best = 5, max(conc, n // 5), float("inf")
    cpu = time.process_time()
    for _ in range(rounds):
        started = time.process_time()
        for i in range(0, per_round, conc):
            await asyncio.gather(*(one(i + k) for k in range(conc)))
        best = min(best, (time.process_time() - started) / per_round * 1000)
    mean = (time.process_time() - cpu) / (rounds * per_round) * 1000
    print(
        f"{os.getcwd()}: {mode} on {label} through the ASGI application, {conc} at once ({bench.load()}): "
        f"CPU {mean:.2f} ms per request (quietest of {rounds} rounds {best:.2f} ms)"
    )


if __name__ == "__main__":
    label, env = bench.configure(os.environ.get("PROBE_POSTGRES"))
    tokens = bench.seed(int(os.environ.get("PHONES", "16")))  # 5000: every sign-in read afresh
    os.environ.update(env)
    mode = sys.argv[1] if len(sys.argv) > 1 else "report"
    asyncio.run(main(mode, int(sys.argv[2]) if len(sys.argv) > 2 else 300, label, tokens))
