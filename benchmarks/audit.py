"""Audit trail benchmark: append throughput (raw chained INSERT, record() with 1 and 8 writers — threads of
this process, then processes — side by side in rounds) and `verify` time for 100k and 1M entries.

    .venv/bin/python benchmarks/audit.py                       # SQLite (a temporary file)
    .venv/bin/python benchmarks/audit.py --postgres postgres://postgres@127.0.0.1:5432/test
    .venv/bin/python benchmarks/audit.py --sizes 10000 --appends 2000 --rounds 5

Prints figures; asserts nothing. Goals: record() >= 70 % of the raw chained INSERT; 8 writers on
PostgreSQL >= 2 x one writer; verify 1M entries in <= 2 s (benchmarks/audit_verify.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def configure(postgres: str | None, *, sqlite_path: str | None = None, reuse: bool = False) -> str:
    """Settings for a benchmark database: PostgreSQL ``<name>_bench`` (made afresh unless ``reuse``), or a
    SQLite file (``sqlite_path``, kept, or a temporary one)."""
    os.environ.setdefault(
        "ANTT_SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
    )
    os.environ["ANTT_HTTPS"] = "0"
    os.environ["ANTT_LOG_LEVEL"] = "WARNING"
    os.environ["ANTT_DB_CONN_MAX_AGE"] = "0"
    if postgres:
        import psycopg

        parts = urlparse(postgres)
        admin = urlunparse(parts._replace(path="/postgres"))
        # "<the URL's database>_bench", so benchmarks run by several people on one server do not collide
        name = f"{parts.path.strip('/') or 'antt'}_bench"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if not (reuse and exists):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
                conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["ANTT_DATABASE_URL"] = urlunparse(parts._replace(path=f"/{name}"))
        label = "PostgreSQL"
    else:
        os.environ.pop("ANTT_DATABASE_URL", None)
        os.environ["ANTT_SQLITE_PATH"] = sqlite_path or str(Path(tempfile.mkdtemp()) / "bench.sqlite3")
        label = "SQLite"
    os.environ["DJANGO_SETTINGS_MODULE"] = "antt.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return label


def server_cpu() -> float | None:
    """CPU seconds of this thread's PostgreSQL backend so far (from /proc: a server on this machine), or None."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    try:
        stat = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


#: the server CPU per entry of the last run of ``append`` with one writer, and of ``raw_append``
_server: dict[str, float | None] = {}


def _records(count: int) -> None:
    """``count`` entries, each by ``record()`` in a transaction of its own, as a service writes them."""
    from django.db import transaction

    from antt.audit import services

    for i in range(count):
        with transaction.atomic():
            services.record(
                actor=None, action="bench.append", event=None, object_id=str(i), changes={"value": [i, i + 1]}
            )


def append(writers: int, per_writer: int) -> float:
    from django.db import connections

    barrier = threading.Barrier(writers)

    def work() -> None:
        barrier.wait()
        before = server_cpu() if writers == 1 else None
        _records(per_writer)
        if before is not None:
            after = server_cpu()
            _server["record"] = None if after is None else (after - before) / per_writer
        connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return writers * per_writer / (time.perf_counter() - started)


def append_processes(writers: int, per_writer: int) -> float:
    """``append(writers, …)`` with each writer a process of its own (forked after Django's setup, its own
    connection) instead of a thread: the server processes of a deployment write side by side like this,
    while threads of one process also take turns on its interpreter lock. Entries/s from the moment all
    writers are ready to the last one's end."""
    import multiprocessing

    from django.db import connections

    connections.close_all()  # the children open their own; none shares the parent's
    context = multiprocessing.get_context("fork")
    ready = context.Barrier(writers + 1)
    done = context.Queue()

    def work() -> None:
        from django.db import connection

        connection.ensure_connection()
        ready.wait()
        _records(per_writer)
        connections.close_all()
        done.put(time.perf_counter())

    children = [context.Process(target=work) for _ in range(writers)]
    for child in children:
        child.start()
    ready.wait(timeout=120)  # a writer that failed to start breaks the barrier instead of hanging the run
    started = time.perf_counter()
    ends = [done.get(timeout=600) for _ in children]
    for child in children:
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"a writer process failed (exit code {child.exitcode})")
    return writers * per_writer / (max(ends) - started)


