"""Base models shared by the domain apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from antt.core.text import fold


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class SearchableMixin(models.Model):
    """A folded copy of the searchable text, kept by the service that writes the record."""

    search_text = models.TextField(editable=False, default="", blank=True)

    class Meta:
        abstract = True

    search_fields: tuple[str, ...] = ()

    def refresh_search_text(self) -> None:
        self.search_text = fold(" ".join(str(getattr(self, name) or "") for name in self.search_fields))
