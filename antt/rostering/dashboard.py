"""The solver's figure on the event dashboard: the latest run and what it found."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from antt.core.permissions import can
from antt.events.dashboard import Panel, Tile
from antt.rostering.models import SolverRun


def provide(user: Any, event: Any) -> list[Tile | Panel]:
    if not can(user, "planning.view", event):
        return []
    run = SolverRun.objects.filter(event=event).order_by("-created_at", "-pk").first()
    runs = reverse("rostering:run-list", kwargs={"code": event.code})
    if run is None:
        return [Tile(50, _("Roster solver"), _("Not run yet"), runs, _("Open the solver"))]
    url = reverse("rostering:run-detail", kwargs={"code": event.code, "run_id": run.pk})
    when = formats.date_format(run.created_at.astimezone(event.tz), "SHORT_DATETIME_FORMAT")
    tone = {"failed": "bad", "succeeded": "good"}.get(run.status, "")
    return [
        Tile(
            50,
            _("Roster solver"),
            str(run.get_status_display()),
            url,
            _("Open the latest run"),
            detail=_("latest run: %(when)s") % {"when": when},
            tone=tone,
        )
    ]
