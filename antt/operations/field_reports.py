"""Incident reports from the field and their photos.

A report opens an incident (``opening.open_incident``) and keeps the report row with both clocks (the
phone's and the server's); photos are JPEG only, at most 3 MB and 4 per report, their metadata (EXIF, GPS)
removed before they are stored. One transaction and one audit entry per write (a report's entry also
records the opening of its incident).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid
from antt.core.lookups import not_found
from antt.core.permissions import require
from antt.core.shortcache import MISSING, ShortCache
from antt.events.models import Event
from antt.forces.models import Officer
from antt.operations import field_input, field_queries
from antt.operations.models import FieldReport, Incident, IncidentCategory, ReportPhoto
from antt.operations.opening import ensure_categories, incident_draft, insert_incident
from antt.planning.models import Post

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 3 * 1024 * 1024


@dataclass(frozen=True)
class CheckedReport:
    """A report that passed every check (``check_report``), with what was read for it; nothing written yet."""

    actor: Any
    event: Event
    client_id: uuid.UUID
    category: IncidentCategory
    text: str
    post: Post | None
    officer: Officer | None
    lat: float | None
    lon: float | None
    accuracy_m: float | None
    device_time: datetime | None
    received_at: datetime
    incident: Incident  # the unsaved incident it opens (``opening.incident_draft``)


@transaction.atomic
def report_incident(
    *,
    actor: Any,
    event: Event,
    client_id: uuid.UUID,
    category_code: str,
    text: str,
    priority: int | None = None,
    post: Post | None = None,
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
    device_time: datetime | None = None,
    received_at: datetime | None = None,
) -> FieldReport:
    """A report from the field: opens an incident and keeps the report row; one audit entry names both (the
    report, and the incident with what its opening set). ``check_report`` then ``save_report``, in one
    transaction."""
    return save_report(
        check_report(
            actor=actor,
            event=event,
            client_id=client_id,
            category_code=category_code,
            text=text,
            priority=priority,
            post=post,
            lat=lat,
            lon=lon,
            accuracy_m=accuracy_m,
            device_time=device_time,
            received_at=received_at,
        )
    )


def check_report(
    *,
    actor: Any,
    event: Event,
    client_id: uuid.UUID,
    category_code: str,
    text: str,
    priority: int | None = None,
    post: Post | None = None,
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
    device_time: datetime | None = None,
    received_at: datetime | None = None,
) -> CheckedReport:
    """Every check of a report and every read it needs (permission, the text, priority and category, the
    reporter's duty now, its post and programme item, the incident's own rules); writes nothing.

    The field API runs it before the write's transaction: on SQLite that transaction holds the database's
    one write lock, so reads done here do not hold up the other writers. What was read may change before
    ``save_report`` (a category switched off, a duty moved) as it may under PostgreSQL's read committed;
    the report then stands as it was checked, like one that came a moment earlier."""
    require(actor, field_input.ACTION, event)
    writes.same_event(event, post=post)
    field_input.check_position(lat, lon, accuracy_m)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Say what happened."), field="text")
    if len(text) > 4000:
        raise Invalid(_("The report is too long (4,000 characters at most)."), field="text")
    if priority is not None and priority not in (1, 2, 3, 4):
        raise Invalid(_("Priority is 1 (immediate) to 4 (routine)."), field="priority")
    category = _category(event, str(category_code)[:40])
    if category is None:
        raise Invalid(_("Unknown incident category."), field="category")
    now = received_at or timezone.now()
    device_time = field_input.device_time(device_time, now)
    officer, duty = field_queries.reporter_now(actor, event, now)
    if post is None and duty is not None:
        post = duty.post
    programme_item = None
    if duty is not None and post is not None and duty.post_id == post.pk and duty.requirement_id:
        programme_item = field_queries.programme_item_of(duty)
    location = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    incident = incident_draft(
        actor=actor,
        event=event,
        category=category,
        summary=text.splitlines()[0][:300],
        priority=priority,
        source=Incident.Source.FIELD,
        details=text,
        location=location,
        site=post.site if post else None,
        post=post,
        programme_item=programme_item,
        reported_at=now,
    )
    return CheckedReport(
        actor=actor,
        event=event,
        client_id=client_id,
        category=category,
        text=text,
        post=post,
        officer=officer,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
        device_time=device_time,
        received_at=now,
        incident=incident,
    )


# No savepoint of its own: a failure rolls back the caller's whole transaction (the claim of the key stays
# apart), which is what a report needs.
@transaction.atomic(savepoint=False)
def save_report(checked: CheckedReport) -> FieldReport:
    """Write a checked report: the incident it opens (numbered under the event's lock), the report row and
    one audit entry, in one transaction. A second report with the same ``client_id`` rolls back whole."""
    actor, event, post, category = checked.actor, checked.event, checked.post, checked.category
    incident, opened = insert_incident(checked.incident)
    report = FieldReport(
        event=event,
        client_id=checked.client_id,
        incident=incident,
        officer=checked.officer,
        user=actor,
        category=category,
        priority=incident.priority,
        text=checked.text,
        post=post,
        lat=checked.lat,
        lon=checked.lon,
        accuracy_m=checked.accuracy_m,
        device_time=checked.device_time,
        received_at=checked.received_at,
    )
    try:
        report.save(force_insert=True)
    except IntegrityError as exc:  # (event, client_id) is unique: the whole report rolls back
        raise Conflict(_("This report was already received."), code="report_exists") from exc
    audit.record(
        actor=actor,
        action="operations.field_report",
        target=report,
        event=event,
        changes={
            "incident": [None, incident.pk],
            "category": [None, category.code],
            "post": [None, post and post.pk],
            # the opening of the incident, as ``open_incident`` records it in its own entry
            **{f"incident.{name}": change for name, change in opened.items()},
        },
    )
    return report


# The active categories looked up by reports, kept a few seconds per process like the API sign-ins
# (``core.shortcache``, ``ANTT_SIGNIN_CACHE_SECONDS``): a category saved in this process forgets them at once
# (the app's signals), one switched off in another process stops being offered within those seconds.
CATEGORIES = ShortCache(settings.SIGNIN_CACHE_SECONDS, size=2_000)


def _category(event: Event, code: str) -> IncidentCategory | None:
    """The event's active category ``code``; the default categories are made only when it is missing
    (one query on the usual path instead of three, none when this process read it seconds ago)."""
    key = (event.pk, code)
    found = CATEGORIES.get(key)
    if found is not MISSING:
        return found
    found = IncidentCategory.objects.filter(event=event, code=code, is_active=True).order_by("pk").first()
    if found is None:
        found = next((c for c in ensure_categories(event) if c.code == code), None)
    if found is not None:
        CATEGORIES.put(key, found)
    return found


def strip_jpeg_metadata(data: bytes) -> bytes:
    """The JPEG without its APP1…APP15 and comment segments (EXIF, GPS, XMP): the picture stays."""
    if data[:2] != b"\xff\xd8":
        raise Invalid(_("A photo must be a JPEG image."), field="photo", code="photo_type")
    out = bytearray(b"\xff\xd8")
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            raise Invalid(_("The photo is damaged; take it again."), field="photo", code="photo_damaged")
        marker = data[i + 1]
        if marker == 0xDA:  # start of scan: the rest is the picture
            out += data[i:]
            return bytes(out)
        length = int.from_bytes(data[i + 2 : i + 4], "big")
        segment = data[i : i + 2 + length]
        if length < 2 or len(segment) < 2 + length:
            raise Invalid(_("The photo is damaged; take it again."), field="photo", code="photo_damaged")
        if not (0xE1 <= marker <= 0xEF or marker == 0xFE):
            out += segment
        i += 2 + length
    raise Invalid(_("The photo is damaged; take it again."), field="photo", code="photo_damaged")


@transaction.atomic
def add_photo(
    *, actor: Any, event: Event, client_id: uuid.UUID, data: bytes, content_type: str
) -> ReportPhoto:
    """Attach a photo to the actor's own report: JPEG only, at most 3 MB and 4 per report, metadata removed."""
    require(actor, field_input.ACTION, event)
    report = (
        FieldReport.objects.select_for_update().filter(event=event, client_id=client_id, user=actor).first()
    )
    if report is None:
        raise not_found()
    if content_type.split(";")[0].strip().lower() != "image/jpeg":
        raise Invalid(_("A photo must be a JPEG image."), field="photo", code="photo_type")
    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid(
            _("The photo is larger than 3 MB; the app resizes photos — update it."),
            field="photo",
            code="photo_size",
        )
    if report.photos.count() >= MAX_PHOTOS:
        raise Invalid(_("A report has at most 4 photos."), field="photo", code="photo_count")
    clean = strip_jpeg_metadata(data)
    digest = hashlib.sha256(clean).hexdigest()
    name = default_storage.save(f"field/{event.pk}/{uuid.uuid4().hex}.jpg", ContentFile(clean))
    photo = ReportPhoto.objects.create(
        report=report, file=name, content_type="image/jpeg", size=len(clean), sha256=digest
    )
    audit.record(
        actor=actor,
        action="operations.field_photo",
        target=photo,
        event=event,
        changes={"report": [None, report.pk], "sha256": [None, digest]},
    )
    return photo
