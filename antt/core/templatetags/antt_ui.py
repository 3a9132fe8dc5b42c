"""The console's shared template pieces: navigation, breadcrumbs, severity badges and legends."""

from __future__ import annotations

from typing import Any

from django import template

from antt.core import navigation

register = template.Library()


def _view_name(context: Any) -> str:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    return getattr(match, "view_name", "") or ""


@register.inclusion_tag("ui/event_nav.html", takes_context=True)
def event_nav(context: Any) -> dict[str, Any]:
    request = context.get("request")
    event = context.get("event")
    if request is None or event is None or not hasattr(event, "membership_for"):
        return {"sections": []}
    return {"sections": navigation.event_sections(request.user, event, _view_name(context))}


@register.inclusion_tag("ui/breadcrumbs.html", takes_context=True)
def breadcrumbs(context: Any, title: str = "") -> dict[str, Any]:
    request = context.get("request")
    event = context.get("event")
    if request is None or not getattr(request.user, "is_authenticated", False):
        return {"crumbs": [], "title": title}
    if event is not None and not hasattr(event, "membership_for"):
        event = None
    view_name = _view_name(context)
    crumbs = navigation.breadcrumbs(request.user, event, view_name)
    if view_name == "events:list":
        crumbs = []
    elif view_name == "events:home":
        crumbs = crumbs[:1]
    return {"crumbs": crumbs, "title": title}


@register.filter
def span(starts_at: Any, ends_at: Any) -> str:
    """A window in the console's one style, in the active time zone (``{% timezone event.time_zone %}``):
    "03/12/2026 08:00\N{EN DASH}16:00" within a day, "03/12/2026 22:00 \N{EN DASH} 04/12/2026 02:00" across
    midnight."""
    from django.template.defaultfilters import date as date_filter
    from django.template.defaultfilters import time as time_filter
    from django.utils.timezone import localtime

    if not starts_at or not ends_at:
        return ""
    starts_at, ends_at = localtime(starts_at), localtime(ends_at)  # the zone {% timezone %} made current
    start = date_filter(starts_at, "SHORT_DATETIME_FORMAT")
    if date_filter(starts_at, "Ymd") == date_filter(ends_at, "Ymd"):
        return f"{start}\N{EN DASH}{time_filter(ends_at, 'H:i')}"
    return f"{start} \N{EN DASH} {date_filter(ends_at, 'SHORT_DATETIME_FORMAT')}"


@register.simple_tag
def options(choices: Any) -> str:
    """The ``<option>`` elements of ``(value, label, chosen)`` triples, values and labels escaped: one join
    in Python instead of a template loop (hundreds of units on a filter at design scale)."""
    from django.utils.html import escape
    from django.utils.safestring import mark_safe

    return mark_safe(  # noqa: S308 — every value and label is escaped here
        "".join(
            f'<option value="{escape(value)}"{" selected" if chosen else ""}>{escape(label)}</option>'
            for value, label, chosen in choices
        )
    )
