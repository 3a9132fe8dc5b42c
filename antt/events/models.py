"""Events and who belongs to them. Every other record belongs to one event; access is per event."""

from __future__ import annotations

import zoneinfo
from typing import TYPE_CHECKING, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from antt.core.models import Named, SearchableMixin, TimeStampedModel
from antt.core.permissions import DEFAULT_OTP_OPTIONAL_ROLES, OTP_ALWAYS_REQUIRED_ROLES, Clearance, Role

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User


def default_otp_optional_roles() -> list[str]:
    return [str(role) for role in DEFAULT_OTP_OPTIONAL_ROLES]


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("%(value)s is not a known time zone (e.g. Asia/Ho_Chi_Minh)."), params={"value": value}
        ) from exc


class Event(Named, SearchableMixin, TimeStampedModel):
    class Status(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", pgettext_lazy("event status", "Active")
        CLOSED = "closed", _("Closed")

    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        validators=[
            RegexValidator(r"^[a-z0-9][a-z0-9-]*$", _("Use lower-case letters, digits and hyphens."))
        ],
        help_text=_("Short, unique, used in addresses, e.g. asean-2020."),
    )
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.DEFAULT_EVENT_TIME_ZONE,
        validators=[validate_time_zone],
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNING)
    otp_optional_roles = models.JSONField(
        _("roles that may sign in without a second factor"), default=default_otp_optional_roles, blank=True
    )

    search_fields = ("code", "name_vi", "name_en")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after_start"),
        ]

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})
        unknown = set(self.otp_optional_roles or []) - set(Role.values)
        if unknown:
            raise ValidationError(
                {
                    "otp_optional_roles": _("Unknown role(s): %(roles)s")
                    % {"roles": ", ".join(sorted(unknown))}
                }
            )
        chosen = set(self.otp_optional_roles or [])
        forced = [role for role in Role if role in chosen and role in OTP_ALWAYS_REQUIRED_ROLES]
        if forced:
            raise ValidationError(
                {
                    "otp_optional_roles": _(
                        "These roles always need a second factor and cannot be made optional: %(roles)s. "
                        "Only observers and field officers may sign in without one."
                    )
                    % {"roles": ", ".join(str(role.label) for role in forced)}
                }
            )

    def membership_for(self, user: Actor) -> Membership | None:
        """The user's membership of this event (cached on the user object for the request)."""
        if user is None or not getattr(user, "is_authenticated", False):
            return None
        cache: dict[int, Membership | None] = user.__dict__.setdefault("_antt_memberships", {})
        if self.pk not in cache:
            # one row at most (unique): no ordering, so no join for the model's ordering by username
            cache[self.pk] = (
                Membership.objects.filter(event=self, user=cast("User", user)).order_by("pk").first()
            )
        return cache[self.pk]


class Membership(TimeStampedModel):
    event = models.ForeignKey(
        Event, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("event")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    role = models.CharField(_("role"), max_length=30, choices=Role)
    clearance = models.PositiveSmallIntegerField(_("clearance"), choices=Clearance, default=Clearance.NONE)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["event", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], name="membership_one_per_user_event")
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.event.code})"


class PlanRevision(models.Model):
    """The plan version of an event: a counter every service that changes what the coverage audit reads
    moves on, in its own transaction (see :mod:`antt.events.plan_versions`). Exports, solver runs,
    check-ins and incidents do not move it, so they do not invalidate the plan's findings."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, primary_key=True, related_name="+")
    version = models.BigIntegerField(_("plan version"), default=0)
    # random, set when the counter is created: a counter re-created (a restored database, a rolled-back
    # test) never passes for the one a process indexed, even at the same number
    token = models.CharField(_("counter token"), max_length=32, default="")

    class Meta:
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.version}"


class PlanChange(models.Model):
    """What one plan version changed: one row per changed object (``kind``, ``object_id``), or one row of
    kind ``all`` when the whole plan must be read again. Live coverage indexes catch up from these."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="+")
    version = models.BigIntegerField(_("plan version"))
    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object id"), default=0)

    class Meta:
        verbose_name = _("plan change")
        verbose_name_plural = _("plan changes")
        indexes = [models.Index(fields=["event", "version"], name="plan_change_event_version")]

    def __str__(self) -> str:
        return f"{self.event_id} @ {self.version}: {self.kind} {self.object_id}"
