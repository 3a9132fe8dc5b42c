"""The field side of the day: what officers' phones send.

- ``PostProof``: per post, what counts as proof of presence (geofence radius, rotating code, NFC tag, grace)
  and the post's secret the rotating code is derived from.
- ``NfcTag``: an NTAG 424 DNA tag fixed at a post, with its keys and the last tap counter seen.
- ``OrdersAcknowledgement``: an officer read this version of a post's orders (version = digest of the text).
- ``CheckIn``: check-in, periodic check-in (guard tour), check-out, relieved — with the proofs that held.
- ``FieldReport`` + ``ReportPhoto``: an incident report from a phone; it opens (or joins) an ``Incident``.
- ``Sos``: an officer's alarm, with its positions (``PositionReport.sos``) until cancelled with a PIN.
- ``PositionBatch`` + ``PositionReport``: positions on duty, batched; deleted after the retention period.
- ``IdempotencyRecord``: one ``Idempotency-Key`` per user, the body's fingerprint and the first answer.

Times: ``device_time`` is what the phone said, ``received_at`` the server's clock, ``at`` the time the record
stands for (for a check-in: the proven time, e.g. the rotating code's step).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antt.operations.models.incidents import Incident, IncidentCategory, Priority


def lat_field(*, null: bool = False, blank: bool = False) -> models.FloatField:
    return models.FloatField(
        _("latitude"), validators=[MinValueValidator(-90.0), MaxValueValidator(90.0)], null=null, blank=blank
    )


def lon_field(*, null: bool = False, blank: bool = False) -> models.FloatField:
    return models.FloatField(
        _("longitude"),
        validators=[MinValueValidator(-180.0), MaxValueValidator(180.0)],
        null=null,
        blank=blank,
    )


def accuracy_field(*, null: bool = False, blank: bool = False) -> models.FloatField:
    return models.FloatField(
        _("accuracy (m)"),
        validators=[MinValueValidator(0.0), MaxValueValidator(100_000.0)],
        null=null,
        blank=blank,
    )


class PostProof(models.Model):
    """What proves presence at one post. Created with defaults the first time a post needs it."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    post = models.OneToOneField("planning.Post", on_delete=models.CASCADE, related_name="proof")
    # The rotating code's secret (hex); never shown, never exported.
    secret = models.CharField(max_length=64, editable=False)
    needs_position = models.BooleanField(_("position inside the post"), default=True)
    needs_code = models.BooleanField(_("rotating code"), default=False)
    needs_nfc = models.BooleanField(_("NFC tag"), default=False)
    radius_m = models.PositiveIntegerField(
        _("radius around the post (m)"), default=75, validators=[MaxValueValidator(5000)]
    )
    grace_minutes = models.PositiveIntegerField(
        _("grace before and after the start (minutes)"), default=15, validators=[MaxValueValidator(240)]
    )
    # How long an officer on duty may be outside the post before it is a finding ("left post").
    away_minutes = models.PositiveIntegerField(
        _("time allowed away (minutes)"), default=10, validators=[MaxValueValidator(1440)]
    )

    class Meta:
        verbose_name = _("post proof")
        verbose_name_plural = _("post proofs")

    def __str__(self) -> str:
        return f"proof of {self.post_id}"


