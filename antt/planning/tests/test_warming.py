"""A server worker warms its live coverage index at start (the ASGI lifespan), in a background thread, for
the open events with a plan version; the setting switches it off; requests that arrive during the build
wait for it and are served from it (one build, not two)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections

from antt.events.models import Event
from antt.events.tests.factories import EventFactory
from antt.forces.tests.factories import OfficerFactory
from antt.planning import assignment_services, live_coverage, versions, warming
from antt.planning.tests.factories import RequirementFactory


@pytest.fixture(autouse=True)
def _fresh() -> Iterator[None]:
    live_coverage.forget()
    warming._thread = None
    yield
    live_coverage.forget()
    warming._thread = None


def _gap(planner: Any, event: Any) -> Any:
    """A post needing two officers, one assigned through the audited service (the event gets a plan
    version): one uncovered finding."""
    requirement: Any = RequirementFactory(event=event, headcount=2)
    officer: Any = OfficerFactory(event=event, skills=["checkpoint"])
    return assignment_services.assign_officer(
        actor=planner,
        post=requirement.post,
        officer=officer,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
        skill=requirement.skill,
        requirement=requirement,
    )


def test_the_open_events_with_a_plan_version_are_warmed_active_first(event: Any) -> None:
    later = EventFactory(code="later-planning", starts_at=event.starts_at + timedelta(days=30))
    active = EventFactory(code="running-now", status=Event.Status.ACTIVE)
    closed = EventFactory(code="long-closed", status=Event.Status.CLOSED)
    EventFactory(code="no-plan-yet", starts_at=event.starts_at + timedelta(days=60))
    for each in (event, later, active, closed):
        versions.bump(each)
    assert live_coverage.EVENTS == 2
    assert [e.code for e in warming.events_to_warm()] == ["running-now", "later-planning"]


def test_warming_builds_the_index_and_what_the_board_and_the_api_derive(
    as_user: Any, planner: Any, event: Any
) -> None:
    _gap(planner, event)
    assert warming.warm() == [event.code]
    held = live_coverage.held(event.pk)
    assert held is not None
    assert held.version == versions.current(event)
    snap = held.current_snapshot()
    derived = {key[1][0] for key in snap.derived if isinstance(key, tuple) and key[0] == "per finding"}
    assert derived == {"api json"}
    orders = {key[1] for key in snap.derived if isinstance(key, tuple) and key[0] == "board"}
    assert orders == {False, True}  # the board's order in Vietnamese and in English
    builds = live_coverage.stats.builds
    client = as_user(planner)
    for lang in ("vi", "en"):
        response = client.get(f"/api/v1/events/{event.code}/coverage", HTTP_ACCEPT_LANGUAGE=lang)
        assert response.json()["counts"] == {"uncovered": 1}
        assert client.get(f"/events/{event.code}/gaps/", HTTP_ACCEPT_LANGUAGE=lang).status_code == 200
    assert live_coverage.stats.builds == builds  # the requests were served from the warmed index


def test_warming_is_off_when_the_setting_says_so(settings: Any) -> None:
    settings.COVERAGE_WARM_AT_START = False
    assert warming.start() is None


@pytest.mark.django_db
def test_the_asgi_startup_starts_warming_once(settings: Any, monkeypatch: Any) -> None:
    from antt.asgi import application

    settings.COVERAGE_WARM_AT_START = True
    warmed: list[str] = []

    def warm() -> list[str]:
        warmed.append("warmed")
        return []

    monkeypatch.setattr(warming, "warm", warm)

    async def lifespan() -> None:
        messages = [{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}]

        async def receive() -> dict[str, Any]:
            return messages.pop(0)

        async def send(message: dict[str, Any]) -> None:
            pass

        await application({"type": "lifespan"}, receive, send)

    asyncio.run(lifespan())
    thread = warming._thread
    assert thread is not None
    thread.join(timeout=30)
    assert warmed == ["warmed"]
    assert warming.start() is None  # once per process
    assert warmed == ["warmed"]


class _Watched:
    """The build lock of an event, telling when a second thread starts waiting on it."""

    def __init__(self, lock: threading.Lock) -> None:
        self.lock = lock
        self.waiting = threading.Event()

    def __enter__(self) -> _Watched:
        if not self.lock.acquire(blocking=False):
            self.waiting.set()
            self.lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.lock.release()


@pytest.mark.postgres
@pytest.mark.usefixtures("audit_flushable")
def test_a_request_during_warming_waits_for_that_build(settings: Any, monkeypatch: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("threads that read committed data are tested on PostgreSQL (ANTT_DATABASE_URL)")
    from antt.core.permissions import Role
    from antt.core.testing import verified_client
    from antt.events.tests.factories import MembershipFactory

    event = EventFactory(code="warming-race")
    planner = MembershipFactory(event=event, role=Role.PLANNER).user
    _gap(planner, event)
    watched = _Watched(threading.Lock())
    monkeypatch.setattr(live_coverage, "_building_lock", lambda event_id: watched)
    building, release = threading.Event(), threading.Event()
    real_build = live_coverage.build

    def slow_build(event: Any) -> Any:
        building.set()
        assert release.wait(timeout=60)
        return real_build(event)

    monkeypatch.setattr(live_coverage, "build", slow_build)
    settings.COVERAGE_WARM_AT_START = True
    builds = live_coverage.stats.builds
    warmer = warming.start()
    assert warmer is not None
    assert building.wait(timeout=60)
    answers: list[Any] = []

    def request() -> None:
        try:
            answers.append(verified_client(planner).get(f"/api/v1/events/{event.code}/coverage").json())
        finally:
            connections.close_all()

    asker = threading.Thread(target=request)
    asker.start()
    assert watched.waiting.wait(timeout=60)  # the request waits on the build in progress...
    release.set()
    asker.join(timeout=60)
    warmer.join(timeout=60)
    assert answers[0]["counts"] == {"uncovered": 1}
    assert live_coverage.stats.builds == builds + 1  # ...and is served from it: one build
