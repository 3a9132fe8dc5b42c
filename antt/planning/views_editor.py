"""The assignment editor's pages: pick a requirement, see who is qualified, assign, check, bulk assign, move, remove.

Thin views: forms check the shape of input, ``services`` enforce the rules, ``queries``, ``assignability``, ``candidates`` and ``findings`` read.
Every page works without JavaScript; with htmx the editor swaps its ``#editor`` partial in place and tells
the page (``HX-Trigger: coverage-changed``) so that a gap board listening for it refreshes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from antt.core.errors import DomainError, NotFound
from antt.core.htmx import HtmxHttpRequest
from antt.core.languages import current_language
from antt.core.lookups import lookup
from antt.events import queries as event_queries
from antt.forces.models import Officer, Unit
from antt.planning import (
    assignability,
    assignment_services,
    candidates,
    coverage,
    coverage_audit,
    findings,
    queries,
)
from antt.planning.forms import AssignForm, BulkAssignForm, WindowForm, errors_of
from antt.planning.labels import KIND_LABELS, SEVERITY_LABELS
from antt.planning.models import Site
from antt.planning.views import (
    EDITOR_PAGE,
    SHOW_CANDIDATES,
    TRIGGER,
    day_bounds,
    event_days,
    parse_day,
    parse_int,
    parse_local,
)

if TYPE_CHECKING:
    from antt.events.models import Event
    from antt.planning.models import Assignment, Requirement

# --- the assignment editor -------------------------------------------------------------------------------


def _editor_event(request: HtmxHttpRequest, code: str) -> tuple[Any, assignability.AssignScope]:
    """The event, and whom the user may assign there (``assignability.assign_scope``)."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    return event, assignability.assign_scope(request.user, event)


def _window(request: HtmxHttpRequest, requirement: Requirement) -> tuple[datetime, datetime]:
    """The editor's window: ``start``/``end`` from the query (a gap's window, which may run over several
    requirements of the post), kept inside the event; the requirement's own window otherwise."""
    event = requirement.event
    tz = event.tz
    start = parse_local(request.GET.get("start", ""), tz) or requirement.starts_at
    end = parse_local(request.GET.get("end", ""), tz) or requirement.ends_at
    start = min(max(start, event.starts_at), event.ends_at)
    end = max(min(end, event.ends_at), event.starts_at)
    if end <= start:
        return requirement.starts_at, requirement.ends_at
    return _snap(requirement, start, end)


