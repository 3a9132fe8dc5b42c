# mypy: disable-error-code="arg-type, operator, union-attr"
"""Parallel edits of one plan on PostgreSQL: the plan row lock serialises them, so each edit from
version 1 either writes version 2 or is refused; never two versions 2, never a lost update (no django_db
mark here: each thread commits for real)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from antt.core.errors import Conflict
from antt.plans import services
from antt.plans.models import PlanVersion


@pytest.mark.postgres
@pytest.mark.usefixtures("audit_flushable")
def test_parallel_edits_from_one_version_write_one_new_version() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel requests are tested on PostgreSQL (ANTT_DATABASE_URL)")
    from antt.core.permissions import Role
    from antt.events.tests.factories import EventFactory, MembershipFactory
    from antt.plans.tests.factories import make_plan

    event = EventFactory(code="parallel-plans")
    planners = [MembershipFactory(event=event, role=Role.PLANNER).user for _ in range(5)]
    plan = make_plan(planners[0], event)
    barrier = threading.Barrier(len(planners))
    outcomes: list[str] = []

    def edit(actor: object, n: int) -> None:
        try:
            barrier.wait()
            services.edit_plan(actor=actor, plan=plan, base_number=1, body_vi=f"Bản sửa số {n}")
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except BaseException as exc:  # reported below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(actor, n)) for n, actor in enumerate(planners)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * (len(planners) - 1) + ["ok"]
    assert list(PlanVersion.objects.filter(plan=plan).values_list("number", flat=True)) == [1, 2]
