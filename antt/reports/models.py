"""Briefing and reports: the Incident Action Plan (versioned, four eyes), the daily situation report, public
alerts (CAP 1.2), the ICS 205 radio plan, and the secret calendar feeds with their duty stamps.

Every record belongs to one event. A report carries a classification: only members whose clearance reaches
it see it (``queries.may_read``).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antt.core.models import TimeStampedModel
from antt.core.permissions import Clearance


class OperationalPeriod(TimeStampedModel):
    """A recurring period of the event (e.g. day 06:00-18:00, night 18:00-06:00): an IAP covers one."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="operational_periods")
    code = models.CharField(_("code"), max_length=20)
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    starts = models.TimeField(_("starts (local time)"))
    ends = models.TimeField(_("ends (local time)"), help_text=_("Earlier than the start: ends the next day."))

    class Meta:
        verbose_name = _("operational period")
        verbose_name_plural = _("operational periods")
        ordering = ["event", "starts", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="operational_period_code_once"),
            models.CheckConstraint(
                condition=~Q(starts=models.F("ends")), name="operational_period_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.starts:%H:%M}-{self.ends:%H:%M}"


class RadioChannel(TimeStampedModel):
    """One line of the ICS 205 communications plan: a channel or talk group, for the event or one unit."""

    class Function(models.TextChoices):
        COMMAND = "command", _("Command")
        TACTICAL = "tactical", _("Tactical")
        SUPPORT = "support", _("Support")
        MEDICAL = "medical", _("Medical")
        AIR = "air", _("Air")
        PHONE = "phone", _("Telephone")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="radio_channels")
    unit = models.ForeignKey(
        "forces.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    function = models.CharField(_("function"), max_length=20, choices=Function, default=Function.TACTICAL)
    name = models.CharField(_("channel name"), max_length=60)
    talk_group = models.CharField(_("talk group"), max_length=60, blank=True)
    frequency = models.CharField(_("frequency"), max_length=40, blank=True)
    call_sign = models.CharField(_("call sign"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    remarks = models.CharField(_("remarks"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("radio channel")
        verbose_name_plural = _("radio channels")
        ordering = ["event", "function", "name", "pk"]

    def __str__(self) -> str:
        return self.name


class Iap(TimeStampedModel):
    """The Incident Action Plan of one operational period on one day; its content lives in versions."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="iaps")
    period = models.ForeignKey(OperationalPeriod, on_delete=models.PROTECT, related_name="iaps")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance, default=Clearance.CONFIDENTIAL
    )
    latest_version = models.ForeignKey(
        "reports.IapVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_version = models.ForeignKey(
        "reports.IapVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("incident action plan")
        verbose_name_plural = _("incident action plans")
        ordering = ["event", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "period", "starts_at"], name="iap_once_per_period"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="iap_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"IAP {self.period.code} {self.starts_at:%Y-%m-%d}"


class IapVersion(models.Model):
    """One build of an IAP: the content snapshot (JSON), its SHA-256, the PDF; approved by a commander."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        BUILDING = "building", _("Building")
        BUILT = "built", _("Built, awaiting approval")
        FAILED = "failed", _("Failed")
        APPROVED = "approved", _("Approved")

    iap = models.ForeignKey(Iap, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=5, default="vi")
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    step = models.CharField(_("step"), max_length=100, blank=True)
    content = models.JSONField(_("content"), null=True, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    pdf_size = models.PositiveIntegerField(_("PDF size (bytes)"), default=0)
    # False while the PDF is the draft-marked build; the approved PDF is rendered in the background.
    pdf_final = models.BooleanField(_("approved PDF ready"), default=False)
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    built_at = models.DateTimeField(_("built at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("IAP version")
        verbose_name_plural = _("IAP versions")
        ordering = ["iap", "number"]
        constraints = [models.UniqueConstraint(fields=["iap", "number"], name="iap_version_number_once")]

    def __str__(self) -> str:
        return f"{self.iap} v{self.number}"


class SitRep(TimeStampedModel):
    """The daily situation report: generated sections (JSON), the planner's text, a commander's approval."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="sitreps")
    day = models.DateField(_("day"))
    number = models.PositiveIntegerField(_("report number"))
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance, default=Clearance.CONFIDENTIAL
    )
    sections = models.JSONField(_("generated sections"), default=dict)
    summary_vi = models.TextField(_("situation summary (Vietnamese)"), blank=True)
    summary_en = models.TextField(_("situation summary (English)"), blank=True)
    notes_vi = models.TextField(_("notes and tomorrow (Vietnamese)"), blank=True)
    notes_en = models.TextField(_("notes and tomorrow (English)"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("situation report")
        verbose_name_plural = _("situation reports")
        ordering = ["event", "day"]
        constraints = [models.UniqueConstraint(fields=["event", "day"], name="sitrep_once_per_day")]

    def __str__(self) -> str:
        return f"SitRep #{self.number} {self.day}"


class Alert(TimeStampedModel):
    """A public alert (CAP 1.2 message): author → approve (another person) → publish. An update or a cancel
    is a new alert that references the one it replaces."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")
        PUBLISHED = "published", _("Published")

    class MsgType(models.TextChoices):
        ALERT = "Alert", _("Alert")
        UPDATE = "Update", _("Update")
        CANCEL = "Cancel", _("Cancel")

    class Category(models.TextChoices):
        SAFETY = "Safety", _("Safety")
        SECURITY = "Security", _("Security")
        TRANSPORT = "Transport", _("Transport")
        HEALTH = "Health", _("Health")
        FIRE = "Fire", _("Fire")
        OTHER = "Other", _("Other")

    class Urgency(models.TextChoices):
        IMMEDIATE = "Immediate", _("Immediate")
        EXPECTED = "Expected", _("Expected")
        FUTURE = "Future", _("Future")
        PAST = "Past", _("Past")
        UNKNOWN = "Unknown", _("Unknown")

    class Severity(models.TextChoices):
        EXTREME = "Extreme", _("Extreme")
        SEVERE = "Severe", _("Severe")
        MODERATE = "Moderate", _("Moderate")
        MINOR = "Minor", _("Minor")
        UNKNOWN = "Unknown", _("Unknown")

    class Certainty(models.TextChoices):
        OBSERVED = "Observed", _("Observed")
        LIKELY = "Likely", _("Likely")
        POSSIBLE = "Possible", _("Possible")
        UNLIKELY = "Unlikely", _("Unlikely")
        UNKNOWN = "Unknown", _("Unknown")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="alerts")
    identifier = models.CharField(_("identifier"), max_length=100, unique=True)
    msg_type = models.CharField(_("message type"), max_length=10, choices=MsgType, default=MsgType.ALERT)
    references = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("replaces")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    exercise = models.BooleanField(_("exercise (not real)"), default=False)
    category = models.CharField(_("category"), max_length=20, choices=Category, default=Category.SAFETY)
    urgency = models.CharField(_("urgency"), max_length=20, choices=Urgency, default=Urgency.EXPECTED)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity, default=Severity.MODERATE)
    certainty = models.CharField(_("certainty"), max_length=20, choices=Certainty, default=Certainty.LIKELY)
    event_vi = models.CharField(_("what (Vietnamese)"), max_length=200)
    event_en = models.CharField(_("what (English)"), max_length=200)
    headline_vi = models.CharField(_("headline (Vietnamese)"), max_length=200)
    headline_en = models.CharField(_("headline (English)"), max_length=200)
    description_vi = models.TextField(_("description (Vietnamese)"))
    description_en = models.TextField(_("description (English)"))
    instruction_vi = models.TextField(_("instruction (Vietnamese)"), blank=True)
    instruction_en = models.TextField(_("instruction (English)"), blank=True)
    area_vi = models.CharField(_("area (Vietnamese)"), max_length=200)
    area_en = models.CharField(_("area (English)"), max_length=200)
    # {"polygon": [[lat, lon], …]} (closed) and/or {"circle": [lat, lon, radius_km]}
    area = models.JSONField(_("area"), default=dict, blank=True)
    site = models.ForeignKey(
        "planning.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    onset = models.DateTimeField(_("onset"), null=True, blank=True)
    expires = models.DateTimeField(_("expires"), null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent = models.DateTimeField(_("sent"), null=True, blank=True)
    xml = models.TextField(_("CAP XML"), blank=True)

    class Meta:
        verbose_name = _("public alert")
        verbose_name_plural = _("public alerts")
        ordering = ["event", "-created_at", "pk"]

    def __str__(self) -> str:
        return self.identifier


class CalendarFeed(TimeStampedModel):
    """A secret address that serves an officer's or a unit's duties as iCalendar; revocable.

    Only the SHA-256 of the secret is stored: the address is shown once, when it is made."""

    class Kind(models.TextChoices):
        OFFICER = "officer", _("Officer")
        UNIT = "unit", _("Unit")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="calendar_feeds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    officer = models.ForeignKey(
        "forces.Officer", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("forces.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    secret_hash = models.CharField(max_length=64, unique=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        ordering = ["event", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="officer", officer__isnull=False, unit__isnull=True))
                | Q(kind="unit", unit__isnull=False, officer__isnull=True),
                name="calendar_feed_one_subject",
            )
        ]

    def clean(self) -> None:
        if self.kind == self.Kind.OFFICER and self.officer_id is None:
            raise ValidationError({"officer": _("Choose the officer.")})
        if self.kind == self.Kind.UNIT and self.unit_id is None:
            raise ValidationError({"unit": _("Choose the unit.")})


class DutyStamp(models.Model):
    """What a calendar last said about one assignment: its fingerprint and SEQUENCE (RFC 5545). A change of
    the assignment raises the sequence; a removed assignment stays here, sent as STATUS:CANCELLED."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    assignment_id = models.BigIntegerField()
    officer = models.ForeignKey("forces.Officer", on_delete=models.CASCADE, related_name="+")
    unit_id = models.BigIntegerField()
    fingerprint = models.CharField(max_length=64)
    sequence = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    summary = models.CharField(max_length=300)
    location = models.CharField(max_length=300, blank=True)
    cancelled = models.BooleanField(default=False)
    stamped_at = models.DateTimeField()

    class Meta:
        verbose_name = _("duty stamp")
        verbose_name_plural = _("duty stamps")
        constraints = [models.UniqueConstraint(fields=["event", "assignment_id"], name="duty_stamp_once")]
        indexes = [
            models.Index(fields=["officer"], name="duty_stamp_officer"),
            models.Index(fields=["unit_id"], name="duty_stamp_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} seq {self.sequence}"
