"""Append to the audit trail, verify it, and sign checkpoints of its head.

``record()`` is called explicitly by every service, inside the service's transaction: the entry and
the change it describes commit together or not at all. How entries are hashed and keyed: ``chain``.
Checkpoints kept outside the database: ``checkpoints``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import multiprocessing
import os
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import chain as hashing
from antt.audit.chain import ALG_HMAC, ALG_SHA256, GENESIS, HASHED_FIELDS, canonical_entry
from antt.audit.models import AuditChainHead, AuditEntry
from antt.core import context
from antt.core.errors import Invalid

__all__ = ["ALG_HMAC", "ALG_SHA256", "GENESIS", "HASHED_FIELDS", "canonical_entry"]


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, set | frozenset):
        return sorted(_json_value(v) for v in value)
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """JSON-safe values of ``fields`` (foreign keys by id), for before/after diffs."""
    out: dict[str, Any] = {}
    for name in fields:
        f = instance._meta.get_field(name)
        attname = getattr(f, "attname", name)
        out[name] = _json_value(getattr(instance, attname))
    return out


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [before, after]}`` for the fields whose value changed (a missing side is null)."""
    keys = sorted(set(before) | set(after))
    return {k: [before.get(k), after.get(k)] for k in keys if before.get(k) != after.get(k)}


