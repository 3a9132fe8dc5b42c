"""Rostering: one solver run of an event (settings, live progress, result summary and proposed diff)."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from antt.core.models import TimeStampedModel

ACTIVE = ("queued", "running")


class SolverRun(TimeStampedModel):
    """One run of the roster solver on an event's plan; at most one queued or running per event."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        SOLVE = "solve", _("Fill gaps")
        REPLAN = "replan", _("Re-plan")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="solver_runs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.SOLVE)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("started by"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.QUEUED)
    seed = models.PositiveIntegerField(_("seed"), default=1, validators=[MaxValueValidator(2**31 - 1)])
    time_limit = models.PositiveIntegerField(
        _("time limit (seconds)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    fingerprint = models.CharField(_("plan fingerprint"), max_length=64)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    # The officer marked unavailable for a re-plan, and from when.
    officer = models.ForeignKey(
        "forces.Officer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("officer"),
    )
    unavailable_from = models.DateTimeField(_("unavailable from"), null=True, blank=True)
    # Live progress, written by the task (throttled).
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    elapsed = models.FloatField(_("elapsed (seconds)"), default=0.0)
    best_coverage = models.FloatField(_("best coverage so far"), null=True, blank=True)
    objective = models.FloatField(_("best objective"), null=True, blank=True)
    bound = models.FloatField(_("bound"), null=True, blank=True)
    solutions = models.PositiveIntegerField(_("solutions found"), default=0)
    # The outcome.
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    diff = models.JSONField(_("proposed changes"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("applied by"),
    )
    # What applying did, so that it can be undone: the assignments it created, those it removed (as they
    # were), and the plan's fingerprint right after (an undo on a plan changed since is refused).
    applied_changes = models.JSONField(_("applied changes"), default=dict, blank=True)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )

    class Meta:
        verbose_name = _("solver run")
        verbose_name_plural = _("solver runs")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event"],
                condition=Q(status__in=ACTIVE),
                name="one_active_solver_run_per_event",
                violation_error_message=_("A solver run is already queued or running for this event."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} #{self.pk}"

    @property
    def active(self) -> bool:
        return self.status in ACTIVE

    @property
    def progress_percent(self) -> int:
        """Share of the time limit used (100 once finished), for the progress bar."""
        if not self.active:
            return 100
        return max(0, min(99, round(100 * self.elapsed / max(1, self.time_limit))))
