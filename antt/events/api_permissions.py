"""The REST API's permission class for writes under an event (in ``DEFAULT_PERMISSION_CLASSES``)."""

from __future__ import annotations

from typing import Any

from rest_framework import permissions

from antt.core.permissions import can, require
from antt.events import queries as event_queries


class EventWritePermission(permissions.BasePermission):
    """Permission first: a write (POST, PUT, PATCH, DELETE) under ``/events/{code}/`` is refused before its
    body is read when the person's role lacks every action in the view's ``write_action``.

    Without it a person who may only read learns the event's rules ("still has assignments", "this field is
    required") from a 400 or 409 where they should get a 403. The service checks the action again, then the
    rules. ``write_action`` names the action a view's writes need, or a tuple of which any one suffices. A
    non-member gets 404 as for a read.
    """

    def has_permission(self, request: Any, view: Any) -> bool:
        wanted = getattr(view, "write_action", None)
        code = getattr(view, "kwargs", {}).get("code")
        if request.method in permissions.SAFE_METHODS or not wanted or code is None:
            return True
        actions = (wanted,) if isinstance(wanted, str) else tuple(wanted)
        event = event_queries.get_event_for(request.user, code)  # 404 for a non-member
        if not any(can(request.user, action, event) for action in actions):
            require(request.user, actions[0], event)  # NotAllowed (403) with the usual message
        return True
