"""Whoever holds the database but not the audit key cannot shorten or rewrite the trail unseen.

Each test is one way around the trail that verified cleanly before entries were keyed and checkpoints
were kept outside the database (security finding "audit trail can be shortened or rewritten").
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from antt.audit import chain as hashing
from antt.audit import checkpoints, verification
from antt.audit import db as audit_db
from antt.audit import services as audit
from antt.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True, params=[audit.ALG_HMAC, audit.ALG_BLAKE2], ids=["alg1", "alg2"])
def entry_alg(request: Any, monkeypatch: Any) -> int:
    """Every tamper case for both keyed formats: entries as they were written before issue 12 (``alg = 1``,
    which must keep verifying exactly as before) and as they are written now (``alg = 2``)."""
    monkeypatch.setattr(audit, "ENTRY_ALG", request.param)
    return int(request.param)


def _fill(event: Any, actor: Any, n: int = 5, start: int = 0) -> list[AuditEntry]:
    return [
        audit.record(
            actor=actor,
            action="test.write",
            event=event,
            object_type="test.thing",
            object_id=str(i),
            changes={"value": [i, i + 1], "name": ["Hội An", "Quảng Nam"]},
        )
        for i in range(start, start + n)
    ]


def _raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@pytest.fixture(params=["python", "database"])
def verify(request: Any) -> Any:
    return partial(verification.verify, in_database=request.param == "database")


@pytest.fixture
def store(settings: Any, tmp_path: Path) -> Path:
    """A checkpoint directory, as a deployment configures it."""
    settings.AUDIT_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return Path(settings.AUDIT_CHECKPOINT_DIR)


def _auto_checkpoint() -> dict[str, Any]:
    call_command("audit", "checkpoint", "--auto")
    found = checkpoints.newest()
    assert found is not None
    return found[1]


def _cli_verify(*args: str) -> CommandError:
    with pytest.raises(CommandError) as info:
        call_command("audit", "verify", *args)
    return info.value


def _plain_sha256(prev: str, entry: AuditEntry, alg: int = audit.ALG_SHA256, **changed: Any) -> str:
    """What an attacker without the key can compute for the (edited) entry: the unkeyed hash of its format
    (plain SHA-256 of the canonical JSON for ``alg`` 0 and 1; for ``alg = 2``, BLAKE2b-256 of the body
    without the key, or with a key of their own: neither verifies)."""
    values = {f: getattr(entry, f) for f in audit.HASHED_FIELDS} | changed
    fields = [values[f] for f in audit.HASHED_FIELDS]
    if alg == audit.ALG_BLAKE2:
        return hashlib.blake2b(hashing.body_v2(prev, *fields).encode(), digest_size=32).hexdigest()
    return hashlib.sha256((prev + audit.canonical_entry(*fields)).encode()).hexdigest()


def _rehash_from(entries: list[AuditEntry], index: int, *, alg: int | None = None, **changed: Any) -> None:
    """Edit ``entries[index]`` and re-chain it and every entry after it without the key (``_plain_sha256``;
    as ``alg`` when given, else each entry's own format)."""
    prev = entries[index].prev_hash
    for i, entry in enumerate(entries[index:]):
        edit = changed if i == 0 else {}
        digest = _plain_sha256(prev, entry, entry.alg if alg is None else alg, **edit)
        sets = ", ".join([*(f"{k} = %s" for k in edit), "prev_hash = %s", "hash = %s"])
        params = [*edit.values(), prev, digest]
        if alg is not None:
            sets += ", alg = %s"
            params.append(alg)
        _raw(f"UPDATE audit_auditentry SET {sets} WHERE id = %s", [*params, entry.pk])
        prev = digest


# --- keyed entries ----------------------------------------------------------------------------------------


def test_new_entries_are_keyed_and_the_key_is_not_in_the_database(
    event: Any, commander: Any, entry_alg: int
) -> None:
    entry = _fill(event, commander, 1)[0]
    assert entry.alg == entry_alg
    fields = [getattr(entry, f) for f in audit.HASHED_FIELDS]
    if entry_alg == audit.ALG_BLAKE2:  # as docs/operations.md defines it, with the standard library alone
        key = hmac.new(b"test-only-audit-key", b"antt.audit.entry-key.v2", hashlib.sha256).digest()
        stamp = entry.created_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        texts = [
            entry.prev_hash,
            str(entry.chain),
            str(entry.seq),
            stamp,
            str(commander.pk),
            commander.username,
        ]
        texts += [
            str(event.pk),
            "test.write",
            "test.thing",
            "0",
            "",
            entry.changes,
            entry.ip,
            entry.request_id,
        ]
        body = "\uffff".join(texts).encode()
        assert body == hashing.body_v2(entry.prev_hash, *fields).encode()
        assert entry.hash == hashlib.blake2b(body, key=key, digest_size=32).hexdigest()
        assert entry.hash != hashlib.blake2b(body, digest_size=32).hexdigest()
        return
    body_text = entry.prev_hash + audit.canonical_entry(*fields)
    inner = hashlib.sha256(body_text.encode()).digest()
    key = hmac.new(b"test-only-audit-key", b"antt.audit.entry-key.v1", hashlib.sha256).digest()
    assert entry.hash == hmac.new(key, inner, hashlib.sha256).hexdigest()
    assert entry.hash != inner.hex()


def test_the_fast_mac_gives_the_same_bytes_as_hmac() -> None:
    for key in [b"k", b"x" * 32, b"y" * 64, b"z" * 100]:
        message = hashlib.sha256(b"entry").digest()
        assert hashing.EntryMac(key).hexdigest(message) == hmac.new(key, message, "sha256").hexdigest()


def test_editing_an_entry_and_rehashing_the_rest_without_the_key_is_caught(
    event: Any, commander: Any, verify: Any
) -> None:
    entries = _fill(event, commander)
    audit_db.drop_triggers(connection)
    _rehash_from(entries, 2, action="test.forged")
    result = verify()
    assert not result.ok
    assert (result.seq, result.entry_id) == (3, entries[2].pk)
    assert "edited" in result.reason


@pytest.mark.parametrize(
    ("column", "written"),
    [
        ("object_repr", "object_repr || char(0) || ' (forged)'"),
        ("changes", "changes || char(0) || '{}'"),
        ("prev_hash", "prev_hash || char(0)"),
        ("actor_id", "CAST(actor_id AS TEXT) || char(0) || '9'"),
        ("actor_id", "CAST(actor_id AS TEXT) || ' (forged)'"),
    ],
    ids=["nul-text", "nul-changes", "nul-prev", "nul-id", "text-id"],
)
def test_text_hidden_behind_a_nul_or_written_over_an_id_is_caught(
    event: Any, commander: Any, verify: Any, column: str, written: str
) -> None:
    """SQLite only (PostgreSQL text cannot hold a NUL, nor an integer column text): its ``printf`` stops at
    a NUL and ``CAST('7x' AS INTEGER)`` is 7, so a body built from such a row was the entry's old body."""
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores a NUL inside a text, or a text in an integer column")
    entries = _fill(event, commander)
    audit_db.drop_triggers(connection)
    _raw(f"UPDATE audit_auditentry SET {column} = {written} WHERE id = %s", [entries[2].pk])
    result = verify()
    assert not result.ok
    assert (result.seq, result.entry_id) == (3, entries[2].pk), result.summary()


def test_rehashing_the_rest_as_unkeyed_entries_is_caught(event: Any, commander: Any, verify: Any) -> None:
    entries = _fill(event, commander)
    audit_db.drop_triggers(connection)
    _rehash_from(entries, 2, alg=audit.ALG_SHA256, action="test.forged")
    result = verify()
    assert not result.ok
    assert result.seq == 3
    assert "unkeyed entry after keyed ones" in result.reason


def test_rewriting_a_whole_chain_as_unkeyed_entries_is_caught_by_the_checkpoint(
    event: Any, commander: Any, store: Path
) -> None:
    entries = _fill(event, commander)
    _auto_checkpoint()
    audit_db.drop_triggers(connection)
    _rehash_from(entries, 0, alg=audit.ALG_SHA256, action="test.forged")
    assert verification.verify(full=True).ok  # a consistent unkeyed chain, on its own…
    error = _cli_verify()
    assert error.returncode == 1  # …but not the keyed one the checkpoint saw
    assert "differs from the one recorded in the checkpoint" in str(error)


def test_a_forged_unkeyed_chain_after_the_checkpoint_is_caught(
    event: Any, other_event: Any, commander: Any, store: Path
) -> None:
    _fill(event, commander, 2)
    _auto_checkpoint()
    forged = _fill(other_event, commander, 2)
    audit_db.drop_triggers(connection)
    _rehash_from(forged, 0, alg=audit.ALG_SHA256)
    error = _cli_verify("--full")
    assert error.returncode == 1
    assert "switch to keyed entries" in str(error)


def test_appending_a_forged_entry_is_caught(event: Any, commander: Any, verify: Any) -> None:
    entries = _fill(event, commander, 3)
    last = entries[-1]
    cases = [
        (audit.ALG_HMAC, "edited"),
        (audit.ALG_BLAKE2, "edited"),
        (audit.ALG_SHA256, "unkeyed entry after keyed ones"),
    ]
    for alg, reason in cases:
        values = {f: getattr(last, f) for f in audit.HASHED_FIELDS} | {"seq": 4, "action": "test.forged"}
        AuditEntry.objects.create(
            prev_hash=last.hash, hash=_plain_sha256(last.hash, last, alg, **values), alg=alg, **values
        )
        result = verify()
        assert not result.ok
        assert result.seq == 4
        assert reason in result.reason
        audit_db.drop_triggers(connection)
        AuditEntry.objects.filter(seq=4, chain=last.chain).delete()
        audit_db.install_triggers(connection)


def test_old_unkeyed_entries_still_verify_and_the_switch_is_recorded(
    event: Any, commander: Any, settings: Any, store: Path, verify: Any, entry_alg: int
) -> None:
    key = settings.AUDIT_KEY
    settings.AUDIT_KEY = ""
    old = _fill(event, commander, 3)
    assert {e.alg for e in old} == {audit.ALG_SHA256}
    settings.AUDIT_KEY = key
    new = _fill(event, commander, 2, start=3)
    assert {e.alg for e in new} == {entry_alg}
    assert new[0].prev_hash == old[-1].hash
    result = verify()
    assert result.ok, result.summary()
    assert result.unkeyed == {event.pk: 3}
    checkpoint = _auto_checkpoint()
    assert checkpoint["unkeyed"] == {str(event.pk): 3}
    call_command("audit", "verify", "--full")


def test_verifying_keyed_entries_needs_the_key(event: Any, commander: Any, settings: Any) -> None:
    _fill(event, commander, 1)
    settings.AUDIT_KEY = ""
    error = _cli_verify()
    assert error.returncode == 2
    assert "ANTT_AUDIT_KEY" in str(error)


# --- checkpoints outside the database ------------------------------------------------------------------------


def test_cutting_the_tail_is_caught_by_the_automatic_checkpoint(
    event: Any, commander: Any, store: Path
) -> None:
    entries = _fill(event, commander)
    _auto_checkpoint()
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE id IN (%s, %s)", [entries[3].pk, entries[4].pk])
    error = _cli_verify()
    assert error.returncode == 1
    assert "removed from the end" in str(error)


def test_deleting_a_whole_events_chain_is_caught(
    event: Any, other_event: Any, commander: Any, store: Path
) -> None:
    _fill(event, commander, 3)
    _fill(other_event, commander, 2)
    _auto_checkpoint()
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE chain = %s", [other_event.pk])
    error = _cli_verify()
    assert error.returncode == 1
    assert f"chain {other_event.pk}" in str(error)
    assert "the chain is gone" in str(error)
    assert _cli_verify("--full").returncode == 1


def test_emptying_the_table_is_caught(event: Any, commander: Any, store: Path) -> None:
    _fill(event, commander, 3)
    _auto_checkpoint()
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry")
    error = _cli_verify()
    assert error.returncode == 1
    assert "the chain is gone" in str(error)


def test_a_new_checkpoint_never_seals_a_tampered_trail(event: Any, commander: Any, store: Path) -> None:
    entries = _fill(event, commander, 4)
    _auto_checkpoint()
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[3].pk])
    with pytest.raises(CommandError, match="removed from the end"):
        call_command("audit", "checkpoint", "--auto")
    assert len(list(store.iterdir())) == 1


