"""Event pages: list and switcher, home with figures, membership management."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antt.core import navigation
from antt.core.errors import DomainError, NotAllowed
from antt.core.htmx import HtmxHttpRequest
from antt.core.permissions import Role, can
from antt.events import dashboard, queries, services
from antt.events.forms import EventForm, EventStatusForm, MemberAddForm, MemberChangeForm


@login_required
def event_list(request: HtmxHttpRequest) -> HttpResponse:
    search = request.GET.get("q", "")[:100]
    events = queries.events_for(request.user, search=search)
    template = "events/event_list.html#results" if request.htmx else "events/event_list.html"
    return render(request, template, {"events": events, "q": search})


@login_required
def event_switch(request: HttpRequest) -> HttpResponse:
    """The header's event switcher (a plain GET form, so it works without JavaScript)."""
    event = queries.get_event_for(request.user, request.GET.get("code", ""))
    return redirect("events:home", code=event.code)


@login_required
@require_GET  # a page to read: a write to it is 405, not the page (after sign-in: anonymous → login)
def event_home(request: HttpRequest, code: str) -> HttpResponse:
    event = queries.get_event_for(request.user, code)
    per_role = queries.members_per_role(event)
    figures = [(label, per_role.get(value, 0)) for value, label in Role.choices]
    tiles, panels = dashboard.collect(request.user, event)
    context = {
        "event": event,
        "tiles": tiles,
        "panels": panels,
        "sections": navigation.event_sections(request.user, event, "events:home"),
        "membership": event.membership_for(request.user),
        "figures": figures,
        "member_total": sum(per_role.values()),
        "can_manage": can(request.user, "membership.manage", event),
        "can_audit": can(request.user, "audit.view", event),
        "can_change_status": can(request.user, "event.change_status", event),
        "status_form": EventStatusForm(),
    }
    return render(request, "events/event_home.html", context)


@login_required
@require_POST
def event_status(request: HttpRequest, code: str) -> HttpResponse:
    event = queries.get_event_for(request.user, code, action="event.change_status")
    form = EventStatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_event_status(actor=request.user, event=event, status=form.cleaned_data["status"])
            messages.success(
                request, _("The event is now %(status)s.") % {"status": event.get_status_display()}
            )
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect("events:home", code=event.code)


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request: HttpRequest, code: str) -> HttpResponse:
    event = queries.get_event_for(request.user, code, action="membership.view")
    can_manage = can(request.user, "membership.manage", event)
    form = MemberAddForm(request.POST or None)
    status = 200
    if request.method == "POST":
        queries.get_event_for(request.user, code, action="membership.manage")
        if form.is_valid():
            try:
                membership = services.add_member(
                    actor=request.user,
                    event=event,
                    user=form.cleaned_data["username"],
                    role=form.cleaned_data["role"],
                    clearance=form.cleaned_data["clearance"],
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                messages.success(request, _("%(user)s added.") % {"user": membership.user})
                return redirect("events:members", code=event.code)
        status = 400
    context: dict[str, Any] = {
        "event": event,
        "members": queries.memberships_of(event),
        "form": form,
        "can_manage": can_manage,
        "roles": Role.choices,
    }
    return render(request, "events/member_list.html", context, status=status)


@login_required
@require_POST
def member_change(request: HtmxHttpRequest, code: str, membership_id: int) -> HttpResponse:
    event = queries.get_event_for(request.user, code, action="membership.view")
    membership = queries.get_membership_for(request.user, event, membership_id, action="membership.manage")
    form = MemberChangeForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            membership = services.change_member(
                actor=request.user, membership=membership, **form.cleaned_data
            )
        except DomainError as exc:
            error = str(exc)
    else:
        error = " ".join(str(e) for errs in form.errors.values() for e in errs)
    if request.htmx:
        membership.refresh_from_db()
        context = {"event": event, "m": membership, "can_manage": True, "error": error, "roles": Role.choices}
        return render(request, "events/member_list.html#member-row", context, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("Membership of %(user)s updated.") % {"user": membership.user})
    return redirect("events:members", code=event.code)


@login_required
@require_POST
def member_remove(request: HttpRequest, code: str, membership_id: int) -> HttpResponse:
    event = queries.get_event_for(request.user, code, action="membership.view")
    membership = queries.get_membership_for(request.user, event, membership_id, action="membership.manage")
    try:
        services.remove_member(actor=request.user, membership=membership)
        messages.success(request, _("%(user)s removed from the event.") % {"user": membership.user})
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("events:members", code=event.code)


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))


EVENT_VALUES = ("name_vi", "name_en", "starts_at", "ends_at", "time_zone")


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    """A new event (administrators: Django's ``events.add_event``); its creator becomes its commander."""
    if not request.user.has_perm("events.add_event"):
        raise NotAllowed(_("Only administrators may create events."))
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.create_event(
                actor=request.user, code=data["code"], **{n: data[n] for n in EVENT_VALUES}
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(
                request, _("Event %(event)s created; you are its commander.") % {"event": event.name}
            )
            return redirect("events:home", code=event.code)
    status = 400 if form.errors else 200
    return render(request, "events/event_form.html", {"form": form, "event": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, code: str) -> HttpResponse:
    """Names, time zone and window of an event (its commander)."""
    event = queries.get_event_for(request.user, code, action="event.change")
    with timezone.override(event.tz):
        initial = {n: getattr(event, n) for n in ("code", *EVENT_VALUES)}
        form = EventForm(request.POST or None, event=event, initial=initial)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                event = services.update_event(
                    actor=request.user, event=event, **{n: data[n] for n in EVENT_VALUES}
                )
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Event %(event)s saved.") % {"event": event.name})
                return redirect("events:home", code=event.code)
        status = 400 if form.errors else 200
        return render(request, "events/event_form.html", {"form": form, "event": event}, status=status)
