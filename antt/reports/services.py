"""Writes of the briefing: operational periods, the ICS 205 radio plan, IAP versions (request, build,
approve).

Rules:
- periods and radio channels: ``planning.change``;
- an IAP version is requested by a planner or commander (``planning.change``) and built in the background
  (``tasks.build_iap``): its content is a frozen snapshot of the plan with a SHA-256;
- approval: ``reports.publish`` (a commander), four eyes — not the person who requested that version —
  and the stored content must still match its hash. Only an approved version is distributed.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.permissions import Clearance, require
from antt.forces.models import Unit
from antt.reports import iap as iap_content
from antt.reports import iap_pdf
from antt.reports.models import Iap, IapVersion, OperationalPeriod, RadioChannel

log = logging.getLogger(__name__)

CHANNEL_FIELDS = ("unit", "function", "name", "talk_group", "frequency", "call_sign", "phone", "remarks")
PERIOD_FIELDS = ("code", "name_vi", "name_en", "starts", "ends")
LANGUAGES = ("vi", "en")


# --- operational periods ---------------------------------------------------------------------------------


def _time(value: Any, field: str) -> time:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(str(value))
    except ValueError as exc:
        raise Invalid(_("Give the time as HH:MM, e.g. 06:00."), field=field) from exc


@transaction.atomic
def create_period(
    *, actor: Any, event: Any, code: str, name_vi: str, name_en: str, starts: Any, ends: Any
) -> OperationalPeriod:
    """A recurring operational period (e.g. day 06:00-18:00); an end before the start crosses midnight."""
    require(actor, "planning.change", event)
    period = OperationalPeriod(
        event=event,
        code=(code or "").strip(),
        name_vi=(name_vi or "").strip(),
        name_en=(name_en or "").strip(),
        starts=_time(starts, "starts"),
        ends=_time(ends, "ends"),
    )
    if period.starts == period.ends:
        raise Invalid(_("The period must not start and end at the same time."), field="ends")
    if OperationalPeriod.objects.filter(event=event, code=period.code).exists():
        raise Invalid(_("This code is already used in this event."), field="code")
    return writes.create(
        actor=actor,
        action="planning.change",
        event=event,
        obj=period,
        fields=PERIOD_FIELDS,
        audit_action="reports.create_period",
    )


def period_window(event: Any, period: OperationalPeriod, day: Any) -> tuple[datetime, datetime]:
    """The concrete window of ``period`` starting on local ``day`` in the event's zone."""
    start = datetime.combine(day, period.starts, tzinfo=event.tz)
    end_day = day if period.ends > period.starts else day + timedelta(days=1)
    end = datetime.combine(end_day, period.ends, tzinfo=event.tz)
    return start, end


# --- ICS 205 radio plan ----------------------------------------------------------------------------------


def _channel_values(event: Any, data: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: (str(data.get(name) or "")).strip() for name in CHANNEL_FIELDS if name != "unit"
    }
    if not values["name"]:
        raise Invalid(_("Give the channel a name."), field="name")
    if values["function"] not in RadioChannel.Function.values:
        raise Invalid(_("Choose the channel's function."), field="function")
    unit = data.get("unit")
    if unit not in (None, ""):
        unit_id = getattr(unit, "pk", unit)
        unit = Unit.objects.filter(event=event, pk=unit_id).first() if str(unit_id).isdigit() else None
        if unit is None:
            raise Invalid(_("Unknown unit in this event."), field="unit")
    values["unit"] = unit or None
    return values


@transaction.atomic
def create_channel(*, actor: Any, event: Any, **data: Any) -> RadioChannel:
    require(actor, "planning.change", event)
    channel = RadioChannel(event=event, **_channel_values(event, data))
    return writes.create(
        actor=actor,
        action="planning.change",
        event=event,
        obj=channel,
        fields=CHANNEL_FIELDS,
        audit_action="reports.create_channel",
    )


@transaction.atomic
def update_channel(*, actor: Any, channel: RadioChannel, **data: Any) -> RadioChannel:
    require(actor, "planning.change", channel.event)
    values = _channel_values(channel.event, data)
    obj, _delta = writes.update(
        actor=actor,
        action="planning.change",
        event=channel.event,
        obj=channel,
        changes=values,
        allowed=CHANNEL_FIELDS,
        fields=CHANNEL_FIELDS,
        audit_action="reports.update_channel",
    )
    return obj


@transaction.atomic
def delete_channel(*, actor: Any, channel: RadioChannel) -> None:
    writes.delete(
        actor=actor,
        action="planning.change",
        event=channel.event,
        obj=channel,
        fields=CHANNEL_FIELDS,
        audit_action="reports.delete_channel",
    )


# --- the Incident Action Plan ----------------------------------------------------------------------------


