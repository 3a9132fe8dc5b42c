"""Planning pages: the gap board, the assignment editor, my unit and my duties.

Thin views: forms check the shape of input, ``services`` enforce the rules, ``queries`` and ``editor`` read.
Every page works without JavaScript; with htmx the editor swaps its ``#editor`` partial in place and tells
the page (``HX-Trigger: coverage-changed``) so that a gap board listening for it refreshes.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from antt.core.errors import DomainError, NotAllowed, NotFound
from antt.core.languages import current_language
from antt.core.lookups import lookup, parse_id
from antt.core.permissions import can
from antt.events import queries as event_queries
from antt.forces.models import Officer, Unit
from antt.planning import coverage, editor, queries, services
from antt.planning.forms import AssignForm, BulkAssignForm, WindowForm, errors_of
from antt.planning.labels import KIND_LABELS, SEVERITY_LABELS
from antt.planning.models import Site

EDITOR_PAGE = 50
ROSTER_PAGE = 100
SHOW_CANDIDATES = 25
TRIGGER = "coverage-changed"


def _day(value: str) -> date | None:
    """A ``YYYY-MM-DD`` filter, or None. Days at the ends of the calendar (``9999-12-31``) are refused:
    their day bounds and time-zone shifts overflow ``datetime``."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return day if date.min < day < date.max else None


def _int(value: str) -> int | None:
    return parse_id(value)


def _local(value: str, tz: Any) -> datetime | None:
    """``YYYY-MM-DDTHH:MM`` in the event's zone (or an ISO datetime with an offset) → aware datetime."""
    try:
        moment = datetime.fromisoformat(value[:32])
    except ValueError:
        return None
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _day_bounds(event: Any, day: date) -> tuple[datetime, datetime]:
    tz = event.tz
    start = datetime.combine(day, time(0, 0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz)


def _event_days(event: Any) -> list[date]:
    tz = event.tz
    first = event.starts_at.astimezone(tz).date()
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


# --- the gap board ---------------------------------------------------------------------------------------


@login_required
@require_GET
def gap_board(request: HttpRequest, code: str) -> HttpResponse:
    """Every gap and conflict of the plan, grouped by day and site, with filters; htmx refreshes the board.
    Each finding links to its fix in the editor."""
    event = event_queries.get_event_for(request.user, code, action="coverage.view")
    day = _day(request.GET.get("day", "")[:10])
    site_id = _int(request.GET.get("site", "")[:12])
    unit_id = _int(request.GET.get("unit", "")[:12])
    severity = request.GET.get("severity", "")
    severity = severity if severity in SEVERITY_LABELS else ""
    units = list(Unit.objects.filter(event=event).order_by("code", "pk").only("code", "name_vi", "name_en"))
    if unit_id is not None and unit_id not in {u.pk for u in units}:
        unit_id = None
    keep = queries.unit_keep(event, unit_id) if unit_id is not None else None
    board = queries.gap_board(
        event,
        lang=current_language(),
        day=day,
        site_id=site_id,
        severity=severity,
        keep=keep,
        page=_int(request.GET.get("page", "")[:6]) or 1,
    )
    context = {
        "event": event,
        "board": board,
        "day": day,
        "site_id": site_id,
        "unit_id": unit_id,
        "units": units,
        "severity": severity,
        "severities": list(SEVERITY_LABELS.items()),
        "can_fix": can(request.user, "planning.assign", event)
        or can(request.user, "planning.assign_own_unit", event),
    }
    template = "planning/gap_board.html#board" if request.htmx else "planning/gap_board.html"  # type: ignore[attr-defined]
    return render(request, template, context)


# --- the assignment editor -------------------------------------------------------------------------------


def _editor_event(request: HttpRequest, code: str) -> tuple[Any, set[int] | None]:
    """The event, and the units whose officers the user may assign (None: all of them)."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    if can(request.user, "planning.assign", event):
        return event, None
    if can(request.user, "planning.assign_own_unit", event):
        return event, queries.own_unit_ids(request.user, event)
    raise NotAllowed(_("Your role in this event does not allow this action."))


def _window(request: HttpRequest, requirement: Any) -> tuple[datetime, datetime]:
    """The editor's window: ``start``/``end`` from the query (a gap's window, which may run over several
    requirements of the post), kept inside the event; the requirement's own window otherwise."""
    event = requirement.event
    tz = event.tz
    start = _local(request.GET.get("start", ""), tz) or requirement.starts_at
    end = _local(request.GET.get("end", ""), tz) or requirement.ends_at
    start = min(max(start, event.starts_at), event.ends_at)
    end = max(min(end, event.ends_at), event.starts_at)
    if end <= start:
        return requirement.starts_at, requirement.ends_at
    return _snap(requirement, start, end)


