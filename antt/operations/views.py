"""The operations room's pages: the live board, incidents (detail, actions, dispatch), the officer's
dispatch partial, settings. Every view names its action; writes go through the services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antt.core.errors import DomainError, Invalid
from antt.core.lookups import lookup
from antt.core.permissions import can
from antt.events import queries as event_queries
from antt.forces.models import Officer, Unit
from antt.operations import activity, board, dispatch_input, escalation, live, queries
from antt.operations import incident_services as ops
from antt.operations.forms import ActForm, DispatchForm, IncidentForm, ResponderForm, SettingsForm
from antt.operations.models import Incident, Responder
from antt.operations.opening import ensure_categories, open_incident


def _event(request: HttpRequest, code: str, action: str = "operations.view") -> Any:
    return event_queries.get_event_for(request.user, code, action=action)


def _rights(user: Any, event: Any) -> dict[str, bool]:
    return {
        "can_dispatch": can(user, "operations.dispatch", event),
        "can_report": can(user, "operations.report", event),
        "can_command": can(user, "operations.command", event),
    }


def _form_error(exc: DomainError) -> str:
    return str(exc)


# --- the board ----------------------------------------------------------------------------------------


@login_required
@require_GET
def board_page(request: HttpRequest, code: str) -> HttpResponse:
    event = _event(request, code)
    context = {
        "event": event,
        "board": board.board(event),
        "tile_url": settings.MAP_TILE_URL,
        "tile_attribution": settings.MAP_TILE_ATTRIBUTION,
        **_rights(request.user, event),
    }
    return render(request, "operations/ops/board.html", context)


@login_required
@require_GET
def board_live(request: HttpRequest, code: str) -> HttpResponse:
    """The board's live part: what the socket's updates refresh and what htmx polls without sockets."""
    event = _event(request, code)
    context = {"event": event, "board": board.board(event), **_rights(request.user, event)}
    return render(request, "operations/ops/_live.html", context)


@login_required
@require_GET
def board_map(request: HttpRequest, code: str) -> JsonResponse:
    event = _event(request, code)
    return JsonResponse(board.map_features(event))


@login_required
@require_GET
def board_updates(request: HttpRequest, code: str) -> JsonResponse:
    """The updates after ``?since=`` (the socket's catch-up over plain HTTP)."""
    event = _event(request, code)
    try:
        since = max(0, int(request.GET.get("since", "0")))
    except ValueError:
        since = 0
    return JsonResponse({"updates": live.updates_since(event.pk, since), "last": live.last_seq(event.pk)})


# --- incidents ------------------------------------------------------------------------------------------


def _incident_context(request: HttpRequest, event: Any, incident: Incident, **extra: Any) -> dict[str, Any]:
    rights = _rights(request.user, event)
    open_ = incident.status in ops.OPEN
    return {
        "event": event,
        "incident": incident,
        "steps": incident.steps.select_related("actor").order_by("at", "pk"),
        "responders": incident.responders.select_related("officer__unit", "unit").order_by(
            "assigned_at", "pk"
        ),
        "suggestions": dispatch_input.suggestions_for(incident) if open_ and rights["can_dispatch"] else [],
        "units": Unit.objects.filter(event=event).order_by("code")[:200]
        if open_ and rights["can_dispatch"]
        else [],
        "merge_targets": Incident.objects.filter(event=event, status__in=ops.OPEN).exclude(pk=incident.pk)[
            :50
        ]
        if open_ and rights["can_dispatch"]
        else [],
        "merged": incident.merged_incidents.all(),
        "gaps": incident.gaps.select_related("post"),
        **rights,
        **extra,
    }


@login_required
@require_GET
def incident_detail(request: HttpRequest, code: str, incident_id: Any) -> HttpResponse:
    event = _event(request, code)
    incident = queries.get_incident_for(request.user, event, incident_id)
    return render(request, "operations/ops/incident.html", _incident_context(request, event, incident))


def _after(request: HttpRequest, event: Any, incident: Incident | None) -> HttpResponse:
    target = request.POST.get("next", "")
    if target == "board" or incident is None:
        return redirect("operations:board", event.code)
    return redirect("operations:incident", event.code, incident.pk)


def _refused(request: HttpRequest, event: Any, incident: Incident, exc: DomainError) -> HttpResponse:
    incident.refresh_from_db()
    context = _incident_context(request, event, incident, error=_form_error(exc))
    return render(request, "operations/ops/incident.html", context, status=exc.status_code)


@login_required
@require_POST
def incident_act(request: HttpRequest, code: str, incident_id: Any) -> HttpResponse:
    event = _event(request, code, "operations.report")
    incident = queries.get_incident_for(request.user, event, incident_id)
    form = ActForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_bad_form())
        data = form.cleaned_data
        action, version, note = data["action"], data.get("version"), data.get("note") or ""
        if action == "note":
            ops.add_note(actor=request.user, incident=incident, note=note, version=version)
        elif action == "merge":
            into = queries.get_incident_for(request.user, event, data.get("into") or 0)
            ops.merge_incident(actor=request.user, incident=incident, into=into, version=version)
        elif action == "priority":
            ops.change_priority(
                actor=request.user, incident=incident, priority=data.get("priority") or 0, version=version
            )
        else:
            step = {
                "acknowledge": ops.acknowledge_incident,
                "on_scene": ops.mark_on_scene,
                "resolve": ops.resolve_incident,
                "close": ops.close_incident,
                "cancel": ops.cancel_incident,
            }[action]
            step(actor=request.user, incident=incident, version=version, note=note)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _refused(request, event, incident, exc)
    return _after(request, event, incident)


