"""API authentication: personal tokens and verified browser sessions."""

from __future__ import annotations

import copy
import hmac
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from antt.accounts.models import TOKEN_PREFIX, ApiToken, hash_token
from antt.core.shortcache import MISSING, ShortCache

# The token and its user, kept a few seconds per process (``core.shortcache``): most API requests read no row
# to sign in. A token revoked or a user deactivated in another process stops working within these seconds;
# in this process at once (the models' signals clear it).
TOKENS = ShortCache(settings.SIGNIN_CACHE_SECONDS)

# How often a token's "last used" is written. A phone sends a position batch every 30 s; writing the time
# on every other request cost SQLite a write transaction (its database-wide lock) for half the batches of
# 5,000 phones. The token list shows the time to these minutes.
LAST_USED_EVERY = timedelta(minutes=5)


def _copy(token: ApiToken) -> ApiToken:
    """A token and user of its own for each request (a request may set attributes on its user)."""
    copied = copy.copy(token)
    copied.user = copy.copy(token.user)
    return copied


class TokenAuthentication(authentication.BaseAuthentication):
    """``Authorization: Bearer antt_…`` (or ``Token antt_…``) with a personal token."""

    keywords = ("bearer", "token")

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0].lower() not in self.keywords:
            return None
        if len(header) != 2 or not header[1].startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed(
                _("Malformed token header: use 'Authorization: Bearer <token>'.")
            )
        key = header[1]
        prefix = key[len(TOKEN_PREFIX) :].split("_", 1)[0]
        kept = TOKENS.get(prefix)
        if kept is MISSING:
            kept = ApiToken.objects.select_related("user").filter(prefix=prefix).order_by("pk").first()
            if kept is not None:  # (an unknown prefix is not kept: a token made meanwhile works at once)
                TOKENS.put(prefix, _copy(kept))
        token = None if kept is None else _copy(kept)
        # the key, its expiry, its revocation and the user's state are checked on every request, kept or not
        if token is None or not hmac.compare_digest(token.key_hash, hash_token(key)):
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not token.is_usable or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This token has been revoked or has expired."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            kept.last_used_at = now
        token.user.antt_api_token = token  # type: ignore[attr-defined]  # services.signed_in_with_token
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser session, only once any required second factor has been passed (CSRF enforced)."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)
        if result is None:
            return None
        from antt.accounts.queries import requires_two_factor

        user = result[0]
        if requires_two_factor(user) and not getattr(user, "is_verified", lambda: False)():
            raise exceptions.AuthenticationFailed(_("Finish two-factor sign-in first."))
        return result
