"""Append to the audit trail: ``record()``, the chains and lanes it writes to, and the JSON it records.

``record()`` is called explicitly by every service, inside the service's transaction: the entry and
the change it describes commit together or not at all. How entries are hashed and keyed: ``chain``.
Verifying the trail: ``verification``. Signed checkpoints kept outside the database: ``checkpoints``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone

from antt.audit import chain as hashing
from antt.audit.chain import ALG_BLAKE2, ALG_HMAC, ALG_SHA256, GENESIS, HASHED_FIELDS, canonical_entry
from antt.audit.models import AuditChainHead, AuditEntry
from antt.core import context

__all__ = ["ALG_BLAKE2", "ALG_HMAC", "ALG_SHA256", "GENESIS", "HASHED_FIELDS", "canonical_entry"]

#: The format of new keyed entries: ``alg = 2`` (issue 12). Tests set 1 to write a trail as it was before;
#: without ``ANTT_AUDIT_KEY`` entries are unkeyed ``alg = 0`` whatever this says.
ENTRY_ALG = ALG_BLAKE2


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


# one encoder for every call: json.dumps with these arguments makes a new JSONEncoder each time
_encode = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_json_default
).encode


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept; datetimes in UTC ISO form, decimals as text, records by id, sets
    sorted (``_json_value``). Plain JSON values go straight to the encoder (``record()`` runs at field rates);
    anything else (e.g. a dict with keys that are not text) through ``_json_value`` first."""
    try:
        return _encode(value)
    except TypeError:
        return json.dumps(_json_value(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_key() -> bytes | None:
    """The key new entries are MACed with (derived from ``ANTT_AUDIT_KEY``); None when no key is set."""
    return hashing.derive_entry_key(str(settings.AUDIT_KEY)) if settings.AUDIT_KEY else None


_macs: dict[str, hashing.Macs] = {}


def entry_macs() -> hashing.Macs:
    """The MACs of keyed entries (``alg`` 1 and 2) for the configured key, made once per key (``record()``
    runs at field rates); both None without ``ANTT_AUDIT_KEY``."""
    audit_key = settings.AUDIT_KEY
    if not audit_key:
        return hashing.Macs()
    found = _macs.get(str(audit_key))
    if found is None:
        found = _macs[str(audit_key)] = hashing.Macs(
            v1=hashing.EntryMac(hashing.derive_entry_key(str(audit_key))),
            v2=hashing.EntryMac2(hashing.derive_entry_key_v2(str(audit_key))),
        )
    return found


def entry_digest(
    prev_hash: str, values: Mapping[str, Any], *, key: bytes | None = None, alg: int = ALG_HMAC
) -> str:
    """The ``hash`` of an entry given as a field → value map. ``alg`` 0 and 1: plain SHA-256 of
    ``prev_hash + canonical JSON`` without a key (entries from before the key), ``HMAC-SHA256(key, that
    SHA-256)`` with one (``entry_key()``). ``alg = 2``: keyed BLAKE2b of the body (``key``: the v2 key,
    ``entry_key_v2()``)."""
    fields = [values[name] for name in HASHED_FIELDS]
    if alg == ALG_BLAKE2:
        assert key is not None, "alg 2 entries are keyed"
        return hashing.EntryMac2(key).hexdigest(hashing.body_v2(prev_hash, *fields).encode())
    body = canonical_entry(*fields)
    return hashing.seal(prev_hash + body, hashing.EntryMac(key) if key is not None else None)


def entry_key_v2() -> bytes | None:
    """The key ``alg = 2`` entries are MACed with (derived from ``ANTT_AUDIT_KEY``); None without one."""
    return hashing.derive_entry_key_v2(str(settings.AUDIT_KEY)) if settings.AUDIT_KEY else None


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
    """The chains a new entry of ``base`` may go to, in order of preference (the first free one is taken):
    in ascending chain id, as lanes are numbered, which the one-call append orders by (``db.APPEND_FUNCTION``).
    Made once per event (the caller must not change the list)."""
    found = _candidates.get(base)
    if found is None:
        found = _candidates[base] = chain_ids(base)
    return found


_candidates: dict[int, list[int]] = {}


#: an entry's values of the fields in ``HASHED_FIELDS``, in that order
_hashed = itemgetter(*HASHED_FIELDS)
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
        # one statement if the head is where this process left it
        if db.vendor == "postgresql":
            entry, claimed = _append_at_guess(cursor, base, fields)
        else:
            entry, claimed = _append_at_guess_sqlite(cursor, base, fields), None
        if entry is None:
            chain, seq, prev_hash = claimed or _claim(cursor, base)
            entry = _append(cursor, chain, seq, prev_hash, **fields)
            if db.vendor == "postgresql":
                _chains()[base] = chain
        if entry.chain != base and (entry.seq == 1 or entry.seq % ANCHOR_EVERY == 0):
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


def _sealed(
    chain: int, seq: int, prev_hash: str, fields: Mapping[str, Any]
) -> tuple[dict[str, Any], int, str]:
    """The entry ``seq`` of ``chain`` after ``prev_hash`` as it will be stored: its values, ``alg`` and hash."""
    values: dict[str, Any] = {
        "chain": chain,
        "seq": seq,
        "created_at": timezone.now(),
        **fields,
        "ip": context.client_ip.get() or "",
        "request_id": context.request_id.get(),
    }
    macs = entry_macs()
    if macs.v2 is None:  # no key: unkeyed, as before the key
        alg = ALG_SHA256
        digest = hashing.seal(prev_hash + canonical_entry(*_hashed(values)), None)
    elif ENTRY_ALG == ALG_BLAKE2:
        alg = ALG_BLAKE2
        body = hashing.body_v2(prev_hash, *_hashed(values))
        if body.count(hashing.SEP) != len(HASHED_FIELDS):  # a field holds the separator: store U+FFFD
            for name in hashing.TEXT_FIELDS:
                values[name] = hashing.without_sep(values[name])
            body = hashing.body_v2(prev_hash, *_hashed(values))
        digest = macs.v2.hexdigest(body.encode())
    else:
        alg = ALG_HMAC
        digest = hashing.seal(prev_hash + canonical_entry(*_hashed(values)), macs.v1)
    return values, alg, digest


def _append(cursor: Any, chain: int, seq: int, prev_hash: str, **fields: Any) -> AuditEntry:
    """Insert the entry ``seq`` of ``chain`` after ``prev_hash`` (the head's hash follows by trigger)."""
    values, alg, digest = _sealed(chain, seq, prev_hash, fields)
    db = cursor.db
    params = [prev_hash, digest, alg, *_hashed(values)]
    params[5] = db.ops.adapt_datetimefield_value(values["created_at"])  # created_at
    cursor.execute(_insert_sql(db), params)
    return _written(db, values, cursor.fetchone()[0], prev_hash, digest, alg)


def _written(
    db: Any, values: dict[str, Any], entry_id: int, prev_hash: str, digest: str, alg: int
) -> AuditEntry:
    """The model instance as the database now holds it, built without Model.__init__'s per-field work; and
    the chain's new head kept as this process's guess of it (``_append_at_guess``)."""
    entry = AuditEntry.__new__(AuditEntry)
    entry.__dict__.update(values, id=entry_id, prev_hash=prev_hash, hash=digest, alg=alg)
    entry._state = ModelState()
    entry._state.adding, entry._state.db = False, db.alias
    _seen[entry.chain] = (entry.seq, digest)
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


# --- PostgreSQL: claim and insert in one statement when the head is as this process last left it -----------

#: ``chain -> (seq, hash)``: the newest entry of each chain this process wrote (it may since have been rolled
#: back, or another process may have written after it: then it is only a wrong guess, see below).
_seen: dict[int, tuple[int, str]] = {}
_local = threading.local()


def _chains() -> dict[int, int]:
    """This thread's ``base -> chain``: the chain of event ``base`` it last wrote to, tried first next time,
    so concurrent writers each keep to a chain of their own and their guesses hold."""
    try:
        return _local.chains
    except AttributeError:
        _local.chains = {}
        return _local.chains


#: ``antt.audit.db.APPEND_FUNCTION`` (migration 0006): claim, compare with the guess, insert, move the head.
_APPEND_CALL = (
    "SELECT o_chain, o_seq, o_hash, o_id FROM audit_append(%s::bigint[], %s, %s, %s, %s, %s, "
    "%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _append_at_guess(
    cursor: Any, base: int, fields: dict[str, Any]
) -> tuple[AuditEntry | None, tuple[int, int, str] | None]:
    """Append with one statement instead of two: the entry is sealed (hashed) for the head this process
    last left the guessed chain at, and inserted in the statement that claims a chain only if the claimed
    head is exactly that one (chain, seq and hash, compared under the row lock), so it links to the entry
    before it as ``_claim`` then ``_append`` would. Otherwise nothing is inserted and the claimed head, if
    any, is returned for ``_append``. ``(entry, None)``, ``(None, claimed head)`` or ``(None, None)``."""
    chain = _chains().get(base, base)
    head = _seen.get(chain)
    candidates = _lane_candidates(base)
    if head is None or chain not in candidates:
        return None, None
    seq, prev_hash = head[0] + 1, head[1]
    values, alg, digest = _sealed(chain, seq, prev_hash, fields)
    db = cursor.db
    rest = list(_hashed(values)[2:])
    rest[0] = db.ops.adapt_datetimefield_value(values["created_at"])
    # the candidates as one array literal in text: psycopg's adaptation of a list of ints cost the client
    # more than the rest of the parameters together (cProfile)
    chains = "{" + ",".join(map(str, candidates)) + "}"
    cursor.execute(_APPEND_CALL, [chains, chain, seq, prev_hash, digest, alg, *rest])
    row = cursor.fetchone()
    if row[0] is None:  # every candidate held: _claim waits for the main chain
        return None, None
    if row[3] is None:  # another head than the guessed one: claimed, not written
        return None, (int(row[0]), int(row[1]), str(row[2]))
    return _written(db, values, row[3], prev_hash, digest, alg), None


def chain_head(chain: int) -> tuple[int, str] | None:
    """``(seq, hash)`` of the last entry of ``chain`` (one indexed query), None when it is empty."""
    return AuditEntry.objects.filter(chain=chain).order_by("-seq").values_list("seq", "hash").first()


# --- SQLite: the same, with the newest entry of the chain as its head ----------------------------------------

_SQLITE_GUESS = (
    f"INSERT INTO {AuditEntry._meta.db_table} ({', '.join(_INSERT_FIELDS)}) "  # noqa: S608 - names from the model
    f"SELECT {', '.join(['%s'] * len(_INSERT_FIELDS))} "
    f"WHERE (SELECT seq, hash FROM {AuditEntry._meta.db_table} WHERE chain = %s ORDER BY seq DESC LIMIT 1) "
    "= (%s, %s) RETURNING id"
)


def _append_at_guess_sqlite(cursor: Any, base: int, fields: dict[str, Any]) -> AuditEntry | None:
    """SQLite: insert the entry sealed for the head this process last left the main chain at, in one
    statement that inserts it only if the chain's newest entry is exactly that one (seq and hash; the
    transaction holds the write lock from BEGIN IMMEDIATE, so nothing can come between). None when it is
    not (another process wrote since, the entry was rolled back): then ``_claim`` reads the head."""
    chain = _lane_candidates(base)[0]  # the chain ``_claim`` takes on SQLite
    head = _seen.get(chain)
    if head is None:
        return None
    seq, prev_hash = head[0] + 1, head[1]
    values, alg, digest = _sealed(chain, seq, prev_hash, fields)
    db = cursor.db
    params = [prev_hash, digest, alg, *_hashed(values), chain, head[0], prev_hash]
    params[5] = db.ops.adapt_datetimefield_value(values["created_at"])  # created_at
    cursor.execute(_SQLITE_GUESS, params)
    row = cursor.fetchone()
    return None if row is None else _written(db, values, row[0], prev_hash, digest, alg)
