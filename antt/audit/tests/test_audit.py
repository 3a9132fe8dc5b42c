"""The audit trail is append-only and tamper-evident: every kind of tampering is caught."""

from __future__ import annotations

import json
from functools import partial
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from antt.audit import checkpoints, verification
from antt.audit import db as audit_db
from antt.audit import services as audit
from antt.audit.models import AuditEntry
from antt.core import context
from antt.core.errors import Invalid

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True, params=[audit.ALG_HMAC, audit.ALG_BLAKE2], ids=["alg1", "alg2"])
def entry_alg(request: Any, monkeypatch: Any) -> int:
    """Every case for both keyed formats: entries as they were written before issue 12 (``alg = 1``, which
    must keep verifying exactly as before) and as they are written now (``alg = 2``)."""
    monkeypatch.setattr(audit, "ENTRY_ALG", request.param)
    return int(request.param)


def _fill(event: Any, actor: Any, n: int = 5) -> list[AuditEntry]:
    return [
        audit.record(
            actor=actor,
            action="test.write",
            event=event,
            object_type="test.thing",
            object_id=str(i),
            changes={"value": [i, i + 1], "name": ["Hội An", "Quảng Nam"]},
        )
        for i in range(n)
    ]


@pytest.fixture(params=["python", "database"])
def verify(request: Any) -> Any:
    """Both ways of verifying: canonical text built in Python, and built by the database (SQLite and
    PostgreSQL)."""
    return partial(verification.verify, in_database=request.param == "database")


