"""Writes from the field: orders acknowledged, check-ins, incident reports and photos, SOS, positions.

Every function: keyword-only, an ``actor``, one transaction, ``operations.report`` required, typed errors
with vi/en messages, one audit entry (positions: one per batch, with the digest of its points). None of them
touches planning rows, so the plan's version (and its cached coverage) is unchanged by the day's traffic.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.lookups import not_found
from antt.core.permissions import require
from antt.events.models import Event
from antt.forces.models import Officer
from antt.operations import field_queries, ntag, proofs
from antt.operations.models import (
    CheckIn,
    FieldReport,
    Incident,
    IncidentCategory,
    NfcTag,
    OrdersAcknowledgement,
    PositionBatch,
    PositionReport,
    PostProof,
    ReportPhoto,
    Sos,
)
from antt.operations.opening import ensure_categories, open_incident
from antt.planning.models import Assignment, Post

MAX_PHOTOS = 4
MAX_PHOTO_BYTES = 3 * 1024 * 1024
MAX_BATCH = 120
ACTION = "operations.report"


def _officer(actor: Any, event: Event) -> Officer:
    require(actor, ACTION, event)
    officer = field_queries.officer_of(actor, event)
    if officer is None:
        raise NotAllowed(
            _("Your account is not linked to an officer of this event; ask your unit commander."),
            code="no_officer",
        )
    return officer


def _position(lat: float | None, lon: float | None, accuracy_m: float | None) -> None:
    if lat is None and lon is None:
        return
    if lat is None or lon is None or not (-90 <= lat <= 90) or not (-180 <= lon <= 180):
        raise Invalid(_("The position is out of range (latitude -90…90, longitude -180…180)."), field="lat")
    if accuracy_m is not None and not (0 <= accuracy_m <= 100_000):
        raise Invalid(_("The position's accuracy is out of range (0…100,000 m)."), field="accuracy_m")


def _device_time(device_time: datetime | None, received_at: datetime) -> datetime | None:
    """The phone's clock, kept as sent unless absurd (more than a day ahead or a year behind)."""
    if device_time is None:
        return None
    if device_time > received_at + timedelta(days=1) or device_time < received_at - timedelta(days=366):
        raise Invalid(
            _("The phone's time is far from the server's; set the phone's clock."), field="device_time"
        )
    return device_time


# --- post orders -----------------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_orders(
    *, actor: Any, event: Event, post: Post, orders_digest: str, device_time: datetime | None = None
) -> OrdersAcknowledgement:
    officer = _officer(actor, event)
    writes.same_event(event, post=post)
    if not Assignment.objects.filter(event=event, officer=officer, post=post).exists():
        raise not_found()
    return _acknowledge(actor, event, officer, post, orders_digest, device_time, timezone.now())


def _acknowledge(
    actor: Any,
    event: Event,
    officer: Officer,
    post: Post,
    digest: str,
    device_time: datetime | None,
    now: datetime,
) -> OrdersAcknowledgement:
    if digest != proofs.orders_digest(post.orders):
        raise Conflict(
            _(
                "The post orders have changed since you opened them; read the new version and acknowledge again."
            ),
            code="orders_changed",
        )
    ack, created = OrdersAcknowledgement.objects.get_or_create(
        officer=officer,
        post=post,
        orders_digest=digest,
        defaults={"event": event, "at": now, "device_time": _device_time(device_time, now)},
    )
    if created:
        audit.record(
            actor=actor,
            action="operations.acknowledge_orders",
            target=ack,
            event=event,
            changes={"post": [None, post.pk], "orders_digest": [None, digest[:16]]},
        )
    return ack


# --- check-in --------------------------------------------------------------------------------------------


@dataclass
class Proof:
    lat: float | None = None
    lon: float | None = None
    accuracy_m: float | None = None
    code_step: int | None = None
    code: str = ""
    nfc_e: str = ""
    nfc_c: str = ""


def post_proof(post: Post) -> PostProof:
    """The post's proof settings, made with defaults (and a fresh secret) the first time."""
    found = PostProof.objects.filter(post=post).first()
    if found:
        return found
    try:
        with transaction.atomic():
            return PostProof.objects.create(event_id=post.event_id, post=post, secret=proofs.new_secret())
    except IntegrityError:
        return PostProof.objects.get(post=post)


