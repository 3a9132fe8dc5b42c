"""The entry format of issue 12 (``alg = 2``): the body the database builds is the one Python MACs, the fast
check gives up on anything that is not intact, and a chain written before it goes on into it unbroken.
(Every tamper case of ``test_tamper`` and ``test_audit`` also runs for alg 2.)"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from antt.audit import chain as hashing
from antt.audit import db as audit_db
from antt.audit import services as audit
from antt.audit import verification
from antt.audit.models import AuditEntry
from antt.audit.tests.test_tamper import T0, _auto_checkpoint, _fill, _raw, _rehash_from

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["python", "database"])
def verify(request: Any) -> Any:
    return partial(verification.verify, in_database=request.param == "database")


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def test_the_database_builds_the_same_alg_2_body_as_python(
    event: Any, commander: Any, monkeypatch: Any
) -> None:
    """Every character test_tamper's text test uses, a time without microseconds (SQLite then stores no
    fraction), one with trailing zeros in its fraction, and the separator itself, which record() stores as
    U+FFFD. The fast check's own query takes them all (it does not give up to the full check)."""
    audit.record(
        actor=commander,
        action="test.text",
        event=event,
        object_id="a\uffffb",
        object_repr='Chốt\t"Hội An"\n\\ ✓ \x01\x1f\x7f\u2028 😀 </script> \uffff',
        changes={"note": ["a\u0000b", "\b\f\r", "\uffff"]},
    )
    with time_machine.travel(T0, tick=False):
        audit.record(actor=None, action="test.whole-second", event=None)
    with time_machine.travel(T0 + timedelta(microseconds=500_000), tick=False):
        audit.record(actor=None, action="test.half-second", event=None)
    entries = list(AuditEntry.objects.order_by("id"))
    assert entries[0].object_id == "a\ufffdb"
    assert "\uffff" not in entries[0].object_repr + entries[0].changes
    assert entries[0].changes.count("\ufffd") == 1
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {hashing.body_sql(connection.vendor).replace('%', '%%')} FROM audit_auditentry ORDER BY id",
            [],  # with parameters, so the driver reads %% as %
        )
        from_database = [
            bytes(row[0]) if connection.vendor == "sqlite" else row[0].encode() for row in cursor
        ]
    from_python = [
        hashing.body_v2(e.prev_hash, *(getattr(e, f) for f in audit.HASHED_FIELDS)).encode() for e in entries
    ]
    assert from_database == from_python
    assert from_python[1].count(hashing.SEP.encode()) == 13
    assert T0.strftime("%Y-%m-%d %H:%M:%S.000000").encode() in from_python[1]
    assert verification.verify(in_database=True).ok
    assert verification.verify(in_database=False).ok

    def no_full_check(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the fast check gave up")

    monkeypatch.setattr(hashing, "check_run", no_full_check)
    assert verification.verify(in_database=True).ok


@pytest.mark.parametrize("tamper", ["none", "edit", "delete", "relink", "swap", "null", "split"])
def test_the_fast_check_catches_tampering_at_a_chunk_edge(
    event: Any, commander: Any, monkeypatch: Any, tamper: str
) -> None:
    """check_fast reads ranges in chunks (here of 2 rows: seqs 1-2, 3-4, 5-6); what changes at a chunk's
    edge makes it give up (None), and check_run then names the row."""
    monkeypatch.setattr(verification, "FIRST_CHUNK", 2)
    monkeypatch.setattr(verification, "CHUNK", 2)
    entries = _fill(event, commander, 6)
    by_seq = {e.seq: e for e in entries}
    audit_db.drop_triggers(connection)
    expected = 3
    if tamper == "edit":
        _raw("UPDATE audit_auditentry SET ip = '10.9.9.9' WHERE id = %s", [by_seq[3].pk])
    elif tamper == "delete":
        _raw("DELETE FROM audit_auditentry WHERE id = %s", [by_seq[3].pk])
        expected = 4
    elif tamper == "relink":
        _raw("UPDATE audit_auditentry SET prev_hash = %s WHERE id = %s", [by_seq[1].hash, by_seq[3].pk])
    elif tamper == "swap":
        _raw("UPDATE audit_auditentry SET seq = -1 WHERE id = %s", [by_seq[2].pk])
        _raw("UPDATE audit_auditentry SET seq = 2 WHERE id = %s", [by_seq[3].pk])
        _raw("UPDATE audit_auditentry SET seq = 3 WHERE id = %s", [by_seq[2].pk])
        expected = 2
    elif tamper == "null" and connection.vendor == "sqlite":  # a schema edit could allow it: SQLite only
        _raw("PRAGMA writable_schema = ON")
        _raw(
            "UPDATE sqlite_master SET sql = replace(sql, '\"ip\" varchar(45) NOT NULL', '\"ip\" varchar(45)') "
            "WHERE name = 'audit_auditentry'"
        )
        _raw("PRAGMA schema_version = 1000")  # this connection reads the edited schema again
        _raw("PRAGMA writable_schema = OFF")
        _raw("UPDATE audit_auditentry SET ip = NULL WHERE id = %s", [by_seq[3].pk])
    elif tamper == "null":
        _raw("ALTER TABLE audit_auditentry ALTER COLUMN ip DROP NOT NULL")
        _raw("UPDATE audit_auditentry SET ip = NULL WHERE id = %s", [by_seq[3].pk])
    elif (
        tamper == "split"
    ):  # entry 3's hash column holds its hash and entry 4's, entry 4's none: joined, the same
        if connection.vendor == "postgresql":  # a schema edit lets the column hold 128 characters
            _raw("ALTER TABLE audit_auditentry ALTER COLUMN hash TYPE varchar(128)")
        _raw(
            "UPDATE audit_auditentry SET hash = %s WHERE id = %s",
            [by_seq[3].hash + by_seq[4].hash, by_seq[3].pk],
        )
        _raw("UPDATE audit_auditentry SET hash = '' WHERE id = %s", [by_seq[4].pk])
    placeholder = "?" if connection.vendor == "sqlite" else "%s"  # the driver's own cursor
    sql = hashing.fast_sql("audit_auditentry", connection.vendor, placeholder=placeholder)
    connection.ensure_connection()
    cursor = verification.fast_cursor(connection.connection, "test_fast")
    try:
        run = hashing.check_fast(
            verification._chunks(cursor, sql, [event.pk, 1, 6]),
            chain=event.pk,
            lo=1,
            hi=6,
            mac=audit.entry_macs().v2,  # type: ignore[arg-type]
        )
    finally:
        cursor.close()
    if tamper == "none":
        assert run is not None
        assert (run.count, run.first_seq, run.last_seq, run.last_hash) == (6, 1, 6, by_seq[6].hash)
        assert run.first_prev == audit.GENESIS
        assert verification.verify(in_database=True).ok
        return
    assert run is None
    for in_database in (True, False):
        result = verification.verify(in_database=in_database)
        assert not result.ok
        assert result.seq == expected, result.summary()


def test_a_chain_goes_on_from_alg_1_into_alg_2(
    event: Any, commander: Any, monkeypatch: Any, store: Path, verify: Any
) -> None:
    """A trail written before issue 12 (alg 1) and continued by the new writer (alg 2) in one chain, read in
    ranges of 3 (seqs 1-3 alg 1, 4-6 mixed, 7-9 alg 2): it verifies, from a checkpoint too, and each tampering
    is caught in either part."""
    monkeypatch.setattr(verification, "RANGE_ROWS", 3)
    monkeypatch.setattr(audit, "ENTRY_ALG", audit.ALG_HMAC)
    old = _fill(event, commander, 5)
    checkpoint = _auto_checkpoint()
    monkeypatch.setattr(audit, "ENTRY_ALG", audit.ALG_BLAKE2)
    new = _fill(event, commander, 4, start=5)
    assert [e.alg for e in old + new] == [1] * 5 + [2] * 4
    assert new[0].prev_hash == old[-1].hash
    result = verify()
    assert result.ok, result.summary()
    assert (result.count, result.unkeyed) == (9, {})
    since = verification.verify(checkpoint=checkpoint, full=False)
    assert since.ok, since.summary()
    assert since.count == 5  # the checkpointed head (entry 5, alg 1) and the four after it
    call_command("audit", "verify")
    audit_db.drop_triggers(connection)
    cases: list[tuple[str, list[Any], int, str]] = [
        ("UPDATE audit_auditentry SET object_id = 'x' WHERE id = %s", [old[3].pk], 4, "edited"),
        ("UPDATE audit_auditentry SET object_id = 'x' WHERE id = %s", [new[2].pk], 8, "edited"),
        ("UPDATE audit_auditentry SET alg = 1 WHERE id = %s", [new[0].pk], 6, "edited"),
        ("UPDATE audit_auditentry SET alg = 2 WHERE id = %s", [old[4].pk], 5, "edited"),
        ("UPDATE audit_auditentry SET prev_hash = %s WHERE id = %s", [old[3].hash, new[0].pk], 6, "link"),
    ]
    for sql, params, seq, reason in cases:
        before = list(
            AuditEntry.objects.filter(pk=params[-1]).values_list(*audit.HASHED_FIELDS, "alg", "prev_hash")
        )
        _raw(sql, params)
        result = verify()
        assert not result.ok, sql
        assert (result.seq, reason in result.reason) == (seq, True), result.summary()
        restored = dict(zip([*audit.HASHED_FIELDS, "alg", "prev_hash"], before[0], strict=True))
        AuditEntry.objects.filter(pk=params[-1]).update(**restored)
        assert verify().ok
    _rehash_from(new, 1, alg=audit.ALG_SHA256, action="test.forged")
    result = verify()
    assert (result.ok, result.seq) == (False, 7)
    assert "unkeyed entry after keyed ones" in result.reason


def test_the_joined_digests_are_each_body_s_keyed_blake2b() -> None:
    """``EntryMac2.digests`` (a copy of one keyed hash object per body) gives what hashing each body on its
    own with the key gives; a null body raises TypeError (check_fast then gives up); it pickles by its key."""
    import hashlib
    import pickle

    key = hashing.derive_entry_key_v2("test-key")
    mac = hashing.EntryMac2(key)
    bodies = [b"", b"a", "Chốt \uffff".encode(), b"x" * 300]
    expected = b"".join(hashlib.blake2b(b, key=key, digest_size=32).digest() for b in bodies)
    assert mac.digests(bodies) == expected
    assert mac.digests(bodies[::-1]) != expected
    with pytest.raises(TypeError):
        mac.digests([b"a", None])  # type: ignore[list-item]
    assert pickle.loads(pickle.dumps(mac)).digests(bodies) == expected  # noqa: S301 - our own bytes