def _json_default(value: Any) -> Any:
    converted = _json_value(value)
    if converted is value:  # not a type _json_value knows: as text
        return str(value)
    return converted


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept; datetimes in UTC ISO form, decimals as text, records by id, sets
    sorted (``_json_value``). Plain JSON values go straight to the encoder (``record()`` runs at field rates);
    anything else (e.g. a dict with keys that are not text) through ``_json_value`` first."""
    try:
        return json.dumps(
            value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
        )
    except TypeError:
        return json.dumps(_json_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_key() -> bytes | None:
    """The key new entries are MACed with (derived from ``ANTT_AUDIT_KEY``); None when no key is set."""
    return hashing.derive_entry_key(str(settings.AUDIT_KEY)) if settings.AUDIT_KEY else None


_macs: dict[str, tuple[bytes, hashing.EntryMac]] = {}


def _entry_mac() -> hashing.EntryMac | None:
    """The MAC of new entries, its pads hashed once per key (``record()`` runs at field rates)."""
    audit_key = settings.AUDIT_KEY
    if not audit_key:
        return None
    found = _macs.get(str(audit_key))
    if found is None:
        key = hashing.derive_entry_key(str(audit_key))
        found = _macs[str(audit_key)] = (key, hashing.EntryMac(key))
    return found[1]


def entry_digest(prev_hash: str, values: Mapping[str, Any], *, key: bytes | None = None) -> str:
    """The ``hash`` of an entry given as a field → value map: plain SHA-256 of ``prev_hash + canonical
    JSON`` without a key (entries from before the key), ``HMAC-SHA256(key, that SHA-256)`` with one."""
    body = canonical_entry(*(values[name] for name in HASHED_FIELDS))
    return hashing.seal(prev_hash + body, hashing.EntryMac(key) if key is not None else None)


# --- chains and lanes -------------------------------------------------------------------------------------

#: Lanes per event: chains beside the event's main chain that take an entry while the main chain (or a lane
#: before them) is held by another writer's transaction, so concurrent writers of one event do not queue
#: on one row. Chain id of lane ``n`` of event ``e``: ``n << LANE_SHIFT | e`` (lane 0 is the main chain,
#: ``e`` itself; 0 outside events). See docs/operations.md, "Lanes and anchors".
LANES = 8
LANE_SHIFT = 40
_BASE_MASK = (1 << LANE_SHIFT) - 1
#: A lane's head is anchored in its event's main chain at its first entry and every ANCHOR_EVERY entries.
ANCHOR_EVERY = 256
ANCHOR_ACTION = "audit.anchor"
ANCHOR_TYPE = "audit.chain"


def lane_chain(base: int, lane: int) -> int:
    """The chain id of ``lane`` (0: the main chain) of the event ``base`` (0: outside events)."""
    return (lane << LANE_SHIFT) | base


def base_of(chain: int) -> int:
    """The main chain (the event id, 0 outside events) a chain belongs to."""
    return chain & _BASE_MASK


def lane_of(chain: int) -> int:
    return chain >> LANE_SHIFT


def chain_ids(base: int) -> list[int]:
    """Every chain of event ``base``: the main chain first, then its lanes."""
    return [lane_chain(base, lane) for lane in range(LANES + 1)]


def _lane_candidates(base: int) -> list[int]:
    """The chains a new entry of ``base`` may go to, in order of preference (the first free one is taken)."""
    return chain_ids(base)


_HEADS = AuditChainHead._meta.db_table
_LAST = f"SELECT seq, hash FROM {AuditEntry._meta.db_table} WHERE chain = %s ORDER BY seq DESC LIMIT 1"  # noqa: S608
_BUMP = f"UPDATE {_HEADS} SET seq = seq + 1 WHERE chain = %s RETURNING chain, seq, hash"  # noqa: S608
# the first of the candidates no other transaction holds; its row lock is kept to the end of the transaction
_BUMP_FREE = (
    f"UPDATE {_HEADS} SET seq = seq + 1 WHERE chain = ("  # noqa: S608 - the table name from the model
    f"SELECT chain FROM {_HEADS} WHERE chain = ANY(%s) "
    "ORDER BY array_position(%s, chain) LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING chain, seq, hash"
)


def _claim(cursor: Any, base: int) -> tuple[int, int, str]:
    """Lock a chain of event ``base`` for this transaction and move its head on: ``(chain, seq, prev hash)``.

    On PostgreSQL the first candidate that no other transaction holds (``SKIP LOCKED`` on the head rows);
    when all are held, wait for the first. Waits only ever go to the first candidate (the main chain), whose
    holder waits for nothing, so writers never deadlock. SQLite has one writer at a time: the first
    candidate."""
    candidates = _lane_candidates(base)
    if len(candidates) > 1 and cursor.db.vendor == "postgresql":
        cursor.execute(_BUMP_FREE, [candidates, candidates])
        row = cursor.fetchone()
        if row is None and base not in _lanes_ready:  # all held, or the lanes' heads not made yet
            _lanes_ready.add(base)
            AuditChainHead.objects.bulk_create(
                [AuditChainHead(chain=c, seq=0, hash=GENESIS) for c in candidates], ignore_conflicts=True
            )
            cursor.execute(_BUMP_FREE, [candidates, candidates])
            row = cursor.fetchone()
        if row is not None:
            return int(row[0]), int(row[1]), str(row[2])
    return _claim_one(cursor, candidates[0])


_lanes_ready: set[int] = set()  # events whose lanes' head rows this process has made sure of


def _claim_one(cursor: Any, chain: int) -> tuple[int, int, str]:
    """Lock ``chain`` (waiting for it if held) and move its head on: ``(chain, seq, prev hash)``."""
    if cursor.db.vendor == "sqlite":
        # one writer at a time (every transaction is BEGIN IMMEDIATE: it holds the write lock), so the
        # chain's newest entry is its head: one read, no head row to write
        cursor.execute(_LAST, [chain])
        row = cursor.fetchone()
        return (chain, 1, GENESIS) if row is None else (chain, int(row[0]) + 1, str(row[1]))
    cursor.execute(_BUMP, [chain])
    row = cursor.fetchone()
    if row is None:  # the event's first entry: create its heads (main chain and lanes), then take this one
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(chain=c, seq=0, hash=GENESIS) for c in chain_ids(base_of(chain))],
            ignore_conflicts=True,
        )
        cursor.execute(_BUMP, [chain])
        row = cursor.fetchone()
    return int(row[0]), int(row[1]), str(row[2])


def record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    event: Any = None,
    changes: Mapping[str, Any] | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditEntry:
    """Append one entry to a chain of ``event`` (or the global chains), inside the caller's transaction.

    The entry goes to the event's main chain, or to one of its lanes while another transaction holds the
    main chain (PostgreSQL); a lane's head is anchored in the main chain at intervals. The entry is keyed
    (HMAC with the key derived from ``ANTT_AUDIT_KEY``) when the key is set."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:200]
    event_id = getattr(event, "pk", event) if event is not None else None
    fields = {
        "actor_id": getattr(actor, "pk", None),
        "actor_name": (getattr(actor, "get_username", lambda: "")() if actor is not None else "")[:150],
        "event_id": event_id,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id)[:64],
        "object_repr": object_repr[:200],
        "changes": canonical_json(changes) if changes else "",
    }
    db = connections[DEFAULT_DB_ALIAS]
    if db.in_atomic_block:  # the caller's transaction (the rule): the entry commits with its change
        return _record_in(db, int(event_id or 0), fields)
    # No savepoint: the entry belongs to the caller's transaction; if this fails, so does the caller's.
    with transaction.atomic(savepoint=False):
        return _record_in(db, int(event_id or 0), fields)


