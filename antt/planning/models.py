"""Planning: sites, posts, programme, requirements, assignments and rest rules of one event."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antt.core.geo import validate_geometry, validate_windows
from antt.core.models import Named, SearchableMixin, TimeStampedModel
from antt.core.permissions import Clearance
from antt.forces.models import code_validator


class CodeAndNames(Named):
    """A planning record's code and its two names."""

    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True


class Site(CodeAndNames, SearchableMixin, TimeStampedModel):
    class Kind(models.TextChoices):
        VENUE = "venue", _("Venue")
        ZONE = "zone", _("Zone")
        HOTEL = "hotel", _("Hotel")
        AIRPORT = "airport", _("Airport")
        ROUTE = "route", _("Route")
        TOUR_STOP = "tour_stop", _("Tour stop")
        HOSPITAL = "hospital", _("Hospital")
        COMMAND_POST = "command_post", _("Command post")
        OTHER = "other", _("Other")

    class Risk(models.IntegerChoices):
        LOW = 1, _("Low")
        MEDIUM = 2, _("Medium")
        HIGH = 3, _("High")
        CRITICAL = 4, _("Critical")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="sites")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.OTHER)
    geometry = models.JSONField(
        _("geometry (GeoJSON)"), null=True, blank=True, validators=[validate_geometry]
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    risk_level = models.PositiveSmallIntegerField(_("risk level"), choices=Risk, default=Risk.MEDIUM)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    opening_windows = models.JSONField(
        _("opening windows"),
        null=True,
        blank=True,
        validators=[validate_windows],
        help_text=_("Empty: always open."),
    )

    search_fields = ("code", "name_vi", "name_en", "address")

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="site_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            )
        ]


class Post(CodeAndNames, TimeStampedModel):
    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed post")
        CHECKPOINT = "checkpoint", _("Checkpoint")
        PATROL = "patrol", _("Patrol route")
        RESERVE = "reserve", _("Reserve")
        MEDICAL = "medical", _("Medical")
        COMMAND = "command", _("Command")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="posts")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="posts", verbose_name=_("site"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.FIXED)
    geometry = models.JSONField(
        _("geometry (GeoJSON)"), null=True, blank=True, validators=[validate_geometry]
    )
    orders = models.TextField(_("post orders"), blank=True)
    check_in_minutes = models.PositiveIntegerField(
        _("check-in interval (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(1440)],
    )
    default_skill = models.ForeignKey(
        "forces.Skill",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default role/skill"),
    )

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="post_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            )
        ]


class ProgrammeItem(CodeAndNames, TimeStampedModel):
    class Kind(models.TextChoices):
        SESSION = "session", _("Session")
        TOUR = "tour", _("Tour")
        COMPANION = "companion", _("Companion programme")
        MOTORCADE = "motorcade", _("Motorcade movement")
        ARRIVAL = "arrival", _("Arrival")
        DEPARTURE = "departure", _("Departure")
        BANQUET = "banquet", _("Banquet")
        PRESS = "press", _("Press event")
        OTHER = "other", _("Other")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="programme_items")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind, default=Kind.SESSION)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    protection_level = models.PositiveSmallIntegerField(_("protection level"), choices=Clearance, default=0)
    delegations = models.JSONField(_("delegations (names only)"), default=list, blank=True)
    sites = models.ManyToManyField(Site, through="ProgrammeItemSite", related_name="programme_items")

    class Meta:
        verbose_name = _("programme item")
        verbose_name_plural = _("programme items")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "code"],
                name="programme_item_code_unique_per_event",
                violation_error_message=_("This code is already used in this event."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="programme_item_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
        ]