@transaction.atomic
def check_in(
    *,
    actor: Any,
    event: Event,
    post: Post,
    kind: str = CheckIn.Kind.IN,
    proof: Proof,
    device_time: datetime | None = None,
    orders_digest: str = "",
    received_at: datetime | None = None,
) -> CheckIn:
    """Check in (or out, or relieved, or a guard-tour check) at ``post``; refuse what proves absence,
    record which proofs held. The time is the rotating code's step when scanned, else the phone's time
    (never after the server's), else the server's."""
    officer = _officer(actor, event)
    writes.same_event(event, post=post)
    if kind not in CheckIn.Kind.values:
        raise Invalid(_("Unknown kind of check-in."), field="kind")
    _position(proof.lat, proof.lon, proof.accuracy_m)
    now = received_at or timezone.now()
    device_time = _device_time(device_time, now)
    settings_ = post_proof(post)
    held: dict[str, Any] = {}
    at = min(device_time, now) if device_time else now
    held["clock"] = "device" if device_time else "server"
    if proof.code or proof.code_step is not None:
        proven = proofs.check_code(
            settings_.secret,
            step=proof.code_step or -1,
            code=proof.code,
            device_time=device_time,
            received_at=now,
        )
        if proven is None:
            raise Invalid(
                _("The post's code is wrong or too old; scan the code shown at the post now."), field="code"
            )
        held["code"] = True
        held["clock"] = "code"
        at = proven
    if proof.nfc_e or proof.nfc_c:
        held["nfc"] = _check_nfc(event, post, proof)
    grace = timedelta(minutes=settings_.grace_minutes)
    assignment = field_queries.duty_at(officer, post, at, grace=grace)
    if assignment is None:
        raise Invalid(
            _(
                "You have no duty at this post at this time (the window opens %(minutes)d minutes before the start)."
            )
            % {"minutes": settings_.grace_minutes},
            field="post",
            code="outside_window",
        )
    held["window"] = True
    if proof.lat is not None and proof.lon is not None:
        accuracy = proof.accuracy_m if proof.accuracy_m is not None else 0.0
        inside = proofs.within(post.geometry, proof.lat, proof.lon, settings_.radius_m, accuracy)
        if not inside and settings_.needs_position:
            distance = proofs.distance_m(post.geometry, proof.lat, proof.lon)
            raise Invalid(
                _("You are %(distance)d m from the post; check in within %(radius)d m of it.")
                % {"distance": round(distance or 0), "radius": settings_.radius_m},
                field="lat",
                code="outside_geofence",
            )
        held["position"] = inside
    if kind == CheckIn.Kind.IN:
        if orders_digest:
            _acknowledge(actor, event, officer, post, orders_digest, device_time, now)
        if not OrdersAcknowledgement.objects.filter(
            officer=officer, post=post, orders_digest=proofs.orders_digest(post.orders)
        ).exists():
            raise Conflict(
                _("Acknowledge the current post orders before checking in."), code="orders_not_acknowledged"
            )
    required = {
        "position": settings_.needs_position,
        "code": settings_.needs_code,
        "nfc": settings_.needs_nfc,
    }
    strong = all(held.get(name) is True for name, needed in required.items() if needed)
    row = CheckIn(
        event=event,
        officer=officer,
        post=post,
        assignment=assignment,
        kind=kind,
        at=at,
        device_time=device_time,
        received_at=now,
        lat=proof.lat,
        lon=proof.lon,
        accuracy_m=proof.accuracy_m,
        proofs=held,
        is_strong=strong,
        user=actor,
    )
    row.save()
    audit.record(
        actor=actor,
        action="operations.check_in",
        target=row,
        event=event,
        changes={
            "kind": [None, kind],
            "post": [None, post.pk],
            "proofs": [None, held],
            "strong": [None, strong],
        },
    )
    return row


def _check_nfc(event: Event, post: Post, proof: Proof) -> bool:
    tags = list(NfcTag.objects.select_for_update().filter(event=event, post=post, is_active=True))
    for tag in tags:
        try:
            message = ntag.verify(
                meta_key=bytes.fromhex(tag.meta_key),
                file_key=bytes.fromhex(tag.file_key),
                picc_enc_hex=proof.nfc_e,
                mac_hex=proof.nfc_c,
                last_counter=tag.last_counter,
                expected_uid=bytes.fromhex(tag.uid),
            )
        except ntag.SunError as exc:
            if str(exc) == "replayed tap":
                raise Invalid(
                    _("This NFC tap was already used; tap the tag at the post again."),
                    field="nfc",
                    code="nfc_replay",
                ) from exc
            continue
        NfcTag.objects.filter(pk=tag.pk).update(last_counter=message.counter)
        return True
    raise Invalid(_("The NFC tag's message is not valid for this post."), field="nfc", code="nfc_invalid")


