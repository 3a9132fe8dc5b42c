"""Base models shared by the domain apps."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from antt.core.languages import current_language
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


class Named(models.Model):
    """A record named in Vietnamese (``name_vi``) and English (``name_en``), shown in the reader's language.

    Each model declares the two fields itself, so its columns and their order stay as they are."""

    name_vi: str
    name_en: str

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if current_language() == "en" else self.name_vi
