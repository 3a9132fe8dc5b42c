"""Session time limits and the second-factor gate."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from antt.accounts.queries import requires_two_factor

SESSION_AUTH_AT = "antt_auth_at"
SESSION_SEEN_AT = "antt_seen_at"


class SessionLimitsMiddleware:
    """End a session after ``ANTT_SESSION_IDLE_MINUTES`` idle or ``ANTT_SESSION_ABSOLUTE_HOURS`` in all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and hasattr(request, "session"):
            now = int(time.time())
            auth_at = request.session.get(SESSION_AUTH_AT) or now
            seen_at = request.session.get(SESSION_SEEN_AT) or now
            if (
                now - seen_at > settings.SESSION_IDLE_SECONDS
                or now - auth_at > settings.SESSION_ABSOLUTE_SECONDS
            ):
                idle = now - seen_at > settings.SESSION_IDLE_SECONDS
                logout(request)
                message = (
                    _("Your session ended after %(minutes)d minutes without activity. Please sign in again.")
                    % {"minutes": settings.SESSION_IDLE_SECONDS // 60}
                    if idle
                    else _("Your session reached its %(hours)d-hour limit. Please sign in again.")
                    % {"hours": settings.SESSION_ABSOLUTE_SECONDS // 3600}
                )
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": message, "code": "session_expired"}, status=401)
                messages.info(request, message)
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.get_full_path()}")
            # written only when it changes: assigning marks the session modified, and a modified session is
            # saved (one UPDATE and a transaction) at the end of the request
            if SESSION_AUTH_AT not in request.session:
                request.session[SESSION_AUTH_AT] = auth_at
            if now - seen_at >= 30 or SESSION_SEEN_AT not in request.session:
                request.session[SESSION_SEEN_AT] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Someone who needs a second factor and has not passed it may only verify, enrol or sign out."""

    OPEN_PREFIXES = ("/static/", "/healthz", "/i18n/", "/favicon.ico")
    OPEN_NAMES = ("accounts:otp-verify", "accounts:otp-enrol", "accounts:logout")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(self.OPEN_PREFIXES)
            and request.path not in {reverse(name) for name in self.OPEN_NAMES}
            and requires_two_factor(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": _("Finish two-factor sign-in first."), "code": "two_factor_required"},
                    status=401,
                )
            from django_otp import user_has_device

            target = "accounts:otp-verify" if user_has_device(user, confirmed=True) else "accounts:otp-enrol"
            return redirect(f"{reverse(target)}?next={request.get_full_path()}")
        return self.get_response(request)
