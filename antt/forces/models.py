"""Forces: units (a tree), officers and their skills. Every record belongs to one event."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from antt.core.geo import validate_windows
from antt.core.models import Named, SearchableMixin, TimeStampedModel
from antt.core.permissions import Clearance

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$", _("Use letters, digits, dots, hyphens and underscores.")
)


class Unit(Named, SearchableMixin, TimeStampedModel):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    commander = models.ForeignKey(
        "forces.Officer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commander"),
    )

    search_fields = ("code", "name_vi", "name_en")

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="unit_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            )
        ]


class Skill(Named, TimeStampedModel):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="skills")
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="skill_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            )
        ]


class Officer(SearchableMixin, TimeStampedModel):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="officers")
    code = models.CharField(
        _("service number"),
        max_length=40,
        validators=[code_validator],
        help_text=_("Stable key for imports."),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    rank = models.CharField(_("rank"), max_length=60, blank=True)
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="officers", verbose_name=_("unit"))
    call_sign = models.CharField(_("call sign"), max_length=40, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    clearance = models.PositiveSmallIntegerField(_("clearance"), choices=Clearance, default=Clearance.NONE)
    home_base = models.ForeignKey(
        "planning.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home base"),
    )
    availability = models.JSONField(
        _("availability windows"),
        null=True,
        blank=True,
        validators=[validate_windows],
        help_text=_("Empty: always available."),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("user account"),
        help_text=_("The account this officer signs in with (one officer per account in an event)."),
    )

    search_fields = ("code", "full_name", "rank", "call_sign")

    class Meta:
        verbose_name = _("officer")
        verbose_name_plural = _("officers")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="officer_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            ),
            models.CheckConstraint(condition=models.Q(clearance__lte=3), name="officer_clearance_0_3"),
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(user__isnull=False),
                name="officer_user_unique_per_event",
                violation_error_message=_("This account is already linked to another officer of this event."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rank} {self.full_name}".strip()


class OfficerSkill(models.Model):
    officer = models.ForeignKey(Officer, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, related_name="holders", verbose_name=_("skill")
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta:
        verbose_name = _("officer skill")
        verbose_name_plural = _("officer skills")
        ordering = ["officer", "skill"]
        constraints = [
            models.UniqueConstraint(fields=["officer", "skill"], name="officer_skill_once"),
        ]

    def __str__(self) -> str:
        return f"{self.officer}: {self.skill}"
