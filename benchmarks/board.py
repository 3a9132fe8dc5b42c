"""Operations room benchmark: live-board fan-out and dispatch suggestions at design scale.

    .venv/bin/python benchmarks/board.py                          # fan-out (in-memory layer) + suggestions
    .venv/bin/python benchmarks/board.py --redis redis://127.0.0.1:6379/8   # fan-out through Redis too
    .venv/bin/python benchmarks/board.py --clients 100 --incidents 30 --officers 20000 --posts 2000
    .venv/bin/python benchmarks/board.py --only fanout --burst --redis redis://127.0.0.1:6379/8  # no wait
    ANTT_BENCH_REDIS_CORE_CAPACITY=100 .venv/bin/python benchmarks/board.py --only fanout --redis ...
        # the same through channels-redis's list-based layer (core.RedisChannelLayer) instead of pub/sub

Fan-out: one ASGI server (uvicorn, the real application) in this process, ``--clients`` WebSocket board
clients signed in; the benchmark opens ``--incidents`` incidents through the service, one at a time, and
measures from the commit to the message at every client (p50/p99 over clients x incidents). Goal: p99 ≤
250 ms on 2 cores. Suggestions: the nearest free responders with a skill for an incident, at 20,000
officers on duty at 2,000 posts (the ranking alone, and the whole call with its queries). Goal ≤ 100 ms.

Prints figures; asserts nothing. SQLite in a temporary file (``--postgres URL`` for PostgreSQL).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def configure(postgres: str | None, redis: str | None) -> str:
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["ANTT_HTTPS"] = "0"
    os.environ["ANTT_DEBUG"] = "0"
    os.environ["ANTT_STATIC_MANIFEST"] = "0"
    os.environ["ANTT_LOG_LEVEL"] = "WARNING"
    if redis:
        os.environ["ANTT_REDIS_URL"] = redis
    else:
        os.environ.pop("ANTT_REDIS_URL", None)
    if postgres:
        os.environ["ANTT_DATABASE_URL"] = postgres
        label = "PostgreSQL"
    else:
        os.environ.pop("ANTT_DATABASE_URL", None)
        os.environ["ANTT_SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        label = "SQLite"
    os.environ["DJANGO_SETTINGS_MODULE"] = "antt.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    core = os.environ.get("ANTT_BENCH_REDIS_CORE_CAPACITY")
    if redis and core:  # the comparison: channels-redis's list-based layer, as the settings had it before
        from django.conf import settings

        settings.CHANNEL_LAYERS = {
            "default": {
                "BACKEND": "channels_redis.core.RedisChannelLayer",
                "CONFIG": {"hosts": [redis], "prefix": "antt:bench", "capacity": int(core), "expiry": 30},
            }
        }
        label += f", channels_redis.core capacity {core}"
    return label


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _event_and_dispatcher() -> tuple[Any, Any, str]:
    from django.conf import settings

    from antt.accounts.tests.factories import UserFactory
    from antt.core.permissions import Role
    from antt.core.testing import verified_client
    from antt.events.tests.factories import EventFactory, MembershipFactory
    from antt.operations.opening import ensure_categories

    event = EventFactory(code="bench-board")
    user = UserFactory(username="bench-dispatcher")
    MembershipFactory(event=event, user=user, role=Role.DISPATCHER)
    ensure_categories(event)
    client = verified_client(user)
    return event, user, f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def fan_out(clients: int, incidents: int, burst: bool = False) -> dict[str, Any]:
    """Latency from commit to arrival at every client, in milliseconds. ``burst``: the incidents are opened
    back to back, without waiting for the boards between two (the channel layer then holds a backlog)."""
    import uvicorn
    from django.db import transaction
    from websockets.asyncio.client import connect

    from antt.asgi import application
    from antt.operations.models import IncidentCategory
    from antt.operations.opening import open_incident

    event, user, cookie = _event_and_dispatcher()
    category = IncidentCategory.objects.get(event=event, code="crowd")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(
            application,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
        )
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)

    arrivals: dict[int, list[float]] = {}
    ready = threading.Event()
    done = threading.Event()

    async def client_loop() -> None:
        sockets = []
        for _ in range(clients):
            ws = await connect(
                f"ws://127.0.0.1:{port}/ws/events/{event.code}/ops/",
                additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
                open_timeout=120,
            )
            sockets.append(ws)

        async def listen(ws: Any) -> None:
            async for raw in ws:
                message = json.loads(raw)
                if message.get("type") == "update":
                    arrivals.setdefault(message["seq"], []).append(time.perf_counter())

        tasks = [asyncio.create_task(listen(ws)) for ws in sockets]
        ready.set()
        while not done.is_set():
            await asyncio.sleep(0.05)
        for ws in sockets:
            await ws.close()
        for task in tasks:
            task.cancel()

    thread = threading.Thread(target=lambda: asyncio.run(client_loop()), daemon=True)
    thread.start()
    ready.wait(300)
    committed: dict[int, float] = {}
    # one warm-up incident (the first request's imports and the first query), not counted
    open_incident(actor=user, event=event, category=category, summary="warm-up")
    time.sleep(1)
    arrivals.clear()
    for n in range(1, incidents + 1):
        with transaction.atomic():
            open_incident(actor=user, event=event, category=category, summary=f"bench {n}")
        committed[n + 1] = time.perf_counter()  # the commit has just returned; on_commit sends now
        deadline = time.monotonic() + 10
        while not burst and len(arrivals.get(n + 1, [])) < clients and time.monotonic() < deadline:
            time.sleep(0.005)
    deadline = time.monotonic() + 30
    while sum(len(arrivals.get(seq, [])) for seq in committed) < clients * incidents:
        if time.monotonic() > deadline:
            break
        time.sleep(0.05)
    done.set()
    thread.join(10)
    server.should_exit = True
    latencies = [
        (arrival - committed[seq]) * 1000
        for seq, times in arrivals.items()
        if seq in committed
        for arrival in times
    ]
    received = len(latencies)
    # The slowest incidents (number in the run: last arrival): is the tail one stall or spread out?
    slowest = sorted(
        (
            (seq - 1, (max(times) - committed[seq]) * 1000)
            for seq, times in arrivals.items()
            if seq in committed
        ),
        key=lambda pair: -pair[1],
    )[:3]
    return {
        "slowest": ", ".join(f"#{n} {ms:.0f} ms" for n, ms in slowest),
        "messages": received,
        "expected": clients * incidents,
        "p50_ms": _percentile(latencies, 0.5) if latencies else float("nan"),
        "p99_ms": _percentile(latencies, 0.99) if latencies else float("nan"),
        "max_ms": max(latencies) if latencies else float("nan"),
    }


def suggestions(officers: int, posts: int, repeat: int) -> dict[str, float]:
    from django.utils import timezone

    from antt.events.tests.factories import EventFactory
    from antt.forces.models import Officer, OfficerSkill, Skill, Unit
    from antt.operations import dispatch, dispatch_input
    from antt.operations.models import Incident, IncidentCategory
    from antt.operations.opening import ensure_categories
    from antt.planning.models import Assignment, Post, Requirement, Site

    now = timezone.now()
    event = EventFactory(
        code="bench-dispatch", starts_at=now - timedelta(days=1), ends_at=now + timedelta(days=3)
    )
    ensure_categories(event)
    units = Unit.objects.bulk_create(
        [Unit(event=event, code=f"U{i:03d}", name_vi=f"Đơn vị {i}", name_en=f"Unit {i}") for i in range(400)]
    )
    checkpoint = Skill.objects.create(
        event=event, code="checkpoint", name_vi="Kiểm soát", name_en="Checkpoint"
    )
    medical = Skill.objects.create(event=event, code="medical", name_vi="Y tế", name_en="Medical")
    sites = Site.objects.bulk_create(
        [Site(event=event, code=f"S{i:03d}", name_vi=f"Địa điểm {i}", name_en=f"Site {i}",
              geometry={"type": "Point", "coordinates": [108.2 + i * 0.002, 16.0 + (i % 10) * 0.003]}) for i in range(150)]
    )  # fmt: skip
    post_rows = Post.objects.bulk_create(
        [Post(event=event, site=sites[i % 150], code=f"P{i:04d}", name_vi=f"Chốt {i}", name_en=f"Post {i}",
              geometry={"type": "Point", "coordinates": [108.2 + (i % 50) * 0.003, 16.0 + (i // 50) * 0.002]})
         for i in range(posts)]
    )  # fmt: skip
    officer_rows = Officer.objects.bulk_create(
        [
            Officer(event=event, code=f"CA{i:05d}", full_name=f"Cán bộ {i}", unit=units[i % 400])
            for i in range(officers)
        ]
    )
    OfficerSkill.objects.bulk_create(
        [
            OfficerSkill(officer=o, skill=medical if i % 20 == 0 else checkpoint)
            for i, o in enumerate(officer_rows)
        ]
    )
    start, end = now - timedelta(hours=2), now + timedelta(hours=6)
    Assignment.objects.bulk_create(
        [Assignment(event=event, officer=o, post=post_rows[i % posts], skill=checkpoint, starts_at=start, ends_at=end)
         for i, o in enumerate(officer_rows)],
        batch_size=2000,
    )  # fmt: skip
    Requirement.objects.bulk_create(
        [Requirement(event=event, post=p, skill=checkpoint, starts_at=start, ends_at=end, headcount=officers // posts)
         for p in post_rows],
        batch_size=2000,
    )  # fmt: skip
    category = IncidentCategory.objects.get(event=event, code="medical")
    incident = Incident.objects.create(
        event=event, number=1, category=category, priority=1, summary="bench", reported_at=now,
        location={"type": "Point", "coordinates": [108.25, 16.02]},
    )  # fmt: skip
    candidates = dispatch_input.candidates(event, now, ["medical"])
    loads = dispatch_input.post_loads(event, now)
    all_candidates = dispatch_input.candidates(event, now, [])
    ranking, ranking_all, whole = [], [], []
    for _ in range(repeat):
        t = time.perf_counter()
        dispatch.suggest(
            target=(16.02, 108.25), skills=["medical"], candidates=candidates, committed=set(), posts=loads
        )
        ranking.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        dispatch.suggest(
            target=(16.02, 108.25), skills=[], candidates=all_candidates, committed=set(), posts=loads
        )
        ranking_all.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        rows = dispatch_input.suggestions_for(incident, at=now)
        whole.append((time.perf_counter() - t) * 1000)
    return {
        "officers_on_duty": len(all_candidates),
        "ranking_medical_ms": statistics.median(ranking),
        "ranking_no_skill_ms": statistics.median(ranking_all),
        "suggestions_for_ms": statistics.median(whole),
        "suggestions": len(rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--redis", default=None, help="also measure the fan-out through Redis")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--incidents", type=int, default=30)
    parser.add_argument("--officers", type=int, default=20_000)
    parser.add_argument("--posts", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=["fanout", "suggest"], default=None)
    parser.add_argument(
        "--burst", action="store_true", help="open the incidents back to back (fan-out: count what is lost)"
    )
    parser.add_argument("--layer", choices=["memory", "redis"], default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.layer:  # a child run: one layer, one process
        label = configure(args.postgres, args.redis if args.layer == "redis" else None)
        result = fan_out(args.clients, args.incidents, args.burst)
        print(json.dumps({"layer": args.layer, "db": label, **result}))
        return
    if args.only in (None, "fanout"):
        for layer in ["memory", *(["redis"] if args.redis else [])]:
            argv = [
                sys.executable,
                __file__,
                "--layer",
                layer,
                "--clients",
                str(args.clients),
                "--incidents",
                str(args.incidents),
            ]
            argv += ["--redis", args.redis] if args.redis else []
            argv += ["--burst"] if args.burst else []
            argv += ["--postgres", args.postgres] if args.postgres else []
            out = subprocess.run(argv, capture_output=True, text=True, check=False)
            line = (out.stdout.strip().splitlines() or [out.stderr[-2000:]])[-1]
            try:
                r = json.loads(line)
            except ValueError:
                print(f"fan-out ({layer}) failed:\n{out.stderr[-3000:]}")
                continue
            print(
                f"fan-out, {layer} layer, {r['db']}{', burst' if args.burst else ''}: "
                f"{args.clients} clients x {args.incidents} incidents — "
                f"{r['messages']}/{r['expected']} messages, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                f"max {r['max_ms']:.1f} ms (goal p99 ≤ 250 ms); slowest incidents {r['slowest']}"
            )
    if args.only in (None, "suggest"):
        label = configure(args.postgres, None)
        r = suggestions(args.officers, args.posts, args.repeat)
        print(
            f"suggestions, {label}: {r['officers_on_duty']} officers on duty at {args.posts} posts — ranking "
            f"(medical) {r['ranking_medical_ms']:.1f} ms, ranking (no skill, every officer) "
            f"{r['ranking_no_skill_ms']:.1f} ms, whole call with queries {r['suggestions_for_ms']:.1f} ms "
            f"(median of {args.repeat}; goal ≤ 100 ms)"
        )


if __name__ == "__main__":
    main()