class ProgrammeItemSite(models.Model):
    """The sites of a programme item, in order (a movement's route)."""

    item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="stops")
    site = models.ForeignKey(Site, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("stop of a programme item")
        verbose_name_plural = _("stops of programme items")
        ordering = ["item", "position", "pk"]
        constraints = [models.UniqueConstraint(fields=["item", "site"], name="programme_item_site_once")]

    def __str__(self) -> str:
        return f"{self.item} #{self.position}: {self.site}"


class RequirementRule(TimeStampedModel):
    """Turns a programme item into demand: at each of its sites' posts of ``post_kind``."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="requirement_rules")
    programme_item = models.ForeignKey(ProgrammeItem, on_delete=models.CASCADE, related_name="rules")
    post_kind = models.CharField(_("post kind"), max_length=20, choices=Post.Kind)
    skill = models.ForeignKey(
        "forces.Skill", on_delete=models.PROTECT, related_name="+", verbose_name=_("role/skill")
    )
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1, validators=[MinValueValidator(1)])
    min_clearance = models.PositiveSmallIntegerField(_("minimum clearance"), choices=Clearance, default=0)
    lead_minutes = models.PositiveIntegerField(_("lead time (minutes)"), default=0)
    lag_minutes = models.PositiveIntegerField(_("lag time (minutes)"), default=0)

    class Meta:
        verbose_name = _("requirement rule")
        verbose_name_plural = _("requirement rules")
        ordering = ["programme_item", "pk"]
        constraints = [models.CheckConstraint(condition=Q(headcount__gte=1), name="rule_headcount_positive")]

    def __str__(self) -> str:
        return f"{self.programme_item}: {self.post_kind} x {self.headcount} {self.skill.code}"


class Requirement(TimeStampedModel):
    """Post x window x role/skill x headcount x clearance; from a rule or entered by hand (``rule`` empty)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="requirements")
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="requirements", verbose_name=_("post")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    skill = models.ForeignKey(
        "forces.Skill", on_delete=models.PROTECT, related_name="+", verbose_name=_("role/skill")
    )
    headcount = models.PositiveSmallIntegerField(_("headcount"), default=1, validators=[MinValueValidator(1)])
    min_clearance = models.PositiveSmallIntegerField(_("minimum clearance"), choices=Clearance, default=0)
    rule = models.ForeignKey(
        RequirementRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="requirements"
    )
    programme_item = models.ForeignKey(
        ProgrammeItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="requirements"
    )

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="requirement_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(condition=Q(headcount__gte=1), name="requirement_headcount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.skill.code} x {self.headcount}"


class Assignment(TimeStampedModel):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PUBLISHED = "published", _("Published")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="assignments")
    officer = models.ForeignKey(
        "forces.Officer", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("officer")
    )
    post = models.ForeignKey(
        Post, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("post")
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    skill = models.ForeignKey(
        "forces.Skill", on_delete=models.PROTECT, related_name="+", verbose_name=_("role/skill")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status, default=Status.PLANNED)
    # No database constraint on purpose: when re-derivation removes a requirement, the assignment keeps
    # pointing at it and the coverage audit reports it as an orphan instead of it being silently unlinked.
    requirement = models.ForeignKey(
        Requirement,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("requirement"),
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="assignment_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
        ]
        indexes = [
            models.Index(fields=["officer", "starts_at"], name="assignment_officer_start"),
            # Who is on duty now (dispatch, the board): the assignments of an event covering an instant. The
            # officer and post make it covering: the duty scans read (officer, post) from the index alone.
            models.Index(
                fields=["event", "starts_at", "ends_at", "officer", "post"], name="assignment_event_window"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.officer} @ {self.post}"


class RestRules(TimeStampedModel):
    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="rest_rules")
    min_rest_minutes = models.PositiveIntegerField(
        _("minimum rest between duties (minutes)"), null=True, blank=True
    )
    max_duty_minutes_per_24h = models.PositiveIntegerField(
        _("maximum duty per 24 hours (minutes)"), null=True, blank=True, validators=[MaxValueValidator(1440)]
    )
    max_consecutive_days = models.PositiveSmallIntegerField(
        _("maximum consecutive duty days"), null=True, blank=True, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("rest rules")
        verbose_name_plural = _("rest rules")

    def __str__(self) -> str:
        return str(_("Rest rules"))
