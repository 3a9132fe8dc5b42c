"""The forces' pages: the lists of officers and units with diacritics-blind live search. Read only.

An officer's own page (duties, findings) is a page of the plan: ``planning:officer-detail``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from antt.core.errors import DomainError
from antt.core.htmx import HtmxHttpRequest
from antt.core.pages import page_param, render_page, search_param
from antt.events import queries as event_queries
from antt.forces import queries, services
from antt.forces.forms import LinkAccountForm

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


@login_required
@require_http_methods(["GET", "POST"])
def officer_account(request: HttpRequest, code: str, officer_id: int) -> HttpResponse:
    """Link the account an officer signs in with (their "my duties" then shows their duties)."""
    event = event_queries.get_event_for(request.user, code, action="forces.change")
    officer = queries.get_officer_for(request.user, event, officer_id, action="forces.change")
    initial = {"username": officer.user.get_username() if officer.user is not None else ""}
    form = LinkAccountForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.link_account(actor=request.user, officer=officer, user=form.cleaned_data["username"])
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Account of %(officer)s saved.") % {"officer": officer})
            return redirect("planning:officer-detail", code=event.code, officer_id=officer.pk)
    context = {"event": event, "officer": officer, "form": form}
    return render(request, "forces/officer_account.html", context, status=400 if form.errors else 200)
