# mypy: disable-error-code="arg-type, operator"
# (factory_boy types a factory call as the factory, not the model it returns)
"""Concurrent assignments of one officer on PostgreSQL: the officer row lock serialises them, so parallel
requests never create a double booking (no django_db mark here: each thread commits for real)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from antt.core.errors import Conflict
from antt.planning import assignment_services
from antt.planning.models import Assignment


@pytest.mark.postgres
@pytest.mark.usefixtures("audit_flushable")
def test_parallel_assignments_of_one_officer_never_double_book() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("parallel requests are tested on PostgreSQL (ANTT_DATABASE_URL)")
    from antt.core.permissions import Role
    from antt.events.tests.factories import EventFactory, MembershipFactory
    from antt.forces.tests.factories import OfficerFactory, SkillFactory
    from antt.planning.tests.factories import PostFactory

    event = EventFactory(code="parallel-assign")
    planner = MembershipFactory(event=event, role=Role.PLANNER).user
    skill = SkillFactory(event=event, code="checkpoint")
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    posts = [PostFactory(event=event) for _ in range(6)]
    start = event.starts_at + timedelta(hours=8)
    barrier = threading.Barrier(len(posts))
    outcomes: list[str] = []

    def assign(post: object, offset: int) -> None:
        try:
            barrier.wait()
            assignment_services.assign_officer(
                actor=planner,
                post=post,
                officer=officer,
                starts_at=start + timedelta(minutes=offset),
                ends_at=start + timedelta(hours=4, minutes=offset),
                skill=skill,
            )
            outcomes.append("ok")
        except Conflict:
            outcomes.append("conflict")
        except BaseException as exc:  # reported below
            outcomes.append(repr(exc))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=assign, args=(post, 10 * n)) for n, post in enumerate(posts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict"] * (len(posts) - 1) + ["ok"]
    assert Assignment.objects.filter(officer=officer).count() == 1