def _snap(requirement: Requirement, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Inputs have minute precision: a time in the same minute as the requirement's start or end is it."""
    minute = coverage.minute_of
    if minute(start) == minute(requirement.starts_at):
        start = requirement.starts_at
    if minute(end) == minute(requirement.ends_at):
        end = requirement.ends_at
    return start, end


def _editor_url(requirement: Requirement, starts_at: datetime, ends_at: datetime) -> str:
    url = reverse("planning:editor-requirement", args=[requirement.event.code, requirement.pk])
    if (starts_at, ends_at) == (requirement.starts_at, requirement.ends_at):
        return url
    tz = requirement.event.tz
    fmt = "%Y-%m-%dT%H:%M"
    query = {"start": starts_at.astimezone(tz).strftime(fmt), "end": ends_at.astimezone(tz).strftime(fmt)}
    return f"{url}?{urlencode(query)}"


@login_required
@require_GET
def editor_list(request: HtmxHttpRequest, code: str) -> HttpResponse:
    """Pick a requirement: filter by day, site and post; open ones (with a gap) first on request."""
    event, _scope = _editor_event(request, code)
    day = parse_day(request.GET.get("day", "")[:10])
    site_id = parse_int(request.GET.get("site", "")[:12])
    post_id = parse_int(request.GET.get("post", "")[:12])
    open_only = request.GET.get("open", "") == "1"
    short = queries.shortfalls(coverage_audit.coverage_for(event))
    bounds = day_bounds(event, day) if day else (None, None)
    requirements = queries.editor_requirements(
        event,
        starts_at=bounds[0],
        ends_at=bounds[1],
        site_id=site_id,
        post_id=post_id,
        only=set(short) if open_only else None,
    )
    page = Paginator(requirements, EDITOR_PAGE).get_page(request.GET.get("page"))
    rows = [(requirement, short.get(requirement.pk, 0)) for requirement in page.object_list]
    sites = list(Site.objects.filter(event=event).order_by("code", "pk").only("code", "name_vi", "name_en"))
    posts = (
        list(queries.posts_for(request.user, event).filter(site_id=site_id).order_by("code"))
        if site_id is not None
        else []
    )
    filters = {"day": day.isoformat() if day else "", "site": site_id or "", "post": post_id or ""}
    if open_only:
        filters["open"] = "1"
    context = {
        "event": event,
        "rows": rows,
        "page": page,
        "days": event_days(event),
        "sites": sites,
        "posts": posts,
        "day": day,
        "site_id": site_id,
        "post_id": post_id,
        "open_only": open_only,
        "open_total": len(short),
        "query": urlencode({k: v for k, v in filters.items() if v}),
    }
    template = "planning/editor_list.html#results" if request.htmx else "planning/editor_list.html"
    return render(request, template, context)


def _editor_context(
    request: HtmxHttpRequest,
    event: Event,
    scope: assignability.AssignScope,
    requirement: Requirement,
    starts_at: datetime,
    ends_at: datetime,
) -> dict[str, Any]:
    show = 200 if request.GET.get("all") == "1" else SHOW_CANDIDATES
    found = candidates.candidates(
        event, requirement, starts_at=starts_at, ends_at=ends_at, unit_ids=scope.unit_ids, show=show
    )
    shown = found.qualified[:show] + found.near_misses[:show]
    label = findings.labeller(
        event,
        [f for c in shown for f in (*c.refusals, *c.warnings)],
        officers=[c.officer for c in shown if c.officer is not None],
    )
    lang = current_language()

    def reasons(candidate: candidates.Candidate) -> list[tuple[str, str]]:
        return [
            (str(KIND_LABELS.get(str(f.kind), f.kind)), coverage.explain(f, lang, label))
            for f in (*candidate.refusals, *candidate.warnings)
        ]

    problems: dict[int, list[str]] = defaultdict(list)  # the duties' own findings (skill expired, …)
    for finding in found.findings:
        if finding.kind in assignability.REFUSED:
            for pk in finding.assignment_ids:
                problems[pk].append(str(KIND_LABELS.get(str(finding.kind), finding.kind)))
    duties = list(queries.requirement_duties(requirement, requirement.starts_at, requirement.ends_at))
    units = Unit.objects.filter(event=event).order_by("code", "pk").only("code", "name_vi", "name_en")
    if scope.unit_ids is not None:
        units = units.filter(pk__in=sorted(scope.unit_ids))
    return {
        "event": event,
        "requirement": requirement,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "partial_window": (starts_at, ends_at) != (requirement.starts_at, requirement.ends_at),
        "found": found,
        "qualified": [(c, reasons(c)) for c in found.qualified[:show]],
        "near_misses": [(c, reasons(c)) for c in found.near_misses[:show]],
        "more": max(len(found.qualified), len(found.near_misses)) > show,
        "duties": [(duty, problems.get(duty.pk, [])) for duty in duties],
        "changeable": {duty.pk for duty in duties if scope.covers(duty.officer)},
        "units": list(units),
        "own_only": scope.unit_ids is not None,
        "editor_url": _editor_url(requirement, starts_at, ends_at),
    }


@login_required
@require_GET
def editor_requirement(request: HtmxHttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """One requirement: its duties and gaps, the qualified free officers ranked, near misses with the reason,
    assign in one click, bulk assign a unit."""
    event, scope = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    starts_at, ends_at = _window(request, requirement)
    context = _editor_context(request, event, scope, requirement, starts_at, ends_at)
    partial = bool(request.htmx)
    template = "planning/editor_requirement.html" + ("#editor" if partial else "")
    return render(request, template, context)


def _after_write(
    request: HtmxHttpRequest,
    event: Event,
    scope: assignability.AssignScope,
    requirement: Requirement,
    window: tuple[datetime, datetime],
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """htmx: the refreshed editor with the outcome (and the coverage-changed trigger on success);
    without JavaScript: the message and a redirect back to the editor (post, redirect, get)."""
    if request.htmx:
        context = _editor_context(request, event, scope, requirement, *window)
        context.update(notice=notice, error=error)
        response = render(request, "planning/editor_requirement.html#editor", context, status=status)
        if not error:
            response["HX-Trigger"] = TRIGGER
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(_editor_url(requirement, *window))


def _posted_window(
    request: HtmxHttpRequest, form: Any, requirement: Requirement
) -> tuple[datetime, datetime]:
    """The window posted with a form (already validated in the event's zone), else the requirement's."""
    with timezone.override(requirement.event.tz):
        form.is_valid()  # cached when already run
    data = getattr(form, "cleaned_data", {})
    start, end = data.get("starts_at"), data.get("ends_at")
    if start and end and end > start:
        return _snap(requirement, start, end)
    return requirement.starts_at, requirement.ends_at


@login_required
@require_POST
def editor_assign(request: HtmxHttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """Assign one officer to the requirement for the window, through ``assignment_services.assign_officer``."""
    event, scope = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    with timezone.override(event.tz):
        form = AssignForm(request.POST)
        valid = form.is_valid()
    window = _posted_window(request, form, requirement)
    if not valid:
        return _after_write(request, event, scope, requirement, window, error=errors_of(form), status=400)
    try:
        officer = lookup(Officer, event, form.cleaned_data["officer"], field="officer")
        assignment = assignment_services.assign_officer(
            actor=request.user,
            post=requirement.post,
            officer=officer,
            starts_at=window[0],
            ends_at=window[1],
            requirement=requirement,
        )
    except DomainError as exc:
        return _after_write(
            request, event, scope, requirement, window, error=str(exc), status=exc.status_code
        )
    notice = _("%(officer)s assigned to %(post)s.") % {
        "officer": assignment.officer,
        "post": requirement.post,
    }
    return _after_write(request, event, scope, requirement, window, notice=notice)


@login_required
@require_GET
def editor_check(request: HtmxHttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """What assigning this officer for the window would break or fix, before saving (the coverage rules
    on the proposal). htmx: the ``#check`` partial; without JavaScript: the editor page with it."""
    event, scope = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    starts_at, ends_at = _window(request, requirement)
    officer = lookup(Officer, event, request.GET.get("officer", "")[:12] or None, field="officer")
    if officer is None:
        return redirect(_editor_url(requirement, starts_at, ends_at))
    result = assignability.check(
        event,
        assignability.proposal_for(requirement, officer, starts_at, ends_at),
        site=requirement.post.site,
    )
    label = findings.labeller(event, [*result.added, *result.removed], officers=[officer])
    lang = current_language()

    def explained(found: list[coverage.Finding]) -> list[tuple[str, str]]:
        return [(str(KIND_LABELS.get(str(f.kind), f.kind)), coverage.explain(f, lang, label)) for f in found]

    check = {
        "officer": officer,
        "allowed": scope.covers(officer),
        "ok": result.ok,
        "refusals": explained(result.refusals),
        "warnings": explained(result.warnings),
        "fixes": explained(result.fixes),
    }
    if request.htmx:
        context = {
            "event": event,
            "requirement": requirement,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "check": check,
        }
        return render(request, "planning/editor_requirement.html#check", context)
    context = _editor_context(request, event, scope, requirement, starts_at, ends_at)
    context["check"] = check
    return render(request, "planning/editor_requirement.html", context)


@login_required
@require_POST
def editor_bulk(request: HtmxHttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """Assign a unit's qualified free officers to the requirement, up to its shortfall, in one transaction."""
    event, scope = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    with timezone.override(event.tz):
        form = BulkAssignForm(request.POST)
        valid = form.is_valid()
    window = _posted_window(request, form, requirement)
    if not valid:
        return _after_write(request, event, scope, requirement, window, error=errors_of(form), status=400)
    try:
        unit = lookup(Unit, event, form.cleaned_data["unit"], field="unit")
        result = assignment_services.assign_unit(
            actor=request.user, requirement=requirement, unit=unit, starts_at=window[0], ends_at=window[1]
        )
    except DomainError as exc:
        return _after_write(
            request, event, scope, requirement, window, error=str(exc), status=exc.status_code
        )
    parts = [
        ngettext(
            "%(count)d officer of %(unit)s assigned: %(names)s.",
            "%(count)d officers of %(unit)s assigned: %(names)s.",
            len(result.placed),
        )
        % {
            "count": len(result.placed),
            "unit": unit,
            "names": ", ".join(str(a.officer) for a in result.placed) or "—",
        }
    ]
    if result.not_placed:
        shown = result.not_placed[:10]
        parts.append(
            _("Could not be placed: %(list)s") % {"list": "; ".join(f"{o} — {why}" for o, why in shown)}
            + (
                " "
                + ngettext(
                    "(and %(count)d more)", "(and %(count)d more)", len(result.not_placed) - len(shown)
                )
                % {"count": len(result.not_placed) - len(shown)}
                if len(result.not_placed) > len(shown)
                else ""
            )
        )
    if result.without_skill:
        parts.append(
            ngettext(
                "%(count)d officer of the unit does not hold the role %(role)s.",
                "%(count)d officers of the unit do not hold the role %(role)s.",
                result.without_skill,
            )
            % {"count": result.without_skill, "role": requirement.skill}
        )
    if result.still_short:
        parts.append(
            ngettext("%(count)d seat is still open.", "%(count)d seats are still open.", result.still_short)
            % {"count": result.still_short}
        )
    notice = " ".join(parts)
    if not result.placed:
        return _after_write(request, event, scope, requirement, window, error=notice, status=409)
    return _after_write(request, event, scope, requirement, window, notice=notice)


@login_required
@require_GET
def editor_assignment(request: HtmxHttpRequest, code: str, assignment_id: int) -> HttpResponse:
    """One assignment and every finding about it (double booking, rest, skill, …), with the fixes:
    unassign it, or find someone else for its requirement."""
    event, scope = _editor_event(request, code)
    assignment = queries.editor_assignment_for(request.user, event, assignment_id)
    about = findings.findings_about(event, assignment)
    label = findings.labeller(event, about, officers=[assignment.officer])
    lang = current_language()
    others = sorted({pk for f in about for pk in f.assignment_ids} - {assignment.pk})
    requirement = (
        queries.requirements_for(request.user, event).filter(pk=assignment.requirement_id).first()
        if assignment.requirement_id
        else None
    )
    context = {
        "event": event,
        "assignment": assignment,
        "findings": [
            (
                str(SEVERITY_LABELS.get(str(f.severity), f.severity)),
                str(f.severity),
                str(KIND_LABELS.get(str(f.kind), f.kind)),
                coverage.explain(f, lang, label),
            )
            for f in about
        ],
        "others": list(
            queries.assignments_for(request.user, event).filter(pk__in=others).select_related("post__site")
        ),
        "requirement": requirement,
        "may_change": scope.covers(assignment.officer),
        "move": _move_check(request, event, assignment, lang),
    }
    return render(request, "planning/editor_assignment.html", context)


def _move_check(
    request: HtmxHttpRequest, event: Event, assignment: Assignment, lang: str
) -> dict[str, Any] | None:
    """``?starts_at=&ends_at=``: what moving the assignment to that window would break or fix."""
    if "starts_at" not in request.GET:
        return None
    with timezone.override(event.tz):
        form = WindowForm(request.GET)
        valid = form.is_valid()
    if not valid:
        return {"error": errors_of(form)}
    start, end = form.cleaned_data["starts_at"], form.cleaned_data["ends_at"]
    result = assignability.check(
        event,
        assignability.proposal_of(assignment, starts_at=start, ends_at=end),
        site=assignment.post.site,
        before=assignability.proposal_of(assignment),
    )
    label = findings.labeller(event, [*result.added, *result.removed], officers=[assignment.officer])

    def explained(found: list[coverage.Finding]) -> list[tuple[str, str]]:
        return [(str(KIND_LABELS.get(str(f.kind), f.kind)), coverage.explain(f, lang, label)) for f in found]

    return {
        "starts_at": start,
        "ends_at": end,
        "ok": result.ok,
        "refusals": explained(result.refusals),
        "warnings": explained(result.warnings),
        "fixes": explained([f for f in result.removed if f.kind != coverage.FindingKind.OVERSTAFFED]),
    }


@login_required
@require_POST
def editor_move(request: HtmxHttpRequest, code: str, assignment_id: int) -> HttpResponse:
    """Move an assignment to another window, through ``assignment_services.update_assignment`` (same refusals)."""
    event, _scope = _editor_event(request, code)
    assignment = queries.editor_assignment_for(request.user, event, assignment_id)
    with timezone.override(event.tz):
        form = WindowForm(request.POST)
        valid = form.is_valid()
    if not valid:
        messages.error(request, errors_of(form))
    else:
        try:
            assignment_services.update_assignment(
                actor=request.user,
                assignment=assignment,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
        except DomainError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The assignment was moved."))
    return redirect("planning:editor-assignment", code=event.code, assignment_id=assignment.pk)


@login_required
@require_POST
def editor_unassign(request: HtmxHttpRequest, code: str, assignment_id: int) -> HttpResponse:
    """Remove an assignment; back to its requirement in the editor (htmx: the refreshed editor)."""
    event, scope = _editor_event(request, code)
    assignment = queries.editor_assignment_for(request.user, event, assignment_id)
    requirement = None
    if assignment.requirement_id:
        try:
            requirement = queries.editor_requirement_for(request.user, event, assignment.requirement_id)
        except NotFound:  # an orphan: its requirement disappeared
            requirement = None
    who, where = str(assignment.officer), str(assignment.post)
    error = ""
    try:
        assignment_services.unassign(actor=request.user, assignment=assignment)
    except DomainError as exc:
        error = str(exc)
    notice = _("%(officer)s is no longer assigned to %(post)s.") % {"officer": who, "post": where}
    if requirement is not None:
        with timezone.override(event.tz):
            form = WindowForm(request.POST)
        window = _posted_window(request, form, requirement)
        return _after_write(
            request,
            event,
            scope,
            requirement,
            window,
            notice=notice,
            error=error,
            status=409 if error else 200,
        )
    if error:
        messages.error(request, error)
        return redirect("planning:editor-assignment", code=event.code, assignment_id=assignment.pk)
    messages.success(request, notice)
    return redirect("planning:gap-board", code=event.code)
