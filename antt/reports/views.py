"""Briefing pages: the reports home (IAPs, SitReps, alerts), one IAP with its versions, progress, diff and
approval; one SitRep (edit, approve, PDF, EDXL XML); the radio plan (ICS 205); printed rosters.

Every POST checks the permission first (a role without the right gets 403 before any rule is looked at);
a rule's refusal is shown as a message on the page it came from."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from antt.core.errors import DomainError, Invalid, NotFound
from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import Clearance, can, require
from antt.events import queries as event_queries
from antt.forces.models import Unit
from antt.planning.models import Post
from antt.reports import iap as iap_content
from antt.reports import iap_pdf, queries, rosters, services, sitrep_services
from antt.reports.models import IapVersion, OperationalPeriod, RadioChannel, SitRep


def _day(value: str, event: Any) -> date:
    try:
        return date.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise Invalid(_("Give the day as YYYY-MM-DD."), field="day") from exc


def _int(value: Any, default: int) -> int:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 6 else default


def attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> Any:
    """Run a service; a rule's refusal becomes an error message (the permission was checked before)."""
    try:
        result = action()
    except NotFound:
        raise
    except DomainError as exc:
        messages.error(request, str(exc))
        return None
    messages.success(request, success)
    return result


def _event_days(event: Any) -> list[date]:
    first = event.starts_at.astimezone(event.tz).date()
    last = event.ends_at.astimezone(event.tz).date()
    return [date.fromordinal(n) for n in range(first.toordinal(), last.toordinal() + 1)]


