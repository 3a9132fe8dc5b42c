"""The forces' pages: the lists of officers and units with diacritics-blind live search. Read only.

An officer's own page (duties, findings) is a page of the plan: ``planning:officer-detail``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from antt.core.htmx import HtmxHttpRequest
from antt.core.pages import page_param, render_page, search_param
from antt.events import queries as event_queries
from antt.forces import queries

if TYPE_CHECKING:
    from antt.events.models import Event

UNITS_PER_PAGE = 100
OFFICERS_PER_PAGE = 50


def _unit(request: HttpRequest, event: Event) -> Any:
    """The unit named by ``?unit=``; an unknown or foreign one is ignored (never another event's)."""
    raw = request.GET.get("unit", "")[:12]
    if not raw.isdigit():
        return None
    return queries.units_for(request.user, event).filter(pk=int(raw)).first()


@login_required
@require_GET
def officer_list(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Officers matching ``q`` (diacritics ignored), optionally of one unit, with skills and unit."""
    event = event_queries.get_event_for(request.user, code, action="forces.view")
    q = search_param(request)
    unit = _unit(request, event)
    officers = queries.officers_for(request.user, event, search=q, unit=unit).order_by("code", "pk")
    context = {
        "event": event,
        "q": q,
        "unit": unit,
        "units": queries.units_to_choose(request.user, event),
        "page": Paginator(officers, OFFICERS_PER_PAGE).get_page(page_param(request)),
    }
    return render_page(request, "forces/officer_list.html", "results", context)


@login_required
@require_GET
def unit_list(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Units matching ``q`` (diacritics ignored), with their numbers of officers."""
    event = event_queries.get_event_for(request.user, code, action="forces.view")
    q = search_param(request)
    units = queries.units_for(request.user, event, search=q).annotate(n_officers=Count("officers"))
    page = Paginator(units.order_by("code", "pk"), UNITS_PER_PAGE).get_page(page_param(request))
    return render_page(request, "forces/unit_list.html", "results", {"event": event, "q": q, "page": page})
