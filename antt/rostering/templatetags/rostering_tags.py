"""Small filters for the solver pages: ISO times from the stored diff, percentages, the reason in a language."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

register = template.Library()


@register.filter
def when(value: Any) -> str:
    """``2026-12-01T06:00:00+07:00`` → ``01/12 06:00`` (already in the event's time zone)."""
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return moment.strftime("%d/%m %H:%M")


@register.filter
def percent(value: Any) -> str:
    try:
        return f"{100 * float(value):.2f} %"
    except (TypeError, ValueError):
        return "—"


@register.filter
def reason(gap: dict[str, Any], lang: str) -> str:
    return str(gap.get(f"reason_{lang}") or gap.get("reason_en") or "")


@register.filter
def lookup(mapping: Any, key: str) -> Any:
    return mapping.get(key) if isinstance(mapping, dict) else None


@register.filter
def finding_kind(value: str) -> str:
    """``skill_expired`` → "Skill expired" (the coverage engine's kinds, translated)."""
    from antt.planning.labels import KIND_LABELS

    return str(KIND_LABELS.get(value, value))