def _bad_form() -> str:
    from django.utils.translation import gettext as _

    return _("The form was not filled in correctly. Reload the page and try again.")


@login_required
@require_POST
def incident_dispatch(request: HttpRequest, code: str, incident_id: Any) -> HttpResponse:
    event = _event(request, code, "operations.dispatch")
    incident = queries.get_incident_for(request.user, event, incident_id)
    form = DispatchForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_bad_form())
        data = form.cleaned_data
        officer = lookup(Officer, event, data.get("officer"), field="officer")
        unit = lookup(Unit, event, data.get("unit"), field="unit")
        ops.dispatch(
            actor=request.user, incident=incident, officer=officer, unit=unit, version=data.get("version")
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _refused(request, event, incident, exc)
    return _after(request, event, incident)


@login_required
@require_http_methods(["GET", "POST"])
def incident_new(request: HttpRequest, code: str) -> HttpResponse:
    event = _event(request, code, "operations.report")
    ensure_categories(event)
    form = IncidentForm(request.POST or None, event=event)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                incident = open_incident(
                    actor=request.user,
                    event=event,
                    category=data["category"],
                    summary=data["summary"],
                    priority=data.get("priority"),
                    source=Incident.Source.DISPATCHER,
                    details=data.get("details") or "",
                    location=form.location(),
                    post=data.get("post"),
                    site=data["post"].site if data.get("post") else None,
                    delegation=data.get("delegation") or "",
                )
            except DomainError as exc:
                form.add_error(None, str(exc))
                status = exc.status_code
            else:
                return redirect("operations:incident", event.code, incident.pk)
        else:
            status = 400
    return render(request, "operations/ops/incident_new.html", {"event": event, "form": form}, status=status)


# --- responders, gaps, escalations ---------------------------------------------------------------------


@login_required
@require_POST
def responder_move(request: HttpRequest, code: str, responder_id: Any) -> HttpResponse:
    event = _event(request, code, "operations.report")
    responder = queries.get_responder_for(request.user, event, responder_id)
    form = ResponderForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_bad_form())
        ops.move_responder(
            actor=request.user,
            responder=responder,
            status=form.cleaned_data["status"],
            version=form.cleaned_data.get("version"),
        )
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        if request.POST.get("next") == "me":
            messages.error(request, str(exc))
            return redirect("operations:me", event.code)
        return _refused(request, event, responder.incident, exc)
    if request.POST.get("next") == "me":
        return redirect("operations:me", event.code)
    return _after(request, event, responder.incident)


@login_required
@require_POST
def gap_accept(request: HttpRequest, code: str, gap_id: Any) -> HttpResponse:
    event = _event(request, code, "operations.dispatch")
    gap = queries.get_gap_for(request.user, event, gap_id)
    try:
        ops.accept_gap(actor=request.user, gap=gap, note=request.POST.get("note", ""))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, str(exc))
    return redirect("operations:board", event.code)


@login_required
@require_POST
def escalation_ack(request: HttpRequest, code: str, escalation_id: Any) -> HttpResponse:
    event = _event(request, code, "operations.dispatch")
    item = queries.get_escalation_for(request.user, event, escalation_id)
    try:
        escalation.acknowledge_escalation(actor=request.user, escalation=item)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        messages.error(request, str(exc))
    return redirect("operations:board", event.code)


# --- the officer's phone --------------------------------------------------------------------------------


@login_required
@require_GET
def my_dispatches(request: HttpRequest, code: str) -> HttpResponse:
    """The officer's dispatches (a page; its ``#dispatches`` partial is what the field app includes)."""
    event = _event(request, code, "operations.report")
    officer = Officer.objects.filter(event=event, user_id=request.user.pk or 0).first()
    rows = (
        Responder.objects.filter(officer=officer, status__in=Responder.ACTIVE)
        .select_related("incident__category", "incident__post")
        .order_by("-assigned_at")
        if officer
        else Responder.objects.none()
    )
    template = "operations/ops/me.html#dispatches" if request.htmx else "operations/ops/me.html"  # type: ignore[attr-defined]
    return render(request, template, {"event": event, "officer": officer, "rows": rows})


# --- settings -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def ops_settings(request: HttpRequest, code: str) -> HttpResponse:
    event = _event(request, code, "operations.command")
    row = activity.settings_for(event)
    initial = {
        **{f"ack_p{p}": row.ack_seconds.get(str(p), 600) for p in range(1, 5)},
        **{f"scene_p{p}": row.on_scene_minutes.get(str(p), 60) for p in range(1, 5)},
        "sos_ack_seconds": row.sos_ack_seconds,
        "check_in_grace_minutes": row.check_in_grace_minutes,
        "next_level_seconds": row.next_level_seconds,
        "shift_boundaries": ", ".join(row.shift_boundaries or []),
    }
    form = SettingsForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                escalation.configure(
                    actor=request.user,
                    event=event,
                    ack_seconds={str(p): data[f"ack_p{p}"] for p in range(1, 5)},
                    on_scene_minutes={str(p): data[f"scene_p{p}"] for p in range(1, 5)},
                    sos_ack_seconds=data["sos_ack_seconds"],
                    check_in_grace_minutes=data["check_in_grace_minutes"],
                    next_level_seconds=data["next_level_seconds"],
                    shift_boundaries=activity.parse_boundaries(data["shift_boundaries"]),
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
                status = exc.status_code
            else:
                from django.utils.translation import gettext as _

                messages.success(request, _("The timers and shifts are saved."))
                return redirect("operations:settings", event.code)
        else:
            status = 400
    return render(request, "operations/ops/settings.html", {"event": event, "form": form}, status=status)
