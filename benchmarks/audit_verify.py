"""Audit verification benchmark: full verify and verify-from-checkpoint of 1M keyed entries.

    .venv/bin/python benchmarks/audit_verify.py                       # SQLite (a temporary file)
    .venv/bin/python benchmarks/audit_verify.py --postgres postgres://postgres@127.0.0.1:5432/x
    .venv/bin/python benchmarks/audit_verify.py --entries 200000 --repeat 3 --workers 1,2
    .venv/bin/python benchmarks/audit_verify.py --sqlite /tmp/a.sqlite3 --entries 0   # again, on a kept trail

The trail is written with bulk SQL (not the service): 1M entries over 20 event chains, each hashed as
``record()`` does with the key. Prints medians of ``--repeat`` runs beside the goal, and the load
average (the machine is shared). Goal: full verify of 1M entries ≤ 2 s; from a checkpoint, in
proportion to what came after it. Asserts nothing except that every run verifies.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit import configure

GOAL_SECONDS = 2.0


def fill(entries: int, chains: int) -> float:
    """Append ``entries`` keyed entries over ``chains`` chains with executemany (each chain continued from
    its head); return the seconds."""
    from django.db import connection, transaction

    from antt.audit import chain as hashing
    from antt.audit import services
    from antt.audit.models import AuditChainHead, AuditEntry

    key = services.entry_key()
    assert key is not None, "ANTT_AUDIT_KEY must be set"
    mac = hashing.EntryMac(key)
    table = AuditEntry._meta.db_table
    columns = ["prev_hash", "hash", "alg", *hashing.HASHED_FIELDS]
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"
    start = datetime(2026, 11, 23, tzinfo=UTC)
    per_chain = entries // chains
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for chain in range(1001, 1001 + chains):
            head = services.chain_head(chain)
            first, prev = (head[0] + 1, head[1]) if head else (1, hashing.GENESIS)
            batch = []
            for seq in range(first, first + per_chain):
                created = start + timedelta(microseconds=seq * 1000 + chain)
                values = (
                    chain,
                    seq,
                    created,
                    7,
                    "demo-planner",
                    chain,
                    "planning.assign_officer",
                    "planning.assignment",
                    str(seq),
                    f"Chốt {seq % 120}",
                    '{"status":["planned","published"]}',
                    "10.0.0.1",
                    "r" * 32,
                )
                digest = hashing.seal(prev + hashing.canonical_entry(*values), mac)
                batch.append((prev, digest, hashing.ALG_HMAC, *values))
                prev = digest
                if len(batch) == 20_000:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
            AuditChainHead.objects.update_or_create(
                chain=chain, defaults={"seq": first + per_chain - 1, "hash": prev}
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {table}")
    return time.perf_counter() - started


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(function: object, repeat: int) -> tuple[float, float, object]:
    """Median wall time and median CPU time (this process and its workers; on SQLite that is all the
    work, so it is what an idle machine would take with one process) of ``repeat`` runs."""
    times, cpus, result = [], [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), _cpu()
        result = function()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
    return statistics.median(times), statistics.median(cpus), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--postgres", metavar="URL", help="benchmark on PostgreSQL (a database <name>_bench is made)"
    )
    parser.add_argument(
        "--sqlite", metavar="PATH", help="a SQLite file to keep (and to reuse with --entries 0)"
    )
    parser.add_argument("--reuse", action="store_true", help="keep the PostgreSQL <name>_bench database")
    parser.add_argument(
        "--entries", type=int, default=1_000_000, help="entries to append first (0: verify what is there)"
    )
    parser.add_argument("--chains", type=int, default=20)
    parser.add_argument("--after", type=int, default=50_000, help="entries appended after the checkpoint")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", default="1,2", help="process counts to try (comma-separated)")
    parser.add_argument("--reference", action="store_true", help="also time the Python-built canonical text")
    args = parser.parse_args()
    os.environ.setdefault("ANTT_AUDIT_KEY", "benchmark-only-audit-key")
    label = configure(args.postgres, sqlite_path=args.sqlite, reuse=args.reuse)
    from antt.audit import checkpoints, verification

    print(f"ANTT audit verify benchmark on {label}, Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    seconds = fill(args.entries, args.chains)
    print(f"fill {args.entries:,} keyed entries in {args.chains} chains (bulk SQL): {seconds:.1f} s")
    for workers in (int(w) for w in args.workers.split(",")):
        for in_database in (True, False) if args.reference else (True,):
            how = "SQL-built text" if in_database else "Python-built text"
            median, cpu, result = timed(
                lambda w=workers, d=in_database: verification.verify(in_database=d, workers=w), args.repeat
            )
            assert result.ok, result.summary()  # type: ignore[attr-defined]
            print(
                f"full verify {result.count:>9,} entries, {workers} process(es), {how:<17}: "  # type: ignore[attr-defined]
                f"{median:6.2f} s wall, {cpu:6.2f} s CPU here, medians of {args.repeat}  "
                f"(goal ≤ {GOAL_SECONDS:.0f} s)"
            )
    checkpoint = checkpoints.make_checkpoint()
    trail = int(checkpoint["count"])  # the entries the checkpoint holds (all of them, with --entries 0)
    fill(args.after, args.chains)
    for workers in (int(w) for w in args.workers.split(",")):
        median, cpu, result = timed(
            lambda w=workers: verification.verify(checkpoint=checkpoint, full=False, workers=w), args.repeat
        )
        assert result.ok, result.summary()  # type: ignore[attr-defined]
        print(
            f"verify from checkpoint ({args.after:,} entries after it), {workers} process(es): "
            f"{median:6.2f} s wall, {cpu:6.2f} s CPU here, medians of {args.repeat}  (goal: in proportion, "
            f"{GOAL_SECONDS * args.after / max(trail, 1):.2f} s)"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
