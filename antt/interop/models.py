"""A previewed forces upload waiting for its confirmation, kept on the server rather than in the session.

Transient working data, not part of the plan: written and removed by :mod:`antt.interop.pending` only,
bound to the user who uploaded it and to the event, and gone an hour later at most.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PendingUpload(models.Model):
    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("pending upload")
        verbose_name_plural = _("pending uploads")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"upload {self.pk} for {self.event_id}"


class PendingUploadFile(models.Model):
    upload = models.ForeignKey(PendingUpload, on_delete=models.CASCADE, related_name="files")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    content = models.BinaryField()

    class Meta:
        verbose_name = _("pending upload file")
        verbose_name_plural = _("pending upload files")
        ordering = ["upload", "position"]
        constraints = [
            models.UniqueConstraint(fields=["upload", "position"], name="pending_upload_file_once")
        ]

    def __str__(self) -> str:
        return self.name