def test_verify_starts_from_the_newest_checkpoint_and_full_rehashes_everything(
    event: Any, commander: Any, store: Path, capsys: Any
) -> None:
    entries = _fill(event, commander, 4)
    _auto_checkpoint()
    _fill(event, commander, 2, start=4)
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert "OK: 3 audit entries after the checkpoint" in out  # the checkpointed head and the two after it
    audit_db.drop_triggers(connection)
    _raw("UPDATE audit_auditentry SET action = 'test.forged' WHERE id = %s", [entries[0].pk])
    error = _cli_verify("--full")
    assert error.returncode == 1
    assert "entry 1 " in str(error)


def test_verify_warns_and_exits_3_without_a_recent_checkpoint(
    event: Any, commander: Any, store: Path, capsys: Any
) -> None:
    _fill(event, commander, 2)
    error = _cli_verify()
    assert error.returncode == 3
    assert "no checkpoint in" in capsys.readouterr().err
    checkpoints.write(now=datetime(2020, 1, 1, tzinfo=UTC))
    error = _cli_verify()
    assert error.returncode == 3
    assert "older than 26" in str(error)


def test_a_changed_checkpoint_in_the_store_fails_verify(event: Any, commander: Any, store: Path) -> None:
    _fill(event, commander, 2)
    _auto_checkpoint()
    (path,) = store.iterdir()
    data = json.loads(path.read_text())
    data["chains"] = {}
    path.write_text(json.dumps(data))
    error = _cli_verify()
    assert error.returncode == 1
    assert "signature" in str(error)


