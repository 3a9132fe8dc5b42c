"""``{{ user|person:event }}``: a person as the plan's readers know them, by rank and name, not by username."""

from __future__ import annotations

from typing import Any

from django import template

from antt.forces.models import Officer

register = template.Library()


def _officers(event: Any) -> dict[int, str]:
    """The event's linked officers by user id (one query per event per request)."""
    cached = event.__dict__.get("_antt_people")
    if cached is None:
        rows = Officer.objects.filter(event=event, user__isnull=False).values_list(
            "user_id", "rank", "full_name"
        )
        cached = {user_id: f"{rank} {name}".strip() for user_id, rank, name in rows}
        event.__dict__["_antt_people"] = cached
    return cached


@register.filter
def person(user: Any, event: Any) -> str:
    """The officer ``user`` signs in as (rank and name), else the account's full name, else its username."""
    if user is None:
        return "—"
    named = _officers(event).get(user.pk)
    return named or getattr(user, "full_name", "") or user.get_username()
