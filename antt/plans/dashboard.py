"""The plans' figure on the event dashboard: plan versions waiting for approval."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from antt.core.permissions import can
from antt.events.dashboard import Panel, Tile
from antt.plans.models import Plan


def provide(user: Any, event: Any) -> list[Tile | Panel]:
    if not can(user, "planning.view", event):
        return []
    waiting = Plan.objects.filter(event=event, status=Plan.Status.SUBMITTED).count()
    url = reverse("plans:list", kwargs={"code": event.code})
    return [
        Tile(
            40,
            _("Plans waiting for approval"),
            formats.number_format(waiting),
            f"{url}?status={Plan.Status.SUBMITTED}" if waiting else url,
            _("Review the plans") if can(user, "planning.approve", event) else _("Open the plans"),
            detail=_("submitted, not yet approved"),
            tone="warn" if waiting else "",
        )
    ]
