"""The incident: what the operations room works on from the first report to its close.

An incident is opened by a field report, by a dispatcher (a phone call, the radio) or through the API. Every
step of its life is an ``IncidentStep`` (the timeline); the officers and units sent to it are ``Responder``
rows with their own status. Categories are data per event (seeded from ``operations/data/categories.json``),
each naming the skills a responder should hold.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antt.core.geo import validate_geometry
from antt.core.models import Named, TimeStampedModel
from antt.forces.models import code_validator


class Priority(models.IntegerChoices):
    P1 = 1, _("P1 — immediate")
    P2 = 2, _("P2 — urgent")
    P3 = 3, _("P3 — prompt")
    P4 = 4, _("P4 — routine")


class IncidentCategory(Named, TimeStampedModel):
    """A kind of incident (crowd, medical, suspicious object, …): data, not code."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="incident_categories")
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    default_priority = models.PositiveSmallIntegerField(
        _("default priority"), choices=Priority, default=Priority.P3
    )
    # Codes of the event's skills a responder to this kind of incident should hold (e.g. ["medical"]).
    skill_codes = models.JSONField(_("skills needed"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("incident category")
        verbose_name_plural = _("incident categories")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="incident_category_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            )
        ]


class Incident(TimeStampedModel):
    class Status(models.TextChoices):
        REPORTED = "reported", _("Reported")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DISPATCHED = "dispatched", _("Dispatched")
        ON_SCENE = "on_scene", _("On scene")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        MERGED = "merged", _("Merged")

    class Source(models.TextChoices):
        FIELD = "field", _("Field report")
        DISPATCHER = "dispatcher", _("Operations room")
        API = "api", _("API")
        SOS = "sos", _("SOS")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="incidents")
    # A number per event for people ("VV-0042"), given by the service that opens the incident.
    number = models.PositiveIntegerField(_("number"))
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, related_name="incidents", verbose_name=_("category")
    )
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority, default=Priority.P3)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.REPORTED)
    source = models.CharField(_("source"), max_length=20, choices=Source, default=Source.FIELD)
    summary = models.CharField(_("summary"), max_length=300)
    details = models.TextField(_("details"), blank=True)
    # Where: a GeoJSON point, and/or the site or post it happened at.
    location = models.JSONField(
        _("location (GeoJSON)"), null=True, blank=True, validators=[validate_geometry]
    )
    site = models.ForeignKey(
        "planning.Site",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    post = models.ForeignKey(
        "planning.Post",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    programme_item = models.ForeignKey(
        "planning.ProgrammeItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme item"),
    )
    # The delegation affected, by name only (ANTT keeps no file on people).
    delegation = models.CharField(_("delegation affected"), max_length=200, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    reported_at = models.DateTimeField(_("reported at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_incidents",
        verbose_name=_("merged into"),
    )
    # Bumped by every service that changes the incident: two dispatchers acting on one version, one wins.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["priority", "reported_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "number"], name="incident_number_unique_per_event"),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="incident_not_merged_into_itself"
            ),
        ]
        indexes = [models.Index(fields=["event", "status", "priority"], name="incident_board")]

    def __str__(self) -> str:
        return f"VV-{self.number:04d} {self.summary}"


class IncidentStep(models.Model):
    """One line of an incident's timeline: a status change, a note, a responder sent or released, a merge."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Status change")
        NOTE = "note", _("Note")
        RESPONDER = "responder", _("Responder")
        MERGE = "merge", _("Merge")
        REPORT = "report", _("Report")
        ESCALATION = "escalation", _("Escalation")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    from_status = models.CharField(_("from"), max_length=20, choices=Incident.Status, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Incident.Status, blank=True)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("incident step")
        verbose_name_plural = _("incident steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.kind} {self.to_status}".strip()


class Responder(models.Model):
    """An officer or a whole unit sent to an incident, with its own status."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        EN_ROUTE = "en_route", _("En route")
        ON_SCENE = "on_scene", _("On scene")
        RELEASED = "released", _("Released")

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="responders")
    officer = models.ForeignKey(
        "forces.Officer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    unit = models.ForeignKey(
        "forces.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned by"),
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("on scene at"), null=True, blank=True)
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)

    class Meta:
        verbose_name = _("responder")
        verbose_name_plural = _("responders")
        ordering = ["assigned_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(officer__isnull=False, unit__isnull=True)
                | Q(officer__isnull=True, unit__isnull=False),
                name="responder_officer_or_unit",
                violation_error_message=_("A responder is an officer or a unit."),
            )
        ]
        indexes = [
            models.Index(fields=["officer", "status"], name="responder_officer_status"),
            models.Index(fields=["unit", "status"], name="responder_unit_status"),
        ]

    ACTIVE = ("assigned", "en_route", "on_scene")

    def __str__(self) -> str:
        return f"{self.incident_id}: {self.officer or self.unit} ({self.status})"