@transaction.atomic
def request_iap(
    *,
    actor: Any,
    event: Any,
    period: OperationalPeriod,
    day: Any,
    language: str = "vi",
    classification: int = Clearance.CONFIDENTIAL,
) -> IapVersion:
    """Queue a new version of the IAP of ``period`` on ``day``; ``dispatch_build`` then builds it."""
    require(actor, "planning.change", event)
    writes.same_event(event, period=period)
    if language not in LANGUAGES:
        raise Invalid(_("Choose Vietnamese or English."), field="language")
    if classification not in Clearance.values:
        raise Invalid(_("Choose a classification."), field="classification")
    start, end = period_window(event, period, day)
    if end <= event.starts_at or start >= event.ends_at:
        raise Invalid(_("This period is outside the event's dates."), field="day")
    iap, created = Iap.objects.get_or_create(
        event=event,
        period=period,
        starts_at=start,
        defaults={"ends_at": end, "classification": classification},
    )
    iap = Iap.objects.select_for_update().get(pk=iap.pk)
    if iap.versions.filter(status__in=[IapVersion.Status.QUEUED, IapVersion.Status.BUILDING]).exists():
        raise Conflict(_("A version of this IAP is already being built; wait for it to finish."))
    if not created and iap.classification != classification:
        iap.classification = classification
        iap.save(update_fields=["classification", "updated_at"])
    number = (iap.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = IapVersion.objects.create(
        iap=iap, number=number, language=language, requested_by=actor, requested_at=timezone.now()
    )
    iap.latest_version = version
    iap.save(update_fields=["latest_version", "updated_at"])
    audit.record(
        actor=actor,
        action="reports.request_iap",
        target=iap,
        event=event,
        changes={
            "version": [None, number],
            "language": [None, language],
            "classification": [None, classification],
        },
    )
    return version


def dispatch_build(version_id: int) -> None:
    """Hand the build to the task backend (immediate in development and tests; the worker in production)."""
    from antt.reports import tasks

    tasks.build_iap.enqueue(version_id)


def _progress(version_id: int, percent: int, step: str) -> None:
    IapVersion.objects.filter(pk=version_id).update(progress=percent, step=step[:100])


def execute_build(version_id: int) -> str:
    """Build version ``version_id``: content, hash, PDF. Progress and outcome are written to its row."""
    claimed = IapVersion.objects.filter(pk=version_id, status=IapVersion.Status.QUEUED).update(
        status=IapVersion.Status.BUILDING, progress=1
    )
    if not claimed:
        return "skipped"
    version = IapVersion.objects.select_related("iap__event", "iap__period").get(pk=version_id)
    try:
        content = iap_content.build_content(version.iap, lambda p, s: _progress(version_id, p, s))
        digest = iap_content.content_hash(content)
        _progress(version_id, 60, "PDF")
        pdf = iap_pdf.render(
            content, language=version.language, number=version.number, content_hash=digest, approved=False
        )
    except Exception as exc:  # a failed build is shown on its page, never lost
        log.exception("IAP build %s failed", version_id)
        IapVersion.objects.filter(pk=version_id).update(
            status=IapVersion.Status.FAILED, error=str(exc)[:2000]
        )
        return "failed"
    IapVersion.objects.filter(pk=version_id).update(
        status=IapVersion.Status.BUILT,
        progress=100,
        step="",
        content=content,
        content_hash=digest,
        pdf=pdf,
        pdf_size=len(pdf),
        built_at=timezone.now(),
    )
    return "built"


@transaction.atomic
def approve_iap(*, actor: Any, version: IapVersion, content_hash: str) -> IapVersion:
    """Approve a built version (the one the commander reviewed, named by its hash): it is distributed."""
    iap = Iap.objects.select_for_update().select_related("event").get(pk=version.iap_id)
    require(actor, "reports.publish", iap.event)
    version = IapVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != IapVersion.Status.BUILT:
        raise Conflict(_("Only a built version that is not yet approved can be approved."))
    if iap.latest_version_id != version.pk:
        raise Conflict(_("A newer version of this IAP exists; review that one."))
    if content_hash != version.content_hash:
        raise Conflict(_("You reviewed other content than this version holds; review it again."))
    if version.requested_by_id == actor.pk:
        raise NotAllowed(_("Four eyes: you generated this version, so another commander must approve it."))
    if iap_content.content_hash(version.content or {}) != version.content_hash:
        raise Conflict(
            _("The stored content no longer matches its hash. Do not approve it; tell the administrator.")
        )
    previous = iap.approved_version_id
    now = timezone.now()
    IapVersion.objects.filter(pk=version.pk).update(
        status=IapVersion.Status.APPROVED, approved_by=actor, approved_at=now, step="PDF"
    )
    iap.approved_version = version
    iap.save(update_fields=["approved_version", "updated_at"])
    audit.record(
        actor=actor,
        action="reports.approve_iap",
        target=iap,
        event=iap.event,
        changes={"version": [previous, version.number], "content_hash": [None, version.content_hash]},
    )
    version.refresh_from_db()
    return version


def dispatch_finalize(version_id: int) -> None:
    """Render the approved PDF in the background (a large IAP takes minutes: never inside a request)."""
    from antt.reports import tasks

    tasks.finalize_iap.enqueue(version_id)


def execute_finalize(version_id: int) -> str:
    """Render approved version ``version_id`` without the draft marking; until then it is not distributed."""
    version = IapVersion.objects.filter(
        pk=version_id, status=IapVersion.Status.APPROVED, pdf_final=False
    ).first()
    if version is None:
        return "skipped"
    pdf = iap_pdf.render(
        version.content or {},
        language=version.language,
        number=version.number,
        content_hash=version.content_hash,
        approved=True,
    )
    IapVersion.objects.filter(pk=version_id).update(pdf=pdf, pdf_size=len(pdf), pdf_final=True, step="")
    return "final"