def test_checkpoints_rotate_by_count_and_by_age(
    event: Any, commander: Any, store: Path, settings: Any
) -> None:
    settings.AUDIT_CHECKPOINT_KEEP = 3
    settings.AUDIT_CHECKPOINT_KEEP_DAYS = 10
    _fill(event, commander, 1)
    for day in range(5):
        checkpoints.write(now=T0 + timedelta(days=day))
    assert [p.name[17:25] for p in sorted(store.iterdir())] == ["20261125", "20261126", "20261127"]
    checkpoints.write(now=T0 + timedelta(days=13.5))  # the 25th and 26th are now more than 10 days old
    assert [p.name[17:25] for p in sorted(store.iterdir())] == ["20261127", "20261206"]
    checkpoints.write(now=T0 + timedelta(days=60))
    assert [p.name[17:25] for p in sorted(store.iterdir())] == ["20270122"]


# --- verification in ranges ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tamper",
    ["delete_edge", "delete_range", "edit_edge", "relink_edge", "swap_edges", "downgrade_edge"],
)
def test_every_tampering_at_a_range_edge_is_caught(
    event: Any, commander: Any, monkeypatch: Any, tamper: str, verify: Any
) -> None:
    """Ranges of 3 rows: seqs 1-3, 4-6, 7-9; the stitch must catch what no single range sees."""
    monkeypatch.setattr(verification, "RANGE_ROWS", 3)
    entries = _fill(event, commander, 9)
    assert verify().ok
    audit_db.drop_triggers(connection)
    by_seq = {e.seq: e for e in entries}
    expected = 4
    if tamper == "delete_edge":
        _raw("DELETE FROM audit_auditentry WHERE id = %s", [by_seq[3].pk])
    elif tamper == "delete_range":
        _raw(
            "DELETE FROM audit_auditentry WHERE id IN (%s, %s, %s)",
            [by_seq[4].pk, by_seq[5].pk, by_seq[6].pk],
        )
        expected = 7
    elif tamper == "edit_edge":
        _raw("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [by_seq[4].pk])
    elif tamper == "relink_edge":
        _raw("UPDATE audit_auditentry SET prev_hash = %s WHERE id = %s", [audit.GENESIS, by_seq[4].pk])
    elif tamper == "swap_edges":
        _raw("UPDATE audit_auditentry SET seq = -1 WHERE id = %s", [by_seq[3].pk])
        _raw("UPDATE audit_auditentry SET seq = 3 WHERE id = %s", [by_seq[4].pk])
        _raw("UPDATE audit_auditentry SET seq = 4 WHERE id = %s", [by_seq[3].pk])
        expected = 3
    else:
        _rehash_from(entries[3:], 0, alg=audit.ALG_SHA256)
    result = verify()
    assert not result.ok
    assert result.seq == expected, result.summary()


def test_the_database_builds_the_same_canonical_text_as_python(event: Any, commander: Any) -> None:
    audit.record(
        actor=commander,
        action="test.text",
        event=event,
        object_repr='Chốt\t"Hội An"\n\\ ✓ \x01\x1f\x7f\u2028 😀 </script>',
        changes={"note": ["a\u0000b", "\b\f\r"]},
    )
    assert verification.verify(in_database=True).ok
    assert verification.verify(in_database=False).ok


def test_a_checkpoint_made_from_a_version_1_checkpoint_records_the_switch(
    event: Any, commander: Any, settings: Any, store: Path
) -> None:
    key = settings.AUDIT_KEY
    settings.AUDIT_KEY = ""
    _fill(event, commander, 2)
    settings.AUDIT_KEY = key
    _fill(event, commander, 1, start=2)
    old = checkpoints.make_checkpoint(now=T0)
    del old["unkeyed"], old["signature"]
    old["version"] = 1
    old["signature"] = checkpoints._sign(old, key)
    store.mkdir()
    (store / "audit-checkpoint-20261123T080000000000Z.json").write_text(json.dumps(old))
    _fill(event, commander, 1, start=3)
    checkpoints.write(now=T0 + timedelta(hours=1))
    assert checkpoints.newest() is not None
    assert checkpoints.newest()[1]["unkeyed"] == {str(event.pk): 2}  # type: ignore[index]
    call_command("audit", "verify", "--full", "--checkpoint", str(sorted(store.iterdir())[-1]))


# --- lanes and their anchors in the main chain ------------------------------------------------------------


@pytest.fixture
def in_lane(monkeypatch: Any, event: Any) -> int:
    """New entries of ``event`` go to its lane 1 (as they do on PostgreSQL while another writer holds the
    main chain); its head is anchored in the main chain at its first entry and every 3 entries."""
    lane = audit.lane_chain(event.pk, 1)
    monkeypatch.setattr(audit, "_lane_candidates", lambda base: [lane] if base == event.pk else [base])
    monkeypatch.setattr(audit, "ANCHOR_EVERY", 3)
    return lane


def _anchors(event: Any) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(chain=event.pk, action=audit.ANCHOR_ACTION).order_by("seq"))


