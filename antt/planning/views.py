"""Planning pages: the gap board, my unit and my duties (the assignment editor: ``views_editor``).

Thin views: forms check the shape of input, ``services`` enforce the rules, ``queries``, ``assignability``, ``candidates`` and ``findings`` read.
Every page works without JavaScript; with htmx the editor swaps its ``#editor`` partial in place and tells
the page (``HX-Trigger: coverage-changed``) so that a gap board listening for it refreshes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from antt.core.errors import NotAllowed
from antt.core.htmx import HtmxHttpRequest
from antt.core.languages import current_language
from antt.core.lookups import parse_id
from antt.core.permissions import can
from antt.events import queries as event_queries
from antt.forces.models import Unit
from antt.forces.queries import commanded_unit_ids, contact_access
from antt.planning import assignability, coverage_audit, queries, timelines
from antt.planning.labels import SEVERITY_LABELS
from antt.planning.timelines import event_days

if TYPE_CHECKING:
    from antt.events.models import Event

EDITOR_PAGE = 50
ROSTER_PAGE = 100
SHOW_CANDIDATES = 25
TRIGGER = "coverage-changed"


def parse_day(value: str) -> date | None:
    """A ``YYYY-MM-DD`` filter, or None. Days at the ends of the calendar (``9999-12-31``) are refused:
    their day bounds and time-zone shifts overflow ``datetime``."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if date.min < day < date.max else None


def parse_int(value: str) -> int | None:
    return parse_id(value)


def parse_local(value: str, tz: Any) -> datetime | None:
    """``YYYY-MM-DDTHH:MM`` in the event's zone (or an ISO datetime with an offset) → aware datetime."""
    try:
        moment = datetime.fromisoformat(value[:32])
    except ValueError:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def day_bounds(event: Event, day: date) -> tuple[datetime, datetime]:
    """The event's local ``day`` as UTC instants (``timelines.day_bounds`` in the event's zone)."""
    return timelines.day_bounds(day, event.tz)


# --- the gap board ---------------------------------------------------------------------------------------


def fix_links(event: Event) -> Callable[[coverage_audit.BoardRow], tuple[tuple[str, str], ...]]:
    """A gap board row's links to its fix in the editor, as ``(address, text)``: an uncovered window opens
    its requirement with the window filled in; any other finding opens each assignment it names, or else
    its requirement. The addresses are built from two reversed prefixes, not one ``reverse`` per link."""
    requirement = _prefix("planning:editor-requirement", event.code)
    assignment = _prefix("planning:editor-assignment", event.code)
    assign, open_requirement, numbered = (
        _("Assign an officer"),
        _("Open the requirement"),
        _("Assignment #%(id)s"),
    )

    def links(row: coverage_audit.BoardRow) -> tuple[tuple[str, str], ...]:
        if row.kind == "uncovered" and row.requirement_ids:
            window = f"start={row.starts_at:%Y-%m-%dT%H:%M}&end={row.ends_at:%Y-%m-%dT%H:%M}"
            return ((f"{requirement}{row.requirement_ids[0]}/?{window}", assign),)
        if row.assignment_ids:
            return tuple((f"{assignment}{pk}/", numbered % {"id": pk}) for pk in row.assignment_ids)
        if row.requirement_ids:
            return ((f"{requirement}{row.requirement_ids[0]}/", open_requirement),)
        return ()

    return links


def _prefix(name: str, code: str) -> str:
    """The address of ``name`` for the event up to its trailing ``<id>/`` (reversed once)."""
    address = reverse(name, args=[code, 0])
    assert address.endswith("/0/"), address
    return address[:-2]


@login_required
@require_GET
def gap_board(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Every gap and conflict of the plan, grouped by day and site, with filters; htmx refreshes the board.
    Each finding links to its fix in the editor."""
    event = event_queries.get_event_for(request.user, code, action="coverage.view")
    day = parse_day(request.GET.get("day", "")[:10])
    site_id = parse_int(request.GET.get("site", "")[:12])
    unit_id = parse_int(request.GET.get("unit", "")[:12])
    severity = request.GET.get("severity", "")
    severity = severity if severity in SEVERITY_LABELS else ""
    units = list(Unit.objects.filter(event=event).order_by("code", "pk").only("code", "name_vi", "name_en"))
    if unit_id is not None and unit_id not in {u.pk for u in units}:
        unit_id = None
    keep = queries.unit_keep(event, unit_id) if unit_id is not None else None
    can_fix = assignability.may_assign(request.user, event)
    lang = current_language()
    board = coverage_audit.gap_board(
        event,
        lang=lang,
        day=day,
        site_id=site_id,
        severity=severity,
        keep=keep,
        page=parse_int(request.GET.get("page", "")[:6]) or 1,
        links=fix_links(event) if can_fix else None,
    )
    context = {
        "event": event,
        "board": board,
        "day": day,
        "site_id": site_id,
        "unit_id": unit_id,
        # (id, label, chosen) of each unit, the language looked up once (hundreds of units at design scale)
        "unit_options": [
            (u.pk, f"{u.code} · {u.name_en if lang == 'en' else u.name_vi}", u.pk == unit_id) for u in units
        ],
        "site_options": [(pk, name, pk == site_id) for pk, name in board.sites],
        "severity": severity,
        "severities": list(SEVERITY_LABELS.items()),
        "can_fix": can_fix,
    }
    template = "planning/gap_board.html#board" if request.htmx else "planning/gap_board.html"
    return render(request, template, context)


# --- my unit, my duties ----------------------------------------------------------------------------------


@login_required
@require_GET
def my_unit(request: HttpRequest, code: str) -> HttpResponse:
    """The units the user commands and their sub-units: people and their duties on a day."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    tz = event.tz
    today = timezone.now().astimezone(tz).date()
    days = event_days(event)
    choice = request.GET.get("day", "")[:10]
    if choice == "tomorrow":
        day = today + timedelta(days=1)
    elif choice in {"", "today"}:
        day = today if not days or days[0] <= today <= days[-1] else days[0]
    else:
        day = parse_day(choice) or today
    own = commanded_unit_ids(request.user, event)
    starts_at, ends_at = day_bounds(event, day)
    units, officers, duties = queries.unit_roster(event, own, starts_at=starts_at, ends_at=ends_at)
    page = Paginator(officers, ROSTER_PAGE).get_page(request.GET.get("page"))
    contact = contact_access(request.user, event)
    rows = [(officer, duties.get(officer.pk, []), contact.allows(officer)) for officer in page.object_list]
    context = {
        "event": event,
        "me": queries.officer_of(request.user, event),
        "units": units,
        "rows": rows,
        "page": page,
        "day": day,
        "today": today,
        "days": days,
        "on_duty": sum(1 for officer_duties in duties.values() if officer_duties),
        "can_assign": assignability.may_assign(request.user, event),
    }
    return render(request, "planning/my_unit.html", context)


@login_required
@require_GET
def my_duties(request: HttpRequest, code: str) -> HttpResponse:
    """The signed-in officer's duties: post, site, window, role and post orders (coming ones first)."""
    event = event_queries.get_event_for(request.user, code)
    if not (can(request.user, "planning.view_own", event) or can(request.user, "planning.view", event)):
        raise NotAllowed(_("Your role in this event does not allow this action."))
    me = queries.officer_of(request.user, event)
    show_past = request.GET.get("past") == "1"
    duties = (
        list(queries.duties_of(me, since=None if show_past else timezone.now())) if me is not None else []
    )
    return render(
        request,
        "planning/my_duties.html",
        {"event": event, "me": me, "duties": duties, "show_past": show_past, "now": timezone.now()},
    )
