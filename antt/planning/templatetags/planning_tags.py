"""``{% can "coverage.view" event as allowed %}``: ask the permission table from a template."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import template

from antt.core.permissions import can as _can

if TYPE_CHECKING:
    from antt.events.models import Event

register = template.Library()


@register.simple_tag(takes_context=True)
def can(context: dict[str, Any], action: str, event: Event) -> bool:
    request = context.get("request")
    return bool(request is not None and _can(request.user, action, event))
