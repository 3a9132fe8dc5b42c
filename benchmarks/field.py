"""Field side on loopback: report acceptance latency, position batches, page weight, and the crash test.

    .venv/bin/python benchmarks/field.py reports --rate 100 --seconds 20                  # SQLite
    .venv/bin/python benchmarks/field.py reports --rate 500 --seconds 20 --postgres postgres://postgres@127.0.0.1:5432/h_field
    .venv/bin/python benchmarks/field.py positions --rate 167 --seconds 60 [--postgres …]   # 5,000 phones, every 30 s
    .venv/bin/python benchmarks/field.py weight                                           # first-load bytes, gzip
    .venv/bin/python benchmarks/field.py crash --reports 1000                             # kill -9 while sending
    .venv/bin/python benchmarks/field.py profile --reports 300 [--postgres …] [--top 25]  # in-process cost
    .venv/bin/python benchmarks/field.py floor --seconds 8 [--postgres …]                 # the stack's floor

A real server (uvicorn, ``--workers`` processes, 2 by default as docs/operations.md deploys it) on 127.0.0.1, clients with keep-alive connections and an Idempotency-Key
per request. Latency is what the client sees: request sent → 201 received. Prints figures; the crash mode
exits non-zero when a report that got a 2xx is missing or stored twice, or the audit chain does not verify.
``ANTT_BENCH_UVICORN_ARGS`` adds arguments to the server's command line (``--http h11 --loop asyncio``: the
pure-Python HTTP parser and asyncio's loop instead of httptools and uvloop).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import http.client
import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
EVENT = "bench-field"


def configure(postgres: str | None) -> tuple[str, dict[str, str]]:
    env = {
        "ANTT_SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ANTT_HTTPS": "0",
        "ANTT_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "ANTT_LOG_LEVEL": "ERROR",
        "ANTT_DEBUG": "0",
        "ANTT_STATIC_MANIFEST": "0",
        "ANTT_MEDIA_ROOT": tempfile.mkdtemp(),
    }
    if postgres:
        from urllib.parse import urlparse, urlunparse

        import psycopg

        parts = urlparse(postgres)
        name = f"{parts.path.strip('/') or 'antt'}_fieldbench"
        with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        env["ANTT_DATABASE_URL"] = urlunparse(parts._replace(path=f"/{name}"))
        label = "PostgreSQL"
    else:
        os.environ.pop("ANTT_DATABASE_URL", None)
        env["ANTT_SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "field.sqlite3")
        label = "SQLite"
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "antt.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return label, env


def seed(officers: int) -> list[str]:
    """An event running now with ``officers`` field officers on duty at one post each; their API tokens."""
    from django.utils import timezone

    from antt.accounts.models import ApiToken, User
    from antt.core.permissions import Role
    from antt.events.models import Event, Membership
    from antt.forces.models import Officer, Skill, Unit
    from antt.planning.models import Assignment, Post, Site

    now = timezone.now()
    event = Event.objects.create(
        code=EVENT,
        name_vi="Thử tải",
        name_en="Load test",
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=2),
    )
    unit = Unit.objects.create(event=event, code="U1", name_vi="Đội 1", name_en="Team 1")
    skill = Skill.objects.create(event=event, code="checkpoint", name_vi="Chốt", name_en="Checkpoint")
    site = Site.objects.create(
        event=event,
        code="S1",
        name_vi="Trung tâm",
        name_en="Centre",
        geometry={"type": "Point", "coordinates": [108.338, 15.88]},
    )
    # written in bulk, thousands of phones included (a seed, not the service path being measured)

    users = [User(username=f"bench-{n}") for n in range(officers)]
    for u in users:
        u.set_unusable_password()
    users = User.objects.bulk_create(users, batch_size=500)
    Membership.objects.bulk_create(
        [Membership(event=event, user=u, role=Role.FIELD_OFFICER) for u in users], batch_size=500
    )
    staff = Officer.objects.bulk_create(
        [
            Officer(event=event, code=f"CA{n:05d}", full_name=f"Officer {n}", unit=unit, user=u)
            for n, u in enumerate(users)
        ],
        batch_size=500,
    )
    posts = Post.objects.bulk_create(
        [
            Post(
                event=event,
                site=site,
                code=f"P{n:05d}",
                name_vi=f"Chốt {n}",
                name_en=f"Post {n}",
                geometry={"type": "Point", "coordinates": [108.338, 15.88]},
            )
            for n in range(officers)
        ],
        batch_size=500,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                event=event,
                officer=o,
                post=p,
                skill=skill,
                starts_at=now - timedelta(hours=1),
                ends_at=now + timedelta(days=1),
            )
            for o, p in zip(staff, posts, strict=True)
        ],
        batch_size=500,
    )
    tokens, rows = [], []
    for u in users:
        key, prefix, digest = ApiToken.generate()
        rows.append(
            ApiToken(user=u, name="bench", prefix=prefix, key_hash=digest, expires_at=now + timedelta(days=2))
        )
        tokens.append(key)
    ApiToken.objects.bulk_create(rows, batch_size=500)
    return tokens


def stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    """Signal the server's whole process group (the uvicorn parent and its workers) and wait for it."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    proc.wait()


