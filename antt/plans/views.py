"""Plan pages: list, detail, create/edit (tasks as a formset), workflow buttons, one version, diff."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antt.core.errors import DomainError, Invalid
from antt.core.htmx import HtmxHttpRequest
from antt.core.permissions import can
from antt.events import queries as event_queries
from antt.forces.models import Unit
from antt.planning.models import ProgrammeItem, Site
from antt.plans import queries, services
from antt.plans.content import EDITABLE
from antt.plans.forms import DATETIME_LOCAL, ApproveForm, PlanForm, ReturnForm, TaskFormSet
from antt.plans.models import Plan, PlanVersion

if TYPE_CHECKING:
    from antt.events.models import Event


def _labels() -> dict[str, str]:
    return {
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "approved": _("Approved"),
        "in_force": _("In force"),
        "superseded": _("Superseded"),
        "earlier": _("Earlier draft"),
    }


@login_required
@require_GET
def plan_list(request: HtmxHttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    kind = request.GET.get("kind", "")[:20]
    status = request.GET.get("status", "")[:20]
    search = request.GET.get("q", "")[:100]
    plans = queries.plans_for(request.user, event, kind=kind, status=status, search=search)
    context = {
        "event": event,
        "plans": plans,
        "kind": kind,
        "status": status,
        "q": search,
        "kinds": Plan.Kind.choices,
        "statuses": Plan.Status.choices,
        "can_change": can(request.user, "planning.change", event),
    }
    template = "plans/plan_list.html#results" if request.htmx else "plans/plan_list.html"
    return render(request, template, context)


def _version_view(version: PlanVersion | None) -> dict[str, Any] | None:
    if version is None:
        return None
    return {"version": version, "groups": queries.tasks_by_unit(version.tasks)}


@login_required
@require_GET
def plan_detail(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    plan = queries.get_plan_for(request.user, event, plan_id)
    latest = plan.latest_version
    approved = plan.approved_version
    may_change = can(request.user, "planning.change", event)
    may_review = queries.may_review(request.user, plan)
    labels = _labels()
    versions = [(v, labels[v.state(plan)]) for v in queries.versions_of(plan)]
    context = {
        "event": event,
        "plan": plan,
        "in_force": _version_view(approved),
        "working": _version_view(latest) if latest and latest != approved else None,
        "versions": versions,
        "steps": queries.steps_of(plan),
        "status_label": labels[plan.status],
        "can_edit": may_change and plan.status != Plan.Status.SUBMITTED,
        "can_submit": may_change and plan.status == Plan.Status.DRAFT,
        "can_withdraw": may_change and plan.status == Plan.Status.SUBMITTED,
        "can_review": may_review,
        "can_approve": queries.may_approve(request.user, plan, latest),
        "return_form": ReturnForm(),
        "approve_form": ApproveForm(initial={"number": latest.number if latest else None}),
    }
    return render(request, "plans/plan_detail.html", context)


def _choices(event: Event) -> dict[str, Any]:
    return {
        "sites": [(s.pk, f"{s.code} · {s.name}") for s in Site.objects.filter(event=event).order_by("code")],
        "programme_items": [
            (i.pk, f"{i.code} · {i.name}")
            for i in ProgrammeItem.objects.filter(event=event).order_by("starts_at")
        ],
    }


def _unit_choices(event: Event) -> list[tuple[int, str]]:
    return [(u.pk, f"{u.code} · {u.name}") for u in Unit.objects.filter(event=event).order_by("code")]


def _initial(plan: Plan, event: Event) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    version = plan.latest_version
    assert version is not None
    initial = {
        **{name: getattr(version, name) for name in EDITABLE[:6]},
        "responsible": (version.responsible or {}).get("code", ""),
        "sites": [s["id"] for s in version.sites],
        "programme_items": [i["id"] for i in version.programme_items],
        "base": version.number,
    }
    tasks = []
    for t in version.tasks:
        deadline = t.get("deadline")
        local = ""
        if deadline:
            moment = parse_datetime(deadline)
            local = moment.astimezone(event.tz).strftime(DATETIME_LOCAL) if moment else ""
        tasks.append(
            {
                "key": t["key"],
                "unit": t["unit"]["id"],
                "text_vi": t["text_vi"],
                "text_en": t["text_en"],
                "commander": (t.get("commander") or {}).get("code", ""),
                "offset_minutes": t.get("offset_minutes"),
                "deadline": local,
            }
        )
    return initial, tasks


def _task_rows(event: Event, formset: Any) -> list[dict[str, Any]]:
    rows = []
    for form in formset.forms:
        if not form.cleaned_data or form.cleaned_data.get("DELETE") or form.is_blank():
            continue
        data = form.cleaned_data
        commander = queries.officer_by_code(event, data.get("commander") or "", field="tasks")
        rows.append(
            {
                "key": data.get("key") or "",
                "unit": data.get("unit"),
                "text_vi": data.get("text_vi") or "",
                "text_en": data.get("text_en") or "",
                "commander": commander.pk if commander else None,
                "offset_minutes": data.get("offset_minutes"),
                "deadline": data.get("deadline"),
            }
        )
    return rows


def _edit(request: HttpRequest, event: Event, plan: Plan | None) -> HttpResponse:
    editing = plan is not None
    choices = _choices(event)
    units = _unit_choices(event)
    status = 200
    task_error = ""
    if request.method == "POST":
        data = request.POST.copy()
        if "add_rows" in data:  # more blank task rows, without JavaScript and without saving
            total = data.get("tasks-TOTAL_FORMS", "0")
            data["tasks-TOTAL_FORMS"] = str(min(int(total) if total.isdigit() else 0, 297) + 3)
        with timezone.override(event.tz):  # a deadline is typed in the event's local time
            form = PlanForm(data, editing=editing, **choices)
            formset = TaskFormSet(data, prefix="tasks", form_kwargs={"units": units})
            valid = form.is_valid() & formset.is_valid()
        if "add_rows" not in data and valid:
            try:
                saved = _save(request, event, plan, form.cleaned_data, _task_rows(event, formset))
            except DomainError as exc:
                if exc.field == "tasks":
                    task_error = str(exc)  # shown above the task rows
                else:
                    form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            else:
                return redirect("plans:detail", code=event.code, plan_id=saved.pk)
        status = 200 if "add_rows" in data else 400
    else:
        if plan is not None:
            initial, tasks = _initial(plan, event)
        else:
            kind = request.GET.get("kind", "")
            initial, tasks = {"kind": kind if kind in Plan.Kind.values else Plan.Kind.PLAN}, []
        form = PlanForm(initial=initial, editing=editing, **choices)
        formset = TaskFormSet(initial=tasks, prefix="tasks", form_kwargs={"units": units})
    context = {
        "event": event,
        "plan": plan,
        "form": form,
        "formset": formset,
        "task_error": task_error,
        "commanders": queries.unit_commanders(event),
    }
    return render(request, "plans/plan_form.html", context, status=status)


def _save(
    request: HttpRequest, event: Event, plan: Plan | None, data: dict[str, Any], tasks: list[Any]
) -> Plan:
    responsible = queries.officer_by_code(event, data.get("responsible") or "", field="responsible")
    content: dict[str, Any] = {
        **{name: data.get(name) or "" for name in EDITABLE[:6]},
        "responsible": responsible,
        "sites": data.get("sites") or [],
        "programme_items": data.get("programme_items") or [],
        "tasks": tasks,
    }
    if plan is None:
        created = services.create_plan(
            actor=request.user,
            event=event,
            kind=data["kind"],
            code=data["code"],
            classification=data["classification"],
            change_note=data.get("change_note") or "",
            **content,
        )
        messages.success(request, _("Plan %(code)s created as a draft (version 1).") % {"code": created.code})
        return created
    version = services.edit_plan(
        actor=request.user,
        plan=plan,
        base_number=data.get("base"),
        change_note=data.get("change_note") or "",
        **content,
    )
    messages.success(request, _("Version %(n)d saved as a draft.") % {"n": version.number})
    return plan


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.change")
    return _edit(request, event, None)


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    plan = queries.get_plan_for(request.user, event, plan_id, action="planning.change")
    if plan.status == Plan.Status.SUBMITTED:
        messages.error(
            request, _("This plan is waiting for approval; it must be returned before it is edited.")
        )
        return redirect("plans:detail", code=event.code, plan_id=plan.pk)
    return _edit(request, event, plan)


def _workflow(request: HttpRequest, code: str, plan_id: int, action: str) -> tuple[Any, Plan]:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    return event, queries.get_plan_for(request.user, event, plan_id, action=action)


@login_required
@require_POST
def plan_submit(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    event, plan = _workflow(request, code, plan_id, "planning.change")
    try:
        services.submit_plan(actor=request.user, plan=plan, comment=request.POST.get("comment", "")[:4000])
        messages.success(request, _("Submitted for approval."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("plans:detail", code=event.code, plan_id=plan.pk)


@login_required
@require_POST
def plan_withdraw(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    event, plan = _workflow(request, code, plan_id, "planning.change")
    try:
        services.withdraw_plan(actor=request.user, plan=plan, comment=request.POST.get("comment", "")[:4000])
        messages.success(request, _("Withdrawn: the plan is a draft again."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("plans:detail", code=event.code, plan_id=plan.pk)


@login_required
@require_POST
def plan_return(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    event, plan = _workflow(request, code, plan_id, "planning.approve")
    form = ReturnForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Say what must change before returning the plan."), field="comment")
        services.return_plan(actor=request.user, plan=plan, comment=form.cleaned_data["comment"])
        messages.success(request, _("Returned to the planners as a draft."))
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("plans:detail", code=event.code, plan_id=plan.pk)


@login_required
@require_POST
def plan_approve(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    event, plan = _workflow(request, code, plan_id, "planning.approve")
    form = ApproveForm(request.POST)
    try:
        if not form.is_valid():
            raise Invalid(_("Say which version you approve."), field="number")
        version = services.approve_plan(
            actor=request.user,
            plan=plan,
            number=form.cleaned_data["number"],
            comment=form.cleaned_data.get("comment") or "",
        )
        messages.success(request, _("Version %(n)d approved; it is now in force.") % {"n": version.number})
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect("plans:detail", code=event.code, plan_id=plan.pk)


@login_required
@require_GET
def version_detail(request: HttpRequest, code: str, plan_id: int, number: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    plan = queries.get_plan_for(request.user, event, plan_id)
    version = queries.get_version_for(request.user, plan, number)
    context = {
        "event": event,
        "plan": plan,
        "v": _version_view(version),
        "state_label": _labels()[version.state(plan)],
    }
    return render(request, "plans/version_detail.html", context)


def _number(value: str) -> int | None:
    return int(value) if value.isdigit() and len(value) < 9 else None


@login_required
@require_GET
def version_diff(request: HttpRequest, code: str, plan_id: int) -> HttpResponse:
    """Two versions side by side: text line by line, header fields, tasks added/removed/changed.
    Without ``from``/``to``: the version in force (or the one before) against the latest."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    plan = queries.get_plan_for(request.user, event, plan_id)
    latest = plan.latest_version
    assert latest is not None
    default_from = plan.approved_version.number if plan.approved_version else max(latest.number - 1, 1)
    new_no = _number(request.GET.get("to", "")) or latest.number
    old_no = _number(request.GET.get("from", "")) or (
        default_from if default_from != new_no else max(new_no - 1, 1)
    )
    old = queries.get_version_for(request.user, plan, old_no)
    new = queries.get_version_for(request.user, plan, new_no)
    field_labels = {
        "title_vi": _("Title (Vietnamese)"),
        "title_en": _("Title (English)"),
        "trigger_vi": _("Trigger (Vietnamese)"),
        "trigger_en": _("Trigger (English)"),
        "responsible": _("Responsible commander"),
        "sites": _("Sites covered"),
        "programme_items": _("Programme items covered"),
        "unit": _("Unit"),
        "text_vi": _("Task (Vietnamese)"),
        "text_en": _("Task (English)"),
        "commander": _("Responsible commander"),
        "offset_minutes": _("Minutes after the trigger"),
        "deadline": _("Deadline"),
    }
    changes = queries.compare(old, new)
    header = [
        (field_labels[name], queries.label_of(a), queries.label_of(b)) for name, a, b in changes["header"]
    ]
    changed_tasks = [
        {
            "before": c.before,
            "after": c.after,
            "fields": [field_labels[name] for name in c.fields],
        }
        for c in changes["tasks"].changed
    ]
    context = {
        "event": event,
        "plan": plan,
        "old": old,
        "new": new,
        "numbers": list(queries.versions_of(plan).values_list("number", flat=True)),
        "changes": changes,
        "header": header,
        "changed_tasks": changed_tasks,
    }
    return render(request, "plans/version_diff.html", context)
