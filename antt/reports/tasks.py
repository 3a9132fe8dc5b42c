"""Background wrappers: arguments are ids; the task calls the service."""

from __future__ import annotations

from django_tasks import task

from antt.reports import services


@task()
def build_iap(version_id: int) -> str:
    """Build IAP version ``version_id`` (progress and outcome are written to its row)."""
    return services.execute_build(version_id)


@task()
def finalize_iap(version_id: int) -> str:
    """Render approved IAP version ``version_id``'s PDF without the draft marking."""
    return services.execute_finalize(version_id)
