"""People who sign in, and their API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from antt.core.text import fold


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_demo = models.BooleanField(
        _("demo account"), default=False, help_text=_("Created by the demo; its password is published.")
    )
    search_text = models.TextField(editable=False, default="", blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    def refresh_search_text(self) -> None:
        self.search_text = fold(f"{self.username} {self.full_name} {self.email}")


TOKEN_PREFIX = "antt_"  # noqa: S105 - a public prefix, not a secret


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A personal API token. Only a hash is stored: the key is shown once, when it is created."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({TOKEN_PREFIX}{self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        """A new (key, prefix, hash)."""
        prefix = secrets.token_hex(4)
        key = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
        return key, prefix, hash_token(key)

    @property
    def effective_expiry(self) -> datetime:
        """``expires_at``, but never later than the maximum lifetime after creation (old rows without one)."""
        latest = self.created_at + timedelta(days=settings.API_TOKEN_MAX_DAYS)
        return min(self.expires_at, latest) if self.expires_at is not None else latest

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.effective_expiry > timezone.now()