def _record_in(db: Any, base: int, fields: dict[str, Any]) -> AuditEntry:
    with db.cursor() as cursor:
        chain, seq, prev_hash = _claim(cursor, base)
        entry = _append(cursor, chain, seq, prev_hash, **fields)
        if chain != base and (seq == 1 or seq % ANCHOR_EVERY == 0):
            _anchor(cursor, base, entry)
    return entry


def _anchor(cursor: Any, base: int, entry: AuditEntry) -> None:
    """Record the lane's head ``(chain, seq, hash)`` in the event's main chain (waiting for it if held)."""
    chain, seq, prev_hash = _claim_one(cursor, base)
    _append(
        cursor,
        chain,
        seq,
        prev_hash,
        actor_id=None,
        actor_name="",
        event_id=entry.event_id,
        action=ANCHOR_ACTION,
        object_type=ANCHOR_TYPE,
        object_id=f"{entry.chain}:{entry.seq}",
        object_repr=entry.hash,
        changes="",
    )


def _append(cursor: Any, chain: int, seq: int, prev_hash: str, **fields: Any) -> AuditEntry:
    """Insert the entry ``seq`` of ``chain`` after ``prev_hash`` (the head's hash follows by trigger)."""
    values: dict[str, Any] = {
        "chain": chain,
        "seq": seq,
        "created_at": timezone.now(),
        **fields,
        "ip": context.client_ip.get() or "",
        "request_id": context.request_id.get(),
    }
    mac = _entry_mac()
    digest = hashing.seal(prev_hash + canonical_entry(*(values[name] for name in HASHED_FIELDS)), mac)
    alg = ALG_SHA256 if mac is None else ALG_HMAC
    db = cursor.db
    params = [prev_hash, digest, alg, *(values[name] for name in HASHED_FIELDS)]
    params[5] = db.ops.adapt_datetimefield_value(values["created_at"])  # created_at
    cursor.execute(_insert_sql(db), params)
    # the model instance as the database now holds it, built without Model.__init__'s per-field work
    entry = AuditEntry.__new__(AuditEntry)
    entry.__dict__.update(values, id=cursor.fetchone()[0], prev_hash=prev_hash, hash=digest, alg=alg)
    entry._state = ModelState()
    entry._state.adding, entry._state.db = False, db.alias
    return entry


_INSERT_FIELDS = ("prev_hash", "hash", "alg", *HASHED_FIELDS)
_insert: dict[str, str] = {}


def _insert_sql(db: Any) -> str:
    found = _insert.get(db.vendor)
    if found is None:
        table, quote = AuditEntry._meta.db_table, db.ops.quote_name
        columns = ", ".join(quote(name) for name in _INSERT_FIELDS)
        marks = ", ".join(["%s"] * len(_INSERT_FIELDS))
        found = _insert[db.vendor] = f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608
    return found


def chain_head(chain: int) -> tuple[int, str] | None:
    """``(seq, hash)`` of the last entry of ``chain`` (one indexed query), None when it is empty."""
    return AuditEntry.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash").first()


# --- verification -----------------------------------------------------------------------------------------


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
#: Below this many rows a single process is faster than starting workers.
PARALLEL_MIN_ROWS = 200_000


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


def _run_rows(cursor: Any, sql: str, params: list[Any], chunk: int = 20_000) -> Iterator[tuple[Any, ...]]:
    cursor.execute(sql, params)
    while rows := cursor.fetchmany(chunk):
        yield from rows


def _check_here(
    task: tuple[int, int, int], sql: str, mac: hashing.EntryMac | None, in_database: bool
) -> hashing.Run:
    chain_id, lo, hi = task
    cursor_factory = connection.chunked_cursor if connection.vendor == "postgresql" else connection.cursor
    with cursor_factory() as cursor:
        rows = _run_rows(cursor, sql, [chain_id, lo, hi])
        return hashing.check_run(rows, chain=chain_id, lo=lo, hi=hi, mac=mac, in_database=in_database)


# In a worker process: a connection of its own, opened after the fork (the parent's is never touched).
_worker: dict[str, Any] = {}


def _check_in_worker(task: tuple[int, int, int]) -> hashing.Run:
    raw = _worker.get("connection")
    if raw is None:
        raw = _worker["connection"] = connection.get_new_connection(connection.get_connection_params())
    chain_id, lo, hi = task
    if connection.vendor == "postgresql":
        cursor = raw.cursor(name=f"audit_verify_{chain_id}_{lo}")
    else:
        cursor = raw.cursor()
    try:
        rows = _run_rows(cursor, _worker["sql"], [chain_id, lo, hi])
        return hashing.check_run(
            rows, chain=chain_id, lo=lo, hi=hi, mac=_worker["mac"], in_database=_worker["in_database"]
        )
    finally:
        cursor.close()
        if connection.vendor == "postgresql":
            raw.rollback()


