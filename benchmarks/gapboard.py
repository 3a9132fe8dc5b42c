"""The gap board after a write, at design scale (prints figures; not a test).

    .venv/bin/python benchmarks/gapboard.py --postgres postgres://postgres@127.0.0.1:5432/h_perf \\
        --sqlite /tmp/gapboard.sqlite3 [--small] [--writes 100] [--cold-runs 1] [--warm-runs 10] [--fresh]

For each database (one child process each, run one after the other in this one run): the design-scale plan
of ``benchmarks/coverage.py`` (20,000 officers, ~198,000 assignments; ``--small``: a tenth) is loaded once
with bulk inserts (kept for the next run unless ``--fresh``), then, as a verified planner through Django's
test client (server time, rendering included):

* **cold start (index dropped)**: this process's live index dropped, then one request (reads the plan,
  builds the index);
* **cold start of a new worker** (``--cold-runs`` times each; ``--no-server`` leaves it out): a real server
  process (``uvicorn antt.asgi:application``, one worker) started, its first answers timed from the moment
  it was started: without warming (``ANTT_WARM_COVERAGE=0``: the first request builds the index), with
  warming and the first request sent as soon as the server listens (it waits for the warming's build), and
  with warming and the first request sent once the worker logged "coverage warmed";
* **warm**: a request with no write before it;
* **after a write**: ``--writes`` times, one audited planning write through the services (an assignment
  moved by 30 minutes, back and forth; another officer's duty removed and put back), then one request:
  median, p99 (nearest rank) and the worst, for the gap board page, its htmx partial and the coverage API.

Goal (issue 12): first request after a single write <= 300 ms p99 on PostgreSQL at design scale. The plan is
loaded once and kept in the database for the next run (``--fresh`` loads it again).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import http.client
import importlib.util
import json
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_MS = 300.0


def _bench_coverage() -> Any:
    spec = importlib.util.spec_from_file_location("bench_coverage", ROOT / "benchmarks" / "coverage.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_coverage"] = module
    spec.loader.exec_module(module)
    return module


def _configure(url: str, *, fresh: bool) -> None:
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ.update(
        ANTT_HTTPS="0",
        ANTT_DEBUG="0",
        ANTT_STATIC_MANIFEST="0",
        ANTT_LOG_LEVEL="WARNING",
        ANTT_DATABASE_URL=url,
        ANTT_ALLOWED_HOSTS="testserver",
        DJANGO_SETTINGS_MODULE="antt.settings",
    )
    if url.startswith("sqlite"):
        path = Path(url.split("sqlite://", 1)[1])
        if fresh:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    elif fresh:
        from urllib.parse import urlparse, urlunparse

        import psycopg

        parts = urlparse(url)
        name = parts.path.lstrip("/")
        with psycopg.connect(urlunparse(parts._replace(path="/postgres")), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered), math.ceil(q * len(ordered))) - 1)]


def _summary(values: list[float]) -> dict[str, float]:
    ms = [v * 1000 for v in values]
    return {
        "n": len(ms),
        "median": statistics.median(ms),
        "p99": _pct(ms, 0.99),
        "max": max(ms),
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


PYCACHE = Path(tempfile.gettempdir()) / "antt-benchmark-pycache"


def _server_env() -> dict[str, str]:
    """The environment of a server process: compiled modules kept in a cache of their own (an installed
    server has its bytecode; without it, compiling every module a worker imports takes seconds more)."""
    env = {**os.environ, "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def fill_bytecode_cache() -> None:
    """Import what a server imports once, untimed, so that the workers below find it compiled."""
    code = "import django; django.setup(); import antt.asgi, antt.urls"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=_server_env(), check=True)


def new_worker(
    pages: dict[str, tuple[str, dict[str, str]]], cookie: str, *, warm: bool, wait: bool
) -> dict[str, Any]:
    """Start a server process (uvicorn, one worker, warming on or off) and time its first answer to each page,
    in order, from the moment it was started; with ``wait``, the first request goes once the worker logged
    that it warmed, otherwise as soon as it listens."""
    port = _free_port()
    env = {
        **_server_env(),
        "ANTT_WARM_COVERAGE": "1" if warm else "0",
        "ANTT_LOG_LEVEL": "INFO",
        "ANTT_ALLOWED_HOSTS": "127.0.0.1",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "antt.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--no-access-log", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    warmed: dict[str, float] = {}
    tail: list[str] = []

    def read_log() -> None:
        assert server.stderr is not None
        for line in server.stderr:
            tail[:] = [*tail[-20:], line]
            if "coverage warmed" in line and "at" not in warmed:
                warmed["at"] = time.perf_counter() - started
                with contextlib.suppress(ValueError):
                    warmed["took"] = float(json.loads(line).get("seconds", 0.0))

    reader = threading.Thread(target=read_log, daemon=True)
    reader.start()
    out: dict[str, Any] = {"warm": warm, "wait": wait}
    try:
        deadline = time.perf_counter() + 600
        while True:
            if server.poll() is not None:
                raise RuntimeError("the server ended: " + "".join(tail))
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.perf_counter() > deadline:
                    raise
                time.sleep(0.05)
        out["listening"] = time.perf_counter() - started
        if wait:
            while "at" not in warmed:
                if server.poll() is not None or time.perf_counter() > deadline:
                    raise RuntimeError("the server never warmed: " + "".join(tail))
                time.sleep(0.05)
        answers = {}
        for name, (path, headers) in pages.items():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            sent = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, **headers})
            response = conn.getresponse()
            response.read()
            done = time.perf_counter()
            conn.close()
            assert response.status == 200, (name, response.status, "".join(tail))
            answers[name] = {"request": done - sent, "since_start": done - started}
        out["answers"] = answers
        out["warmed"] = warmed.get("at")
        out["warming_took"] = warmed.get("took")
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    return out


def child(args: argparse.Namespace) -> dict[str, Any]:
    """Load (if needed) and measure on one database; return the figures."""
    _configure(args.db, fresh=args.fresh)
    cov = _bench_coverage()
    from django.db import connection

    from antt.accounts.models import User
    from antt.core.errors import DomainError
    from antt.core.testing import verified_client
    from antt.events.models import Event
    from antt.planning import assignment_services, live_coverage, versions
    from antt.planning.models import Assignment

    scale = cov.SMALL if args.small else cov.FULL
    out: dict[str, Any] = {"vendor": connection.vendor, "load": os.getloadavg()}
    if not Event.objects.filter(code=cov.EVENT_CODE).exists():
        started = time.perf_counter()
        plan = cov.generate(scale, args.seed)
        counts = cov.load_plan(plan, scale)
        del plan
        cov.mark_fixture_loaded(loaded=True)
        out["loaded"] = {"seconds": time.perf_counter() - started, **counts}
    event = Event.objects.get(code=cov.EVENT_CODE)
    out["size"] = {
        "officers": event.officers.count(),
        "assignments": Assignment.objects.filter(event=event).count(),
    }
    user = User.objects.get(username="bench-planner")
    client = verified_client(user)
    pages = {
        "gap board page": (f"/events/{event.code}/gaps/", {}),
        "gap board htmx partial": (f"/events/{event.code}/gaps/", {"HTTP_HX_REQUEST": "true"}),
        "coverage API": (f"/api/v1/events/{event.code}/coverage", {}),
    }

    # the CPU time of each request (this thread's): the steadier figure on a shared machine
    cpu: list[float] = []

    def get(name: str) -> float:
        path, headers = pages[name]
        started, cpu_started = time.perf_counter(), time.thread_time()
        response = client.get(path, **headers)
        took = time.perf_counter() - started
        cpu.append(time.thread_time() - cpu_started)
        assert response.status_code == 200, (path, response.status_code)
        return took

    # cold start of a new server process, without and with warming
    if not args.no_server:
        from django.conf import settings

        cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
        http_pages = {
            name: (path, {"HX-Request": "true"} if headers else {}) for name, (path, headers) in pages.items()
        }
        fill_bytecode_cache()
        workers = []
        for _ in range(args.cold_runs):
            for warm, wait in ((False, False), (True, False), (True, True)):
                workers.append(new_worker(http_pages, cookie, warm=warm, wait=wait))
        out["workers"] = workers

    # cold start: the live index dropped in this process, then one request (read the plan, build the index)
    cold: dict[str, Any] = {}
    for name in pages if args.cold_runs > 0 else ():
        times, builds = [], []
        for _ in range(args.cold_runs):
            live_coverage.forget()
            gc.collect()
            times.append(get(name))
            builds.append(live_coverage.stats.last_build_seconds)
        cold[name] = {**_summary(times), "build_median": statistics.median(builds) * 1000}
    out["cold"] = cold

    # the writes: move one assignment by 30 minutes and back; unassign another and put it back
    movable = list(
        Assignment.objects.filter(event=event, status="planned")
        .select_related("officer", "post", "skill", "requirement", "event")
        .order_by("pk")[:: max(1, out["size"]["assignments"] // 400)][:200]
    )
    from datetime import timedelta

    state = {"k": 0}

    def write() -> float:
        """One audited planning write through the services; returns its time."""
        while True:
            k = state["k"]
            state["k"] += 1
            a = movable[(k // 2) % len(movable)]
            a.refresh_from_db()
            shift = timedelta(minutes=-30 if k % 2 == 0 else 30)
            started = time.perf_counter()
            try:
                assignment_services.update_assignment(actor=user, assignment=a, ends_at=a.ends_at + shift)
            except DomainError:
                continue  # this one cannot be moved (a rule would break): take the next
            return time.perf_counter() - started

    warm = {}
    for name in pages:
        get(name)
        warm[name] = _summary([get(name) for _ in range(args.warm_runs)])
    out["warm"] = warm

    after: dict[str, Any] = {}
    after_cpu: dict[str, Any] = {}
    writes: list[float] = []
    catchups: list[float] = []
    for name in pages:
        get(name)
        times = []
        cpu.clear()
        for _ in range(args.writes):
            before = versions.current(event)
            writes.append(write())
            assert versions.current(event) == before + 1
            times.append(get(name))
            catchups.append(live_coverage.stats.last_catch_up_seconds)
        after[name] = _summary(times)
        after_cpu[name] = _summary(cpu)
    out["after_write"] = after
    out["after_write_cpu"] = after_cpu
    held = live_coverage.held(event.pk)
    out["findings"] = len(held.index.findings()) if held else 0
    out["write"] = _summary(writes)
    out["catch_up"] = _summary(catchups)
    out["stats"] = vars(live_coverage.stats)
    return out


def report(name: str, figures: dict[str, Any]) -> None:
    load = " ".join(f"{x:.2f}" for x in figures["load"])
    print(f"\n== {name} ({figures['vendor']}), load average at start {load} ==")
    if "loaded" in figures:
        print(f"  loaded the plan: {json.dumps(figures['loaded'])}")
    size = figures["size"]
    print(
        f"  {size['officers']:,} officers, {size['assignments']:,} assignments, {figures['findings']:,} findings"
    )
    print(
        f"  {'':<24}{'cold start (worker)':>22}{'warm':>12}{'after a write: median':>24}{'p99':>9}{'max':>9}"
    )
    for page in figures["after_write"]:
        warm, after = figures["warm"][page], figures["after_write"][page]
        cold = f"{figures['cold'][page]['median']:>17.0f} ms" if page in figures["cold"] else f"{'-':>20}"
        verdict = "meets" if after["p99"] <= GOAL_MS else "MISSES"
        print(
            f"  {page:<24}{cold}  {warm['median']:>7.0f} ms{after['median']:>21.0f} ms"
            f"{after['p99']:>6.0f} ms{after['max']:>6.0f} ms  ({verdict} the goal p99 <= {GOAL_MS:.0f} ms)"
        )
        if page in figures.get("after_write_cpu", {}):
            used = figures["after_write_cpu"][page]
            print(
                f"  {'  its CPU time':<24}{'':>34}{used['median']:>21.0f} ms{used['p99']:>6.0f} ms"
                f"{used['max']:>6.0f} ms  (the request's own CPU: what waiting for a core does not stretch)"
            )
    builds = [figures["cold"][p]["build_median"] for p in figures["cold"]]
    build = f"{statistics.median(builds):.0f} ms (median)" if builds else "not run (--cold-runs 0)"
    print(
        f"  cold start: the index build itself {build}; writes through the service: median "
        f"{figures['write']['median']:.0f} ms; catch-up inside the request: median "
        f"{figures['catch_up']['median']:.1f} ms, p99 {figures['catch_up']['p99']:.1f} ms"
    )
    stats = figures["stats"]
    print(f"  live index: {stats['builds']} builds (cold starts), {stats['catch_ups']} catch-ups")
    if figures.get("workers"):
        print(
            "  cold start of a new worker (uvicorn, one worker, its bytecode compiled beforehand), seconds from "
            "its start:"
        )
        for worker in figures["workers"]:
            how = (
                "no warming (ANTT_WARM_COVERAGE=0)"
                if not worker["warm"]
                else "warming, first request once warmed"
                if worker["wait"]
                else "warming, first request at once"
            )
            answers = worker["answers"]
            first = next(iter(answers.values()))
            parts = ", ".join(
                f"{name}: {a['request'] * 1000:.0f} ms (at {a['since_start']:.1f} s)"
                for name, a in answers.items()
            )
            warmed = f"; warmed at {worker['warmed']:.1f} s" if worker.get("warmed") else ""
            print(
                f"    {how:<38} listening at {worker['listening']:.1f} s{warmed}; first answer at "
                f"{first['since_start']:.1f} s; each request: {parts}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL database (dropped and re-created with --fresh)"
    )
    parser.add_argument("--sqlite", metavar="PATH", help="SQLite file (removed with --fresh)")
    parser.add_argument("--small", action="store_true", help="a tenth of the design scale")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--writes", type=int, default=100, help="writes, each followed by one request, per page"
    )
    parser.add_argument(
        "--cold-runs", type=int, default=3, help="cold starts per page (0: none, the after-write runs only)"
    )
    parser.add_argument("--warm-runs", type=int, default=20)
    parser.add_argument("--fresh", action="store_true", help="load the plan again")
    parser.add_argument(
        "--no-server", action="store_true", help="leave out the cold start of a new server process"
    )
    parser.add_argument("--db", help=argparse.SUPPRESS)  # the child's database
    args = parser.parse_args()
    if args.db:
        print(json.dumps(child(args)))
        return
    targets = []
    if args.postgres:
        targets.append(("PostgreSQL", args.postgres))
    if args.sqlite:
        targets.append(("SQLite", f"sqlite:///{Path(args.sqlite).resolve()}"))
    if not targets:
        parser.error("give --postgres URL and/or --sqlite PATH")
    print(
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs (shared machine)"
    )
    passed = [a for a in sys.argv[1:] if a not in {"--postgres", "--sqlite", args.postgres, args.sqlite}]
    for name, url in targets:
        result = subprocess.run(
            [sys.executable, __file__, "--db", url, *passed], capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            print(f"\n== {name}: failed ==\n{result.stderr[-3000:]}")
            continue
        report(name, json.loads(result.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