@login_required
@require_GET
def home(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    context = {
        "event": event,
        "iaps": queries.iaps_for(request.user, event)[:50],
        "sitreps": queries.sitreps_for(request.user, event)[:50],
        "alerts": queries.alerts_for(request.user, event)[:50],
        "periods": queries.periods_of(event),
        "days": _event_days(event),
        "classifications": Clearance.choices,
        "may_prepare": can(request.user, "planning.change", event),
    }
    return render(request, "reports/home.html", context)


@login_required
@require_POST
def iap_generate(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    require(request.user, "planning.change", event)
    period = OperationalPeriod.objects.filter(
        event=event, pk=id_or_not_found(request.POST.get("period") or 0)
    ).first()
    if period is None:
        messages.error(request, _("Choose an operational period."))
        return redirect("reports:home", code=event.code)

    def run() -> IapVersion:
        version = services.request_iap(
            actor=request.user,
            event=event,
            period=period,
            day=_day(request.POST.get("day", ""), event),
            language=request.POST.get("language", "vi"),
            classification=_int(request.POST.get("classification"), Clearance.CONFIDENTIAL),
        )
        services.dispatch_build(version.pk)
        return version

    version = attempt(request, run, _("The IAP is being built."))
    if version is None:
        return redirect("reports:home", code=event.code)
    return redirect("reports:iap", code=event.code, iap_id=version.iap_id)


@login_required
@require_GET
def iap_detail(request: HttpRequest, code: str, iap_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    the_iap = queries.get_iap_for(request.user, event, iap_id)
    may_prepare = queries.may_prepare(request.user, event)
    versions = queries.visible_versions(request.user, the_iap)
    building = any(
        v.status in (IapVersion.Status.QUEUED, IapVersion.Status.BUILDING)
        or (v.status == IapVersion.Status.APPROVED and not v.pdf_final)
        for v in versions
    )
    latest = next((v for v in versions if v.pk == the_iap.latest_version_id), None)
    changes = None
    if (
        latest is not None
        and may_prepare
        and latest.status in (IapVersion.Status.BUILT, IapVersion.Status.APPROVED)
    ):
        full = IapVersion.objects.defer("pdf").get(pk=latest.pk)
        previous = queries.previous_built(full)
        changes = iap_content.diff(previous.content if previous else None, full.content or {})
        changes = {name: rows for name, rows in changes.items() if rows["added"] or rows["removed"]}
    context = {
        "event": event,
        "iap": the_iap,
        "versions": versions,
        "latest": latest,
        "changes": changes,
        "building": building,
        "may_approve": can(request.user, "reports.publish", event)
        and latest is not None
        and latest.status == IapVersion.Status.BUILT
        and latest.requested_by_id != request.user.pk,
    }
    template = "reports/iap_detail.html#versions" if request.htmx else "reports/iap_detail.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
@require_GET
def iap_pdf_view(request: HttpRequest, code: str, iap_id: int, number: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    the_iap = queries.get_iap_for(request.user, event, iap_id)
    version = queries.get_version_for(request.user, the_iap, number)
    if not version.pdf:
        raise not_found()
    language = request.GET.get("lang", version.language)
    if language != version.language and language in services.LANGUAGES:
        pdf = iap_pdf.render(
            version.content or {},
            language=language,
            number=version.number,
            content_hash=version.content_hash,
            approved=version.status == IapVersion.Status.APPROVED and version.pdf_final,
        )
    else:
        language, pdf = version.language, bytes(version.pdf)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="iap-{event.code}-{the_iap.pk}-v{version.number}-{language}.pdf"'
    )
    return response


@login_required
@require_POST
def iap_approve(request: HttpRequest, code: str, iap_id: int, number: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    require(request.user, "reports.publish", event)
    the_iap = queries.get_iap_for(request.user, event, iap_id)
    version = queries.get_version_for(request.user, the_iap, number)
    approved = attempt(
        request,
        lambda: services.approve_iap(
            actor=request.user, version=version, content_hash=request.POST.get("content_hash", "")
        ),
        _("Version %(n)d is approved; it is distributed as soon as its final PDF is rendered.")
        % {"n": version.number},
    )
    if approved is not None:
        services.dispatch_finalize(approved.pk)
    return redirect("reports:iap", code=event.code, iap_id=the_iap.pk)


@login_required
@require_http_methods(["GET", "POST"])
def periods(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    if request.method == "POST":
        require(request.user, "planning.change", event)
        attempt(
            request,
            lambda: services.create_period(
                actor=request.user,
                event=event,
                code=request.POST.get("code", "")[:20],
                name_vi=request.POST.get("name_vi", "")[:100],
                name_en=request.POST.get("name_en", "")[:100],
                starts=request.POST.get("starts", ""),
                ends=request.POST.get("ends", ""),
            ),
            _("The operational period is saved."),
        )
        return redirect("reports:periods", code=event.code)
    return render(
        request,
        "reports/periods.html",
        {
            "event": event,
            "periods": queries.periods_of(event),
            "may_change": can(request.user, "planning.change", event),
        },
    )


def _channel_data(request: HttpRequest) -> dict[str, Any]:
    return {name: request.POST.get(name, "")[:300] for name in services.CHANNEL_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def channels(request: HttpRequest, code: str) -> HttpResponse:
    """The ICS 205 communications plan: the event's channels and talk groups; add one."""
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    if request.method == "POST":
        require(request.user, "planning.change", event)
        attempt(
            request,
            lambda: services.create_channel(actor=request.user, event=event, **_channel_data(request)),
            _("The channel is saved."),
        )
        return redirect("reports:channels", code=event.code)
    context = {
        "event": event,
        "channels": queries.channels_for(request.user, event),
        "functions": RadioChannel.Function.choices,
        "units": Unit.objects.filter(event=event).order_by("code").only("pk", "code", "name_vi", "name_en"),
        "may_change": can(request.user, "planning.change", event),
    }
    return render(request, "reports/channels.html", context)


@login_required
@require_POST
def channel_edit(request: HttpRequest, code: str, channel_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    require(request.user, "planning.change", event)
    channel = queries.get_channel_for(request.user, event, channel_id)
    if request.POST.get("delete"):
        attempt(
            request,
            lambda: services.delete_channel(actor=request.user, channel=channel),
            _("The channel is removed."),
        )
    else:
        attempt(
            request,
            lambda: services.update_channel(actor=request.user, channel=channel, **_channel_data(request)),
            _("The channel is saved."),
        )
    return redirect("reports:channels", code=event.code)


@login_required
@require_POST
def sitrep_draft(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    require(request.user, "planning.change", event)
    report = attempt(
        request,
        lambda: sitrep_services.draft_sitrep(
            actor=request.user,
            event=event,
            day=_day(request.POST.get("day", ""), event),
            classification=_int(request.POST.get("classification"), Clearance.CONFIDENTIAL),
        ),
        _("The draft situation report is generated from the day's data."),
    )
    if report is None:
        return redirect("reports:home", code=event.code)
    return redirect("reports:sitrep", code=event.code, sitrep_id=report.pk)


@login_required
@require_http_methods(["GET", "POST"])
def sitrep_detail(request: HttpRequest, code: str, sitrep_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    report = queries.get_sitrep_for(request.user, event, sitrep_id)
    if request.method == "POST":
        require(request.user, "planning.change", event)
        texts = {name: request.POST.get(name, "") for name in sitrep_services.TEXTS}
        attempt(
            request,
            lambda: sitrep_services.edit_sitrep(actor=request.user, report=report, **texts),
            _("The report is saved."),
        )
        return redirect("reports:sitrep", code=event.code, sitrep_id=report.pk)
    context = {
        "event": event,
        "report": report,
        "s": report.sections,
        "may_edit": can(request.user, "planning.change", event) and report.status == SitRep.Status.DRAFT,
        "may_approve": can(request.user, "reports.publish", event)
        and report.status == SitRep.Status.DRAFT
        and request.user.pk not in {report.author_id, report.edited_by_id},
    }
    return render(request, "reports/sitrep_detail.html", context)


@login_required
@require_POST
def sitrep_approve(request: HttpRequest, code: str, sitrep_id: int) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    require(request.user, "reports.publish", event)
    report = queries.get_sitrep_for(request.user, event, sitrep_id)
    attempt(
        request,
        lambda: sitrep_services.approve_sitrep(actor=request.user, report=report),
        _("The situation report is approved."),
    )
    return redirect("reports:sitrep", code=event.code, sitrep_id=report.pk)


@login_required
@require_GET
def sitrep_export(request: HttpRequest, code: str, sitrep_id: int, fmt: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="reports.view")
    report = queries.get_sitrep_for(request.user, event, sitrep_id)
    name = f"sitrep-{event.code}-{report.day:%Y%m%d}-{report.number}"
    if fmt == "xml":
        response = HttpResponse(sitrep_services.xml(report), content_type="application/xml")
        response["Content-Disposition"] = f'attachment; filename="{name}.xml"'
        return response
    language = request.GET.get("lang", "vi") if request.GET.get("lang") in services.LANGUAGES else "vi"
    response = HttpResponse(sitrep_services.pdf(report, language), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}-{language}.pdf"'
    return response


@login_required
@require_GET
def roster(request: HttpRequest, code: str, kind: str, subject_id: int) -> HttpResponse:
    """A day's roster of a unit or a post, as A4 PDF (``?format=pdf``, default) or XLSX."""
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    if queries.clearance_of(request.user, event) < Clearance.CONFIDENTIAL:
        raise not_found()  # rosters carry post orders: Confidential
    model = Unit if kind == "unit" else Post
    subject = model.objects.filter(event=event, pk=id_or_not_found(subject_id)).first()
    if subject is None:
        raise not_found()
    day = _day(request.GET.get("day", "") or str(_event_days(event)[0]), event)
    data = rosters.rows(
        event, day, unit=subject if kind == "unit" else None, post=subject if kind == "post" else None
    )
    name = f"roster-{event.code}-{kind}-{subject.code}-{day:%Y%m%d}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            rosters.xlsx(event, day, subject, data),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    language = request.GET.get("lang", "vi") if request.GET.get("lang") in services.LANGUAGES else "vi"
    response = HttpResponse(
        rosters.pdf(event, day, subject, data, language=language), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response
