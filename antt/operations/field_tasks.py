"""Background wrappers of the field side (run daily by the scheduler or cron: ``antt shell -c`` or a worker)."""

from __future__ import annotations

from django_tasks import task

from antt.operations import field_services, idempotency


@task()
def purge_positions() -> int:
    """Delete positions past the retention period (``ANTT_POSITION_RETENTION_DAYS``)."""
    return field_services.purge_positions()


@task()
def purge_idempotency_keys() -> int:
    """Delete stored Idempotency-Key answers older than three days."""
    return idempotency.purge()
