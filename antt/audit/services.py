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
from typing import Any, cast

from django.conf import settings
from django.db import connection, models, transaction
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


def canonical_json(value: Any) -> str:
    return json.dumps(_json_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_key() -> bytes | None:
    """The key new entries are MACed with (derived from ``ANTT_AUDIT_KEY``); None when no key is set."""
    return hashing.derive_entry_key(str(settings.AUDIT_KEY)) if settings.AUDIT_KEY else None


def entry_digest(prev_hash: str, values: Mapping[str, Any], *, key: bytes | None = None) -> str:
    """The ``hash`` of an entry given as a field → value map: plain SHA-256 of ``prev_hash + canonical
    JSON`` without a key (entries from before the key), ``HMAC-SHA256(key, that SHA-256)`` with one."""
    body = canonical_entry(*(values[name] for name in HASHED_FIELDS))
    return hashing.seal(prev_hash + body, hashing.EntryMac(key) if key is not None else None)


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
    """Append one entry to the chain of ``event`` (or the global chain), inside the caller's transaction.

    The entry is keyed (HMAC with the key derived from ``ANTT_AUDIT_KEY``) when the key is set."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:200]
    event_id = getattr(event, "pk", event) if event is not None else None
    chain = int(event_id or 0)
    key = entry_key()
    table = AuditChainHead._meta.db_table
    # No savepoint: the entry belongs to the caller's transaction; if this fails, so does the caller's.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        # One statement takes the chain's lock, moves its head on and hands back the previous hash
        # (RETURNING: PostgreSQL, SQLite ≥ 3.35); a chain's first entry creates its head first.
        bump = f"UPDATE {table} SET seq = seq + 1 WHERE chain = %s RETURNING seq, hash"  # noqa: S608
        cursor.execute(bump, [chain])
        row = cursor.fetchone()
        if row is None:
            AuditChainHead.objects.bulk_create(
                [AuditChainHead(chain=chain, seq=0, hash=GENESIS)], ignore_conflicts=True
            )
            cursor.execute(bump, [chain])
            row = cursor.fetchone()
        seq, prev_hash = int(row[0]), str(row[1])
        values: dict[str, Any] = {
            "chain": chain,
            "seq": seq,
            "created_at": timezone.now(),
            "actor_id": getattr(actor, "pk", None),
            "actor_name": (getattr(actor, "get_username", lambda: "")() if actor is not None else "")[:150],
            "event_id": event_id,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id)[:64],
            "object_repr": object_repr[:200],
            "changes": canonical_json(changes) if changes else "",
            "ip": context.client_ip.get() or "",
            "request_id": context.request_id.get(),
        }
        digest = entry_digest(prev_hash, values, key=key)
        alg = ALG_SHA256 if key is None else ALG_HMAC
        entry = AuditEntry(prev_hash=prev_hash, hash=digest, alg=alg, **values)
        # A plain INSERT … RETURNING id: the model's save() costs more than the statement itself.
        fields = [cast(models.Field[Any, Any], AuditEntry._meta.get_field(name)) for name in _INSERT_FIELDS]
        cursor.execute(
            _insert_sql(),
            [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields],
        )
        entry.pk = cursor.fetchone()[0]
        entry._state.adding = False
        cursor.execute(f"UPDATE {table} SET hash = %s WHERE chain = %s", [digest, chain])  # noqa: S608
    return entry


_INSERT_FIELDS = ("prev_hash", "hash", "alg", *HASHED_FIELDS)


def _insert_sql() -> str:
    table, quote = AuditEntry._meta.db_table, connection.ops.quote_name
    columns = ", ".join(quote(name) for name in _INSERT_FIELDS)
    marks = ", ".join(["%s"] * len(_INSERT_FIELDS))
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"  # noqa: S608 - names from the model


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
    """``(chain, highest seq)`` of every chain (or one), by seeks in the (chain, seq) index: a skip scan
    over the distinct chains, then the highest seq of each, so that verifying from a checkpoint costs in
    proportion to what came after it, not to the size of the trail."""
    table = AuditEntry._meta.db_table
    if chain is not None:
        sql = f"SELECT chain, max(seq) FROM {table} WHERE chain = %s GROUP BY chain"  # noqa: S608
        params: list[Any] = [chain]
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
    return result


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
