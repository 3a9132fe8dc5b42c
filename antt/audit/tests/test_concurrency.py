"""Concurrent writers on PostgreSQL: the chain is serialised, never forked (no django_db mark here)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from antt.audit import services as audit
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
    seqs = list(AuditEntry.objects.filter(chain=event.pk).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, writers * per_writer + 1))
    assert audit.verify(chain=event.pk).ok