_raw_seq: dict[str, Any] = {"next": 1}


def raw_append(count: int, chain: int = 999) -> float:
    """The floor: a plain chained INSERT per transaction (prev hash kept in memory, keyed hash computed
    in Python, one raw INSERT), one writer. ``record()`` is compared with this."""
    from django.db import connection, transaction

    from antt.audit import chain as hashing
    from antt.audit import services

    mac = services.entry_macs().v2
    columns = ["prev_hash", "hash", "alg", *hashing.HASHED_FIELDS]
    sql = f"INSERT INTO audit_auditentry ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    prev = _raw_seq.get("prev", services.GENESIS)
    first = _raw_seq["next"]
    before = server_cpu()
    started = time.perf_counter()
    for seq in range(first, first + count):
        # the row record() writes in append() (its changes as canonical JSON), in the raw chain
        changes = f'{{"value":[{seq},{seq + 1}]}}'
        values = (
            chain,
            seq,
            datetime.now(UTC),
            None,
            "",
            chain,
            "bench.append",
            "",
            str(seq),
            "",
            changes,
            "",
            "",
        )
        if mac is not None:  # the format of new entries (alg 2)
            digest = mac.hexdigest(hashing.body_v2(prev, *values).encode())
        else:
            digest = hashing.seal(prev + hashing.canonical_entry(*values), None)
        stored = connection.ops.adapt_datetimefield_value(values[2])  # the time as Django stores it
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                sql, [prev, digest, hashing.ALG_BLAKE2 if mac else 0, *values[:2], stored, *values[3:]]
            )
        prev = digest
    rate = count / (time.perf_counter() - started)
    after = server_cpu()
    _server["raw"] = None if before is None or after is None else (after - before) / count
    _raw_seq.update(next=first + count, prev=prev)
    return rate