def _proc_cpu(pgid: int | None = None, name: str | None = None) -> float:
    """CPU seconds (user + system) used so far by the processes of a process group, or by every process of
    a name (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        fields = tail.split()  # after the name: state, ppid, pgrp, …, utime (11), stime (12)
        if (pgid is not None and int(fields[2]) == pgid) or (name is not None and head.endswith(f"({name}")):
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def group_cpu(pgid: int) -> float:
    return _proc_cpu(pgid=pgid)


def database_cpu(postgres: str | None) -> float:
    """PostgreSQL's own CPU seconds so far (every ``postgres`` process on this machine: its backends, the WAL
    writer, the checkpointer …; another load on the same server counts too). 0 on SQLite: its work is the
    server's."""
    return _proc_cpu(name="postgres") if postgres else 0.0


def cpu_summary(server_ms: float, db_ms: float, client_ms: float, per: str) -> str:
    """The CPU figures of a run: the server's, PostgreSQL's (when it is the database) and the client's per
    request, and what all three allow on this machine's cores if nothing else ran."""
    db = f", PostgreSQL CPU {db_ms:.1f} ms" if db_ms else ""
    return (
        f"server CPU {server_ms:.1f} ms per {per} (ceiling on {CORES} idle cores ≈ {CORES * 1000 / server_ms:.0f}/s)"
        f"{db}, client CPU {client_ms:.1f} ms; all together {server_ms + db_ms + client_ms:.1f} ms "
        f"(≈ {CORES * 1000 / (server_ms + db_ms + client_ms):.0f}/s)"
    )


def load() -> str:
    return "load " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


WORKERS = 1
CORES = os.cpu_count() or 1


_STARTED: list[subprocess.Popen[bytes]] = []


def _stop_started() -> None:
    """At exit (also after ``timeout``'s SIGTERM): the servers this run started do not outlive it (each runs
    in its own session, so nothing else would stop them)."""
    for proc in _STARTED:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)


atexit.register(_stop_started)


def start_server(
    port: int, env: dict[str, str], app: str = "antt.asgi:application"
) -> subprocess.Popen[bytes]:
    if not _STARTED and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))  # so that atexit runs
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--port",
            str(port),
            "--log-level",
            "error",
            "--no-access-log",
            "--workers",
            str(WORKERS),
            # e.g. "--http h11 --loop asyncio": uvicorn's pure-Python parser and asyncio's loop, as before
            # httptools and uvloop were installed (docs/field.md, "Sixth round")
            *shlex.split(os.environ.get("ANTT_BENCH_UVICORN_ARGS", "")),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
        start_new_session=True,  # its own process group: a kill reaches the workers too
    )
    _STARTED.append(proc)
    deadline = time.monotonic() + 240  # a busy machine starts Django slowly
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


