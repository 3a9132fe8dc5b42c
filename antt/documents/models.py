"""Documents, their immutable versions (encrypted at rest), need-to-know grants, the copy register.

Who may read is decided in one place (``access.py``): clearance ≥ classification AND a grant in force (or
being the custodian). Nothing here holds content: a version row keeps the SHA-256 of the plaintext, the
data key wrapped by a master key, and where the ciphertext lies.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from antt.core.models import TimeStampedModel
from antt.core.permissions import Clearance


class Document(TimeStampedModel):
    class State(models.TextChoices):
        ACTIVE = "active", _("In use")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DESTROYED = "destroyed", _("Destroyed")

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="documents")
    title_vi = models.CharField(_("title (Vietnamese)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    classification = models.PositiveSmallIntegerField(
        _("classification"), choices=Clearance, default=Clearance.CONFIDENTIAL
    )
    owner_unit = models.ForeignKey(
        "forces.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner unit"),
    )
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("custodian")
    )
    state = models.CharField(_("state"), max_length=20, choices=State, default=State.ACTIVE)
    require_acknowledgement = models.BooleanField(_("readers must acknowledge reading"), default=False)
    state_reason = models.TextField(_("reason"), blank=True)
    copies_issued = models.PositiveIntegerField(_("copies issued"), default=0)
    # Plans and contingency plans this document belongs to. One way only ("+"): a plan's page cannot list
    # documents by itself; it links to the document list filtered by plan, which applies the access rule.
    plans = models.ManyToManyField("plans.Plan", blank=True, related_name="+", verbose_name=_("plans"))

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-classification", "title_vi", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(classification__lte=3), name="document_classification_0_3"),
        ]

    def __str__(self) -> str:
        return f"TL-{self.pk}"

    def title(self, language: str = "vi") -> str:
        return self.title_en if language == "en" and self.title_en else self.title_vi


class DocumentVersion(models.Model):
    """One immutable file of a document. ``sha256`` is of the plaintext; the ciphertext is in storage."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    storage_name = models.CharField(max_length=200, blank=True)
    key_id = models.CharField(max_length=40, blank=True)
    # The data key of this file, encrypted with the master key ``key_id`` (nonce ‖ ciphertext ‖ tag).
    # Emptied when the document is destroyed: without it the ciphertext cannot be read by anyone.
    wrapped_key = models.BinaryField(default=b"", blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"))

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["document", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"TL-{self.document_id} v{self.number}"


class Grant(TimeStampedModel):
    """Need-to-know: a document for a person, a unit (and its sub-units) or a duty, for a window of time.

    A duty grant names a post or a programme item: whoever the roster assigns there in the window may read,
    so a re-plan moves the access with the duty. A grant of a Tuyệt mật document waits for a second person's
    approval before it is in force."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        UNIT = "unit", _("Unit")
        DUTY = "duty", _("Duty")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        ACTIVE = "active", _("In force")
        REVOKED = "revoked", _("Revoked")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="grants")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    unit = models.ForeignKey(
        "forces.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("unit"),
    )
    include_subunits = models.BooleanField(_("and its sub-units"), default=True)
    post = models.ForeignKey(
        "planning.Post",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("post"),
    )
    programme_item = models.ForeignKey(
        "planning.ProgrammeItem",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("programme item"),
    )
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.ACTIVE)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("granted by")
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )

    class Meta:
        verbose_name = _("need-to-know grant")
        verbose_name_plural = _("need-to-know grants")
        ordering = ["document", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")),
                name="grant_window_ends_after_start",
                violation_error_message=_("The end must be after the start."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="person",
                        user__isnull=False,
                        unit__isnull=True,
                        post__isnull=True,
                        programme_item__isnull=True,
                    )
                    | Q(
                        kind="unit",
                        user__isnull=True,
                        unit__isnull=False,
                        post__isnull=True,
                        programme_item__isnull=True,
                    )
                    | (
                        Q(kind="duty", user__isnull=True, unit__isnull=True)
                        & (Q(post__isnull=False) | Q(programme_item__isnull=False))
                    )
                ),
                name="grant_names_its_grantee",
                violation_error_message=_("A grant names a person, a unit, or a post or programme item."),
            ),
        ]

    def __str__(self) -> str:
        return f"TL-{self.document_id} {self.kind} #{self.pk}"


class Copy(models.Model):
    """The register of copies, as paper registers keep it: who holds copy no. N of which version, since when."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="copies")
    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="copies")
    number = models.PositiveIntegerField(_("copy no."))
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("reader")
    )
    issued_at = models.DateTimeField(_("issued at"))

    class Meta:
        verbose_name = _("copy")
        verbose_name_plural = _("copies")
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="copy_number_unique")]

    def __str__(self) -> str:
        return f"TL-{self.document_id} #{self.number}"


class Acknowledgement(models.Model):
    """A reader's "I have read this version", where the custodian asks for it."""

    version = models.ForeignKey(DocumentVersion, on_delete=models.CASCADE, related_name="acknowledgements")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("reading acknowledgement")
        verbose_name_plural = _("reading acknowledgements")
        constraints = [models.UniqueConstraint(fields=["version", "reader"], name="acknowledgement_once")]

    def __str__(self) -> str:
        return f"{self.version} ✓ {self.reader_id}"
