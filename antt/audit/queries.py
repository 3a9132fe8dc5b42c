from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from antt.audit.models import AuditEntry
from antt.core.permissions import EventLike, require


def entries_for(user: Any, event: EventLike) -> QuerySet[AuditEntry]:
    """The event's audit entries, newest first; only for roles allowed ``audit.view``."""
    require(user, "audit.view", event)
    return AuditEntry.objects.filter(chain=event.pk).order_by("-seq")