def test_lane_entries_are_anchored_in_the_main_chain_and_verify(
    event: Any, commander: Any, in_lane: int, verify: Any
) -> None:
    entries = _fill(event, commander, 7)
    assert {e.chain for e in entries} == {in_lane}
    assert [e.seq for e in entries] == list(range(1, 8))
    assert [a.object_id for a in _anchors(event)] == [f"{in_lane}:1", f"{in_lane}:3", f"{in_lane}:6"]
    assert _anchors(event)[-1].object_repr == entries[5].hash
    result = verify(chain=event.pk)
    assert result.ok, result.summary()
    assert result.count == 7 + 3
    assert set(result.chains) == {event.pk, in_lane}


def test_cutting_a_lane_below_its_anchor_is_caught_without_a_checkpoint(
    event: Any, commander: Any, in_lane: int, verify: Any
) -> None:
    _fill(event, commander, 7)
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE chain = %s AND seq >= 5", [in_lane])
    result = verify()
    assert not result.ok
    assert (result.chain, result.seq) == (event.pk, _anchors(event)[-1].seq)
    assert "lane" in result.reason
    assert "missing" in result.reason


def test_deleting_a_whole_lane_is_caught(event: Any, commander: Any, in_lane: int, verify: Any) -> None:
    _fill(event, commander, 4)
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE chain = %s", [in_lane])
    result = verify(chain=event.pk)
    assert not result.ok
    assert result.seq == _anchors(event)[0].seq
    assert "missing" in result.reason


