"""Background wrappers: arguments are ids; the task calls the service."""

from __future__ import annotations

from django_tasks import task

from antt.rostering import services


@task()
def run_solver(run_id: int) -> str:
    """Run the queued solver run ``run_id`` (progress and outcome are written to its row)."""
    return services.execute_run(run_id)