class NfcTag(models.Model):
    """An NTAG 424 DNA tag at a post. The server keeps its keys and the last counter it accepted."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("planning.Post", on_delete=models.CASCADE, related_name="nfc_tags")
    uid = models.CharField(_("tag UID (hex)"), max_length=14)
    meta_key = models.CharField(max_length=32, editable=False)  # SDMMetaReadKey, hex
    file_key = models.CharField(max_length=32, editable=False)  # SDMFileReadKey, hex
    last_counter = models.IntegerField(_("last tap counter"), default=-1)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("NFC tag")
        verbose_name_plural = _("NFC tags")
        constraints = [models.UniqueConstraint(fields=["event", "uid"], name="nfc_tag_uid_unique_per_event")]

    def __str__(self) -> str:
        return self.uid


class OrdersAcknowledgement(models.Model):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey("forces.Officer", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("planning.Post", on_delete=models.CASCADE, related_name="+")
    # The version read: the SHA-256 of the orders' text at the time.
    orders_digest = models.CharField(max_length=64)
    at = models.DateTimeField(_("acknowledged at"))
    device_time = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("orders acknowledgement")
        verbose_name_plural = _("orders acknowledgements")
        constraints = [
            models.UniqueConstraint(
                fields=["officer", "post", "orders_digest"], name="orders_ack_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.post_id} {self.orders_digest[:8]}"


class CheckIn(models.Model):
    class Kind(models.TextChoices):
        IN = "in", _("Check-in")
        TOUR = "tour", _("Periodic check-in")
        OUT = "out", _("Check-out")
        RELIEVED = "relieved", _("Relieved")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey("forces.Officer", on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey("planning.Post", on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(
        "planning.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    at = models.DateTimeField(_("at"))  # the proven time (code step) or else the server's time
    device_time = models.DateTimeField(_("phone's time"), null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))
    lat = lat_field(null=True, blank=True)
    lon = lon_field(null=True, blank=True)
    accuracy_m = accuracy_field(null=True, blank=True)
    # {"position": true, "code": false, "nfc": null, "window": true}: null = not offered.
    proofs = models.JSONField(default=dict)
    is_strong = models.BooleanField(_("all required proofs held"), default=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "pk"]
        indexes = [
            models.Index(fields=["event", "post", "at"], name="checkin_post_at"),
            models.Index(fields=["assignment", "at"], name="checkin_assignment_at"),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id}@{self.post_id} {self.kind} {self.at:%H:%M}"


class FieldReport(models.Model):
    """An incident report from a phone. It opened ``incident`` (or was attached to it)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    # Made by the phone, so its photos can name the report before the report has reached the server.
    client_id = models.UUIDField(_("report id (from the phone)"))
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="field_reports")
    officer = models.ForeignKey(
        "forces.Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(IncidentCategory, on_delete=models.PROTECT, related_name="+")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority)
    text = models.TextField(_("what happened"), max_length=4000)
    post = models.ForeignKey(
        "planning.Post", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lat = lat_field(null=True, blank=True)
    lon = lon_field(null=True, blank=True)
    accuracy_m = accuracy_field(null=True, blank=True)
    device_time = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("received at"))

    class Meta:
        verbose_name = _("field report")
        verbose_name_plural = _("field reports")
        ordering = ["received_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "client_id"], name="field_report_client_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}"


class ReportPhoto(models.Model):
    """A photo of a field report: stored under MEDIA_ROOT (never served from a public path), EXIF removed."""

    report = models.ForeignKey(FieldReport, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("report photo")
        verbose_name_plural = _("report photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.report_id}: {self.file.name}"


class Sos(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey("forces.Officer", on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assignment = models.ForeignKey(
        "planning.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "planning.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.ACTIVE)
    lat = lat_field(null=True, blank=True)
    lon = lon_field(null=True, blank=True)
    accuracy_m = accuracy_field(null=True, blank=True)
    device_time = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(_("raised at"))
    last_position_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # The PIN that cancels it, hashed (Django's password hasher); set by the officer when raising.
    pin_hash = models.CharField(max_length=200, editable=False)

    class Meta:
        verbose_name = _("SOS")
        verbose_name_plural = _("SOS alarms")
        ordering = ["-received_at", "pk"]
        indexes = [models.Index(fields=["event", "status"], name="sos_event_status")]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.status}"


class PositionBatch(models.Model):
    """One upload of positions (audited as one entry with the digest of its points)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey("forces.Officer", on_delete=models.PROTECT, related_name="+")
    received_at = models.DateTimeField()
    count = models.PositiveIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("batch of positions")
        verbose_name_plural = _("batches of positions")
        indexes = [models.Index(fields=["event", "received_at"], name="position_batch_received")]

    def __str__(self) -> str:
        return f"{self.officer_id} x{self.count}"


class PositionReport(models.Model):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    officer = models.ForeignKey("forces.Officer", on_delete=models.PROTECT, related_name="+")
    batch = models.ForeignKey(
        PositionBatch, on_delete=models.CASCADE, null=True, blank=True, related_name="points"
    )
    assignment = models.ForeignKey(
        "planning.Assignment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    post = models.ForeignKey(
        "planning.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sos = models.ForeignKey(Sos, on_delete=models.CASCADE, null=True, blank=True, related_name="positions")
    device_time = models.DateTimeField()
    received_at = models.DateTimeField()
    lat = lat_field()
    lon = lon_field()
    accuracy_m = accuracy_field(null=True, blank=True)
    # Inside the post's geometry plus its radius (computed when received; null when not on a post).
    inside = models.BooleanField(null=True)

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["device_time", "pk"]
        indexes = [
            models.Index(fields=["officer", "device_time"], name="position_officer_time"),
            models.Index(fields=["event", "received_at"], name="position_received"),
            # the board's fresh positions: one event's last minutes (presence.fresh_positions)
            models.Index(fields=["event", "device_time"], name="position_event_time"),
        ]

    def __str__(self) -> str:
        return f"{self.officer_id} {self.lat:.5f},{self.lon:.5f}"


class IdempotencyRecord(models.Model):
    """The IETF ``Idempotency-Key`` draft: a key per user, the request's fingerprint, the first answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    fingerprint = models.CharField(max_length=64)
    # Null while the first request is in progress.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("Idempotency-Key record")
        verbose_name_plural = _("Idempotency-Key records")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created")]
        constraints += [
            models.CheckConstraint(
                condition=Q(status_code__isnull=True) | Q(completed_at__isnull=False),
                name="idempotency_done_has_time",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key}"
