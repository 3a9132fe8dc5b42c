"""The event's audit trail page (`audit.view`): actions in words, changes as a before/after table, links to
the objects, filters by who, what and when, and a CSV export (formula-safe, itself recorded in the trail).
It lives with the event pages so that ``audit`` (which every service imports to record) imports no domain
app."""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, time, timedelta
from typing import Any

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from antt.audit import queries
from antt.audit.labels import CHANGE_NAMES, CHANGES_OF, OBJECT_PAGES, action_label, object_label
from antt.audit.models import AuditEntry
from antt.core.htmx import HtmxHttpRequest
from antt.core.permissions import Role
from antt.core.spreadsheet import csv_row
from antt.events import services
from antt.events.queries import get_event_for

PAGE_SIZE = 50
HASH_LENGTH = 64


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _filters(request: HttpRequest) -> dict[str, str]:
    return {
        "actor": request.GET.get("actor", "").strip()[:150],
        "action": request.GET.get("action", "").strip()[:100],
        "since": request.GET.get("since", "").strip()[:10],
        "until": request.GET.get("until", "").strip()[:10],
    }


def _filtered(entries: QuerySet[AuditEntry], event: Any, filters: dict[str, str]) -> QuerySet[AuditEntry]:
    if filters["actor"]:
        entries = entries.filter(actor_name=filters["actor"])
    if filters["action"]:
        entries = entries.filter(action=filters["action"])
    since, until = _day(filters["since"]), _day(filters["until"])
    if since is not None:
        entries = entries.filter(created_at__gte=datetime.combine(since, time(0), tzinfo=event.tz))
    if until is not None:
        entries = entries.filter(
            created_at__lt=datetime.combine(until + timedelta(days=1), time(0), tzinfo=event.tz)
        )
    return entries


def _model(object_type: str) -> Any:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _field(model: Any, name: str) -> Any:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if hasattr(field, "verbose_name") else None  # a reverse relation has no name to show


def _value(model: Any, field: Any, value: Any) -> str:
    """A before/after value in words: choices by their label, field names by theirs, hashes shortened."""
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(
            _value(model, _field(model, str(v)) if isinstance(v, str) else None, v) for v in value
        )
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is None and isinstance(value, str) and _field(model, value) is not None:
        return str(_field(model, value).verbose_name)
    choices = dict(getattr(field, "flatchoices", None) or ())
    if value in choices:
        return str(choices[value])
    if isinstance(value, str) and value in Role.values:  # a role recorded on another object (add_member)
        return str(Role(value).label)
    text = str(value)
    if len(text) == HASH_LENGTH and all(c in "0123456789abcdef" for c in text):
        return text[:12] + "…"
    return text


def _changes(entry: AuditEntry) -> list[tuple[str, str, str]]:
    """(what, before, after) rows; a change that is not a before/after pair shows as "after"."""
    try:
        data = json.loads(entry.changes) if entry.changes else {}
    except ValueError:
        return [("", "", entry.changes)]
    if not isinstance(data, dict):
        return [("", "", str(data))]
    model = _model(CHANGES_OF.get(entry.action, entry.object_type))
    rows = []
    for name, change in sorted(data.items()):
        field = _field(model, name)
        if field is not None:
            label = str(field.verbose_name)
        else:
            label = str(CHANGE_NAMES.get(name, name.replace("_", " ")))
        if isinstance(change, list) and len(change) == 2:
            rows.append((label, _value(model, field, change[0]), _value(model, field, change[1])))
        else:
            rows.append((label, "", _value(model, field, change)))
    return rows


def _link(event: Any, entry: AuditEntry) -> str:
    if entry.object_type == "events.event":
        return reverse("events:home", kwargs={"code": event.code})
    page = OBJECT_PAGES.get(entry.object_type)
    if page is None or not entry.object_id.isdigit():
        return ""
    try:
        return reverse(page[0], kwargs={"code": event.code, page[1]: int(entry.object_id)})
    except NoReverseMatch:
        return ""


def _row(event: Any, entry: AuditEntry) -> dict[str, Any]:
    return {
        "entry": entry,
        "action": action_label(entry.action, entry.object_type),
        "object_type": object_label(entry.object_type) if entry.object_type else "",
        "url": _link(event, entry),
        "changes": _changes(entry),
    }


@login_required
@require_GET
def audit_list(request: HtmxHttpRequest, code: str) -> HttpResponse:
    event = get_event_for(request.user, code, action="audit.view")
    entries = queries.entries_for(request.user, event)
    filters = _filters(request)
    actors = list(entries.order_by().exclude(actor_name="").values_list("actor_name", flat=True).distinct())
    actions = sorted(
        {(a, action_label(a)) for a in entries.order_by().values_list("action", flat=True).distinct()},
        key=lambda pair: pair[1],
    )
    page = Paginator(_filtered(entries, event, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "event": event,
        "page": page,
        "rows": [_row(event, entry) for entry in page.object_list],
        "filters": filters,
        "actors": sorted(actors),
        "actions": actions,
    }
    template = "events/audit_list.html#entries" if request.htmx else "events/audit_list.html"
    return render(request, template, context)


@login_required
@require_GET
def audit_export(request: HttpRequest, code: str) -> HttpResponse:
    """The filtered trail as CSV (every field formula-safe); the export itself is recorded in the trail."""
    event = get_event_for(request.user, code, action="audit.view")
    filters = _filters(request)
    entries = list(_filtered(queries.entries_for(request.user, event), event, filters))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="audit-{event.code}.csv"'
    response.write("\ufeff")  # a byte order mark: spreadsheet programs then read UTF-8 (Vietnamese) right
    writer = csv.writer(response)
    writer.writerow(
        csv_row(
            [
                _("No."),
                _("Time"),
                _("Who"),
                _("IP address"),
                _("Action"),
                _("Action code"),
                _("Object type"),
                _("Object id"),
                _("Object"),
                _("Changes"),
            ]
        )
    )
    for entry in entries:
        changes = "; ".join(
            f"{what}: {before} → {after}" if before else f"{what}: {after}"
            for what, before, after in _changes(entry)
        )
        writer.writerow(
            csv_row(
                [
                    entry.seq,
                    entry.created_at.astimezone(event.tz).strftime("%Y-%m-%d %H:%M:%S"),
                    entry.actor_name,
                    entry.ip,
                    action_label(entry.action, entry.object_type),
                    entry.action,
                    object_label(entry.object_type) if entry.object_type else "",
                    entry.object_id,
                    entry.object_repr,
                    changes,
                ]
            )
        )
    services.record_audit_export(actor=request.user, event=event, rows=len(entries), filters=filters)
    return response
