"""Verify the audit trail: recompute every chain (or one event's) from the stored rows and report the first
entry that does not fit; with a signed checkpoint, also prove the trail still reaches it.

How a run of rows is checked and stitched: ``chain``. Lanes and anchors: ``services``. Checkpoints:
``checkpoints``.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, connection, transaction
from django.utils.translation import gettext as _

from antt.audit import chain as hashing
from antt.audit.chain import GENESIS
from antt.audit.models import AuditEntry
from antt.audit.services import ANCHOR_ACTION, base_of, chain_ids, entry_macs, lane_of
from antt.core.errors import Invalid


@dataclass
class VerifyResult:
    ok: bool
    count: int = 0  # entries re-hashed
    chains: dict[int, tuple[int, str]] = field(default_factory=dict)  # chain → (head seq, head hash)
    unkeyed: dict[int, int] = field(default_factory=dict)  # chain → seq of its last unkeyed entry
    entry_id: int | None = None
    chain: int | None = None
    seq: int | None = None
    reason: str = ""
    since_checkpoint: bool = False

    def summary(self) -> str:
        if self.ok:
            if self.since_checkpoint:
                return _("OK: %(count)d audit entries after the checkpoint verified, %(chains)d chains.") % {
                    "count": self.count,
                    "chains": len(self.chains),
                }
            return _("OK: %(count)d audit entries in %(chains)d chains verified.") % {
                "count": self.count,
                "chains": len(self.chains),
            }
        return _("BROKEN at chain %(chain)s, entry %(seq)s (row id %(id)s): %(reason)s") % {
            "chain": self.chain,
            "seq": self.seq,
            "id": self.entry_id,
            "reason": self.reason,
        }


#: Rows per range: each range is one query, checked on its own and stitched to its neighbours.
RANGE_ROWS = 100_000
#: Below this many rows a single process is faster than starting workers. Measured (issue 12 §3, SQLite,
#: ``benchmarks/audit_verify.py --after N``, from a checkpoint, 20 chains): 20,000 rows took 0.09 s in one
#: process and 0.08 s in two, 40,000 rows 0.15 s and 0.11 s, 50,000 rows 0.18 s and 0.12 s (at 200,000, the
#: earlier threshold, a routine verification of 50,000 new entries kept to one process).
PARALLEL_MIN_ROWS = 30_000


def _reason(problem: hashing.Problem) -> str:
    if problem.kind == hashing.GAP:
        return _("sequence gap: expected entry %(expected)d, found %(found)d (deleted or reordered)") % {
            "expected": problem.expected,
            "found": problem.seq,
        }
    if problem.kind == hashing.LINK:
        return _("its link to the previous entry is broken (an entry before it was changed or moved)")
    if problem.kind == hashing.DOWNGRADE:
        return _("an unkeyed entry after keyed ones: it was forged or re-hashed without the audit key")
    return _("its content no longer matches its hash (the entry was edited)")


def _chain_sizes(chain: int | None) -> list[tuple[int, int]]:
    """``(chain, highest seq)`` of every chain (or those of one event: its main chain and lanes), by seeks in the (chain, seq) index: a skip scan
    over the distinct chains, then the highest seq of each, so that verifying from a checkpoint costs in
    proportion to what came after it, not to the size of the trail."""
    table = AuditEntry._meta.db_table
    if chain is not None:  # the event's main chain and its lanes
        ids = chain_ids(chain)
        marks = ", ".join(["%s"] * len(ids))
        sql = f"SELECT chain, max(seq) FROM {table} WHERE chain IN ({marks}) GROUP BY chain ORDER BY chain"  # noqa: S608
        params: list[Any] = ids
    else:
        sql = f"""
            WITH RECURSIVE chains(c) AS (
                SELECT min(chain) FROM {table}
                UNION ALL
                SELECT (SELECT min(chain) FROM {table} WHERE chain > c) FROM chains WHERE c IS NOT NULL
            )
            SELECT c, (SELECT max(seq) FROM {table} WHERE chain = c) FROM chains WHERE c IS NOT NULL ORDER BY c
        """  # noqa: S608 - the table name from the model
        params = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(int(c), int(m)) for c, m in cursor.fetchall()]


def _run_rows(cursor: Any, sql: str, params: list[Any]) -> Iterator[tuple[Any, ...]]:
    cursor.execute(sql, params)
    while rows := cursor.fetchmany(CHUNK):
        yield from rows


def _chunks(cursor: Any, sql: str, params: list[Any]) -> Iterator[list[Any]]:
    """The rows of a range a chunk at a time (``CHUNK``); the first chunk smaller, so a range of older entries
    (which ``check_fast`` does not take) is handed to ``check_run`` after reading little of it."""
    cursor.execute(sql, params)
    size = FIRST_CHUNK
    while rows := cursor.fetchmany(size):
        yield rows
        size = CHUNK


def fast_cursor(raw: Any, name: str) -> Any:
    """A cursor of the driver's connection ``raw`` for ``fast_sql``. On PostgreSQL a server-side cursor
    ``name`` in binary format whose text values are loaded as their UTF-8 bytes: ``check_fast`` hashes and
    compares bytes, so nothing is decoded to ``str`` and encoded again (measured, issue 12: a tenth less
    client time per row than bytea through ``convert_to``, and less server time). On SQLite a plain
    cursor: the query casts hash and body to blobs."""
    if connection.vendor != "postgresql":
        return raw.cursor()
    from psycopg.types.string import ByteaBinaryLoader

    cursor = raw.cursor(name=name, binary=True)
    for type_name in ("text", "varchar"):
        cursor.adapters.register_loader(type_name, ByteaBinaryLoader)
    return cursor


#: Rows per fetch of ``check_fast`` (the first: FIRST_CHUNK). Small on purpose: a fetch of 20,000 rows made
#: about 10 MB of objects (and on PostgreSQL a result of that size in libpq) that were handed back to the
#: kernel and faulted in again on every fetch. Measured (issue 12 §3, ``verify(workers=1)`` of 1M entries):
#: 106,000-169,000 page faults and 0.41-0.52 s of system time at 20,000 rows, at most about 1,000 faults and
#: 0.11-0.14 s (SQLite) / 0.22-0.24 s (PostgreSQL) at 2,000; 500 to 5,000 rows were alike.
CHUNK = 2_000
FIRST_CHUNK = 1_000


#: PostgreSQL plans a range as a scan of the ``chain`` index and a sort by seq (it spilled to disk on a
#: 50k-row range); the ``(chain, seq)`` unique index hands the rows over in order without it. Measured on
#: 50k-row ranges (EXPLAIN ANALYZE, 1M entries): about a fifth less server time. A planner setting: what is
#: read and checked is the same.
_NO_SORT = "SET enable_sort = off"


@dataclass
class _Plan:
    """How ranges are read and checked: the full query (``check_run``), the fast one (``check_fast``, for
    ranges of ``alg = 2`` entries when the database builds the bodies), and the MACs."""

    sql: str
    fast: str | None
    macs: hashing.Macs
    in_database: bool


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a range is checked (nests). Reading a range makes three
    objects per row (a tuple, its hash and its body) and no reference cycles, but each 700 allocations start a
    collection and, as they add up, full ones over every object of the process (Django's included).
    Measured (issue 12 §3, 1M entries, SQLite): 7.4 µs CPU per entry with the collector, 5.5 µs without."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _check_with(cursor: Any, task: tuple[int, int, int], plan: _Plan, reopen: Any) -> hashing.Run:
    """Check one range: with ``check_fast`` on ``cursor`` (a ``fast_cursor``) when the plan has its query and
    every row is an intact ``alg = 2`` entry, else (or then) with ``check_run`` on a fresh cursor from
    ``reopen()``."""
    with _collector_paused():
        return _check_range(cursor, task, plan, reopen)


def _check_range(cursor: Any, task: tuple[int, int, int], plan: _Plan, reopen: Any) -> hashing.Run:
    chain_id, lo, hi = task
    if plan.fast is not None and plan.macs.v2 is not None:
        run = hashing.check_fast(
            _chunks(cursor, plan.fast, [chain_id, lo, hi]), chain=chain_id, lo=lo, hi=hi, mac=plan.macs.v2
        )
        if run is not None:
            return run
    rows = _run_rows(reopen(), plan.sql, [chain_id, lo, hi])  # not the fast query's cursor (bytes, binary)
    return hashing.check_run(rows, chain=chain_id, lo=lo, hi=hi, macs=plan.macs, in_database=plan.in_database)


def _check_here(task: tuple[int, int, int], plan: _Plan) -> hashing.Run:
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            return _check_with(cursor, task, plan, connection.cursor)
    # in a transaction of its own (a savepoint when the caller has one), so the server-side cursors read the
    # range as they go (in autocommit they are WITH HOLD: the whole range is materialised first)
    with transaction.atomic(), connection.cursor() as setup:
        setup.execute(_NO_SORT.replace("SET", "SET LOCAL"))  # undone when the transaction ends
        cursors: list[Any] = []
        chain_id, lo, _hi = task
        raw = connection.connection

        def reopen() -> Any:
            cursors.append(connection.chunked_cursor())
            return cursors[-1]

        try:
            cursors.append(fast_cursor(raw, f"audit_verify_{chain_id}_{lo}"))
            return _check_with(cursors[-1], task, plan, reopen)
        finally:
            for cursor in cursors:
                cursor.close()
            with suppress(DatabaseError):  # inside a caller's transaction SET LOCAL would outlive this
                setup.execute("RESET enable_sort")


# In a worker process: a connection of its own, opened after the fork (the parent's is never touched).
_worker: dict[str, Any] = {}


def _check_in_worker(task: tuple[int, int, int]) -> hashing.Run:
    raw = _worker.get("connection")
    if raw is None:
        raw = _worker["connection"] = connection.get_new_connection(connection.get_connection_params())
    chain_id, lo, _hi = task
    cursors: list[Any] = []

    def reopen() -> Any:
        name = f"audit_verify_{chain_id}_{lo}_{len(cursors)}"
        if not cursors:  # the first, for the fast query
            cursors.append(fast_cursor(raw, name))
        elif connection.vendor == "postgresql":
            cursors.append(raw.cursor(name=name))
        else:
            cursors.append(raw.cursor())
        return cursors[-1]

    if connection.vendor == "postgresql":
        raw.execute(_NO_SORT.replace("SET", "SET LOCAL"))  # undone by the rollback below
    try:
        return _check_with(reopen(), task, _worker["plan"], reopen)
    finally:
        for cursor in cursors:
            cursor.close()
        if connection.vendor == "postgresql":
            raw.rollback()


def _init_worker(plan: _Plan) -> None:
    _worker.update(plan=plan, connection=None)


def _default_workers() -> int:
    """Two processes where there are two cores, on both databases. Measured (benchmarks/audit_verify.py, 1M
    entries, issue 12): two processes spend the same CPU seconds as one (no range is read twice; what
    crosses between processes is a task and a small ``Run``), so on two free cores they take half the wall
    time. On the shared test machine two processes were at times slower than one: a busy-loop test there
    got 0.50 of a core for one process and 0.40 in all for two — the other helpers held the cores.
    ``--workers N`` / ``workers=`` overrides."""
    return min(2, os.cpu_count() or 1)


def _plan(vendor: str, in_database: bool, macs: hashing.Macs, placeholder: str = "%s") -> _Plan:
    table = AuditEntry._meta.db_table
    return _Plan(
        sql=hashing.range_sql(table, vendor, in_database=in_database, placeholder=placeholder),
        fast=hashing.fast_sql(table, vendor, placeholder=placeholder) if in_database else None,
        macs=macs,
        in_database=in_database,
    )


def verify(
    *,
    chain: int | None = None,
    checkpoint: Mapping[str, Any] | None = None,
    in_database: bool | None = None,
    full: bool = True,
    workers: int | None = None,
) -> VerifyResult:
    """Recompute every chain (or one) from the stored rows; report the first entry that does not fit.

    With a ``checkpoint`` (see ``make_checkpoint``), also prove that each chain it names still reaches the
    checkpointed head unchanged (a cut tail, a deleted chain or an emptied table is caught), and that no
    unkeyed entry appeared after the key was in force. ``full=False`` with a checkpoint re-hashes only what
    came after it (routine verification; ``full=True`` re-hashes everything). ``in_database``: the
    database builds each entry's canonical text (default, fast); ``False`` reads the raw columns and
    builds it in Python (the reference). Large trails are checked in ranges by ``workers`` processes.
    """
    if in_database is None:
        in_database = True
    macs = entry_macs()
    since = {int(k): int(v[0]) for k, v in checkpoint["chains"].items()} if checkpoint and not full else {}
    sizes = _chain_sizes(chain)
    tasks: list[tuple[int, int, int]] = []
    starts: dict[int, int] = {}
    for chain_id, top in sizes:
        start = since.get(chain_id, 1)
        start = start if start <= top else 1
        starts[chain_id] = start
        tasks.extend(
            (chain_id, lo, min(lo + RANGE_ROWS - 1, top)) for lo in range(start, top + 1, RANGE_ROWS)
        )
    rows_to_check = sum(hi - lo + 1 for _c, lo, hi in tasks)
    workers = _default_workers() if workers is None else workers
    if (
        workers > 1
        and rows_to_check >= PARALLEL_MIN_ROWS
        and not connection.in_atomic_block
        and len(tasks) > 1
    ):
        placeholder = "?" if connection.vendor == "sqlite" else "%s"
        plan = _plan(connection.vendor, in_database, macs, placeholder)
        context_ = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)),
            mp_context=context_,
            initializer=_init_worker,
            initargs=(plan,),
        ) as pool:
            runs = list(pool.map(_check_in_worker, tasks))
    else:
        plan = _plan(connection.vendor, in_database, macs)
        runs = [_check_here(task, plan) for task in tasks]
    result = VerifyResult(ok=True, since_checkpoint=bool(since))
    problems: list[hashing.Problem] = []
    by_chain: dict[int, list[hashing.Run]] = {}
    for run in runs:
        by_chain.setdefault(run.chain, []).append(run)
    for chain_id, chain_runs in by_chain.items():
        start = starts[chain_id]
        problems.extend(hashing.stitch(chain_runs, start=start, start_prev=GENESIS if start == 1 else None))
        last = next((r for r in reversed(chain_runs) if r.first_seq), None)
        if last is not None:
            result.chains[chain_id] = (last.last_seq, last.last_hash)
        legacy = max((r.last_legacy for r in chain_runs), default=0)
        if legacy:
            result.unkeyed[chain_id] = legacy
        result.count += sum(r.count for r in chain_runs)
    if problems:
        first = min(problems, key=hashing.Problem.key)
        if first.kind == hashing.NEEDS_KEY:
            raise Invalid(_("ANTT_AUDIT_KEY is not set: keyed audit entries cannot be verified without it."))
        entry_id = first.entry_id
        if entry_id is None:  # found at a range's edge, whose rows check_fast read without their ids
            entry_id = (
                AuditEntry.objects.filter(chain=first.chain, seq=first.seq)
                .values_list("id", flat=True)
                .first()
            )
        _fail(result, first.chain, first.seq, entry_id, _reason(first))
        return result
    if checkpoint is not None:
        _check_against_checkpoint(result, checkpoint, only_chain=chain)
    if result.ok:
        _check_anchors(result, starts)
    return result


def _check_anchors(result: VerifyResult, starts: Mapping[int, int]) -> None:
    """Every anchor in a main chain (from where this verification started in it) names an entry of a lane
    of the same event that is still there with the same hash: a lane cut short, emptied or deleted below an
    anchor is caught without a checkpoint. The anchors are MACed entries of the main chain, verified above."""
    mains = sorted(c for c in starts if lane_of(c) == 0)
    if not mains:
        return
    anchors: list[tuple[int, int, int, str, str]] = []
    for main in mains:
        anchors += list(
            AuditEntry.objects.filter(chain=main, action=ANCHOR_ACTION, seq__gte=starts[main])
            .order_by("seq")
            .values_list("chain", "seq", "id", "object_id", "object_repr")
        )
    wanted: dict[int, set[int]] = {}
    targets: list[tuple[int, int, int, int, int, str]] = []
    for main, seq, entry_id, object_id, digest in anchors:
        lane, _sep, lane_seq = object_id.partition(":")
        if (
            not (lane.isdigit() and lane_seq.isdigit())
            or base_of(int(lane)) != main
            or lane_of(int(lane)) == 0
        ):
            _fail(result, main, seq, entry_id, _("an anchor that names no lane of this event"))
            return
        targets.append((main, seq, entry_id, int(lane), int(lane_seq), digest))
        wanted.setdefault(int(lane), set()).add(int(lane_seq))
    stored: dict[tuple[int, int], str] = {}
    for lane_id, seqs in wanted.items():
        ordered = sorted(seqs)
        for i in range(0, len(ordered), 500):
            stored.update(
                ((lane_id, s), h)
                for s, h in AuditEntry.objects.filter(
                    chain=lane_id, seq__in=ordered[i : i + 500]
                ).values_list("seq", "hash")
            )
    for main, seq, entry_id, lane_id, number, digest in targets:
        found = stored.get((lane_id, number))
        if found is None:
            reason = _(
                "entry %(seq)d of lane chain %(lane)d, anchored here, is missing: the lane was cut short or "
                "deleted"
            ) % {"seq": number, "lane": lane_id}
            _fail(result, main, seq, entry_id, reason)
            return
        if found != digest:
            reason = _("entry %(seq)d of lane chain %(lane)d differs from the one anchored here") % {
                "seq": number,
                "lane": lane_id,
            }
            _fail(result, main, seq, entry_id, reason)
            return


def _fail(
    result: VerifyResult, chain: int | None, seq: int | None, entry_id: int | None, reason: str
) -> None:
    result.ok = False
    result.chain, result.seq, result.entry_id, result.reason = chain, seq, entry_id, reason


def _check_against_checkpoint(
    result: VerifyResult, checkpoint: Mapping[str, Any], only_chain: int | None
) -> None:
    """Every chain the checkpoint names still holds its checkpointed head, and no unkeyed entry came
    after the switch to keyed entries that the checkpoint recorded."""
    for key, (seq, digest) in sorted(checkpoint["chains"].items(), key=lambda kv: int(kv[0])):
        chain_id = int(key)
        if only_chain is not None and chain_id != only_chain:
            continue
        head = result.chains.get(chain_id)
        if head is None:
            _fail(
                result,
                chain_id,
                seq,
                None,
                _(
                    "the chain is gone: the checkpoint saw %(seq)d entries in it, the trail has none "
                    "(the chain was deleted or the table emptied)"
                )
                % {"seq": seq},
            )
            return
        stored = AuditEntry.objects.filter(chain=chain_id, seq=seq).values_list("id", "hash").first()
        if stored is None or head[0] < seq:
            _fail(
                result,
                chain_id,
                seq,
                None,
                _("the checkpoint's entry %(seq)d is missing: entries were removed from the end of the trail")
                % {"seq": seq},
            )
            return
        if stored[1] != digest:
            _fail(
                result,
                chain_id,
                seq,
                stored[0],
                _("the entry differs from the one recorded in the checkpoint"),
            )
            return
    unkeyed = checkpoint.get("unkeyed")
    if unkeyed is None:  # a version 1 checkpoint, written before entries were keyed
        return
    for chain_id, last_legacy in sorted(result.unkeyed.items()):
        if only_chain is not None and chain_id != only_chain:
            continue
        allowed = int(unkeyed.get(str(chain_id), 0))
        if last_legacy > allowed:
            entry = (
                AuditEntry.objects.filter(chain=chain_id, seq=last_legacy)
                .values_list("id", flat=True)
                .first()
            )
            _fail(
                result,
                chain_id,
                last_legacy,
                entry,
                _(
                    "an unkeyed entry after the switch to keyed entries recorded in the checkpoint: it was "
                    "forged or re-hashed without the audit key"
                ),
            )
            return