class Client:
    def __init__(self, port: int, token: str) -> None:
        self.port, self.token = port, token
        self.conn: http.client.HTTPConnection | None = None

    def post(self, path: str, body: dict[str, Any], key: str) -> tuple[int, float]:
        data = json.dumps(body).encode()
        headers = {
            "Authorization": f"Bearer {self.token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        started = time.perf_counter()
        conn = self.conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.conn = conn
        try:
            conn.request("POST", path, data, headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            conn.close()
            self.conn = None
            raise
        return response.status, time.perf_counter() - started


def report_body() -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "category": "crowd",
        "text": "Đông người ở cổng",
        "lat": 15.88,
        "lon": 108.338,
        "accuracy_m": 8,
    }


def open_loop(
    port: int,
    tokens: list[str],
    rate: float,
    seconds: float,
    make: Any,
    path: str,
    threads: int = 16,
    rotate: bool = False,
) -> tuple[list[float], dict[int, int], float]:
    """Send ``rate`` requests a second for ``seconds`` (scheduled, not closed-loop); latencies of the 2xx,
    the other answers by status. ``rotate``: request *i* is sent as phone ``tokens[i % len]`` over its
    thread's connection (thousands of phones, each sending every ``len / rate`` seconds)."""
    total = int(rate * seconds)
    start = time.perf_counter() + 0.5
    latencies: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    counter = iter(range(total))

    def work(t: int) -> None:
        clients = (
            [Client(port, tokens[t % len(tokens)])]
            if rotate
            else [Client(port, tok) for tok in tokens[t::threads]] or [Client(port, tokens[t % len(tokens)])]
        )
        k = 0
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            client = clients[k % len(clients)]
            k += 1
            if rotate:
                client.token = tokens[i % len(tokens)]
            try:
                status, took = client.post(path, make(), str(uuid.uuid4()))
            except (OSError, http.client.HTTPException):
                status, took = 0, 0.0
            with lock:
                if 200 <= status < 300:
                    latencies.append(took)
                else:
                    errors[status] = errors.get(status, 0) + 1  # 0: no answer (connection, timeout)

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    return latencies, errors, elapsed


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def cmd_reports(args: argparse.Namespace) -> None:
    label, env = configure(args.postgres)
    tokens = seed(16)
    port = free_port()
    server = start_server(port, env)
    try:
        path = f"/api/v1/events/{EVENT}/field/reports/"
        open_loop(port, tokens, 20, 1, report_body, path)  # warm-up
        cpu, db, client = group_cpu(server.pid), database_cpu(args.postgres), time.process_time()
        lat, errors, elapsed = open_loop(port, tokens, args.rate, args.seconds, report_body, path)
        cpu_ms = (group_cpu(server.pid) - cpu) / max(1, len(lat)) * 1000
        db_ms = (database_cpu(args.postgres) - db) / max(1, len(lat)) * 1000
        client_ms = (time.process_time() - client) / max(1, len(lat)) * 1000
        print(
            f"reports on {label} ({WORKERS} workers x {os.environ.get('ANTT_REQUEST_THREADS', '16')} request threads, "
            f"{load()}): offered {args.rate}/s for {args.seconds}s → "
            f"{len(lat) / elapsed:.0f}/s accepted, p50 {pct(lat, 0.5):.1f} ms, p99 {pct(lat, 0.99):.1f} ms, "
            f"max {max(lat) * 1000:.1f} ms, errors {errors}; {cpu_summary(cpu_ms, db_ms, client_ms, 'report')}"
        )
    finally:
        stop(server)


def positions_body() -> dict[str, Any]:
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    return {
        "points": [
            {
                "lat": 15.88,
                "lon": 108.338,
                "accuracy_m": 10,
                "device_time": (now - timedelta(seconds=30 * i)).isoformat(),
            }
            for i in range(4)
        ]
    }


def cmd_positions(args: argparse.Namespace) -> None:
    label, env = configure(args.postgres)
    started = time.perf_counter()
    phones = args.phones or 5000
    tokens = seed(phones)
    print(
        f"seeded {phones} phones (officers on duty, one post each) in {time.perf_counter() - started:.0f} s"
    )
    port = free_port()
    server = start_server(port, env)
    try:
        path = f"/api/v1/events/{EVENT}/field/positions/"
        open_loop(port, tokens[:64], 20, 1, positions_body, path)
        for rate in [args.rate, *args.ramp]:
            cpu, db, client = group_cpu(server.pid), database_cpu(args.postgres), time.process_time()
            lat, errors, elapsed = open_loop(
                port, tokens, rate, args.seconds, positions_body, path, threads=32, rotate=True
            )
            cpu_ms = (group_cpu(server.pid) - cpu) / max(1, len(lat)) * 1000
            db_ms = (database_cpu(args.postgres) - db) / max(1, len(lat)) * 1000
            client_ms = (time.process_time() - client) / max(1, len(lat)) * 1000
            print(
                f"positions on {label} ({WORKERS} workers x {os.environ.get('ANTT_REQUEST_THREADS', '16')} request threads, {load()}): "
                f"{len(tokens)} phones, each every {len(tokens) / rate:.0f} s: offered {rate} batches/s (4 points each) "
                f"for {args.seconds}s → {len(lat) / elapsed:.0f}/s stored, p50 {pct(lat, 0.5):.1f} ms, "
                f"p99 {pct(lat, 0.99):.1f} ms, errors {errors}; {cpu_summary(cpu_ms, db_ms, client_ms, 'batch')}"
            )
    finally:
        stop(server)


def closed_loop(
    port: int, tokens: list[str], seconds: float, make: Any, path: str, threads: int = 16
) -> tuple[list[float], dict[int, int], float]:
    """``threads`` clients each sending the next request as soon as the last is answered, for ``seconds``:
    the most the server answers at that concurrency."""
    latencies: list[float] = []
    errors: dict[int, int] = {}
    lock = threading.Lock()
    start = time.perf_counter()
    end = start + seconds

    def work(t: int) -> None:
        client = Client(port, tokens[t % len(tokens)])
        while time.perf_counter() < end:
            try:
                status, took = client.post(path, make(), str(uuid.uuid4()))
            except (OSError, http.client.HTTPException):
                status, took = 0, 0.0
            with lock:
                if 200 <= status < 300:
                    latencies.append(took)
                else:
                    errors[status] = errors.get(status, 0) + 1

    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return latencies, errors, time.perf_counter() - start


def cmd_floor(args: argparse.Namespace) -> None:
    """The same client and server (uvicorn, ``--workers``) driving, one after the other, endpoints that write
    nothing (``benchmarks/field_floor.py``) and the report itself: 16 keep-alive clients sending back to back
    for ``--seconds`` each, so what each sustains at most; the server's and the client's CPU per request.
    The client runs on the same cores as the server: its CPU is taken from the server's."""
    if Path(__file__).resolve().parent.parent != ROOT:
        raise SystemExit(
            "floor runs this checkout's code only (its endpoints are in benchmarks/field_floor.py)"
        )
    label, env = configure(args.postgres)
    tokens = seed(16)
    port = free_port()
    server = start_server(port, env, app="benchmarks.field_floor:application")
    empty: Any = dict
    targets = [
        ("bare ASGI (no Django)", "/api/v1/floor/asgi/", empty),
        ("bare Django view, middleware, no auth", "/api/v1/floor/django/", empty),
        ("token sign-in only (DRF)", f"/api/v1/floor/auth/{EVENT}/", empty),
        ("token + event + membership", f"/api/v1/floor/event/{EVENT}/", empty),
        ("report (201, written)", f"/api/v1/events/{EVENT}/field/reports/", report_body),
    ]
    try:
        for name, path, make in targets:
            closed_loop(port, tokens, 1, make, path)  # warm-up
            cpu, client = group_cpu(server.pid), time.process_time()
            lat, errors, elapsed = closed_loop(port, tokens, args.seconds, make, path)
            done = max(1, len(lat))
            cpu_ms = (group_cpu(server.pid) - cpu) / done * 1000
            client_ms = (time.process_time() - client) / done * 1000
            print(
                f"  {name:40} {len(lat) / elapsed:5.0f}/s, "
                f"p50 {pct(lat, 0.5):6.1f} ms, p99 {pct(lat, 0.99):7.1f} ms, server CPU {cpu_ms:5.2f} ms/request "
                f"(≈ {CORES * 1000 / cpu_ms:5.0f}/s on {CORES} idle cores), client CPU {client_ms:5.2f} ms/request, "
                f"errors {errors} ({load()})",
                flush=True,
            )
        print(f"floor on {label}, {WORKERS} uvicorn workers, client and server on the same {CORES} cores")
    finally:
        stop(server)


def cmd_weight(args: argparse.Namespace) -> None:
    """The field page's first load: the page and what it loads at once, Leaflet included (jsQR loads only
    when scanning)."""
    import gzip

    configure(None)
    tokens = seed(1)
    from django.test import Client as DjangoClient

    from antt.accounts.models import User
    from antt.core.testing import verified_client

    client = verified_client(User.objects.get(username="bench-0"), DjangoClient())
    urls = [
        f"/events/{EVENT}/field/",
        f"/events/{EVENT}/field/manifest.webmanifest",
        f"/events/{EVENT}/field/sw.js",
    ]
    from django.contrib.staticfiles import finders

    # Leaflet loads right after the page (the map of the post); jsQR only when scanning.
    static = [
        "field/field.js",
        "field/field.css",
        "field/icon-192.png",
        "vendor/leaflet/leaflet.js",
        "vendor/leaflet/leaflet.css",
    ]
    total = 0
    for url in urls:
        body = client.get(url).content
        total += len(gzip.compress(body))
        print(f"  {url}: {len(body)} B, {len(gzip.compress(body))} B gzip")
    for name in static:
        body = Path(str(finders.find(name))).read_bytes()
        total += len(gzip.compress(body))
        print(f"  /static/{name}: {len(body)} B, {len(gzip.compress(body))} B gzip")
    print(f"field page first load: {total / 1024:.1f} KB compressed (goal ≤ 150 KB); tokens {len(tokens)}")


def cmd_crash(args: argparse.Namespace) -> int:
    """Clients send ``--reports`` reports with retries (same key and body on every retry); the server is
    killed with SIGKILL twice and restarted. Then: every report that got a 2xx is stored, none twice, every
    stored report has its incident and audit entry, and the audit chain verifies."""
    label, env = configure(args.postgres)
    tokens = seed(8)
    port = free_port()
    server = [start_server(port, env)]
    path = f"/api/v1/events/{EVENT}/field/reports/"
    acknowledged: set[str] = set()
    lock = threading.Lock()
    work_items = [(report_body(), str(uuid.uuid4())) for _ in range(args.reports)]
    queue = iter(work_items)
    statuses: dict[int, int] = {}

    def client_loop(token: str) -> None:
        client = Client(port, token)
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                return
            body, key = item
            for attempt in range(200):
                try:
                    status, _took = client.post(path, body, key)
                except (OSError, http.client.HTTPException):
                    # the server died mid-answer too (IncompleteRead): the phone's outbox retries the same key
                    time.sleep(min(2.0, 0.05 * 2 ** min(attempt, 5)))
                    continue
                with lock:
                    statuses[status] = statuses.get(status, 0) + 1
                if 200 <= status < 300:
                    with lock:
                        acknowledged.add(body["client_id"])
                    break
                if status in (409, 500, 502, 503):
                    time.sleep(0.1)
                    continue
                raise SystemExit(f"final refusal {status} for {body['client_id']}")

    threads = [threading.Thread(target=client_loop, args=(tok,)) for tok in tokens]
    for t in threads:
        t.start()
    for kill_at in (args.reports // 3, 2 * args.reports // 3):
        while len(acknowledged) < kill_at and any(t.is_alive() for t in threads):
            time.sleep(0.01)
        stop(server[0], signal.SIGKILL)
        print(f"  killed the server (SIGKILL) after {len(acknowledged)} acknowledged reports; restarting")
        server[0] = start_server(port, env)
    for t in threads:
        t.join()
    stop(server[0])

    from django.db.models import Count

    from antt.audit.models import AuditEntry
    from antt.operations.models import FieldReport, Incident

    stored = list(FieldReport.objects.values_list("client_id", flat=True))
    stored_ids = {str(c) for c in stored}
    missing = acknowledged - stored_ids
    twice = FieldReport.objects.values("client_id").annotate(n=Count("id")).filter(n__gt=1).count()
    incidents = Incident.objects.count()
    audited = AuditEntry.objects.filter(action="operations.field_report").count()
    from antt.audit import verification

    result = verification.verify()
    print(
        f"crash on {label}: {args.reports} reports, {len(acknowledged)} got a 2xx, {len(stored)} stored, "
        f"missing {len(missing)}, stored twice {twice}, incidents {incidents}, audit entries {audited}, "
        f"audit chain verifies: {result.ok}; answers seen {dict(sorted(statuses.items()))}"
    )
    ok = not missing and twice == 0 and len(stored) == len(acknowledged) == incidents == audited and result.ok
    return 0 if ok else 1


def lock_hold(connection: Any, send: Any, count: int) -> tuple[float, float, float] | None:
    """On SQLite: the wall and CPU time per request between BEGIN IMMEDIATE and COMMIT or ROLLBACK, summed over
    its write transactions, and how many there were (the write lock is the file's; its hold time caps the rate)."""
    if connection.vendor != "sqlite":
        return None
    from django.db import connections

    wrapper = connections["default"]
    spans: list[float] = []
    cpu: list[float] = []
    began: list[tuple[float, float]] = []
    start, commit, rollback = (
        wrapper._start_transaction_under_autocommit,
        wrapper._commit,
        wrapper._rollback,
    )

    def begin() -> None:
        start()
        began.append((time.perf_counter(), time.thread_time()))

    def end(real: Any) -> Any:
        def ended() -> None:
            real()
            if began:
                wall, thread = began.pop()
                spans.append(time.perf_counter() - wall)
                cpu.append(time.thread_time() - thread)

        return ended

    wrapper._start_transaction_under_autocommit, wrapper._commit, wrapper._rollback = (
        begin,
        end(commit),
        end(rollback),
    )
    try:
        for i in range(count):
            send(i)
    finally:
        del wrapper._start_transaction_under_autocommit, wrapper._commit, wrapper._rollback
    return sum(spans) / count * 1000, sum(cpu) / count * 1000, len(spans) / count


def cmd_profile(args: argparse.Namespace) -> None:
    """In one process, no server: SQL statements and CPU per report and per position batch through the whole
    stack (middleware, token, Idempotency-Key, service). CPU time is the process's own, so the load of the
    machine changes it little; ``--top N`` prints cProfile's N costliest functions (cumulative)."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test import Client as DjangoClient

    label, _env = configure(args.postgres)
    tokens = seed(args.phones or 16)  # 5000: every request a phone this process has not seen for seconds
    runs = {
        "report": (f"/api/v1/events/{EVENT}/field/reports/", report_body),
        "position batch": (f"/api/v1/events/{EVENT}/field/positions/", positions_body),
    }
    for name, (path, make) in runs.items():
        client = DjangoClient()  # one handler, as in a server process; each request signs in as phone i

        def send(
            i: int, client: DjangoClient = client, path: str = path, make: Any = make, name: str = name
        ) -> None:
            body = json.dumps(make())
            response = client.post(
                path,
                body,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {tokens[i % len(tokens)]}",
                HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            )
            if response.status_code != 201:
                raise SystemExit(f"{name}: answer {response.status_code} {response.content[:300]!r}")

        for i in range(20):  # warm-up (imports, caches, the event's audit chain heads)
            send(i)
        statements: list[str] = []

        def count(execute: Any, sql: str, *rest: Any, statements: list[str] = statements) -> Any:
            statements.append(sql)  # (CaptureQueriesContext loses them: each request resets the log)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            send(0)
        held = lock_hold(connection, send, 50)
        if args.top:
            for sql in statements:
                print("   ", sql[:160])
        profiler = cProfile.Profile(time.process_time) if args.top else None  # CPU, not waits
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        # In rounds: the busiest round says what the other helpers' load cost; the quietest is the figure
        # to compare levers by (CPU time still grows on a loaded machine: shared caches, frequency).
        rounds, per_round, best = 5, max(1, args.reports // 5), float("inf")
        for r in range(rounds):
            started = time.process_time()
            for i in range(r * per_round, (r + 1) * per_round):
                send(i)
            best = min(best, (time.process_time() - started) / per_round * 1000)
        if profiler:
            profiler.disable()
        done = rounds * per_round
        cpu_ms = (time.process_time() - cpu) / done * 1000
        wall_ms = (time.perf_counter() - wall) / done * 1000
        print(
            f"{name} on {label}, in-process ({load()}): {len(statements)} SQL statements, "
            f"CPU {cpu_ms:.1f} ms (quietest of {rounds} rounds {best:.1f} ms; wall {wall_ms:.1f} ms) per {name}, "
            f"mean of {done}" + (" [under cProfile: CPU inflated]" if profiler else "")
        )
        if held is not None:
            print(
                f"  write lock held {held[0]:.1f} ms wall, {held[1]:.1f} ms CPU per {name} in {held[2]:.1f} write "
                "transactions (BEGIN IMMEDIATE to COMMIT, mean of 50): one SQLite file takes at most 1000 / that a second"
            )
        # Python function calls per request: the same on a busy machine as on an idle one (CPU time is not),
        # so it tells levers apart where the CPU figures drown in the other helpers' load.
        counter = cProfile.Profile()
        counter.enable()
        for i in range(50):
            send(i)
        counter.disable()
        calls = pstats.Stats(counter).total_calls / 50  # type: ignore[attr-defined]
        print(f"  {calls:,.0f} Python function calls per {name} (cProfile, mean of 50)")
        if profiler:
            dump = Path(tempfile.gettempdir()) / f"field-profile-{name.replace(' ', '-')}.prof"
            profiler.dump_stats(dump)
            print(f"  (the whole profile: {dump}; python -m pstats {dump})")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(args.top)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name in ("reports", "positions", "crash", "weight", "profile", "floor"):
        p = sub.add_parser(name)
        p.add_argument("--postgres", default=None)
        p.add_argument("--seconds", type=float, default=20)
        p.add_argument("--rate", type=float, default={"reports": 100, "floor": 1000}.get(name, 167.0))
        p.add_argument("--ramp", type=float, nargs="*", default=[])
        p.add_argument("--reports", type=int, default=300 if name == "profile" else 1000)
        p.add_argument("--top", type=int, default=0, help="profile: print cProfile's N costliest functions")
        p.add_argument("--tree", default=None, help="run another checkout's code (e.g. /work/main: before)")
        p.add_argument(
            "--phones",
            type=int,
            default=None,
            help="phones (tokens): positions 5000 (each sends every phones / rate s), profile 16",
        )
        p.add_argument(
            "--workers", type=int, default=2, help="uvicorn processes (docs/operations.md: one per core)"
        )
    args = parser.parse_args()
    global WORKERS, ROOT
    WORKERS = args.workers
    if args.tree:  # the same benchmark against another checkout's code ("before": /work/main)
        ROOT = Path(args.tree).resolve()
        sys.path.insert(0, str(ROOT))
        print(f"code from {ROOT}")
    if args.command == "reports":
        cmd_reports(args)
    elif args.command == "positions":
        cmd_positions(args)
    elif args.command == "weight":
        cmd_weight(args)
    elif args.command == "profile":
        cmd_profile(args)
    elif args.command == "floor":
        cmd_floor(args)
    else:
        return cmd_crash(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
