from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from antt.audit.models import AuditEntry
from antt.audit.services import ANCHOR_ACTION
from antt.core.permissions import EventLike, require


def entries_for(user: Any, event: EventLike) -> QuerySet[AuditEntry]:
    """The event's audit entries (every chain of it), newest first, without the anchors that tie its lanes
    to its main chain; only for roles allowed ``audit.view``."""
    require(user, "audit.view", event)
    return AuditEntry.objects.filter(event_id=event.pk).exclude(action=ANCHOR_ACTION).order_by("-id")
