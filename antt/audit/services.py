"""Append to the audit trail, verify it, and sign checkpoints of its head.

``record()`` is called explicitly by every service, inside the service's transaction: the entry and
the change it describes commit together or not at all.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from json.encoder import encode_basestring
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit.models import AuditChainHead, AuditEntry
from antt.core import context
from antt.core.errors import Invalid

GENESIS = "0" * 64
HASHED_FIELDS = (
    "chain",
    "seq",
    "created_at",
    "actor_id",
    "actor_name",
    "event_id",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "request_id",
)


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


def _timestamp(value: datetime | str) -> str:
    """UTC, microseconds, ``Z``: ``2026-11-23T01:02:03.000004Z``. Accepts SQLite's stored text too."""
    if isinstance(value, str):  # SQLite: "2026-11-23 01:02:03[.ffffff]" (naive UTC)
        return f"{value[:10]}T{value[11:19]}{value[19:26] if len(value) > 19 else '.000000'}Z"
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


_str = encode_basestring  # JSON string literal, as json.dumps(ensure_ascii=False) writes it


def _num(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def canonical_entry(
    chain: int,
    seq: int,
    created_at: datetime | str,
    actor_id: int | None,
    actor_name: str,
    event_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    object_repr: str,
    changes: str,
    ip: str,
    request_id: str,
) -> str:
    """The entry as canonical JSON: keys sorted, no spaces, UTF-8 kept. Byte-for-byte what
    ``json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)`` gives (tested), written
    out by hand because ``verify`` runs it a million times."""
    return (
        f'{{"action":{_str(action)},"actor_id":{_num(actor_id)},"actor_name":{_str(actor_name)},'
        f'"chain":{_num(chain)},"changes":{_str(changes)},"created_at":{_str(_timestamp(created_at))},'
        f'"event_id":{_num(event_id)},"ip":{_str(ip)},"object_id":{_str(object_id)},'
        f'"object_repr":{_str(object_repr)},"object_type":{_str(object_type)},'
        f'"request_id":{_str(request_id)},"seq":{_num(seq)}}}'
    )


def entry_digest(prev_hash: str, values: Mapping[str, Any]) -> str:
    """``SHA-256(prev_hash + canonical JSON of the entry)``, the entry given as a field → value map."""
    body = canonical_entry(*(values[name] for name in HASHED_FIELDS))
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


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
    """Append one entry to the chain of ``event`` (or the global chain), inside the caller's transaction."""
    if target is not None:
        object_type = object_type or target._meta.label_lower
        object_id = object_id or str(target.pk)
        object_repr = object_repr or str(target)[:200]
    event_id = getattr(event, "pk", event) if event is not None else None
    chain = int(event_id or 0)
    with transaction.atomic():
        AuditChainHead.objects.bulk_create(
            [AuditChainHead(chain=chain, seq=0, hash=GENESIS)], ignore_conflicts=True
        )
        head = AuditChainHead.objects.select_for_update().get(chain=chain)
        values: dict[str, Any] = {
            "chain": chain,
            "seq": head.seq + 1,
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
        digest = entry_digest(head.hash, values)
        entry = AuditEntry.objects.create(prev_hash=head.hash, hash=digest, **values)
        head.seq = entry.seq
        head.hash = digest
        head.save(update_fields=["seq", "hash"])
    return entry


# --- verification -----------------------------------------------------------------------------------------


@dataclass
class VerifyResult:
    ok: bool
    count: int = 0
    chains: dict[int, tuple[int, str]] = field(default_factory=dict)
    entry_id: int | None = None
    chain: int | None = None
    seq: int | None = None
    reason: str = ""

    def summary(self) -> str:
        if self.ok:
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


_COLUMNS = ("id", "prev_hash", "hash", *HASHED_FIELDS)


def _rows(chain: int | None, chunk: int = 50_000) -> Iterator[tuple[Any, ...]]:
    """Raw rows in chain order (the ORM's per-row conversions would triple the time of ``verify``);
    SQLite hands ``created_at`` over as stored text, which ``_timestamp`` reads as it is."""
    table = AuditEntry._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in _COLUMNS)
    where, params = ("WHERE chain = %s", [chain]) if chain is not None else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} {where} ORDER BY chain, seq", params)  # noqa: S608
        while rows := cursor.fetchmany(chunk):
            yield from rows


