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
