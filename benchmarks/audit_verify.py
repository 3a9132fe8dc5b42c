"""Audit verification benchmark: full verify and verify-from-checkpoint of 1M keyed entries.

    .venv/bin/python benchmarks/audit_verify.py                       # SQLite (a temporary file)
    .venv/bin/python benchmarks/audit_verify.py --postgres postgres://postgres@127.0.0.1:5432/x
    .venv/bin/python benchmarks/audit_verify.py --entries 200000 --repeat 3 --workers 1,2
    .venv/bin/python benchmarks/audit_verify.py --sqlite /tmp/a.sqlite3 --entries 0   # again, on a kept trail
    .venv/bin/python benchmarks/audit_verify.py --alg 1 ...     # a trail of alg 1 entries (before issue 12)

The trail is written with bulk SQL (not the service): 1M entries over 20 event chains, each hashed as
``record()`` does with the key, in the format ``--alg`` (2, as new entries are written; 1, as they were
before issue 12, to compare). Prints medians of ``--repeat`` runs beside the goal, and the load average
(the machine is shared); CPU seconds of this process and its workers, and on PostgreSQL of the server
processes that serve the benchmark database (read from /proc: the server must run on this machine).
Goal: full verify of 1M entries ≤ 2 s; from a checkpoint, in proportion to what came after it. Asserts
nothing except that every run verifies.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from audit import configure

GOAL_SECONDS = 2.0


def fill(entries: int, chains: int, alg: int = 2) -> float:
    """Append ``entries`` keyed entries over ``chains`` chains with executemany (each chain continued from
    its head); return the seconds."""
    from django.db import connection, transaction

    from antt.audit import chain as hashing
    from antt.audit import services
    from antt.audit.models import AuditChainHead, AuditEntry

    macs = services.entry_macs()
    assert macs.v1 is not None, "ANTT_AUDIT_KEY must be set"
    assert macs.v2 is not None
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
                if alg == hashing.ALG_BLAKE2:
                    digest = macs.v2.hexdigest(hashing.body_v2(prev, *values).encode())
                else:
                    digest = hashing.seal(prev + hashing.canonical_entry(*values), macs.v1)
                stored = connection.ops.adapt_datetimefield_value(created)  # as Django stores it
                batch.append((prev, digest, alg, *values[:2], stored, *values[3:]))
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


class ServerCpu:
    """CPU seconds of the PostgreSQL processes serving ``database`` (from /proc, sampled every 50 ms while a
    run lasts, so a worker's backend that exits is still counted, up to its last 50 ms)."""

    def __init__(self, database: str | None) -> None:
        self.database = database
        self.seen: dict[int, float] = {}
        self.others: set[int] = set()
        self.sampling = 0.0  # CPU seconds of the sampling thread (in this process: taken off "CPU here")
        self._stop = threading.Event()

    def _sample(self) -> None:
        tick = os.sysconf("SC_CLK_TCK")
        for entry in Path("/proc").iterdir():
            pid = int(entry.name) if entry.name.isdigit() else 0
            if not pid or pid in self.others:
                continue
            try:
                if pid not in self.seen:  # a new process: is it a backend of the benchmark database?
                    cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    if f" {self.database} " not in cmdline:
                        self.others.add(pid)
                        continue
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            self.seen[pid] = (int(fields[11]) + int(fields[12])) / tick

    def __enter__(self) -> ServerCpu:
        if self.database:
            self._sample()
            self.before = dict(self.seen)
            self._thread = threading.Thread(target=self._loop, daemon=True)
            self._thread.start()
        return self

    def _loop(self) -> None:
        started = time.thread_time()
        while not self._stop.wait(0.05):
            self._sample()
        self.sampling = time.thread_time() - started

    def __exit__(self, *exc: object) -> None:
        if self.database:
            self._stop.set()
            self._thread.join()
            self._sample()

    def seconds(self) -> float:
        return sum(cpu - self.before.get(pid, 0.0) for pid, cpu in self.seen.items())


def timed(function: object, repeat: int, database: str | None) -> tuple[float, float, float, object]:
    """Median wall time, median CPU time (this process and its workers; on SQLite that is all the work, so
    it is what an idle machine would take with one process) and median CPU time of the PostgreSQL server
    for the benchmark database, of ``repeat`` runs."""
    times, cpus, servers, result = [], [], [], None
    for _ in range(repeat):
        with ServerCpu(database) as server:
            started, cpu = time.perf_counter(), _cpu()
            result = function()  # type: ignore[operator]
            times.append(time.perf_counter() - started)
            cpu = _cpu() - cpu
        cpus.append(cpu - server.sampling)
        servers.append(server.seconds())
    return statistics.median(times), statistics.median(cpus), statistics.median(servers), result


def _cpu_text(cpu: float, server: float, database: str | None) -> str:
    return f"{cpu:6.2f} s CPU here" + (
        f" + {server:5.2f} s server = {cpu + server:6.2f} s" if database else ""
    )


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
    parser.add_argument(
        "--alg", type=int, default=2, choices=[1, 2], help="format of the entries written (2: new entries)"
    )
    args = parser.parse_args()
    os.environ.setdefault("ANTT_AUDIT_KEY", "benchmark-only-audit-key")
    label = configure(args.postgres, sqlite_path=args.sqlite, reuse=args.reuse)
    from django.db import connection

    from antt.audit import checkpoints, verification

    database = connection.settings_dict["NAME"] if args.postgres else None

    print(f"ANTT audit verify benchmark on {label}, Python {sys.version.split()[0]}, {os.cpu_count()} CPU(s)")
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    seconds = fill(args.entries, args.chains, args.alg)
    print(
        f"fill {args.entries:,} keyed entries (alg {args.alg}) in {args.chains} chains (bulk SQL): "
        f"{seconds:.1f} s"
    )
    for workers in (int(w) for w in args.workers.split(",")):
        for in_database in (True, False) if args.reference else (True,):
            how = "SQL-built text" if in_database else "Python-built text"
            median, cpu, server, result = timed(
                lambda w=workers, d=in_database: verification.verify(in_database=d, workers=w),
                args.repeat,
                database,
            )
            assert result.ok, result.summary()  # type: ignore[attr-defined]
            print(
                f"full verify {result.count:>9,} entries, {workers} process(es), {how:<17}: "  # type: ignore[attr-defined]
                f"{median:6.2f} s wall, {_cpu_text(cpu, server, database)}, medians of {args.repeat}  "
                f"(goal ≤ {GOAL_SECONDS:.0f} s; load {os.getloadavg()[0]:.1f})"
            )
    checkpoint = checkpoints.make_checkpoint()
    trail = int(checkpoint["count"])  # the entries the checkpoint holds (all of them, with --entries 0)
    fill(args.after, args.chains, args.alg)
    for workers in (int(w) for w in args.workers.split(",")):
        median, cpu, server, result = timed(
            lambda w=workers: verification.verify(checkpoint=checkpoint, full=False, workers=w),
            args.repeat,
            database,
        )
        assert result.ok, result.summary()  # type: ignore[attr-defined]
        print(
            f"verify from checkpoint ({args.after:,} entries after it), {workers} process(es): "
            f"{median:6.2f} s wall, {_cpu_text(cpu, server, database)}, medians of {args.repeat}  "
            f"(goal: in proportion, {GOAL_SECONDS * args.after / max(trail, 1):.2f} s; "
            f"load {os.getloadavg()[0]:.1f})"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