def verify(
    *, chain: int | None = None, checkpoint: Mapping[str, Any] | None = None, in_database: bool | None = None
) -> VerifyResult:
    """Recompute every chain (or one) from the stored rows; report the first entry that does not fit.

    With a ``checkpoint`` (see ``make_checkpoint``), also prove that each chain still reaches the
    checkpointed head unchanged, which catches a truncated tail. On PostgreSQL the hashes are recomputed
    inside the database (same canonical JSON, built in SQL), unless ``in_database=False``.
    """
    if in_database is None:
        in_database = connection.vendor == "postgresql"
    result = _verify_in_postgres(chain) if in_database else _verify_in_python(chain)
    if result.ok and checkpoint is not None:
        _check_against_checkpoint(result, checkpoint, only_chain=chain)
    return result


def _gap(expected: int, found: int) -> str:
    return _("sequence gap: expected entry %(expected)d, found %(found)d (deleted or reordered)") % {
        "expected": expected,
        "found": found,
    }


def _broken_link() -> str:
    return _("its link to the previous entry is broken (an entry before it was changed or moved)")


def _edited() -> str:
    return _("its content no longer matches its hash (the entry was edited)")


def _json_text(column: str) -> str:
    return f"to_json({column})::text"


def _number(column: str) -> str:
    return f"coalesce({column}::text, 'null')"


# ``canonical_entry`` written in SQL: to_json(text) escapes exactly as Python's JSON encoder does with
# ensure_ascii=False (quote, backslash, control characters), so the bytes hashed are the same.
_CANONICAL_SQL = " || ".join(
    [
        """'{"action":'""",
        _json_text("action"),
        """',"actor_id":'""",
        _number("actor_id"),
        """',"actor_name":'""",
        _json_text("actor_name"),
        """',"chain":'""",
        _number("chain"),
        """',"changes":'""",
        _json_text("changes"),
        """',"created_at":"'""",
        """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')""",
        """'","event_id":'""",
        _number("event_id"),
        """',"ip":'""",
        _json_text("ip"),
        """',"object_id":'""",
        _json_text("object_id"),
        """',"object_repr":'""",
        _json_text("object_repr"),
        """',"object_type":'""",
        _json_text("object_type"),
        """',"request_id":'""",
        _json_text("request_id"),
        """',"seq":'""",
        _number("seq"),
        "'}'",
    ]
)


def _verify_in_postgres(chain: int | None) -> VerifyResult:
    table = AuditEntry._meta.db_table
    where, params = ("WHERE chain = %s", [chain]) if chain is not None else ("", [])
    check = f"""
        WITH t AS (
            SELECT id, chain, seq, prev_hash, hash,
                   row_number() OVER w AS rn,
                   coalesce(lag(hash) OVER w, %s) AS expected_prev,
                   encode(sha256(convert_to(prev_hash || {_CANONICAL_SQL}, 'UTF8')), 'hex') AS computed
            FROM {table} {where}
            WINDOW w AS (PARTITION BY chain ORDER BY seq)
        )
        SELECT id, chain, seq, rn, prev_hash = expected_prev FROM t
        WHERE seq <> rn OR prev_hash <> expected_prev OR computed <> hash
        ORDER BY chain, seq LIMIT 1
    """  # noqa: S608 - table name from the model, values as parameters
    heads = f"""
        SELECT chain, count(*), (array_agg(hash ORDER BY seq DESC))[1] FROM {table} {where} GROUP BY chain
    """  # noqa: S608
    result = VerifyResult(ok=True)
    with connection.cursor() as cursor:
        cursor.execute(check, [GENESIS, *params])
        bad = cursor.fetchone()
        if bad is not None:
            row_id, row_chain, seq, rn, link_ok = bad
            result.ok = False
            result.entry_id, result.chain, result.seq = row_id, row_chain, seq
            result.reason = _gap(rn, seq) if seq != rn else (_broken_link() if not link_ok else _edited())
            return result
        cursor.execute(heads, params)
        for row_chain, count, last_hash in cursor.fetchall():
            result.chains[row_chain] = (count, last_hash)
            result.count += count
    return result