def test_rehashing_an_anchored_lane_entry_without_the_key_is_caught(
    event: Any, commander: Any, in_lane: int, verify: Any
) -> None:
    entries = _fill(event, commander, 4)
    audit_db.drop_triggers(connection)
    _rehash_from(entries, 2, alg=audit.ALG_SHA256, action="test.forged")
    result = verify()
    assert not result.ok
    assert (result.chain, result.seq) == (in_lane, 3)


def test_pointing_an_anchor_elsewhere_breaks_the_main_chain(
    event: Any, commander: Any, in_lane: int, verify: Any
) -> None:
    entries = _fill(event, commander, 4)
    anchor = _anchors(event)[-1]
    audit_db.drop_triggers(connection)
    _raw("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", [entries[0].hash, anchor.pk])
    result = verify()
    assert not result.ok
    assert (result.chain, result.seq, result.entry_id) == (event.pk, anchor.seq, anchor.pk)


def test_the_trail_page_lists_lane_entries_without_the_anchors(
    event: Any, commander: Any, in_lane: int
) -> None:
    from antt.audit import queries

    entries = _fill(event, commander, 4)
    listed = list(queries.entries_for(commander, event))
    assert [e.pk for e in listed] == [e.pk for e in reversed(entries)]


def test_a_checkpoint_holds_the_lanes_and_catches_a_cut_lane_tail(
    event: Any, commander: Any, in_lane: int, store: Path
) -> None:
    _fill(event, commander, 5)  # anchored at 1 and 3: entries 4-5 are only in the checkpoint
    checkpoint = _auto_checkpoint()
    assert checkpoint["chains"][str(in_lane)][0] == 5
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE chain = %s AND seq = 5", [in_lane])
    assert verification.verify().ok  # the anchors cover up to entry 3 only…
    error = _cli_verify()
    assert "missing" in str(error)  # …the checkpoint outside the database covers the rest
