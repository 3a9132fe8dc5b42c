"""``record()`` appends with one statement when the chain's head is where this process left it (PostgreSQL:
a call of ``audit_append``; SQLite: an INSERT guarded by the chain's newest entry), and falls back to
claiming the head and inserting after it when it is not: the entry always links to the entry before it in
the database, whatever this process remembered."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from antt.audit import services as audit
from antt.audit import verification
from antt.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db]


def _write(event: Any, actor: Any, i: int = 0) -> AuditEntry:
    return audit.record(actor=actor, action="test.write", event=event, object_id=str(i), changes={"i": i})


def _stored(event: Any) -> list[tuple[int, str, str]]:
    return list(
        AuditEntry.objects.filter(chain=event.pk).order_by("seq").values_list("seq", "prev_hash", "hash")
    )


def test_an_append_after_this_process_own_entry_is_one_statement(event: Any, commander: Any) -> None:
    first = _write(event, commander)
    with CaptureQueriesContext(connection) as queries:
        second = _write(event, commander, 1)
        third = _write(event, commander, 2)
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert [(e.chain, e.seq) for e in (first, second, third)] == [(event.pk, 1), (event.pk, 2), (event.pk, 3)]
    assert _stored(event) == [(e.seq, e.prev_hash, e.hash) for e in (first, second, third)]
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    result = verification.verify(chain=event.pk)
    assert result.ok, result.summary()


def test_a_head_moved_by_another_writer_is_claimed_and_the_entry_links_to_it(
    event: Any, commander: Any
) -> None:
    first = _write(event, commander)
    remembered = dict(audit._seen)
    second = _write(event, commander, 1)
    audit._seen.clear()
    audit._seen.update(remembered)  # as if another process had written the second entry
    with CaptureQueriesContext(connection) as queries:
        third = _write(event, commander, 2)
    # the guess (PostgreSQL: claims the head, inserts nothing), SQLite: the head read, then the insert after it
    assert len(queries) == (2 if connection.vendor == "postgresql" else 3), [q["sql"] for q in queries]
    assert (third.seq, third.prev_hash) == (3, second.hash)
    assert _stored(event) == [(e.seq, e.prev_hash, e.hash) for e in (first, second, third)]
    assert verification.verify(chain=event.pk).ok


def test_a_remembered_head_with_the_right_seq_but_another_hash_is_not_linked_to(
    event: Any, commander: Any
) -> None:
    first = _write(event, commander)
    audit._seen[event.pk] = (
        first.seq,
        "f" * 64,
    )  # what this process remembers is not what the database holds
    second = _write(event, commander, 1)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert _stored(event) == [(e.seq, e.prev_hash, e.hash) for e in (first, second)]
    assert verification.verify(chain=event.pk).ok


def test_an_entry_rolled_back_is_not_linked_to(event: Any, commander: Any) -> None:
    first = _write(event, commander)
    with transaction.atomic():
        gone = _write(event, commander, 1)
        transaction.set_rollback(True)
    assert audit._seen[event.pk] == (2, gone.hash)  # remembered, but never committed
    second = _write(event, commander, 2)
    assert (second.seq, second.prev_hash) == (2, first.hash)
    assert _stored(event) == [(e.seq, e.prev_hash, e.hash) for e in (first, second)]
    assert verification.verify(chain=event.pk).ok


@pytest.mark.postgres
def test_a_writer_keeps_to_the_lane_it_last_wrote_while_its_head_is_its_own(
    event: Any, commander: Any, monkeypatch: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("lanes are PostgreSQL's (ANTT_DATABASE_URL); SQLite writes the main chain")
    lane = audit.lane_chain(event.pk, 2)
    monkeypatch.setattr(audit, "_lane_candidates", lambda base: [lane] if base == event.pk else [base])
    first = _write(event, commander)
    assert first.chain == lane
    monkeypatch.undo()  # the main chain is free again: this writer still tries its lane first
    second = _write(event, commander, 1)
    assert (second.chain, second.seq, second.prev_hash) == (lane, 2, first.hash)
    assert verification.verify(chain=event.pk).ok
