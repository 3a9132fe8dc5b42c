"""How an audit entry is hashed, and how a run of one chain is checked: pure code, no Django settings.

Its ``hash`` column holds, by its ``alg``:

* ``alg = 0`` (entries written before the trail was keyed): ``hex(SHA-256(message))``, the *message* being
  ``prev_hash + canonical JSON of the entry`` (``canonical_entry``);
* ``alg = 1`` (keyed, until issue 12): ``hex(HMAC-SHA256(entry key, SHA-256(message)))``, the same message;
* ``alg = 2`` (keyed, new entries): ``hex(BLAKE2b-256 keyed with the v2 entry key, over the UTF-8 bytes of
  the entry's *body*))``: prev_hash and the thirteen fields as text joined by U+FFFF (``body_v2``), so the
  database builds it with one call and the link to the previous entry is inside what is MACed. One keyed hash per entry instead of two; see docs/operations.md,
  "Entry formats", for the definition an independent verifier follows.

The entry keys are derived from ``ANTT_AUDIT_KEY`` and never stored in the database, so whoever holds only
the database cannot re-hash an edited entry, or a forged one, so that it verifies.

Each row carries its ``prev_hash``, so any run of a chain can be checked on its own (hashes, sequence,
links inside the run) and runs are stitched pairwise at their edges: that is what lets ``verify`` read a
chain in ranges, in parallel, from one cheap query per range.
"""

from __future__ import annotations

import hashlib
import hmac
from binascii import hexlify
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

GENESIS = "0" * 64
ALG_SHA256 = 0
ALG_HMAC = 1
ALG_BLAKE2 = 2
KEYED = (ALG_HMAC, ALG_BLAKE2)
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


def derive_entry_key(audit_key: str) -> bytes:
    """The key that entries are MACed with: ``HMAC-SHA256(ANTT_AUDIT_KEY, "antt.audit.entry-key.v1")``.
    Derived (not the checkpoint key itself) so an entry MAC can never be mistaken for a checkpoint's."""
    return hmac.new(audit_key.encode(), b"antt.audit.entry-key.v1", hashlib.sha256).digest()


def derive_entry_key_v2(audit_key: str) -> bytes:
    """The key of ``alg = 2`` entries: ``HMAC-SHA256(ANTT_AUDIT_KEY, "antt.audit.entry-key.v2")`` (32 bytes),
    distinct from the ``alg = 1`` key so a MAC of one format is never taken for the other's."""
    return hmac.new(audit_key.encode(), b"antt.audit.entry-key.v2", hashlib.sha256).digest()


class EntryMac2:
    """The ``alg = 2`` MAC: keyed BLAKE2b with a 32-byte digest (RFC 7693), one hash per entry.
    ``digest(body)`` makes a hash object; ``digests(bodies)`` the joined digests of many."""

    def __init__(self, key: bytes) -> None:
        self.key = key
        self.digest = partial(hashlib.blake2b, key=key, digest_size=32)
        self._keyed = hashlib.blake2b(key=key, digest_size=32)  # the key and nothing else

    def __reduce__(self) -> tuple[type[EntryMac2], tuple[bytes]]:  # a hash object does not pickle
        return (EntryMac2, (self.key,))

    def hexdigest(self, body: bytes) -> str:
        return self.digest(body).hexdigest()

    def digests(self, bodies: Iterable[bytes]) -> bytes:
        """The digests of ``bodies`` joined (TypeError if one is not bytes): each from a copy of a hash object
        that holds the key. Measured (callgrind, 50k entries): 8,250 instructions per entry against 10,550
        for ``digest(body)``, whose keyword arguments (``key``, ``digest_size``) are parsed on every call."""
        copy = self._keyed.copy
        out: list[bytes] = []
        append = out.append
        for body in bodies:
            h = copy()
            h.update(body)
            append(h.digest())
        return b"".join(out)


class EntryMac:
    """HMAC-SHA256 with the pads hashed once: ``hmac.digest`` re-initialises OpenSSL on every call and
    costs three times as much per row; this gives the same bytes (tested)."""

    def __init__(self, key: bytes) -> None:
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def hexdigest(self, message: bytes) -> str:
        inner = self._inner.copy()
        inner.update(message)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()


def seal(message: str, mac: EntryMac | None) -> str:
    """The ``hash`` column of an entry whose message is ``message`` (keyed when ``mac`` is given)."""
    inner = hashlib.sha256(message.encode())
    return inner.hexdigest() if mac is None else mac.hexdigest(inner.digest())


# --- canonical JSON ------------------------------------------------------------------------------------------


