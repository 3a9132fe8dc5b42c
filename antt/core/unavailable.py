"""The database does not answer (down, restarting, locked): 503 with Retry-After, for pages and the API.

A lost database is not a bug of the request: the person should wait and try again, and a load balancer or
a client library retries a 503 on its own. The page is rendered without the site template (its context
processors read the database); the message is in both languages, since the language cookie may be all
we know about the person.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

#: Seconds a client is asked to wait before it tries again.
RETRY_AFTER = 30

DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_unavailable(exc: BaseException | None) -> bool:
    return isinstance(exc, DATABASE_ERRORS)


def message() -> str:
    return _("The database is not answering right now. Try again in a minute.")


def api_body() -> dict[str, str]:
    return {"detail": message(), "code": "unavailable"}


def response(request: HttpRequest) -> HttpResponse:
    """The 503 answer to ``request``: JSON under /api/, a plain page elsewhere."""
    out: HttpResponse
    if request.path.startswith("/api/"):
        out = JsonResponse(api_body(), status=503)
    else:
        text = escape(message())
        out = HttpResponse(
            f'<!doctype html><html><head><meta charset="utf-8"><title>503</title></head>'
            f"<body><h1>503</h1><p>{text}</p></body></html>",
            status=503,
            content_type="text/html; charset=utf-8",
        )
    out["Retry-After"] = str(RETRY_AFTER)
    out["Cache-Control"] = "no-store"
    return out
