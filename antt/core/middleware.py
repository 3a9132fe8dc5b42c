"""Request id and client IP for logs and the audit trail."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from antt.core import client, context

logger = logging.getLogger(__name__)

# A client's own X-Request-ID is kept only when it is one token of 8 to 64 safe characters (it goes into
# logs, the response and every audit entry); anything else (a newline, markup, 10 KB) gets a fresh id.
_VALID_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


def client_ip_of(request: HttpRequest) -> str | None:
    """The client address (one definition for lockout, logs and audit: ``antt.core.client``)."""
    return client.client_ip(request)


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed ``X-Request-ID``) and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        # Not reset afterwards: Django logs the response after the middleware returns, and each request
        # sets its own values first (ASGI runs each request in its own context).
        context.request_id.set(rid)
        context.client_ip.set(client_ip_of(request))
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class DomainErrorMiddleware:
    """A domain error that escapes an HTML view becomes the matching error page, never a 500; a database
    that does not answer becomes a 503 with Retry-After (``antt.core.unavailable``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from antt.core import unavailable
        from antt.core.errors import DomainError
        from antt.core.views import error_page

        if isinstance(exception, DomainError):
            return error_page(request, exception.status_code, str(exception))
        if unavailable.is_database_unavailable(exception):
            logger.warning("database unavailable: %s", exception.__class__.__name__, exc_info=exception)
            return unavailable.response(request)
        return None


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """``{"camera": [], "geolocation": ["self"]}`` → ``camera=(), geolocation=(self)``."""

    def origin(value: str) -> str:
        return value if value in ("self", "*", "src") else f'"{value}"'

    return ", ".join(
        f"{feature}=({' '.join(origin(value) for value in allowed)})" for feature, allowed in policy.items()
    )


def allow_features(
    **features: list[str],
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Let one view use browser features the default ``PERMISSIONS_POLICY`` denies.

    ``@allow_features(geolocation=["self"], camera=["self"])`` on a field page: its responses carry
    ``geolocation=(self), camera=(self)`` and every other feature as the setting has it. Feature names take
    ``_`` for ``-`` (``display_capture``).
    """
    wanted = {name.replace("_", "-"): list(allowed) for name, allowed in features.items()}

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> HttpResponse:
            response = view(*args, **kwargs)
            response.permissions_policy = {**getattr(response, "permissions_policy", {}), **wanted}  # type: ignore[attr-defined]
            return response

        return wrapped

    return decorate


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` on every response: ``settings.PERMISSIONS_POLICY``, with what the view
    allowed through ``allow_features``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = {**settings.PERMISSIONS_POLICY, **getattr(response, "permissions_policy", {})}
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = permissions_policy_header(policy)
        return response