def _verify_in_python(chain: int | None) -> VerifyResult:
    result = VerifyResult(ok=True)
    current_chain: int | None = None
    expected_seq = 1
    prev = GENESIS
    sha256 = hashlib.sha256
    for row in _rows(chain):
        row_id, prev_hash, stored_hash, row_chain, seq = row[0], row[1], row[2], row[3], row[4]
        if row_chain != current_chain:
            if current_chain is not None:
                result.chains[current_chain] = (expected_seq - 1, prev)
            current_chain, expected_seq, prev = row_chain, 1, GENESIS
        problem = ""
        if seq != expected_seq:
            problem = _(
                "sequence gap: expected entry %(expected)d, found %(found)d (deleted or reordered)"
            ) % {
                "expected": expected_seq,
                "found": seq,
            }
        elif prev_hash != prev:
            problem = _("its link to the previous entry is broken (an entry before it was changed or moved)")
        elif sha256((prev + canonical_entry(*row[3:])).encode()).hexdigest() != stored_hash:
            problem = _("its content no longer matches its hash (the entry was edited)")
        if problem:
            result.ok = False
            result.entry_id, result.chain, result.seq, result.reason = row_id, row_chain, seq, problem
            return result
        prev = stored_hash
        expected_seq += 1
        result.count += 1
    if current_chain is not None:
        result.chains[current_chain] = (expected_seq - 1, prev)
    return result


def _check_against_checkpoint(
    result: VerifyResult, checkpoint: Mapping[str, Any], only_chain: int | None
) -> None:
    for key, (seq, digest) in sorted(checkpoint["chains"].items(), key=lambda kv: int(kv[0])):
        chain_id = int(key)
        if only_chain is not None and chain_id != only_chain:
            continue
        stored = (
            AuditEntry.objects.filter(chain=chain_id, seq=seq).values_list("id", "hash").first()
            if seq
            else None
        )
        if seq and stored is None:
            result.ok = False
            result.chain, result.seq = chain_id, seq
            result.reason = _(
                "the checkpoint's entry %(seq)d is missing: entries were removed from the end of the trail"
            ) % {"seq": seq}
            return
        if stored is not None and stored[1] != digest:
            result.ok = False
            result.entry_id, result.chain, result.seq = stored[0], chain_id, seq
            result.reason = _("the entry differs from the one recorded in the checkpoint")
            return


def _sign(body: Mapping[str, Any], key: str) -> str:
    return hmac.new(key.encode(), canonical_json(body).encode(), hashlib.sha256).hexdigest()


def _audit_key() -> str:
    if not settings.AUDIT_KEY:
        raise Invalid(_("ANTT_AUDIT_KEY is not set: checkpoints need a secret key to sign them."))
    return str(settings.AUDIT_KEY)


def make_checkpoint() -> dict[str, Any]:
    """The signed head of every chain: ``{"count", "time", "chains": {chain: [seq, hash]}, "signature"}``."""
    result = verify()
    if not result.ok:
        raise Invalid(result.summary())
    body: dict[str, Any] = {
        "version": 1,
        "count": result.count,
        "time": timezone.now().astimezone(UTC).isoformat(),
        "chains": {str(k): [seq, digest] for k, (seq, digest) in sorted(result.chains.items())},
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
