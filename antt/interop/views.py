"""Import and export pages: the forces import (upload → preview → confirm), template and downloads."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from antt.core.permissions import can
from antt.events import queries as event_queries
from antt.interop import exports, forces_sheet, pending, scenario, scenario_export
from antt.interop.forces_import import ForcesReport, import_forces
from antt.interop.forms import ForcesUploadForm

SESSION_KEY = "interop.forces_upload"


def _counts(report: ForcesReport) -> list[tuple[str, dict[str, int]]]:
    from django.utils.translation import gettext as _

    return [(_("Units"), report.counts("units")), (_("Officers"), report.counts("officers"))]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes | str, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def interop_home(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    context = {
        "event": event,
        "can_import": can(request.user, "forces.change", event),
        "may_export": exports.may_export(request.user, event),
        "own_units_only": exports.may_export(request.user, event)["roster"]
        and not can(request.user, "interop.export_roster", event),
    }
    return render(request, "interop/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def forces_import(request: HttpRequest, code: str) -> HttpResponse:
    """GET: the upload form. POST with files: the preview (nothing written). POST ``confirm``: the import."""
    event = event_queries.get_event_for(request.user, code, action="forces.change")
    form = ForcesUploadForm()
    context: dict[str, Any] = {"event": event, "form": form}
    if request.method == "POST" and "confirm" in request.POST:
        stored = request.session.get(SESSION_KEY) or {}
        token = str(request.POST.get("token", ""))
        files = None
        if stored.get("token") == token and stored.get("event") == event.code:
            files = pending.files_for(token=token, user=request.user, event=event)
        if files is None:
            context["expired"] = True
            return render(request, "interop/forces_import.html", context, status=400)
        parsed = forces_sheet.parse(files, tz=event.tz)
        report = import_forces(actor=request.user, event=event, parsed=parsed, commit=True)
        if report.written:
            pending.discard(token=token, user=request.user)
            request.session.pop(SESSION_KEY, None)
        context.update({"report": report, "report_counts": _counts(report), "done": report.written})
        return render(request, "interop/forces_import.html", context, status=200 if report.ok else 400)
    if request.method == "POST":
        form = ForcesUploadForm(request.POST, request.FILES)
        context["form"] = form
        if not form.is_valid():
            return render(request, "interop/forces_import.html", context, status=400)
        files = []
        for name in ("file", "second_file"):
            upload = form.cleaned_data.get(name)
            if upload is not None:
                files.append((upload.name, upload.read()))
        parsed = forces_sheet.parse(files, tz=event.tz)
        report = import_forces(actor=request.user, event=event, parsed=parsed, commit=False)
        context.update({"report": report, "report_counts": _counts(report)})
        if report.ok:
            token = pending.keep(user=request.user, event=event, files=files)
            # The session holds the token only; the files stay on the server (antt.interop.pending).
            request.session[SESSION_KEY] = {"token": token, "event": event.code}
            context["token"] = token
        return render(request, "interop/forces_import.html", context, status=200 if report.ok else 400)
    return render(request, "interop/forces_import.html", context)


@login_required
@require_GET
def forces_template(request: HttpRequest, code: str) -> HttpResponse:
    event_queries.get_event_for(request.user, code, action="forces.view")
    return download(forces_sheet.template_xlsx(), filename="antt-forces-template.xlsx", content_type=XLSX)


@login_required
@require_GET
def export_geojson(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    data = exports.export_geojson(actor=request.user, event=event)
    return download(
        json.dumps(data, ensure_ascii=False),
        filename=f"{event.code}-sites-posts.geojson",
        content_type="application/geo+json",
    )


@login_required
@require_GET
def export_roster(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    content = exports.export_roster(actor=request.user, event=event)
    return download(content, filename=f"{event.code}-roster.xlsx", content_type=XLSX)


@login_required
@require_GET
def export_scenario(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="planning.view")
    data = scenario_export.export_scenario(actor=request.user, event=event)
    return download(
        scenario.dumps(data), filename=f"{event.code}-scenario.json", content_type="application/json"
    )