def _raw(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def test_record_chains_entries_per_event_and_verify_passes(
    event: Any, other_event: Any, commander: Any, verify: Any
) -> None:
    token = context.client_ip.set("203.0.113.9")
    try:
        first = _fill(event, commander, 3)
        _fill(other_event, commander, 2)
    finally:
        context.client_ip.reset(token)
    assert [e.seq for e in first] == [1, 2, 3]
    assert first[0].prev_hash == audit.GENESIS
    assert first[1].prev_hash == first[0].hash
    assert first[0].ip == "203.0.113.9"
    assert first[0].actor_name == commander.username
    result = verify()
    assert result.ok, result.summary()
    assert result.count == 5
    assert verify(chain=event.pk).count == 3


def test_database_refuses_update_and_delete(event: Any, commander: Any) -> None:
    entry = _fill(event, commander, 1)[0]
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.write"


def test_editing_a_field_is_caught(event: Any, commander: Any, verify: Any) -> None:
    entries = _fill(event, commander)
    audit_db.drop_triggers(connection)
    _raw("UPDATE audit_auditentry SET changes = %s WHERE id = %s", ['{"value":[0,99]}', entries[2].pk])
    result = verify()
    assert not result.ok
    assert (result.seq, result.entry_id) == (3, entries[2].pk)
    assert "edited" in result.reason


def test_deleting_a_row_is_caught(event: Any, commander: Any, verify: Any) -> None:
    entries = _fill(event, commander)
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    result = verify()
    assert not result.ok
    assert result.seq == 3
    assert "gap" in result.reason


def test_swapping_two_rows_is_caught(event: Any, commander: Any, verify: Any) -> None:
    entries = _fill(event, commander)
    audit_db.drop_triggers(connection)
    a, b = entries[1].pk, entries[3].pk
    _raw("UPDATE audit_auditentry SET seq = -1 WHERE id = %s", [a])
    _raw("UPDATE audit_auditentry SET seq = 2 WHERE id = %s", [b])
    _raw("UPDATE audit_auditentry SET seq = 4 WHERE id = %s", [a])
    result = verify()
    assert not result.ok
    assert result.seq == 2
    assert "link" in result.reason


def test_rehashing_an_edited_entry_still_breaks_the_next_link(
    event: Any, commander: Any, verify: Any
) -> None:
    entries = _fill(event, commander)
    audit_db.drop_triggers(connection)
    forged = {f: getattr(entries[1], f) for f in audit.HASHED_FIELDS}
    forged["action"] = "test.forged"
    # even someone who holds the audit key and re-hashes the edited entry breaks the next link
    key = audit.entry_key() if entries[1].alg == audit.ALG_HMAC else audit.entry_key_v2()
    digest = audit.entry_digest(entries[1].prev_hash, forged, key=key, alg=entries[1].alg)
    _raw(
        "UPDATE audit_auditentry SET action = %s, hash = %s WHERE id = %s",
        ["test.forged", digest, entries[1].pk],
    )
    result = verify()
    assert not result.ok
    assert result.seq == 3


def test_truncating_the_tail_is_caught_only_with_a_checkpoint(
    event: Any, commander: Any, tmp_path: Any, verify: Any
) -> None:
    entries = _fill(event, commander)
    out = tmp_path / "head.json"
    call_command("audit", "checkpoint", "--out", str(out))
    checkpoint = json.loads(out.read_text())
    assert checkpoint["count"] == 5
    audit_db.drop_triggers(connection)
    _raw("DELETE FROM audit_auditentry WHERE id IN (%s, %s)", [entries[3].pk, entries[4].pk])
    assert verify().ok  # a shortened chain is still a valid chain…
    result = verify(checkpoint=checkpoints.load_checkpoint(checkpoint))
    assert not result.ok  # …but not the one the checkpoint saw
    assert "removed from the end" in result.reason


def test_checkpoint_with_a_changed_signature_is_refused(event: Any, commander: Any) -> None:
    _fill(event, commander, 2)
    checkpoint = checkpoints.make_checkpoint()
    checkpoint["count"] = 1
    with pytest.raises(Invalid, match="signature"):
        checkpoints.load_checkpoint(checkpoint)


def test_checkpoint_needs_an_audit_key(event: Any, commander: Any, settings: Any) -> None:
    settings.AUDIT_KEY = ""
    with pytest.raises(Invalid, match="ANTT_AUDIT_KEY"):
        checkpoints.make_checkpoint()


def test_cli_verify_prints_ok_and_fails_with_exit_1_when_broken(
    event: Any, commander: Any, capsys: Any
) -> None:
    entries = _fill(event, commander, 3)
    call_command("audit", "verify", "--event", event.code)
    assert "OK: 3 audit entries" in capsys.readouterr().out
    audit_db.drop_triggers(connection)
    _raw("UPDATE audit_auditentry SET actor_name = 'someone-else' WHERE id = %s", [entries[0].pk])
    with pytest.raises(CommandError) as info:
        call_command("audit", "verify")
    assert info.value.returncode == 1
    assert "entry 1" in str(info.value)


def test_cli_verify_unknown_event_and_bad_checkpoint_file(event: Any, tmp_path: Any) -> None:
    with pytest.raises(CommandError, match="No event with the code nope") as info:
        call_command("audit", "verify", "--event", "nope")
    assert info.value.returncode == 2
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(CommandError, match="not a JSON checkpoint"):
        call_command("audit", "verify", "--checkpoint", str(bad))


def test_a_service_write_and_its_audit_entry_roll_back_together(event: Any, commander: Any) -> None:
    from antt.events import services

    before = AuditEntry.objects.count()
    membership = event.memberships.get(user=commander)
    with pytest.raises(Exception, match="at least one active commander"):
        services.change_member(actor=commander, membership=membership, role="planner")
    assert AuditEntry.objects.count() == before
    assert event.memberships.get(user=commander).role == "commander"


def test_canonical_entry_is_standard_canonical_json() -> None:
    """Anyone can re-check the chain with a standard JSON library: our fast writer gives the same bytes."""
    from datetime import UTC, datetime

    values: dict[str, Any] = {
        "chain": 3,
        "seq": 41,
        "created_at": datetime(2026, 11, 23, 1, 2, 3, 4, tzinfo=UTC),
        "actor_id": None,
        "actor_name": 'Trần "Lan"',
        "event_id": 3,
        "action": "planning.assign",
        "object_type": "planning.post",
        "object_id": "17",
        "object_repr": "Chốt\tHội An\n\\ ✓",
        "changes": '{"a":[1,2]}',
        "ip": "",
        "request_id": "r",
    }
    expected = json.dumps(
        {**values, "created_at": "2026-11-23T01:02:03.000004Z"},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert audit.canonical_entry(*(values[name] for name in audit.HASHED_FIELDS)) == expected
    assert (
        audit.canonical_entry(
            *({**values, "created_at": "2026-11-23 01:02:03.000004"}[name] for name in audit.HASHED_FIELDS)
        )
        == expected
    )
