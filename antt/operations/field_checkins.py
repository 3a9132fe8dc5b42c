"""Post orders acknowledged, and check-in / check-out / relieved / guard-tour checks with their proofs.

A check-in records which proofs held (rotating code, NFC tap, position in the geofence, the time window) and
whether all the post requires held (``is_strong``); what proves absence — a wrong or old code, a replayed
tap, a position outside the geofence when the post needs one, no duty in the window — is refused. One
transaction and one audit entry per write; no planning row is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid
from antt.core.lookups import not_found
from antt.core.permissions import require
from antt.events.models import Event
from antt.forces.models import Officer
from antt.operations import field_input, field_queries, ntag, proofs
from antt.operations.models import CheckIn, NfcTag, OrdersAcknowledgement, PostProof
from antt.planning.models import Assignment, Post

# --- post orders -----------------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_orders(
    *, actor: Any, event: Event, post: Post, orders_digest: str, device_time: datetime | None = None
) -> OrdersAcknowledgement:
    officer = field_input.officer_for(actor, event)
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
        defaults={"event": event, "at": now, "device_time": field_input.device_time(device_time, now)},
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
    officer = field_input.officer_for(actor, event)
    writes.same_event(event, post=post)
    if kind not in CheckIn.Kind.values:
        raise Invalid(_("Unknown kind of check-in."), field="kind")
    field_input.check_position(proof.lat, proof.lon, proof.accuracy_m)
    now = received_at or timezone.now()
    device_time = field_input.device_time(device_time, now)
    settings_ = post_proof(post)
    held, at = _tokens_held(event, post, settings_, proof, device_time, now)
    assignment = _duty_in_window(officer, post, settings_, at)
    held["window"] = True
    if proof.lat is not None and proof.lon is not None:
        held["position"] = _inside_geofence(post, settings_, proof.lat, proof.lon, proof.accuracy_m)
    if kind == CheckIn.Kind.IN:
        _require_orders_acknowledged(actor, event, officer, post, orders_digest, device_time, now)
    required = {
        "position": settings_.needs_position,
        "code": settings_.needs_code,
        "nfc": settings_.needs_nfc,
    }
    strong = all(held.get(name) is True for name, needed in required.items() if needed)
    row = CheckIn.objects.create(
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


def _tokens_held(
    event: Event,
    post: Post,
    settings_: PostProof,
    proof: Proof,
    device_time: datetime | None,
    now: datetime,
) -> tuple[dict[str, Any], datetime]:
    """The code and NFC proofs (a bad one is refused), and the check-in's time: the code's step when
    scanned, else the phone's time (never after the server's), else the server's."""
    held: dict[str, Any] = {"clock": "device" if device_time else "server"}
    at = min(device_time, now) if device_time else now
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
    return held, at


def _duty_in_window(officer: Officer, post: Post, settings_: PostProof, at: datetime) -> Assignment:
    assignment = field_queries.duty_at(officer, post, at, grace=timedelta(minutes=settings_.grace_minutes))
    if assignment is None:
        raise Invalid(
            _(
                "You have no duty at this post at this time (the window opens %(minutes)d minutes before the start)."
            )
            % {"minutes": settings_.grace_minutes},
            field="post",
            code="outside_window",
        )
    return assignment


def _inside_geofence(
    post: Post, settings_: PostProof, lat: float, lon: float, accuracy_m: float | None
) -> bool:
    """Whether the position (with its accuracy) is within the post's radius; refused outside when the
    post needs a position."""
    accuracy = accuracy_m if accuracy_m is not None else 0.0
    inside = proofs.within(post.geometry, lat, lon, settings_.radius_m, accuracy)
    if not inside and settings_.needs_position:
        distance = proofs.distance_m(post.geometry, lat, lon)
        raise Invalid(
            _("You are %(distance)d m from the post; check in within %(radius)d m of it.")
            % {"distance": round(distance or 0), "radius": settings_.radius_m},
            field="lat",
            code="outside_geofence",
        )
    return inside


def _require_orders_acknowledged(
    actor: Any,
    event: Event,
    officer: Officer,
    post: Post,
    orders_digest: str,
    device_time: datetime | None,
    now: datetime,
) -> None:
    """A check-in may carry the acknowledgement; without it the current orders must be acknowledged."""
    if orders_digest:
        _acknowledge(actor, event, officer, post, orders_digest, device_time, now)
    if not OrdersAcknowledgement.objects.filter(
        officer=officer, post=post, orders_digest=proofs.orders_digest(post.orders)
    ).exists():
        raise Conflict(
            _("Acknowledge the current post orders before checking in."), code="orders_not_acknowledged"
        )


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


# --- what counts at a post (set by the planners) ---------------------------------------------------------


@transaction.atomic
def configure_proof(
    *,
    actor: Any,
    event: Event,
    post: Post,
    needs_position: bool,
    needs_code: bool,
    needs_nfc: bool,
    radius_m: int,
    grace_minutes: int,
    away_minutes: int,
) -> PostProof:
    """Choose what proves presence at ``post``: its proofs, radius, grace and time allowed away. Audited
    with what changed; the rotating code's secret is kept (never shown)."""
    require(actor, "planning.change", event)
    writes.same_event(event, post=post)
    limits = {"radius_m": (5, 5000), "grace_minutes": (0, 240), "away_minutes": (1, 1440)}
    values = {"radius_m": radius_m, "grace_minutes": grace_minutes, "away_minutes": away_minutes}
    for name, (low, high) in limits.items():
        if not low <= values[name] <= high:
            raise Invalid(
                _("Enter a whole number from %(low)d to %(high)d.") % {"low": low, "high": high}, field=name
            )
    if not (needs_position or needs_code or needs_nfc):
        raise Invalid(
            _("Choose at least one proof (position, rotating code or NFC tag)."), field="needs_position"
        )
    row = PostProof.objects.select_for_update().get(pk=post_proof(post).pk)
    new = {"needs_position": needs_position, "needs_code": needs_code, "needs_nfc": needs_nfc, **values}
    changes = {k: [getattr(row, k), v] for k, v in new.items() if getattr(row, k) != v}
    if changes:
        for name, value in new.items():
            setattr(row, name, value)
        row.save(update_fields=list(new))
        audit.record(actor=actor, action="operations.post_proof", target=row, event=event, changes=changes)
    return row
