"""The only transport code of the operations room: every service that changes what a board shows calls
``publish`` inside its transaction.

``publish`` numbers the update in the event's sequence (a ``BoardUpdate`` row, in the caller's transaction)
and sends it to the event's group **after the commit** (``transaction.on_commit``): a rolled-back change is
never seen, and a board that reconnects asks for what came after its last number (``updates_since``).
``to_officer`` sends a dispatch to one officer's phone (group ``officer.<id>``), also after the commit.

The channel layer is Channels' (``CHANNEL_LAYERS``): in memory in one process by default, Redis
(``channels-redis``) when ``ANTT_REDIS_URL`` is set, so every server process's boards get every update.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from antt.operations.models import BoardUpdate

logger = logging.getLogger(__name__)

# How many updates one catch-up answers at most; a board further behind reloads its page.
CATCH_UP_LIMIT = 500


def event_group(event_id: int) -> str:
    return f"ops.event.{int(event_id)}"


def officer_group(officer_id: int) -> str:
    return f"officer.{int(officer_id)}"


def message(update: BoardUpdate) -> dict[str, Any]:
    """What a board receives: the number, the kind of change and its data (ids, statuses, no personal data
    beyond what the board already shows)."""
    return {"seq": update.seq, "kind": update.kind, "data": update.data, "at": update.at.isoformat()}


def publish(
    *,
    event_id: int,
    kind: str,
    data: dict[str, Any],
    event_locked: bool = False,
    after: int | None = None,
) -> BoardUpdate:
    """Number one update of the event's board now; send it once the surrounding transaction commits.

    ``event_locked``: the caller holds the event's row lock already, in the transaction this runs in (an
    incident's opening takes it for its number): the number is taken under that lock, without a savepoint
    and a second lock (3 statements fewer on a field report's path). ``after``: the event's last number,
    read by that caller under its lock (one statement fewer)."""
    if event_locked:
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("publish(event_locked=True) outside the transaction that holds the lock")
        return _numbered(event_id, kind, data, last_seq(event_id) if after is None else after)
    with transaction.atomic():
        return _numbered(event_id, kind, data, _last_seq_locked(event_id))


def _numbered(event_id: int, kind: str, data: dict[str, Any], last: int) -> BoardUpdate:
    update = BoardUpdate.objects.create(
        event_id=event_id, seq=last + 1, kind=kind, data=data, at=timezone.now()
    )
    payload = message(update)
    # Encoded once here, not once per connected board: every board's socket sends the same text.
    text = json.dumps({"type": "update", **payload})
    transaction.on_commit(
        lambda: _send(event_group(event_id), {"type": "board.update", "update": payload, "text": text})
    )
    return update


def _last_seq_locked(event_id: int) -> int:
    """The event's last number, with the event's row locked so two writers never take the same one (on
    SQLite every write transaction already holds the database's write lock)."""
    from antt.events.models import Event

    Event.objects.select_for_update().filter(pk=event_id).exists()
    return last_seq(event_id)


def to_officer(*, officer_id: int, kind: str, data: dict[str, Any]) -> None:
    """Send ``data`` to one officer's open phone app (sound and vibration there), after the commit."""
    payload = {"kind": kind, "data": data, "at": timezone.now().isoformat()}
    transaction.on_commit(
        lambda: _send(officer_group(officer_id), {"type": "officer.message", "update": payload})
    )


def last_seq(event_id: int) -> int:
    return BoardUpdate.objects.filter(event_id=event_id).aggregate(n=Max("seq"))["n"] or 0


def updates_since(event_id: int, seq: int, *, limit: int = CATCH_UP_LIMIT) -> list[dict[str, Any]]:
    """The updates after ``seq``, oldest first (at most ``limit``: a board further behind reloads)."""
    rows = BoardUpdate.objects.filter(event_id=event_id, seq__gt=max(0, int(seq))).order_by("seq")[:limit]
    return [message(row) for row in rows]


def _send(group: str, payload: dict[str, Any]) -> None:
    """Hand one message to the channel layer; a layer that does not answer costs a log line, never the
    write that already committed (the boards catch up from the sequence)."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(group, payload)
    except Exception:  # the write has committed; boards catch up from the sequence on reconnect
        logger.warning("live update to %s not sent", group, exc_info=True)
