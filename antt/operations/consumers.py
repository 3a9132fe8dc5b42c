"""The live board's and the officer's WebSockets (Django Channels, served by uvicorn).

Access is checked when the socket connects — a signed-in person who passed the second factor, holding
``operations.view`` in the event of the URL (the officer's socket: an officer of that event linked to the
account) — and again for every catch-up request and about every ``RECHECK_SECONDS`` while the socket is
open, so a membership ended during the day closes the socket. The periodic check runs on its own timer,
jittered per socket, never in the path of an update: a hundred boards do not query the database on the same
update (that held the fan-out's slowest messages). A socket only ever joins its own event's group.

Protocol (JSON): the client sends ``{"type": "hello", "since": <last seq>}``; the server answers
``{"type": "catchup", "updates": [...], "last": <seq>}`` then pushes ``{"type": "update", "seq", "kind",
"data", "at"}`` as changes commit. The client applies each ``seq`` once (duplicates between catch-up and
live are dropped by number) and asks again (``hello``) when it sees a hole.
"""

from __future__ import annotations

import asyncio
import random
import time
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from antt.operations import live

RECHECK_SECONDS = 30
DENIED = 4403


def _verified(user: Any, session: Any) -> bool:
    """Signed in, and past the second factor when the account needs one (as the HTTP middleware asks)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.models import Device

    from antt.accounts.queries import requires_two_factor

    if not requires_two_factor(user):
        return True
    persistent_id = session.get(DEVICE_ID_SESSION_KEY) if session is not None else None
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.user_id == user.pk


def _fresh(user: Any) -> Any:
    """The account as the database has it now: the socket's user object lives as long as the socket and
    caches its memberships, so a re-check on it would never see a membership ended since the connect."""
    if not getattr(user, "is_authenticated", False):
        return user
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(pk=user.pk).first()


def board_access(user: Any, session: Any, code: str) -> int | None:
    """The event's id when ``user`` may watch its board; None otherwise (missing and forbidden alike)."""
    from antt.core.errors import DomainError
    from antt.events import queries as event_queries

    user = _fresh(user)
    if not _verified(user, session):
        return None
    try:
        return event_queries.get_event_for(user, code, action="operations.view").pk
    except DomainError:
        return None


def officer_access(user: Any, session: Any, code: str) -> int | None:
    """The id of the officer ``user`` is in the event, when they may use the field side there."""
    from antt.core.errors import DomainError
    from antt.events import queries as event_queries
    from antt.forces.models import Officer

    user = _fresh(user)
    if not _verified(user, session):
        return None
    try:
        event = event_queries.get_event_for(user, code, action="operations.report")
    except DomainError:
        return None
    return Officer.objects.filter(event=event, user=user).values_list("pk", flat=True).first()


class _Checked(AsyncJsonWebsocketConsumer):
    group = ""
    checked_at = 0.0
    watch: asyncio.Task[None] | None = None

    async def access(self) -> int | None:
        raise NotImplementedError

    async def connect(self) -> None:
        subject = await self.access()
        if subject is None:
            await self.close(code=DENIED)
            return
        self.subject = subject
        self.group = self.group_for(subject)
        self.checked_at = time.monotonic()
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        self.watch = asyncio.create_task(self._recheck_periodically())

    async def _recheck_periodically(self) -> None:
        while True:
            await asyncio.sleep(RECHECK_SECONDS * random.uniform(0.75, 1.25))  # noqa: S311 (spread, not secret)
            if not await self.still_allowed(force=True):
                return

    def group_for(self, subject: int) -> str:
        raise NotImplementedError

    async def disconnect(self, code: int) -> None:
        if self.watch is not None:
            self.watch.cancel()
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def still_allowed(self, *, force: bool = False) -> bool:
        if not force and time.monotonic() - self.checked_at < RECHECK_SECONDS:
            return True
        if await self.access() != self.subject:
            await self.close(code=DENIED)
            return False
        self.checked_at = time.monotonic()
        return True


class BoardConsumer(_Checked):
    """``/ws/events/<code>/ops/``: the event's live board."""

    async def access(self) -> int | None:
        code = str(self.scope["url_route"]["kwargs"]["code"])
        return await database_sync_to_async(board_access)(
            self.scope.get("user"), self.scope.get("session"), code
        )

    def group_for(self, subject: int) -> str:
        return live.event_group(subject)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        if not isinstance(content, dict) or content.get("type") != "hello":
            return
        if not await self.still_allowed(force=True):
            return
        try:
            since = max(0, int(content.get("since") or 0))
        except (TypeError, ValueError):
            since = 0
        updates, last = await database_sync_to_async(_catch_up)(self.subject, since)
        await self.send_json({"type": "catchup", "updates": updates, "last": last})

    async def board_update(self, message: dict[str, Any]) -> None:
        # No query here: access is re-checked on the socket's own timer (``_recheck_periodically``).
        text = message.get("text")
        if isinstance(text, str):  # encoded once by the publisher for every board
            await self.send(text_data=text)
        else:
            await self.send_json({"type": "update", **message["update"]})


class OfficerConsumer(_Checked):
    """``/ws/events/<code>/officer/``: the dispatches sent to the officer signed in on this phone."""

    async def access(self) -> int | None:
        code = str(self.scope["url_route"]["kwargs"]["code"])
        return await database_sync_to_async(officer_access)(
            self.scope.get("user"), self.scope.get("session"), code
        )

    def group_for(self, subject: int) -> str:
        return live.officer_group(subject)

    async def officer_message(self, message: dict[str, Any]) -> None:
        if await self.still_allowed():
            await self.send_json({"type": "dispatch", **message["update"]})


def _catch_up(event_id: int, since: int) -> tuple[list[dict[str, Any]], int]:
    return live.updates_since(event_id, since), live.last_seq(event_id)
