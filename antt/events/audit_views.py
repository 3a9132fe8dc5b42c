"""The event's audit trail page (`audit.view`). It lives with the event pages so that ``audit`` (which every
service imports to record) imports no domain app."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from antt.audit import queries
from antt.core.htmx import HtmxHttpRequest
from antt.events.queries import get_event_for


@login_required
def audit_list(request: HtmxHttpRequest, code: str) -> HttpResponse:
    event = get_event_for(request.user, code, action="audit.view")
    entries = queries.entries_for(request.user, event)
    action = request.GET.get("action", "").strip()[:100]
    if action:
        entries = entries.filter(action__startswith=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    template = "events/audit_list.html#entries" if request.htmx else "events/audit_list.html"
    return render(request, template, {"event": event, "page": page, "action": action})