def timestamp(value: datetime | str) -> str:
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
        f'"chain":{_num(chain)},"changes":{_str(changes)},"created_at":{_str(timestamp(created_at))},'
        f'"event_id":{_num(event_id)},"ip":{_str(ip)},"object_id":{_str(object_id)},'
        f'"object_repr":{_str(object_repr)},"object_type":{_str(object_type)},'
        f'"request_id":{_str(request_id)},"seq":{_num(seq)}}}'
    )


# --- the alg 2 body --------------------------------------------------------------------------------------


def timestamp_v2(value: datetime | str) -> str:
    """UTC, a space, always six fraction digits: ``2026-11-23 01:02:03.000004``. Accepts SQLite's stored text
    (naive UTC, the fraction left out when it is zero)."""
    if isinstance(value, str):
        return value if len(value) != 19 else value + ".000000"
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


#: Between the fields of an ``alg = 2`` body: U+FFFF, a Unicode noncharacter (reserved for such internal use);
#: ``record()`` writes no field that holds one (it is replaced by U+FFFD), so the fields are unambiguous.
SEP = "\uffff"
TEXT_FIELDS = (
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "ip",
    "request_id",
)
#: Where the previous entry's hash sits in an ``alg = 2`` body (its first field, 64 hex digits).
BODY_PREV = slice(0, 64)


def _int(value: int | None) -> str:
    return "" if value is None else str(int(value))


def body_v2(
    prev_hash: str,
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
    """What an ``alg = 2`` entry MACs (as UTF-8): ``prev_hash`` and the thirteen fields in ``HASHED_FIELDS``
    order, joined by ``SEP``; integers in decimal (a null one as nothing), the time as ``timestamp_v2``, text
    as it is stored. The database builds the same text with one call (``body_sql``; tested on both)."""
    return SEP.join(
        (
            prev_hash,
            str(chain),
            str(seq),
            timestamp_v2(created_at),
            _int(actor_id),
            actor_name,
            _int(event_id),
            action,
            object_type,
            object_id,
            object_repr,
            changes,
            ip,
            request_id,
        )
    )


def without_sep(value: str) -> str:
    """A text field as ``record()`` stores it in an ``alg = 2`` entry: U+FFFF (``SEP``) replaced by U+FFFD."""
    return value.replace(SEP, "\ufffd") if SEP in value else value


def body_sql(vendor: str) -> str:
    """``body_v2`` written in SQL for ``vendor`` (UTF-8 bytes on SQLite, text on PostgreSQL): one call over the
    row's columns. A null where the table allows none (only a schema edit can put one there) gives a null
    body, which matches no hash."""
    if vendor == "sqlite":
        strict = ", ".join(["prev_hash", *_NOT_NULL])
        # printf() writes a null as nothing: min() of the columns that must not be null is null if one is
        return (
            f"CASE WHEN min({strict}) IS NULL THEN NULL ELSE "
            f"CAST(printf('{SEP.join(['%s'] * 14)}', prev_hash, {', '.join(_sqlite_args())}) AS BLOB) END"
        )
    time = "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    args = [
        time if name == "created_at" else f"coalesce({name}::text, '')" if name in _NULLABLE else name
        for name in HASHED_FIELDS
    ]
    # concat_ws() leaves out a null (and its separator): the body then has too few fields to match
    return f"concat_ws(U&'\\FFFF', prev_hash, {', '.join(args)})"


_NULLABLE = {"actor_id", "event_id"}
_NOT_NULL = tuple(name for name in HASHED_FIELDS if name not in _NULLABLE)


def _sqlite_args() -> list[str]:
    """The thirteen fields as SQLite's ``printf`` takes them for ``body_v2``: a nullable integer as it is
    stored (not cast: ``CAST('7x' AS INTEGER)`` is 7, so a text written over an id would still verify)."""
    time = "CASE WHEN length(created_at) = 19 THEN created_at || '.000000' ELSE created_at END"
    return [
        time if name == "created_at" else f"ifnull({name}, '')" if name in _NULLABLE else name
        for name in HASHED_FIELDS
    ]


def _sqlite_length() -> str:
    """The byte length of the ``alg = 2`` body of a SQLite row less the digits of its chain and seq (which
    ``check_fast`` and ``check_run`` add: the query reads both from the ``(chain, seq)`` index, as integers),
    counted from the stored values: SQLite's ``printf`` copies a text only up to its first NUL, so a field
    with a NUL and anything after it would give the body of the field as it was; the body then falls short
    of this length. PostgreSQL text cannot hold a NUL."""
    args = [arg for name, arg in zip(HASHED_FIELDS, _sqlite_args(), strict=True) if name not in _KEYS]
    lengths = " + ".join(f"length(CAST({arg} AS BLOB))" for arg in ["prev_hash", *args])
    return f"{3 * (len(HASHED_FIELDS))} + {lengths}"


