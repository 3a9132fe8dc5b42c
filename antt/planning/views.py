"""Planning pages: the gap board."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from antt.events import queries as event_queries
from antt.planning import queries
from antt.planning.labels import SEVERITY_LABELS


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


@login_required
@require_GET
def gap_board(request: HttpRequest, code: str) -> HttpResponse:
    """Every gap and conflict of the plan, grouped by day and site, with filters; htmx refreshes the board."""
    event = event_queries.get_event_for(request.user, code, action="coverage.view")
    day = _day(request.GET.get("day", "")[:10])
    site_id = _int(request.GET.get("site", "")[:12])
    severity = request.GET.get("severity", "")
    severity = severity if severity in SEVERITY_LABELS else ""
    lang = "en" if (get_language() or "vi").startswith("en") else "vi"
    board = queries.gap_board(event, lang=lang, day=day, site_id=site_id, severity=severity)
    context = {
        "event": event,
        "board": board,
        "day": day,
        "site_id": site_id,
        "severity": severity,
        "severities": list(SEVERITY_LABELS.items()),
    }
    template = "planning/gap_board.html#board" if request.htmx else "planning/gap_board.html"  # type: ignore[attr-defined]
    return render(request, template, context)
