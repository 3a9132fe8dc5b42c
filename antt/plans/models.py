"""Plans and contingency plans ("kế hoạch, phương án"): versioned documents with tasks per unit.

A ``Plan`` is the document's identity and its working state; each edit adds an immutable ``PlanVersion``
(the full content: title, text, trigger, responsible commander, covered sites and programme items, tasks
as a JSON snapshot) with the SHA-256 of its canonical JSON. ``PlanStep`` is the plan's own history
(written, submitted, returned, approved), shown to people; the audit trail is kept apart.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antt.audit.services import canonical_json
from antt.core.languages import current_language
from antt.core.models import SearchableMixin, TimeStampedModel
from antt.core.permissions import Clearance
from antt.forces.models import code_validator


def _english() -> bool:
    return current_language() == "en"


def pick(vi: str, en: str) -> str:
    """The text in the reader's language, falling back to the other one when empty."""
    return (en or vi) if _english() else (vi or en)


class Plan(SearchableMixin, TimeStampedModel):
    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan")
        CONTINGENCY = "contingency", _("Contingency plan")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="plans")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.PLAN)
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    # The marking every page and copy of the plan shows (Mật, Tối mật, ...): set when the plan is made.
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance, default=Clearance.CONFIDENTIAL
    )
    # The workflow state of the latest version.
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.DRAFT)
    responsible = models.ForeignKey(
        "forces.Officer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible commander"),
    )
    sites = models.ManyToManyField("planning.Site", blank=True, related_name="plans", verbose_name=_("sites"))
    programme_items = models.ManyToManyField(
        "planning.ProgrammeItem", blank=True, related_name="plans", verbose_name=_("programme items")
    )
    latest_version = models.ForeignKey(
        "plans.PlanVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_version = models.ForeignKey(
        "plans.PlanVersion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("version in force"),
    )

    search_fields = ("code", "title_vi", "title_en")

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["kind", "code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="plan_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.title}"

    @property
    def title(self) -> str:
        return pick(self.title_vi, self.title_en)

    @property
    def is_contingency(self) -> bool:
        return self.kind == self.Kind.CONTINGENCY


class PlanVersion(models.Model):
    """One immutable version. Its content never changes after it is written; only the workflow stamps
    (submitted, approved) are filled in later, by the services."""

    CONTENT_FIELDS = (
        "title_vi",
        "title_en",
        "body_vi",
        "body_en",
        "trigger_vi",
        "trigger_en",
        "responsible",
        "sites",
        "programme_items",
        "tasks",
        "change_note",
    )

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    body_vi = models.TextField(_("text (Vietnamese)"), blank=True)
    body_en = models.TextField(_("text (English)"), blank=True)
    trigger_vi = models.TextField(_("trigger (Vietnamese)"), blank=True)
    trigger_en = models.TextField(_("trigger (English)"), blank=True)
    # Snapshots: {"id", "code", "name"} of the responsible commander; [{"id", "code", "name_vi", "name_en"}]
    # of sites and programme items; the tasks (see ``services.task_snapshot``).
    responsible = models.JSONField(_("responsible commander"), null=True, blank=True)
    sites = models.JSONField(_("sites"), default=list, blank=True)
    programme_items = models.JSONField(_("programme items"), default=list, blank=True)
    tasks = models.JSONField(_("tasks"), default=list, blank=True)
    change_note = models.CharField(_("change note"), max_length=500, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="plan_version_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.number}"

    @property
    def title(self) -> str:
        return pick(self.title_vi, self.title_en)

    @property
    def body(self) -> str:
        return pick(self.body_vi, self.body_en)

    @property
    def trigger(self) -> str:
        return pick(self.trigger_vi, self.trigger_en)

    def content(self) -> dict[str, Any]:
        """What the hash covers: the plan's identity, the version's number, author, time and content."""
        return {
            "plan": {"id": self.plan_id, "code": self.plan.code, "kind": self.plan.kind},
            "event_id": self.plan.event_id,
            "number": self.number,
            "author_id": self.author_id,
            "created_at": self.created_at,
            **{name: getattr(self, name) for name in self.CONTENT_FIELDS},
        }

    def compute_hash(self) -> str:
        return hashlib.sha256(canonical_json(self.content()).encode("utf-8")).hexdigest()

    def state(self, plan: Plan) -> str:
        """in_force, superseded, the plan's status (for its latest version) or earlier."""
        if self.approved_at is not None:
            return "in_force" if plan.approved_version_id == self.pk else "superseded"
        if plan.latest_version_id == self.pk:
            return plan.status
        return "earlier"


class PlanStep(models.Model):
    """The plan's history as people read it: who wrote, submitted, returned or approved which version."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        EDITED = "edited", _("New version")
        SUBMITTED = "submitted", _("Submitted for approval")
        RETURNED = "returned", _("Returned for changes")
        WITHDRAWN = "withdrawn", _("Withdrawn by the planners")
        APPROVED = "approved", _("Approved")

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps")
    version = models.ForeignKey(PlanVersion, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("action"), max_length=20, choices=Action)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("plan step")
        verbose_name_plural = _("plan steps")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.plan.code} v{self.version.number}: {self.action}"