_KEYS = ("chain", "seq")


def _digits(lo: int, hi: int) -> int:
    """``sum(len(str(s)) for s in range(lo, hi))`` for ``0 <= lo``, without the loop."""
    total, start, width = 0, lo, len(str(lo))
    while start < hi:
        end = min(hi, 10**width)
        total += (end - start) * width
        start, width = end, width + 1
    return total


_SQLITE_TIME = (
    "substr(created_at, 1, 10) || 'T' || substr(created_at, 12, 8) || "
    "CASE WHEN length(created_at) > 19 THEN substr(created_at, 20, 7) ELSE '.000000' END || 'Z'"
)
_PG_TIME = """to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')"""


def _message_sql(vendor: str) -> str:
    """``prev_hash || canonical_entry(...)`` written in SQL for ``vendor``, so the database hands over one
    value per row instead of thirteen columns. SQLite's ``json_object`` (keys given in sorted order, compact)
    and PostgreSQL's ``to_json(text)`` escape exactly as Python's JSON encoder does with
    ensure_ascii=False (quote, backslash, control characters; tested on both), so the bytes are the same."""
    if vendor == "sqlite":
        pairs = ", ".join(
            f"'{name}', {_SQLITE_TIME if name == 'created_at' else name}" for name in sorted(HASHED_FIELDS)
        )
        return f"prev_hash || json_object({pairs})"
    numbers = {"chain", "seq", "actor_id", "event_id"}
    template, args = ["%s{"], ["prev_hash"]
    for i, name in enumerate(sorted(HASHED_FIELDS)):
        template.append(f'{"," if i else ""}"{name}":%s')
        if name in numbers:
            args.append(f"coalesce({name}::text, 'null')")
        elif name == "created_at":
            args.append(f"'\"' || {_PG_TIME} || '\"'")
        else:
            args.append(f"to_json({name})::text")
    return f"format('{''.join(template)}}}', {', '.join(args)})"


def range_sql(table: str, vendor: str, *, in_database: bool, placeholder: str = "%s") -> str:
    """One query for a range of one chain: ``(id, seq, alg, prev_hash, hash, message…)`` in seq order.
    With ``in_database`` the database builds the message: for ``alg = 2`` the body (``body_sql``), for
    ``alg`` 0 and 1 the canonical JSON (on PostgreSQL it also takes its plain SHA-256, so 32 bytes per row
    cross the wire; the key never does); otherwise the raw columns follow and Python builds it (the
    independent reference)."""
    if not in_database:
        tail = ", ".join(HASHED_FIELDS)
    elif vendor == "postgresql":  # the plain SHA-256 of the message, computed where the rows are
        legacy = f"sha256(convert_to({_message_sql(vendor)}, 'UTF8'))".replace("%", "%%")  # format()'s
        tail = f"CASE WHEN alg = {ALG_BLAKE2} THEN convert_to({body_sql(vendor)}, 'UTF8') ELSE {legacy} END"
    else:  # and the length the body must have (``_sqlite_length``)
        tail = (
            f"CASE WHEN alg = {ALG_BLAKE2} THEN {_escape(body_sql(vendor), placeholder)} "
            f"ELSE {_message_sql(vendor)} END, {_sqlite_length()}"
        )
    p = placeholder
    return (
        f"SELECT id, seq, alg, prev_hash, hash, {tail} FROM {table} "  # noqa: S608 - names from the model
        f"WHERE chain = {p} AND seq >= {p} AND seq <= {p} ORDER BY seq"
    )


def fast_sql(table: str, vendor: str, *, placeholder: str = "%s") -> str:
    """The query ``check_fast`` reads a range with: ``(seq, hash, body)`` in seq order (on SQLite also the
    length the body must have, ``_sqlite_length``), the hash and the body
    as UTF-8 bytes (SQLite: cast to a blob; PostgreSQL: text, which ``fast_cursor`` loads as bytes), the body
    built by the database (``body_sql``) and null unless the row is an ``alg = 2`` entry (on PostgreSQL,
    with no null where the table allows none; on SQLite such a null makes the length null instead, which
    ``check_fast`` takes as not intact). Measured (issue 12, 1M entries): reading ``alg`` and decoding text
    to ``str`` cost more than testing ``alg`` in SQL and comparing bytes."""
    p = placeholder
    if vendor == "sqlite":
        fields = ", ".join(_sqlite_args())
        body = f"CAST(printf('{SEP.join(['%s'] * 14)}', prev_hash, {fields}) AS BLOB)"
        return (
            f"SELECT seq, CAST(hash AS BLOB), CASE WHEN alg = {ALG_BLAKE2} THEN "  # noqa: S608
            f"{_escape(body, placeholder)} END, {_sqlite_length()} FROM {table} "
            f"WHERE chain = {p} AND seq >= {p} AND seq <= {p} ORDER BY seq"
        )
    return (
        f"SELECT seq, hash, CASE WHEN alg = {ALG_BLAKE2} THEN {_escape(body_sql(vendor), placeholder)} END "  # noqa: S608
        f"FROM {table} WHERE chain = {p} AND seq >= {p} AND seq <= {p} ORDER BY seq"
    )


