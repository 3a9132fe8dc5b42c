"""The incident list and its exports, and the units' activity logs (ICS 214): page, CSV, print, entry."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from antt.core.errors import DomainError
from antt.core.lookups import parse_id
from antt.events import queries as event_queries
from antt.forces.models import Unit
from antt.operations import activity, exports, queries
from antt.operations.forms import ActivityForm
from antt.operations.models import Incident

STATUSES = [value for value, _label in Incident.Status.choices]


def _incidents(request: HttpRequest, event: Any) -> Any:
    qs = (
        queries.incidents_for(request.user, event)
        .select_related("merged_into")
        .prefetch_related("responders__officer", "responders__unit")
    )
    status = request.GET.get("status", "")
    if status in STATUSES:
        qs = qs.filter(status=status)
    return qs.order_by("number")


@login_required
@require_GET
def incident_list(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.view")
    rows = list(_incidents(request, event)[:500])
    context = {
        "event": event,
        "rows": rows,
        "statuses": Incident.Status.choices,
        "status": request.GET.get("status", ""),
    }
    return render(request, "operations/ops/incident_list.html", context)


@login_required
@require_GET
def incidents_csv(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.view")
    body = exports.incidents_csv(event, _incidents(request, event))
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.code}-incidents.csv"'
    return response


@login_required
@require_GET
def incidents_geojson(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.view")
    body = json.dumps(exports.incidents_geojson(event, _incidents(request, event)), ensure_ascii=False)
    response = HttpResponse(body, content_type="application/geo+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.code}-incidents.geojson"'
    return response


def _log_selection(request: HttpRequest, event: Any) -> tuple[Any, Any, list[Any]]:
    units = list(Unit.objects.filter(event=event).order_by("code")[:500])
    unit_id = parse_id(request.GET.get("unit", ""))
    unit = next((u for u in units if u.pk == unit_id), None)
    periods = activity.periods(event)
    wanted = request.GET.get("period", "")
    period = next((p for p in periods if p.key == wanted), None)
    return unit, period, units


@login_required
@require_GET
def activity_log(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.view")
    unit, period, units = _log_selection(request, event)
    context = {
        "event": event,
        "unit": unit,
        "period": period,
        "units": units,
        "periods": activity.periods(event),
        "entries": list(activity.entries(event, unit=unit, period=period)[:1000]),
        "print": request.GET.get("print") == "1",
        "query": request.GET.urlencode(),
    }
    template = "operations/ops/log_print.html" if context["print"] else "operations/ops/log.html"
    return render(request, template, context)


@login_required
@require_GET
def activity_csv(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.view")
    unit, period, _units = _log_selection(request, event)
    body = exports.activity_csv(event, activity.entries(event, unit=unit, period=period))
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{event.code}-ics214.csv"'
    return response


@login_required
@require_POST
def activity_add(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.report")
    form = ActivityForm(request.POST)
    if not form.is_valid():
        from django.utils.translation import gettext as _

        messages.error(request, _("Choose a unit and write what happened."))
        return redirect("operations:log", event.code)
    unit = Unit.objects.filter(event=event, pk=form.cleaned_data["unit"]).first()
    try:
        if unit is None:
            from django.utils.translation import gettext as _

            from antt.core.errors import Invalid

            raise Invalid(_("Choose a unit of this event."))
        activity.add_entry(actor=request.user, event=event, unit=unit, text=form.cleaned_data["text"])
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, str(exc))
    return redirect(reverse("operations:log", args=[event.code]) + (f"?unit={unit.pk}" if unit else ""))