def _snap(requirement: Any, start: datetime, end: datetime) -> tuple[datetime, datetime]:
    """Inputs have minute precision: a time in the same minute as the requirement's start or end is it."""
    minute = coverage.minute_of
    if minute(start) == minute(requirement.starts_at):
        start = requirement.starts_at
    if minute(end) == minute(requirement.ends_at):
        end = requirement.ends_at
    return start, end


def _editor_url(requirement: Any, starts_at: datetime, ends_at: datetime) -> str:
    url = reverse("planning:editor-requirement", args=[requirement.event.code, requirement.pk])
    if (starts_at, ends_at) == (requirement.starts_at, requirement.ends_at):
        return url
    tz = requirement.event.tz
    fmt = "%Y-%m-%dT%H:%M"
    query = {"start": starts_at.astimezone(tz).strftime(fmt), "end": ends_at.astimezone(tz).strftime(fmt)}
    return f"{url}?{urlencode(query)}"


@login_required
@require_GET
def editor_list(request: HttpRequest, code: str) -> HttpResponse:
    """Pick a requirement: filter by day, site and post; open ones (with a gap) first on request."""
    event, _own = _editor_event(request, code)
    day = _day(request.GET.get("day", "")[:10])
    site_id = _int(request.GET.get("site", "")[:12])
    post_id = _int(request.GET.get("post", "")[:12])
    open_only = request.GET.get("open", "") == "1"
    short = queries.shortfalls(queries.coverage_for(event))
    bounds = _day_bounds(event, day) if day else (None, None)
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
        "days": _event_days(event),
        "sites": sites,
        "posts": posts,
        "day": day,
        "site_id": site_id,
        "post_id": post_id,
        "open_only": open_only,
        "open_total": len(short),
        "query": urlencode({k: v for k, v in filters.items() if v}),
    }
    template = "planning/editor_list.html#results" if request.htmx else "planning/editor_list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _editor_context(
    request: HttpRequest,
    event: Any,
    own: set[int] | None,
    requirement: Any,
    starts_at: datetime,
    ends_at: datetime,
) -> dict[str, Any]:
    show = 200 if request.GET.get("all") == "1" else SHOW_CANDIDATES
    found = editor.candidates(
        event, requirement, starts_at=starts_at, ends_at=ends_at, unit_ids=own, show=show
    )
    shown = found.qualified[:show] + found.near_misses[:show]
    label = editor.labeller(
        event,
        [f for c in shown for f in (*c.refusals, *c.warnings)],
        officers=[c.officer for c in shown if c.officer is not None],
    )
    lang = current_language()

    def reasons(candidate: editor.Candidate) -> list[tuple[str, str]]:
        return [
            (str(KIND_LABELS.get(str(f.kind), f.kind)), coverage.explain(f, lang, label))
            for f in (*candidate.refusals, *candidate.warnings)
        ]

    problems: dict[int, list[str]] = defaultdict(list)  # the duties' own findings (skill expired, …)
    for finding in found.findings:
        if finding.kind in editor.REFUSED:
            for pk in finding.assignment_ids:
                problems[pk].append(str(KIND_LABELS.get(str(finding.kind), finding.kind)))
    units = Unit.objects.filter(event=event).order_by("code", "pk").only("code", "name_vi", "name_en")
    if own is not None:
        units = units.filter(pk__in=sorted(own))
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
        "duties": [
            (duty, problems.get(duty.pk, []))
            for duty in queries.requirement_duties(requirement, requirement.starts_at, requirement.ends_at)
        ],
        "units": list(units),
        "own_only": own is not None,
        "own_ids": own or set(),
        "editor_url": _editor_url(requirement, starts_at, ends_at),
    }