def _escape(sql: str, placeholder: str) -> str:
    """A literal ``%`` for a driver that takes ``%s`` placeholders."""
    return sql.replace("%", "%%") if placeholder == "%s" else sql


# --- checking a run of rows -------------------------------------------------------------------------------

# what is wrong with a row, in the order a sequential reader meets them
GAP, LINK, DOWNGRADE, EDITED, NEEDS_KEY = 0, 1, 2, 3, 4


@dataclass
class Problem:
    chain: int
    seq: int
    entry_id: int | None
    kind: int
    expected: int = 0  # the seq a gap expected

    def key(self) -> tuple[int, int, int]:
        return (self.chain, self.seq, self.kind)


@dataclass
class Run:
    """What one range of one chain looked like, for stitching: its edges, counts, and first problem."""

    chain: int
    lo: int
    hi: int
    count: int = 0
    first_seq: int = 0
    first_prev: str = ""
    first_id: int | None = None
    last_seq: int = 0
    last_hash: str = ""
    first_keyed: int = 0  # seq of the first keyed entry (0: none)
    first_legacy: int = 0  # seq of the first unkeyed entry (0: none)
    last_legacy: int = 0  # seq of the last unkeyed entry (0: none)
    problem: Problem | None = None


@dataclass
class Macs:
    """The MACs a verifier holds: ``v1`` for ``alg = 1`` entries, ``v2`` for ``alg = 2`` (None: no key)."""

    v1: EntryMac | None = None
    v2: EntryMac2 | None = None


def check_run(
    rows: Iterable[tuple[Any, ...]], *, chain: int, lo: int, hi: int, macs: Macs, in_database: bool
) -> Run:
    """Check rows ``(id, seq, alg, prev_hash, hash, message | raw columns…)`` of ``chain`` with
    ``lo <= seq <= hi``: consecutive seqs from ``lo``, each row linked to the one before it, each hash
    recomputed, no unkeyed entry after a keyed one. Stops at the first problem. Any mix of formats."""
    run = Run(chain=chain, lo=lo, hi=hi)
    expected = lo
    prev = None
    sha256 = hashlib.sha256
    keyed_seen = False
    for row in rows:
        row_id, seq, alg, prev_hash, stored = row[0], row[1], row[2], row[3], row[4]
        if not run.first_seq:
            run.first_seq, run.first_prev, run.first_id = seq, prev_hash, row_id
        kind = -1
        if seq != expected:
            kind = GAP
        elif prev is not None and prev_hash != prev:
            kind = LINK
        elif alg == ALG_BLAKE2:
            body = row[5] if in_database else _built(body_v2, prev_hash, row)
            if (
                in_database
                and len(row) > 6
                and body is not None
                and len(body) != _sqlite_body_length(row[6], chain, seq)
            ):
                body = None  # SQLite: a field held a NUL, and printf() left out what came after it
            if macs.v2 is None:
                kind = NEEDS_KEY
            elif body is None or macs.v2.hexdigest(bytes(body)) != stored:
                kind = EDITED
        elif alg in (ALG_HMAC, ALG_SHA256):
            message = row[5] if in_database else _built(canonical_entry, prev_hash, row)
            inner = b""
            if message is not None:
                inner = sha256(message.encode()).digest() if isinstance(message, str) else bytes(message)
            if message is None:
                kind = EDITED
            elif alg == ALG_HMAC:
                if macs.v1 is None:
                    kind = NEEDS_KEY
                elif macs.v1.hexdigest(inner) != stored:
                    kind = EDITED
            elif keyed_seen:
                kind = DOWNGRADE
            elif inner.hex() != stored:
                kind = EDITED
        else:
            kind = EDITED
        if kind >= 0:
            run.problem = Problem(chain=chain, seq=seq, entry_id=row_id, kind=kind, expected=expected)
            break
        if alg in KEYED:
            if not keyed_seen:
                keyed_seen, run.first_keyed = True, seq
        else:
            run.last_legacy = seq
            if not run.first_legacy:
                run.first_legacy = seq
        run.count += 1
        run.last_seq = seq
        prev = run.last_hash = stored
        expected += 1
    return run


