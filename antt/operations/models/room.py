"""The operations room's own records besides the incident: the live sequence every board catches up from,
the event's timers and shifts, the escalations fired, the posts left short by a dispatch, the ICS 214 log.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antt.core.models import TimeStampedModel


def default_ack_seconds() -> dict[str, int]:
    return {"1": 60, "2": 180, "3": 600, "4": 1800}


def default_on_scene_minutes() -> dict[str, int]:
    return {"1": 10, "2": 20, "3": 45, "4": 120}


def default_shift_boundaries() -> list[str]:
    return ["07:00", "19:00"]


class OpsSettings(TimeStampedModel):
    """The event's timers (per priority) and operational periods. One row per event, made on first use."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="ops_settings")
    # Seconds an incident of priority "1".."4" may wait for acknowledgement before it escalates.
    ack_seconds = models.JSONField(
        _("acknowledge within (seconds, per priority)"), default=default_ack_seconds
    )
    # Minutes from the report until a responder should be on scene, per priority.
    on_scene_minutes = models.JSONField(
        _("on scene within (minutes, per priority)"), default=default_on_scene_minutes
    )
    sos_ack_seconds = models.PositiveIntegerField(_("SOS acknowledged within (seconds)"), default=15)
    check_in_grace_minutes = models.PositiveIntegerField(_("check-in grace (minutes)"), default=5)
    # 0: no second level. Otherwise an escalation nobody acknowledged goes to the next level after this.
    next_level_seconds = models.PositiveIntegerField(_("next level after (seconds)"), default=120)
    # Local times ("07:00") at which one operational period ends and the next begins (ICS 214 periods).
    shift_boundaries = models.JSONField(_("shift boundaries"), default=default_shift_boundaries)

    class Meta:
        verbose_name = _("operations settings")
        verbose_name_plural = _("operations settings")

    def __str__(self) -> str:
        return f"ops settings {self.event_id}"


class BoardUpdate(models.Model):
    """One update of an event's live board, numbered per event. Written in the transaction that made the
    change and published after it commits; a board that reconnects asks for everything after its last
    number, so it misses nothing and (numbers being unique) applies nothing twice."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=40)
    data = models.JSONField(default=dict)
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("board update")
        verbose_name_plural = _("board updates")
        ordering = ["event", "seq"]
        constraints = [models.UniqueConstraint(fields=["event", "seq"], name="board_update_seq_unique")]

    def __str__(self) -> str:
        return f"{self.event_id}#{self.seq} {self.kind}"


class Escalation(TimeStampedModel):
    """A timer that ran out: fired once per (subject, kind, level) — the unique constraint makes "exactly
    once" hold across restarts and across two loops running at once."""

    class Kind(models.TextChoices):
        UNACKNOWLEDGED = "unacknowledged", _("Not acknowledged in time")
        NOT_ON_SCENE = "not_on_scene", _("No responder on scene in time")
        SOS = "sos", _("SOS not acknowledged")
        MISSED_CHECK_IN = "missed_check_in", _("Missed check-in")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    incident = models.ForeignKey(
        "operations.Incident", on_delete=models.CASCADE, null=True, blank=True, related_name="escalations"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    # What the timer was about: "incident:12", "sos:4", "check-in:<officer>:<post>".
    subject = models.CharField(max_length=80)
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    due_at = models.DateTimeField(_("due at"))
    fired_at = models.DateTimeField(_("fired at"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)

    class Meta:
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        ordering = ["-fired_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "subject", "level"], name="escalation_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.subject} L{self.level}"


class CoverageGap(TimeStampedModel):
    """A post left short because its officer was sent to an incident: open until someone fills it, the
    officer comes back, or a dispatcher accepts the gap."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FILLED = "filled", _("Filled")
        RETURNED = "returned", _("Officer returned")
        ACCEPTED = "accepted", _("Gap accepted")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    post = models.ForeignKey("planning.Post", on_delete=models.PROTECT, related_name="+")
    incident = models.ForeignKey("operations.Incident", on_delete=models.CASCADE, related_name="gaps")
    responder = models.ForeignKey("operations.Responder", on_delete=models.CASCADE, related_name="gaps")
    officer = models.ForeignKey("forces.Officer", on_delete=models.PROTECT, related_name="+")
    present = models.PositiveIntegerField(_("present after leaving"), default=0)
    required = models.PositiveIntegerField(_("required"), default=0)
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.OPEN)
    filled_by = models.ForeignKey(
        "forces.Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("coverage gap")
        verbose_name_plural = _("coverage gaps")
        ordering = ["-created_at", "pk"]
        indexes = [models.Index(fields=["event", "status"], name="coverage_gap_open")]

    def __str__(self) -> str:
        return f"gap {self.post_id} ({self.status})"


class ActivityEntry(models.Model):
    """One line of a unit's activity log (ICS 214): written by the services as things happen, or by hand."""

    class Source(models.TextChoices):
        AUTO = "auto", _("Automatic")
        MANUAL = "manual", _("Manual")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        "forces.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    officer = models.ForeignKey(
        "forces.Officer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    incident = models.ForeignKey(
        "operations.Incident", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"))
    text = models.CharField(_("activity"), max_length=500)
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.AUTO)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("activity log entry")
        verbose_name_plural = _("activity log entries")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["event", "unit", "at"], name="activity_unit_at")]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="activity_text_not_empty")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.at:%H:%M} {self.text[:40]}"