@login_required
@require_GET
def editor_requirement(request: HttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """One requirement: its duties and gaps, the qualified free officers ranked, near misses with the reason,
    assign in one click, bulk assign a unit."""
    event, own = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    starts_at, ends_at = _window(request, requirement)
    context = _editor_context(request, event, own, requirement, starts_at, ends_at)
    partial = bool(request.htmx)  # type: ignore[attr-defined]
    template = "planning/editor_requirement.html" + ("#editor" if partial else "")
    return render(request, template, context)


def _after_write(
    request: HttpRequest,
    event: Any,
    own: set[int] | None,
    requirement: Any,
    window: tuple[datetime, datetime],
    *,
    notice: str = "",
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    """htmx: the refreshed editor with the outcome (and the coverage-changed trigger on success);
    without JavaScript: the message and a redirect back to the editor (post, redirect, get)."""
    if request.htmx:  # type: ignore[attr-defined]
        context = _editor_context(request, event, own, requirement, *window)
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


def _posted_window(request: HttpRequest, form: Any, requirement: Any) -> tuple[datetime, datetime]:
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
def editor_assign(request: HttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """Assign one officer to the requirement for the window, through ``services.assign_officer``."""
    event, own = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    with timezone.override(event.tz):
        form = AssignForm(request.POST)
        valid = form.is_valid()
    window = _posted_window(request, form, requirement)
    if not valid:
        return _after_write(request, event, own, requirement, window, error=errors_of(form), status=400)
    try:
        officer = lookup(Officer, event, form.cleaned_data["officer"], field="officer")
        assignment = services.assign_officer(
            actor=request.user,
            post=requirement.post,
            officer=officer,
            starts_at=window[0],
            ends_at=window[1],
            requirement=requirement,
        )
    except DomainError as exc:
        return _after_write(request, event, own, requirement, window, error=str(exc), status=exc.status_code)
    notice = _("%(officer)s assigned to %(post)s.") % {
        "officer": assignment.officer,
        "post": requirement.post,
    }
    return _after_write(request, event, own, requirement, window, notice=notice)


@login_required
@require_GET
def editor_check(request: HttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """What assigning this officer for the window would break or fix, before saving (the coverage rules
    on the proposal). htmx: the ``#check`` partial; without JavaScript: the editor page with it."""
    event, own = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    starts_at, ends_at = _window(request, requirement)
    officer = lookup(Officer, event, request.GET.get("officer", "")[:12] or None, field="officer")
    if officer is None:
        return redirect(_editor_url(requirement, starts_at, ends_at))
    result = editor.check(
        event, editor.proposal_for(requirement, officer, starts_at, ends_at), site=requirement.post.site
    )
    label = editor.labeller(event, [*result.added, *result.removed], officers=[officer])
    lang = current_language()

    def explained(findings: list[coverage.Finding]) -> list[tuple[str, str]]:
        return [
            (str(KIND_LABELS.get(str(f.kind), f.kind)), coverage.explain(f, lang, label)) for f in findings
        ]

    check = {
        "officer": officer,
        "allowed": own is None or officer.unit_id in own,
        "ok": result.ok,
        "refusals": explained(result.refusals),
        "warnings": explained(result.warnings),
        "fixes": explained(result.fixes),
    }
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "event": event,
            "requirement": requirement,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "check": check,
        }
        return render(request, "planning/editor_requirement.html#check", context)
    context = _editor_context(request, event, own, requirement, starts_at, ends_at)
    context["check"] = check
    return render(request, "planning/editor_requirement.html", context)


@login_required
@require_POST
def editor_bulk(request: HttpRequest, code: str, requirement_id: int) -> HttpResponse:
    """Assign a unit's qualified free officers to the requirement, up to its shortfall, in one transaction."""
    event, own = _editor_event(request, code)
    requirement = queries.editor_requirement_for(request.user, event, requirement_id)
    with timezone.override(event.tz):
        form = BulkAssignForm(request.POST)
        valid = form.is_valid()
    window = _posted_window(request, form, requirement)
    if not valid:
        return _after_write(request, event, own, requirement, window, error=errors_of(form), status=400)
    try:
        unit = lookup(Unit, event, form.cleaned_data["unit"], field="unit")
        result = services.assign_unit(
            actor=request.user, requirement=requirement, unit=unit, starts_at=window[0], ends_at=window[1]
        )
    except DomainError as exc:
        return _after_write(request, event, own, requirement, window, error=str(exc), status=exc.status_code)
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
        return _after_write(request, event, own, requirement, window, error=notice, status=409)
    return _after_write(request, event, own, requirement, window, notice=notice)


@login_required
@require_GET
def editor_assignment(request: HttpRequest, code: str, assignment_id: int) -> HttpResponse:
    """One assignment and every finding about it (double booking, rest, skill, …), with the fixes:
    unassign it, or find someone else for its requirement."""
    event, own = _editor_event(request, code)
    assignment = queries.editor_assignment_for(request.user, event, assignment_id)
    findings = editor.findings_about(event, assignment)
    label = editor.labeller(event, findings, officers=[assignment.officer])
    lang = current_language()
    others = sorted({pk for f in findings for pk in f.assignment_ids} - {assignment.pk})
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
            for f in findings
        ],
        "others": list(
            queries.assignments_for(request.user, event).filter(pk__in=others).select_related("post__site")
        ),
        "requirement": requirement,
        "may_change": own is None or assignment.officer.unit_id in own,
        "move": _move_check(request, event, assignment, lang),
    }
    return render(request, "planning/editor_assignment.html", context)


def _move_check(request: HttpRequest, event: Any, assignment: Any, lang: str) -> dict[str, Any] | None:
    """``?starts_at=&ends_at=``: what moving the assignment to that window would break or fix."""
    if "starts_at" not in request.GET:
        return None
    with timezone.override(event.tz):
        form = WindowForm(request.GET)
        valid = form.is_valid()
    if not valid:
        return {"error": errors_of(form)}
    start, end = form.cleaned_data["starts_at"], form.cleaned_data["ends_at"]
    result = editor.check(
        event,
        editor.proposal_of(assignment, starts_at=start, ends_at=end),
        site=assignment.post.site,
        before=editor.proposal_of(assignment),
    )
    label = editor.labeller(event, [*result.added, *result.removed], officers=[assignment.officer])

    def explained(findings: list[coverage.Finding]) -> list[tuple[str, str]]:
        return [
            (str(KIND_LABELS.get(str(f.kind), f.kind)), coverage.explain(f, lang, label)) for f in findings
        ]

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
def editor_move(request: HttpRequest, code: str, assignment_id: int) -> HttpResponse:
    """Move an assignment to another window, through ``services.update_assignment`` (same refusals)."""
    event, _own = _editor_event(request, code)
    assignment = queries.editor_assignment_for(request.user, event, assignment_id)
    with timezone.override(event.tz):
        form = WindowForm(request.POST)
        valid = form.is_valid()
    if not valid:
        messages.error(request, errors_of(form))
    else:
        try:
            services.update_assignment(
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
def editor_unassign(request: HttpRequest, code: str, assignment_id: int) -> HttpResponse:
    """Remove an assignment; back to its requirement in the editor (htmx: the refreshed editor)."""
    event, own = _editor_event(request, code)
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
        services.unassign(actor=request.user, assignment=assignment)
    except DomainError as exc:
        error = str(exc)
    notice = _("%(officer)s is no longer assigned to %(post)s.") % {"officer": who, "post": where}
    if requirement is not None:
        with timezone.override(event.tz):
            form = WindowForm(request.POST)
        window = _posted_window(request, form, requirement)
        return _after_write(
            request, event, own, requirement, window, notice=notice, error=error, status=409 if error else 200
        )
    if error:
        messages.error(request, error)
        return redirect("planning:editor-assignment", code=event.code, assignment_id=assignment.pk)
    messages.success(request, notice)
    return redirect("planning:gap-board", code=event.code)


# --- my unit, my duties ----------------------------------------------------------------------------------


@login_required
@require_GET
def my_unit(request: HttpRequest, code: str) -> HttpResponse:
    """The units the user commands and their sub-units: people and their duties on a day."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    tz = event.tz
    today = timezone.now().astimezone(tz).date()
    days = _event_days(event)
    choice = request.GET.get("day", "")[:10]
    if choice == "tomorrow":
        day = today + timedelta(days=1)
    elif choice in {"", "today"}:
        day = today if not days or days[0] <= today <= days[-1] else days[0]
    else:
        day = _day(choice) or today
    own = queries.own_unit_ids(request.user, event)
    starts_at, ends_at = _day_bounds(event, day)
    units, officers, duties = queries.unit_roster(event, own, starts_at=starts_at, ends_at=ends_at)
    page = Paginator(officers, ROSTER_PAGE).get_page(request.GET.get("page"))
    rows = [(officer, duties.get(officer.pk, [])) for officer in page.object_list]
    context = {
        "event": event,
        "me": queries.officer_of(request.user, event),
        "units": units,
        "rows": rows,
        "page": page,
        "day": day,
        "today": today,
        "days": days,
        "on_duty": sum(1 for officer_duties in duties.values() if officer_duties),
        "can_assign": can(request.user, "planning.assign", event)
        or can(request.user, "planning.assign_own_unit", event),
    }
    return render(request, "planning/my_unit.html", context)


@login_required
@require_GET
def my_duties(request: HttpRequest, code: str) -> HttpResponse:
    """The signed-in officer's duties: post, site, window, role and post orders (coming ones first)."""
    event = event_queries.get_event_for(request.user, code)
    if not (can(request.user, "planning.view_own", event) or can(request.user, "planning.view", event)):
        raise NotAllowed(_("Your role in this event does not allow this action."))
    me = queries.officer_of(request.user, event)
    show_past = request.GET.get("past") == "1"
    duties = (
        list(queries.duties_of(me, since=None if show_past else timezone.now())) if me is not None else []
    )
    return render(
        request,
        "planning/my_duties.html",
        {"event": event, "me": me, "duties": duties, "show_past": show_past, "now": timezone.now()},
    )
