"""Request id and client IP for logs and the audit trail."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from antt.core import client, context

_VALID_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def client_ip_of(request: HttpRequest) -> str | None:
    """The client address (one definition for lockout, logs and audit: ``antt.core.client``)."""
    return client.client_ip(request)


class RequestIdMiddleware:
    """Give every request an id (or keep a well-formed ``X-Request-ID``) and echo it in the response."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = rid  # type: ignore[attr-defined]
        # Not reset afterwards: Django logs the response after the middleware returns, and each request
        # sets its own values first (ASGI runs each request in its own context).
        context.request_id.set(rid)
        context.client_ip.set(client_ip_of(request))
        response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response


class DomainErrorMiddleware:
    """A domain error that escapes an HTML view becomes the matching error page, never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from antt.core.errors import DomainError
        from antt.core.views import error_page

        if isinstance(exception, DomainError):
            return error_page(request, exception.status_code, str(exception))
        return None
