"""The board's and the officer's WebSockets: access at connect and per event, catch-up by number, updates
only after commit. Driven through asgiref's ``ApplicationCommunicator`` against the real ASGI application
(Channels' ``WebsocketCommunicator`` does the same, but its package imports daphne, which ANTT does not use).
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.db import transaction

from antt.core.testing import verified_client
from antt.operations import incident_services
from antt.operations.opening import open_incident
from antt.operations.tests.factories import a_day, category

pytestmark = pytest.mark.usefixtures("audit_flushable")


def _headers(user: Any) -> list[tuple[bytes, bytes]]:
    client = verified_client(user)
    cookie = "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items())
    return [(b"cookie", cookie.encode()), (b"origin", b"http://localhost")]


class Socket(ApplicationCommunicator):
    """A WebSocket client speaking ASGI to the application (connect, JSON in and out, close)."""

    def __init__(self, path: str, headers: list[tuple[bytes, bytes]]) -> None:
        from antt.asgi import application

        scope = {
            "type": "websocket",
            "path": path,
            "headers": headers,
            "subprotocols": [],
            "query_string": b"",
        }
        super().__init__(application, scope)

    async def connect(self, timeout: float = 5) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(timeout)
        if answer["type"] == "websocket.close":
            return False, answer.get("code", 1000)
        return True, None

    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 5) -> Any:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(1)


def _connect(path: str, headers: list[tuple[bytes, bytes]]) -> Socket:
    return Socket(path, headers)


def _open(event: Any, actor: Any, summary: str = "Ùn ứ") -> Any:
    return open_incident(actor=actor, event=event, category=category(event, "crowd"), summary=summary)


def test_a_member_gets_updates_after_commit_and_catches_up_by_number(event: Any, dispatcher: Any) -> None:
    headers = _headers(dispatcher)
    first = _open(event, dispatcher, "trước khi kết nối")

    async def scenario() -> None:
        socket = _connect(f"/ws/events/{event.code}/ops/", headers)
        connected, _code = await socket.connect()
        assert connected
        await socket.send_json_to({"type": "hello", "since": 0})
        catchup = await socket.receive_json_from(timeout=5)
        assert catchup["type"] == "catchup"
        assert [u["seq"] for u in catchup["updates"]] == [1]
        assert catchup["updates"][0]["data"]["id"] == first.pk

        def rolled_back() -> None:
            try:
                with transaction.atomic():
                    _open(event, dispatcher, "rolled back")
                    raise RuntimeError
            except RuntimeError:
                pass

        await sync_to_async(rolled_back)()
        await sync_to_async(incident_services.acknowledge_incident)(actor=dispatcher, incident=first)
        update = await socket.receive_json_from(timeout=5)
        # the rolled-back opening never reached the board; its number was not used either
        assert (update["type"], update["seq"], update["data"]["status"]) == ("update", 2, "acknowledged")
        assert await socket.receive_nothing(timeout=0.3)
        await socket.send_json_to({"type": "hello", "since": 1})
        again = await socket.receive_json_from(timeout=5)
        assert [u["seq"] for u in again["updates"]] == [2]
        await socket.disconnect()

    async_to_sync(scenario)()


def test_another_events_member_and_the_anonymous_are_refused(
    event: Any, other_event: Any, outsider: Any, dispatcher: Any
) -> None:
    outsider_headers = _headers(outsider)

    async def scenario() -> None:
        refused = _connect(f"/ws/events/{event.code}/ops/", outsider_headers)
        connected, code = await refused.connect()
        assert (connected, code) == (False, 4403)
        anonymous = _connect(f"/ws/events/{event.code}/ops/", [(b"origin", b"http://localhost")])
        connected, code = await anonymous.connect()
        assert (connected, code) == (False, 4403)
        # on their own event's board, the outsider hears nothing of this event
        own = _connect(f"/ws/events/{other_event.code}/ops/", outsider_headers)
        connected, _code = await own.connect()
        assert connected
        await sync_to_async(_open)(event, dispatcher)
        assert await own.receive_nothing(timeout=0.5)
        await own.disconnect()

    async_to_sync(scenario)()


def test_an_observer_may_watch_the_board(event: Any, observer: Any) -> None:
    headers = _headers(observer)

    async def scenario() -> None:
        socket = _connect(f"/ws/events/{event.code}/ops/", headers)
        connected, _code = await socket.connect()
        assert connected
        await socket.disconnect()

    async_to_sync(scenario)()


def test_the_officers_phone_receives_the_dispatch(
    event: Any, dispatcher: Any, field_officer: Any, time_machine: Any
) -> None:
    from antt.operations.tests.factories import NOW

    time_machine.move_to(NOW, tick=False)
    day = a_day(event)
    officer = day.officers[0]
    officer.user = field_officer
    officer.save()
    incident = _open(event, dispatcher)
    headers = _headers(field_officer)
    dispatcher_headers = _headers(dispatcher)

    async def scenario() -> None:
        phone = _connect(f"/ws/events/{event.code}/officer/", headers)
        connected, _code = await phone.connect()
        assert connected
        # a dispatcher is no officer: no phone channel for them
        other = _connect(f"/ws/events/{event.code}/officer/", dispatcher_headers)
        connected, code = await other.connect()
        assert (connected, code) == (False, 4403)
        await sync_to_async(incident_services.dispatch)(actor=dispatcher, incident=incident, officer=officer)
        message = await phone.receive_json_from(timeout=5)
        assert (message["type"], message["kind"], message["data"]["incident"]) == (
            "dispatch",
            "dispatch",
            incident.pk,
        )
        await phone.disconnect()

    async_to_sync(scenario)()


def test_a_membership_ended_during_the_day_closes_the_board_without_any_update(
    event: Any, dispatcher: Any, monkeypatch: Any
) -> None:
    from antt.events.models import Membership
    from antt.operations import consumers

    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0.2)  # the socket's own timer, not an update
    headers = _headers(dispatcher)

    async def scenario() -> None:
        socket = _connect(f"/ws/events/{event.code}/ops/", headers)
        connected, _code = await socket.connect()
        assert connected
        await sync_to_async(Membership.objects.filter(event=event, user=dispatcher).update)(is_active=False)
        answer = await socket.receive_output(timeout=5)
        assert (answer["type"], answer.get("code")) == ("websocket.close", 4403)

    async_to_sync(scenario)()