def _init_worker(sql: str, mac: hashing.EntryMac | None, in_database: bool) -> None:
    _worker.update(sql=sql, mac=mac, in_database=in_database, connection=None)


def _default_workers() -> int:
    """Measured on the shared 2-core machine (benchmarks/audit_verify.py, 1M entries): on PostgreSQL two
    processes beat one (the server builds and hashes the text of each range in its own backend); on SQLite,
    where all the work is in this process, they did not. ``--workers N`` / ``workers=`` overrides."""
    return min(2, os.cpu_count() or 1) if connection.vendor == "postgresql" else 1


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
    key = entry_key()
    mac = hashing.EntryMac(key) if key is not None else None
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
    table = AuditEntry._meta.db_table
    rows_to_check = sum(hi - lo + 1 for _c, lo, hi in tasks)
    workers = _default_workers() if workers is None else workers
    if (
        workers > 1
        and rows_to_check >= PARALLEL_MIN_ROWS
        and not connection.in_atomic_block
        and len(tasks) > 1
    ):
        placeholder = "?" if connection.vendor == "sqlite" else "%s"
        sql = hashing.range_sql(table, connection.vendor, in_database=in_database, placeholder=placeholder)
        context_ = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(workers, len(tasks)),
            mp_context=context_,
            initializer=_init_worker,
            initargs=(sql, mac, in_database),
        ) as pool:
            runs = list(pool.map(_check_in_worker, tasks))
    else:
        sql = hashing.range_sql(table, connection.vendor, in_database=in_database)
        runs = [_check_here(task, sql, mac, in_database) for task in tasks]
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
        _fail(result, first.chain, first.seq, first.entry_id, _reason(first))
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


# --- checkpoints ------------------------------------------------------------------------------------------


def _sign(body: Mapping[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical_json(body).encode(), hashlib.sha256).hexdigest()


def _audit_key() -> str:
    if not settings.AUDIT_KEY:
        raise Invalid(_("ANTT_AUDIT_KEY is not set: checkpoints need a secret key to sign them."))
    return str(settings.AUDIT_KEY)


def make_checkpoint(
    *, previous: Mapping[str, Any] | None = None, now: datetime | None = None
) -> dict[str, Any]:
    """The signed head of every chain::

        {"version": 2, "count", "time", "chains": {chain: [seq, hash]}, "unkeyed": {chain: seq}, "signature"}

    ``unkeyed`` records where each chain switched to keyed entries (the seq of its last unkeyed entry; a
    chain that is keyed throughout is absent). With ``previous`` (the last checkpoint), only what came
    after it is re-hashed, and the trail must still hold it: a checkpoint never seals a tampered trail.
    """
    _audit_key()
    # A version 1 checkpoint does not say where chains switched to keyed entries: re-hash everything.
    full = previous is None or "unkeyed" not in previous
    result = verify(checkpoint=previous, full=full)
    if not result.ok:
        raise Invalid(result.summary())
    if not full and previous is not None:
        unkeyed = {int(k): int(v) for k, v in previous["unkeyed"].items()}
        unkeyed.update(result.unkeyed)  # the chains re-hashed in full (new since the previous checkpoint)
    else:
        unkeyed = result.unkeyed
    body: dict[str, Any] = {
        "version": 2,
        "count": sum(seq for seq, _digest in result.chains.values()),
        "time": (now or timezone.now()).astimezone(UTC).isoformat(),
        "chains": {str(k): [seq, digest] for k, (seq, digest) in sorted(result.chains.items())},
        "unkeyed": {str(k): v for k, v in sorted(unkeyed.items()) if v},
    }
    body["signature"] = _sign(body, _audit_key())
    return body


def load_checkpoint(data: Any) -> dict[str, Any]:
    """Check the shape and the HMAC signature of a checkpoint; raise ``Invalid`` with the reason."""
    if not isinstance(data, dict) or not {"version", "count", "time", "chains", "signature"} <= set(data):
        raise Invalid(_("This is not an ANTT audit checkpoint file."))
    body = {k: v for k, v in data.items() if k != "signature"}
    if not hmac.compare_digest(_sign(body, _audit_key()), str(data["signature"])):
        raise Invalid(
            _("The checkpoint's signature is wrong: the file was changed or signed with another key.")
        )
    return data
