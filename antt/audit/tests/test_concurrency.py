"""Concurrent writers on PostgreSQL: each chain of the event (its main chain and the lanes writers spill
into) is serialised, never forked, and every lane is anchored in the main chain (no django_db mark here)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from antt.audit import services as audit
from antt.audit import verification
from antt.audit.models import AuditEntry


@pytest.mark.postgres
@pytest.mark.usefixtures("audit_flushable")
def test_parallel_writers_never_fork_the_chain() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel writers are tested on PostgreSQL (ANTT_DATABASE_URL)")
    from antt.events.tests.factories import EventFactory

    event = EventFactory(code="parallel")
    writers, per_writer = 8, 25
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write() -> None:
        try:
            barrier.wait()
            for i in range(per_writer):
                with transaction.atomic():
                    audit.record(actor=None, action="test.parallel", event=event, object_id=str(i))
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write) for _ in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = AuditEntry.objects.filter(chain__in=audit.chain_ids(event.pk)).exclude(action=audit.ANCHOR_ACTION)
    assert rows.count() == writers * per_writer
    by_chain: dict[int, list[int]] = {}
    for chain, seq in (
        AuditEntry.objects.filter(chain__in=audit.chain_ids(event.pk))
        .order_by("chain", "seq")
        .values_list("chain", "seq")
    ):
        by_chain.setdefault(chain, []).append(seq)
    for seqs in by_chain.values():
        assert seqs == list(range(1, len(seqs) + 1))
    lanes = {chain for chain in by_chain if chain != event.pk}
    anchored = set(
        AuditEntry.objects.filter(chain=event.pk, action=audit.ANCHOR_ACTION).values_list(
            "object_id", flat=True
        )
    )
    assert {f"{lane}:1" for lane in lanes} <= anchored
    result = verification.verify(chain=event.pk)
    assert result.ok, result.summary()
