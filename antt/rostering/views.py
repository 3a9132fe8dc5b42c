"""Roster solver pages: start a run, watch its progress, read its result, preview and apply the diff, re-plan."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antt.core.errors import DomainError
from antt.core.htmx import HtmxHttpRequest
from antt.core.languages import current_language
from antt.core.permissions import can
from antt.events import queries as event_queries
from antt.forces import queries as forces_queries
from antt.forces.models import Officer
from antt.rostering import queries, services
from antt.rostering.forms import ReplanForm, StartRunForm

if TYPE_CHECKING:
    from antt.events.models import Event


def _officers(event: Event) -> Any:
    return Officer.objects.filter(event=event).order_by("code")


def _replan_form(event: Any, data: Any = None) -> ReplanForm:
    return ReplanForm(
        data, officers=_officers(event), search_url=reverse("rostering:officer-search", args=[event.code])
    )


def _error(form: Any, exc: DomainError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, str(exc))


@login_required
@require_http_methods(["GET", "POST"])
def run_list(request: HttpRequest, code: str) -> HttpResponse:
    """The event's solver runs and the form that starts one (POST: start)."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    form = StartRunForm(request.POST or None)
    replan_form = _replan_form(event)
    status = 200
    if request.method == "POST":
        event = event_queries.get_event_for(request.user, code, action="planning.solve")
        if form.is_valid():
            try:
                run = services.start_run(
                    actor=request.user,
                    event=event,
                    time_limit=form.cleaned_data["time_limit"],
                    seed=form.cleaned_data["seed"],
                )
                return redirect("rostering:run-detail", code=event.code, run_id=run.pk)
            except DomainError as exc:
                _error(form, exc)
        status = 400
    return _list_page(request, event, form, replan_form, status)


def _list_page(request: HttpRequest, event: Event, form: Any, replan_form: Any, status: int) -> HttpResponse:
    context = {
        "event": event,
        "runs": queries.runs_for(request.user, event)[:20],
        "active": queries.active_run(event),
        "form": form,
        "replan_form": replan_form,
        "can_solve": can(request.user, "planning.solve", event),
        "can_replan": queries.may_replan(request.user, event),
    }
    return render(request, "rostering/run_list.html", context, status=status)


@login_required
@require_POST
def replan(request: HttpRequest, code: str) -> HttpResponse:
    """Mark an officer unavailable from a time and start a re-plan run."""
    event = event_queries.get_event_for(request.user, code, action="planning.solve")
    with timezone.override(event.tz):
        replan_form = _replan_form(event, request.POST)
        valid = replan_form.is_valid()
    if valid:
        data = replan_form.cleaned_data
        try:
            run = services.start_replan(
                actor=request.user,
                officer=data["officer"],
                unavailable_from=data["unavailable_from"],
                time_limit=data["time_limit"],
                seed=data["seed"],
            )
            return redirect("rostering:run-detail", code=event.code, run_id=run.pk)
        except DomainError as exc:
            _error(replan_form, exc)
    return _list_page(request, event, StartRunForm(), replan_form, 400)


@login_required
@require_GET
def run_detail(request: HtmxHttpRequest, code: str, run_id: int) -> HttpResponse:
    """Progress while the run is active (htmx polls the ``status`` partial), then the result and the diff."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    run = queries.get_run_for(request.user, event, run_id)
    context = {
        "event": event,
        "run": run,
        "lang": current_language(),
        "summary": run.summary or {},
        "changes": run.diff or {},
        "can_solve": can(request.user, "planning.solve", event),
        "can_replan": queries.may_replan(request.user, event),
        "replan_form": _replan_form(event),
        "may_undo": services.may_undo(run),
    }
    if request.htmx:
        response = render(request, "rostering/run_detail.html#status", context)
        if not run.active:
            response["HX-Refresh"] = "true"  # the run finished: show the whole result
        return response
    return render(request, "rostering/run_detail.html", context)


@login_required
@require_POST
def run_cancel(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.solve")
    run = queries.get_run_for(request.user, event, run_id, action="planning.solve")
    try:
        services.cancel_run(actor=request.user, run=run)
        messages.success(request, _("The run is being cancelled."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("rostering:run-detail", code=event.code, run_id=run.pk)


@login_required
@require_POST
def run_apply(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.solve")
    run = queries.get_run_for(request.user, event, run_id, action="planning.solve")
    try:
        counts = services.apply_run(actor=request.user, run=run)
    except DomainError as exc:
        messages.error(request, str(exc))
        return redirect("rostering:run-detail", code=event.code, run_id=run.pk)
    messages.success(
        request,
        _("Applied: %(added)d assignment(s) added, %(removed)d removed.") % counts,
    )
    return redirect("planning:gap-board", code=event.code)


@login_required
@require_POST
def run_undo(request: HttpRequest, code: str, run_id: int) -> HttpResponse:
    """Undo applying a run's result (the reverse diff, one audited transaction)."""
    event = event_queries.get_event_for(request.user, code, action="planning.solve")
    run = queries.get_run_for(request.user, event, run_id, action="planning.solve")
    try:
        counts = services.undo_apply(actor=request.user, run=run)
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Undone: %(removed)d assignment(s) of the solver removed, %(restored)d put back.") % counts,
        )
    return redirect("rostering:run-detail", code=event.code, run_id=run.pk)


OFFICER_SUGGESTIONS = 20


@login_required
@require_GET
def officer_search(request: HttpRequest, code: str) -> HttpResponse:
    """Suggestions for the re-plan form's officer: up to 20 officers matching the typed text (service
    number or name, diacritics ignored), as ``<option>`` elements for its datalist."""
    event = event_queries.get_event_for(request.user, code, action="planning.solve")
    text = (request.GET.get("officer") or request.GET.get("q") or "")[:100]
    officers = (
        forces_queries.officers_for(request.user, event, search=text)
        .select_related("unit")
        .order_by("code")[:OFFICER_SUGGESTIONS]
        if text.strip()
        else []
    )
    return render(request, "rostering/officer_options.html", {"officers": officers})
