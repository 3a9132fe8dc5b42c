"""Background wrappers of the field side (a worker runs them; ``antt field_purge`` runs both from cron or a systemd timer)."""

from __future__ import annotations

from django_tasks import task

from antt.operations import field_positions, idempotency


@task()
def purge_positions() -> int:
    """Delete positions past the retention period (``ANTT_POSITION_RETENTION_DAYS``)."""
    return field_positions.purge_positions()


@task()
def purge_idempotency_keys() -> int:
    """Delete stored Idempotency-Key answers older than three days."""
    return idempotency.purge()
