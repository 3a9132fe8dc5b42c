"""Browse pages of a plan: the map (and its GeoJSON), the programme and duty timelines, the list of sites
with diacritics-blind live search, and the site and officer pages. Read only (lists of officers and units:
``antt.forces.views``)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from antt.core.htmx import HtmxHttpRequest
from antt.core.languages import current_language
from antt.core.lookups import parse_id
from antt.core.pages import page_param, render_page, search_param
from antt.core.permissions import require
from antt.core.static_files import ranged_file_response
from antt.events import queries as event_queries
from antt.forces import queries as forces_queries
from antt.planning import browse, timelines
from antt.planning.models import ProgrammeItem

if TYPE_CHECKING:
    from antt.events.models import Event


def _day(value: str, days: list[date]) -> date | None:
    """The ISO day in ``value`` when it is one of ``days``; otherwise None."""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return None
    return day if day in days else None


def _unit(request: HttpRequest, event: Event) -> Any:
    """The unit named by ``?unit=``; an unknown or foreign one is ignored (never another event's)."""
    pk = parse_id(request.GET.get("unit", ""))
    if pk is None:
        return None
    return forces_queries.units_for(request.user, event).filter(pk=pk).first()


# --- map --------------------------------------------------------------------------------------------------


@login_required
@require_GET
def site_map(request: HttpRequest, code: str) -> HttpResponse:
    """Sites and posts on a Leaflet map coloured by coverage; the same sites as a table without JavaScript."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    context = {
        "event": event,
        "sites": browse.map_sites(request.user, event),
        "tile_url": "" if basemap_file() else settings.MAP_TILE_URL,
        "pmtiles_url": reverse("planning:basemap", kwargs={"code": event.code}) if basemap_file() else "",
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        "statuses": list(browse.STATUS_LABELS.items()),
    }
    return render(request, "planning/map.html", context)


def basemap_file() -> Path | None:
    """The configured offline base map (``ANTT_MAP_PMTILES``) when the file is there."""
    path = settings.MAP_PMTILES
    return path if path is not None and path.is_file() else None


@login_required
@require_http_methods(["GET", "HEAD"])
def basemap(request: HttpRequest, code: str) -> HttpResponseBase:
    """The offline base map (a PMTiles file) in byte ranges: the map reads only the tiles it shows."""
    event_queries.get_event_for(request.user, code, action="planning.view")
    path = basemap_file()
    if path is None:
        raise Http404(_("No offline base map is configured."))
    return ranged_file_response(request, path, "application/vnd.pmtiles")


@login_required
@require_GET
def site_map_features(request: HttpRequest, code: str) -> HttpResponse:
    """The map's data: a GeoJSON FeatureCollection (RFC 7946) of the sites and posts with a geometry."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    collection = browse.map_features(request.user, event)
    response = JsonResponse(collection, content_type="application/geo+json")
    response["Cache-Control"] = "private, no-store"
    return response


# --- timelines --------------------------------------------------------------------------------------------


@login_required
@require_GET
def programme_timeline(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Programme items by site over the event's days, filtered by day and kind."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    days = timelines.event_days(event)
    day = _day(request.GET.get("day", ""), days)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ProgrammeItem.Kind.values else ""
    context = {
        "event": event,
        "days": days,
        "day": day,
        "kind": kind,
        "kinds": browse.programme_kinds(),
        "timeline": timelines.programme_timeline(request.user, event, day=day, kind=kind),
    }
    return render_page(request, "planning/timeline_programme.html", "timeline", context)


@login_required
@require_GET
def duty_timeline(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Who is where, when: one day, officers as rows (of one unit and the units under it, or everyone on
    duty), their assignments as bars; paginated."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    require(request.user, "forces.view", event)
    days = timelines.event_days(event)
    day = _day(request.GET.get("day", ""), days) or days[0]
    unit = _unit(request, event)
    context = {
        "event": event,
        "days": days,
        "day": day,
        "unit": unit,
        "units": forces_queries.units_to_choose(request.user, event),
        "timeline": timelines.duty_timeline(
            request.user, event, day=day, unit=unit, page=page_param(request)
        ),
    }
    return render_page(request, "planning/timeline_duties.html", "timeline", context)


# --- lists and pages --------------------------------------------------------------------------------------


@login_required
@require_GET
def site_list(request: HtmxHttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    q = search_param(request)
    page = browse.site_list(request.user, event, search=q, page=page_param(request))
    return render_page(request, "planning/site_list.html", "results", {"event": event, "q": q, "page": page})


@login_required
@require_GET
def site_detail(request: HttpRequest, code: str, site_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    data = browse.site_page(request.user, event, site_id, lang=current_language())
    return render(request, "planning/site_detail.html", {"event": event, "data": data})


@login_required
@require_GET
def officer_detail(request: HttpRequest, code: str, officer_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="forces.view")
    data = browse.officer_page(request.user, event, officer_id, lang=current_language())
    show_phone = forces_queries.may_see_contact(request.user, event, data.officer)
    return render(
        request, "planning/officer_detail.html", {"event": event, "data": data, "show_phone": show_phone}
    )