# --- incident reports -----------------------------------------------------------------------------------


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
    """A report from the field: opens an incident (``open_incident``) and keeps the report row."""
    require(actor, ACTION, event)
    officer = field_queries.officer_of(actor, event)
    writes.same_event(event, post=post)
    _position(lat, lon, accuracy_m)
    text = (text or "").strip()
    if not text:
        raise Invalid(_("Say what happened."), field="text")
    if len(text) > 4000:
        raise Invalid(_("The report is too long (4,000 characters at most)."), field="text")
    if priority is not None and priority not in (1, 2, 3, 4):
        raise Invalid(_("Priority is 1 (immediate) to 4 (routine)."), field="priority")
    ensure_categories(event)
    category = IncidentCategory.objects.filter(
        event=event, code=str(category_code)[:40], is_active=True
    ).first()
    if category is None:
        raise Invalid(_("Unknown incident category."), field="category")
    if FieldReport.objects.filter(event=event, client_id=client_id).exists():
        raise Conflict(_("This report was already received."), code="report_exists")
    now = received_at or timezone.now()
    device_time = _device_time(device_time, now)
    duty = field_queries.duty_now(officer, now) if officer else None
    if post is None and duty is not None:
        post = duty.post
    programme_item = None
    if duty is not None and post is not None and duty.post_id == post.pk and duty.requirement_id:
        programme_item = field_queries.programme_item_of(duty)
    location = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
    incident = open_incident(
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
    report = FieldReport.objects.create(
        event=event,
        client_id=client_id,
        incident=incident,
        officer=officer,
        user=actor,
        category=category,
        priority=incident.priority,
        text=text,
        post=post,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
        device_time=device_time,
        received_at=now,
    )
    audit.record(
        actor=actor,
        action="operations.field_report",
        target=report,
        event=event,
        changes={
            "incident": [None, incident.pk],
            "category": [None, category.code],
            "post": [None, post and post.pk],
        },
    )
    return report


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
    require(actor, ACTION, event)
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


# --- SOS -------------------------------------------------------------------------------------------------


def _pin(pin: str) -> str:
    pin = str(pin or "")
    if not pin.isdigit() or not 4 <= len(pin) <= 8:
        raise Invalid(_("The PIN is 4 to 8 digits."), field="pin")
    return pin


@transaction.atomic
def raise_sos(
    *,
    actor: Any,
    event: Event,
    pin: str,
    lat: float | None = None,
    lon: float | None = None,
    accuracy_m: float | None = None,
    device_time: datetime | None = None,
    received_at: datetime | None = None,
) -> Sos:
    """An officer's alarm: identity and position at once; opens a P1 incident (source SOS)."""
    officer = _officer(actor, event)
    _position(lat, lon, accuracy_m)
    pin = _pin(pin)
    now = received_at or timezone.now()
    duty = field_queries.duty_now(officer, now)
    sos = Sos.objects.create(
        event=event,
        officer=officer,
        user=actor,
        assignment=duty,
        post=duty.post if duty else None,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
        device_time=_device_time(device_time, now),
        received_at=now,
        last_position_at=now if lat is not None else None,
        pin_hash=make_password(pin),
    )
    category = (
        next((c for c in ensure_categories(event) if c.code == "other"), None)
        or IncidentCategory.objects.filter(event=event).first()
    )
    if category is not None:
        open_incident(
            actor=actor,
            event=event,
            category=category,
            summary=_("SOS: %(officer)s") % {"officer": officer.call_sign or officer.full_name},
            priority=1,
            source=Incident.Source.SOS,
            location={"type": "Point", "coordinates": [lon, lat]}
            if lat is not None and lon is not None
            else None,
            site=duty.post.site if duty else None,
            post=duty.post if duty else None,
            reported_at=now,
        )
    if lat is not None and lon is not None:
        PositionReport.objects.create(
            event=event,
            officer=officer,
            sos=sos,
            device_time=device_time or now,
            received_at=now,
            lat=lat,
            lon=lon,
            accuracy_m=accuracy_m,
        )
    audit.record(
        actor=actor, action="operations.sos", target=sos, event=event, changes={"status": [None, "active"]}
    )
    return sos


def _own_sos(actor: Any, event: Event, sos_id: int) -> Sos:
    require(actor, ACTION, event)
    sos = Sos.objects.select_for_update().filter(event=event, pk=sos_id, user=actor).first()
    if sos is None:
        raise not_found()
    return sos


@transaction.atomic
def sos_position(
    *,
    actor: Any,
    event: Event,
    sos_id: int,
    lat: float,
    lon: float,
    accuracy_m: float | None = None,
    device_time: datetime | None = None,
) -> PositionReport:
    sos = _own_sos(actor, event, sos_id)
    _position(lat, lon, accuracy_m)
    if sos.status != Sos.Status.ACTIVE:
        raise Conflict(_("This SOS was cancelled."), code="sos_cancelled")
    now = timezone.now()
    point = PositionReport.objects.create(
        event=event,
        officer_id=sos.officer_id,
        sos=sos,
        device_time=_device_time(device_time, now) or now,
        received_at=now,
        lat=lat,
        lon=lon,
        accuracy_m=accuracy_m,
    )
    Sos.objects.filter(pk=sos.pk).update(last_position_at=now, lat=lat, lon=lon, accuracy_m=accuracy_m)
    audit.record(
        actor=actor,
        action="operations.sos_position",
        target=sos,
        event=event,
        changes={"position": [None, [lat, lon]]},
    )
    return point


@transaction.atomic
def cancel_sos(*, actor: Any, event: Event, sos_id: int, pin: str) -> Sos:
    sos = _own_sos(actor, event, sos_id)
    if sos.status != Sos.Status.ACTIVE:
        return sos
    if not check_password(str(pin or ""), sos.pin_hash):
        raise Invalid(_("Wrong PIN: the SOS stays active."), field="pin", code="wrong_pin")
    sos.status = Sos.Status.CANCELLED
    sos.cancelled_at = timezone.now()
    sos.save(update_fields=["status", "cancelled_at"])
    audit.record(
        actor=actor,
        action="operations.cancel_sos",
        target=sos,
        event=event,
        changes={"status": ["active", "cancelled"]},
    )
    return sos


# --- positions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PositionResult:
    batch: PositionBatch | None
    stored: int
    off_duty: int


@transaction.atomic
def record_positions(
    *, actor: Any, event: Event, points: list[dict[str, Any]], received_at: datetime | None = None
) -> PositionResult:
    """Store a batch of positions — only those taken on duty (never off duty: the rest are dropped, not
    kept). One audit entry per batch with the SHA-256 of its points."""
    officer = _officer(actor, event)
    if not points:
        raise Invalid(_("The batch has no positions."), field="points")
    if len(points) > MAX_BATCH:
        raise Invalid(_("At most %(n)d positions per batch.") % {"n": MAX_BATCH}, field="points")
    now = received_at or timezone.now()
    for p in points:
        _position(p["lat"], p["lon"], p.get("accuracy_m"))
        _device_time(p["device_time"], now)
    times = [p["device_time"] for p in points]
    duties = field_queries.duties_between(officer, min(times), max(times))
    radii = dict(
        PostProof.objects.filter(post_id__in={d.post_id for d in duties}).values_list("post_id", "radius_m")
    )
    rows: list[PositionReport] = []
    for p in points:
        duty = next((d for d in duties if d.starts_at <= p["device_time"] <= d.ends_at), None)
        if duty is None:
            continue
        radius = radii.get(duty.post_id, 75)
        inside = proofs.distance_m(duty.post.geometry, p["lat"], p["lon"])
        rows.append(
            PositionReport(
                event=event,
                officer=officer,
                assignment=duty,
                post=duty.post,
                device_time=p["device_time"],
                received_at=now,
                lat=p["lat"],
                lon=p["lon"],
                accuracy_m=p.get("accuracy_m"),
                inside=None if inside is None else inside <= radius,
            )
        )
    if not rows:
        return PositionResult(batch=None, stored=0, off_duty=len(points))
    digest = hashlib.sha256(
        json.dumps([[r.device_time.isoformat(), r.lat, r.lon, r.accuracy_m] for r in rows]).encode()
    ).hexdigest()
    batch = PositionBatch.objects.create(
        event=event, officer=officer, received_at=now, count=len(rows), digest=digest
    )
    for row in rows:
        row.batch = batch
    PositionReport.objects.bulk_create(rows)
    audit.record(
        actor=actor,
        action="operations.positions",
        target=batch,
        event=event,
        changes={"count": [None, len(rows)], "digest": [None, digest]},
    )
    return PositionResult(batch=batch, stored=len(rows), off_duty=len(points) - len(rows))


def purge_positions(*, now: datetime | None = None) -> int:
    """Delete positions older than the retention period (``ANTT_POSITION_RETENTION_DAYS``, default 30):
    a task runs it daily. Returns how many points went."""
    days = int(getattr(settings, "POSITION_RETENTION_DAYS", 30))
    cutoff = (now or timezone.now()) - timedelta(days=days)
    with transaction.atomic():
        points, _counts = PositionReport.objects.filter(received_at__lt=cutoff).delete()
        PositionBatch.objects.filter(received_at__lt=cutoff).delete()
    return points
