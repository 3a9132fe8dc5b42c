from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from antt.events.queries import events_for


def my_events(request: HttpRequest) -> dict[str, Any]:
    """The events for the header's switcher (lazy: only queried when a page shows the switcher)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"my_events": lambda: list(events_for(user).only("code", "name_vi", "name_en"))}