def fill(chain: int, count: int) -> None:
    """Write a valid chain of ``count`` entries quickly (bulk insert; hashes computed as record() does)."""
    from django.db import transaction

    from antt.audit import services
    from antt.audit.models import AuditChainHead, AuditEntry

    prev = services.GENESIS
    key = services.entry_key_v2()
    start = datetime(2026, 11, 23, tzinfo=UTC)
    batch: list[AuditEntry] = []
    with transaction.atomic():
        for seq in range(1, count + 1):
            values = {
                "chain": chain,
                "seq": seq,
                "created_at": start + timedelta(microseconds=seq * 1000),
                "actor_id": 7,
                "actor_name": "demo-planner",
                "event_id": chain,
                "action": "planning.assign_officer",
                "object_type": "planning.assignment",
                "object_id": str(seq),
                "object_repr": f"Chốt {seq % 120}",
                "changes": '{"status":["planned","published"]}',
                "ip": "10.0.0.1",
                "request_id": "r" * 32,
            }
            digest = services.entry_digest(prev, values, key=key, alg=services.ALG_BLAKE2)
            batch.append(AuditEntry(prev_hash=prev, hash=digest, alg=services.ALG_BLAKE2, **values))
            prev = digest
            if len(batch) == 10_000:
                AuditEntry.objects.bulk_create(batch)
                batch = []
        AuditEntry.objects.bulk_create(batch)
        AuditChainHead.objects.update_or_create(chain=chain, defaults={"seq": count, "hash": prev})


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="benchmark on PostgreSQL (a database <name>_bench is made)"
    )
    parser.add_argument("--sizes", default="100000,1000000", help="chain sizes to verify (comma-separated)")
    parser.add_argument("--appends", type=int, default=2000, help="entries appended in the throughput runs")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of raw / 1 writer / 8 writers")
    args = parser.parse_args()
    os.environ.setdefault("ANTT_AUDIT_KEY", "benchmark-only-audit-key")
    label = configure(args.postgres)
    from antt.audit import verification

    print(f"ANTT audit benchmark on {label}, Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (shared machine)")
    # side by side: raw, record() with one writer, record() with 8 writers, in rounds, so that the load of
    # the machine falls on all three alike; the ratios are of the medians
    from antt.audit import services

    raws, ones, eights, olds, forks = [], [], [], [], []
    # this process's CPU seconds per entry (what the load of the machine hides least)
    raw_cpu, one_cpu, old_cpu = [], [], []
    raw_server: list[float] = []  # the PostgreSQL backend's CPU per entry (a server on this machine)
    one_server: list[float] = []
    per_round = max(8, args.appends // args.rounds)
    for _ in range(args.rounds):
        cpu = time.process_time()
        raws.append(raw_append(per_round))
        raw_cpu.append((time.process_time() - cpu) / per_round)
        cpu = time.process_time()
        ones.append(append(1, per_round))
        one_cpu.append((time.process_time() - cpu) / per_round)
        raw_s, one_s = _server.get("raw"), _server.get("record")
        if raw_s is not None and one_s is not None:
            raw_server.append(raw_s)
            one_server.append(one_s)
        services.ENTRY_ALG = services.ALG_HMAC  # before issue 12: the entries as alg 1 wrote them
        cpu = time.process_time()
        olds.append(append(1, per_round))
        old_cpu.append((time.process_time() - cpu) / per_round)
        services.ENTRY_ALG = services.ALG_BLAKE2
        eights.append(append(8, max(1, per_round // 8)))
        forks.append(append_processes(8, max(1, per_round // 8)))
    raw, one, eight = (statistics.median(x) for x in (raws, ones, eights))
    print(f"{args.rounds} rounds of {per_round} entries each; medians (entries/s):")
    print(f"raw chained INSERT, 1 writer: {raw:8.0f}   rounds: {' '.join(f'{x:.0f}' for x in raws)}")
    print(
        f"record(), 1 writer          : {one:8.0f}   rounds: {' '.join(f'{x:.0f}' for x in ones)}\n"
        f"  = {100 * one / raw:.0f} % of the raw chained INSERT (goal >= 70 %)"
    )
    old = statistics.median(olds)
    print(
        f"record(), 1 writer, alg 1   : {old:8.0f}   rounds: {' '.join(f'{x:.0f}' for x in olds)}\n"
        f"  (entries as written before issue 12; alg 2 above = {100 * one / old:.0f} % of it)"
    )
    rc, oc, lc = (statistics.median(x) for x in (raw_cpu, one_cpu, old_cpu))
    print(
        f"CPU of this process per entry (medians): raw {rc * 1e6:.0f} us, record() {oc * 1e6:.0f} us"
        f" = {100 * rc / oc:.0f} % of the raw throughput by CPU; record() alg 1 {lc * 1e6:.0f} us"
        + (" (the database server's own CPU is not in it)" if label == "PostgreSQL" else "")
    )
    if raw_server:
        rs, os_ = statistics.median(raw_server), statistics.median(one_server)
        print(
            f"CPU of the PostgreSQL backend per entry (medians): raw {rs * 1e6:.0f} us, record() "
            f"{os_ * 1e6:.0f} us; client + server: raw {(rc + rs) * 1e6:.0f} us, record() "
            f"{(oc + os_) * 1e6:.0f} us = {100 * (rc + rs) / (oc + os_):.0f} %"
        )
    print(
        f"record(), 8 writers         : {eight:8.0f}   rounds: {' '.join(f'{x:.0f}' for x in eights)}\n"
        f"  = {eight / one:.2f} x one writer (goal on PostgreSQL >= 2 x)"
    )
    fork = statistics.median(forks)
    print(
        f"record(), 8 writer processes: {fork:8.0f}   rounds: {' '.join(f'{x:.0f}' for x in forks)}\n"
        f"  = {fork / one:.2f} x one writer (each writer a process, as a deployment's server processes are)"
    )
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    assert verification.verify().ok
    chain = 1000
    for size in (int(s) for s in args.sizes.split(",")):
        chain += 1
        started = time.perf_counter()
        fill(chain, size)
        filled = time.perf_counter() - started
        for in_database in [False, True] if label == "PostgreSQL" else [False]:
            started = time.perf_counter()
            result = verification.verify(chain=chain, in_database=in_database)
            elapsed = time.perf_counter() - started
            how = "in the database" if in_database else "in Python"
            print(
                f"verify {size:>9,} entries {how:<15}: {elapsed:6.2f} s ({size / elapsed:9.0f} entries/s) "
                f"ok={result.ok}   [fill {filled:.1f} s]"
            )


if __name__ == "__main__":
    main()