def _sqlite_body_length(rest: int | None, chain: int, seq: int) -> int | None:
    """The length an ``alg = 2`` body must have, from ``_sqlite_length`` (None: a null column)."""
    return None if rest is None else rest + len(str(chain)) + len(str(seq))


def _built(build: Any, prev_hash: str, row: tuple[Any, ...]) -> Any:
    """The message of a row read as raw columns (``body_v2`` as bytes, or ``prev_hash`` + canonical JSON);
    None when a column holds what the format cannot (a null where the table allows none): not intact."""
    try:
        if build is body_v2:
            return body_v2(prev_hash, *row[5:]).encode()
        return prev_hash + canonical_entry(*row[5:])
    except (TypeError, ValueError):
        return None


_prev_of = itemgetter(BODY_PREV)


def check_fast(chunks: Iterable[list[Any]], *, chain: int, lo: int, hi: int, mac: EntryMac2) -> Run | None:
    """Check a range read by ``fast_sql`` — rows ``(seq, hash, body)``, the hash and body as bytes, a chunk
    at a time — if every row is an intact ``alg = 2`` entry: the same checks as ``check_run`` (consecutive
    seqs from ``lo``, each hash recomputed, each body's prev hash equal to the hash before it), done a chunk
    at a time: a short Python step per row to hash its body (``EntryMac2.digests``), then C code (one hex
    encoding and one comparison of the digests and of the stored hashes, each joined by newlines). None as soon as a row is not: the caller re-reads the range with ``check_run``,
    which names the row and what is wrong with it."""
    run = Run(chain=chain, lo=lo, hi=hi)
    expected = lo
    last = b""
    digests = mac.digests
    for rows in chunks:
        n = len(rows)
        columns = tuple(zip(*rows, strict=True))
        seqs, hashes, bodies = columns[:3]
        if seqs != tuple(range(expected, expected + n)):
            return None
        try:  # a null body (not an alg 2 entry, or a null in a column that allows none) or a null hash
            # SQLite: each body as long as its stored fields (none held a NUL that printf() stopped at);
            # no body is longer than that, so the sums are equal only if each is
            if len(columns) > 3 and sum(map(len, bodies)) != sum(columns[3]) + n * len(str(chain)) + _digits(
                expected, expected + n
            ):
                return None
            # joined by newlines, so each stored hash must be the 64 digits of its own entry (joined without,
            # a hash split over two rows, 128 digits and none, would compare equal)
            hexes = hexlify(digests(bodies), b"\n", 32)
            if hexes != b"\n".join(hashes):
                return None
        except TypeError:
            return None
        prevs = b"\n".join(map(_prev_of, bodies))
        if prevs[65:] != hexes[:-65] or (last and prevs[:64] != last):
            return None
        if not last:
            run.first_seq, run.first_prev = lo, prevs[:64].decode()
        last = hexes[-64:]
        expected += n
    if last:
        run.count, run.last_seq, run.first_keyed = expected - lo, expected - 1, lo
        run.last_hash = last.decode()
    return run


def stitch(runs: list[Run], *, start: int, start_prev: str | None) -> list[Problem]:
    """Problems at the edges of a chain's runs (given in seq order): each run must begin where the one
    before it ended, with the link to its last hash, and no unkeyed entry may follow a keyed one. The
    chain begins at seq ``start``; ``start_prev`` is the prev hash its first entry must carry (GENESIS at
    seq 1), or None when it is not known (verification from a checkpoint)."""
    problems = [r.problem for r in runs if r.problem is not None]
    last: Run | None = None
    keyed_seen = False
    for run in runs:
        if not run.first_seq:
            continue
        expected = start if last is None else last.last_seq + 1
        link = start_prev if last is None else last.last_hash
        chain = run.chain
        if run.first_seq != expected:
            problems.append(Problem(chain, run.first_seq, run.first_id, GAP, expected))
        elif link is not None and run.first_prev != link:
            problems.append(Problem(chain, run.first_seq, run.first_id, LINK))
        elif keyed_seen and run.first_legacy:
            problems.append(Problem(chain, run.first_legacy, None, DOWNGRADE))
        keyed_seen = keyed_seen or bool(run.first_keyed)
        last = run
        if run.problem is not None:
            break
    return problems
