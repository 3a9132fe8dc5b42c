"""Views with no domain: health, error pages, the front door."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from antt.core import unavailable
from antt.core.lookups import not_found_message

ERROR_TITLES = {
    400: "Bad request",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    429: "Too many attempts",
    500: "Something went wrong",
}


def error_page(request: HttpRequest, status: int, message: str = "") -> HttpResponse:
    titles = {
        400: _("Bad request"),
        403: _("Not allowed"),
        404: _("Not found"),
        409: _("Conflict"),
        429: _("Too many attempts"),
        500: _("Something went wrong"),
    }
    default_messages = {
        400: _("The request could not be understood. Check what you entered and try again."),
        403: _("Your role does not allow this. Ask the event's commander if you need access."),
        404: not_found_message(),
        409: _("This clashes with the current state. Reload the page and try again."),
        500: _(
            "The error has been logged with the request id below. Try again, or tell the operations desk."
        ),
    }
    if request.path.startswith("/api/"):
        # the same machine codes as the API views' own refusals (antt.core.api), not the bare status
        codes = {400: "invalid", 403: "not_allowed", 404: "not_found", 409: "conflict", 429: "throttled"}
        return JsonResponse(
            {"detail": message or default_messages.get(status, ""), "code": codes.get(status, "error")},
            status=status,
        )
    context = {
        "status": status,
        "title": titles.get(status, str(status)),
        "message": message or default_messages.get(status, ""),
        "request_id": getattr(request, "request_id", ""),
    }
    return render(request, "error.html", context, status=status)


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 400)


def permission_denied(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 403)


def page_not_found(request: HttpRequest, exception: Any = None) -> HttpResponse:
    return error_page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    if unavailable.is_database_unavailable(sys.exc_info()[1]):  # raised in a middleware (session, user)
        return unavailable.response(request)
    try:
        return error_page(request, 500)
    except Exception:  # the template itself may be what failed
        return HttpResponse(
            "<h1>500</h1><p>Something went wrong. / Đã xảy ra lỗi.</p>", status=500, content_type="text/html"
        )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return error_page(
        request,
        403,
        _(
            "The form had expired or came from another page (CSRF check failed). Reload the page and submit again."
        ),
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """``{"status": "ok"|"error", "checks": {...}}``: 200 when every configured dependency answers, else 503."""
    checks: dict[str, dict[str, Any]] = {}
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = {"ok": True, "vendor": connection.vendor}
    except Exception as exc:
        checks["database"] = {"ok": False, "error": exc.__class__.__name__}
    checks["database"]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    if settings.REDIS_URL:
        started = time.perf_counter()
        try:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
            client.ping()
            checks["redis"] = {"ok": True}
        except Exception as exc:
            checks["redis"] = {"ok": False, "error": exc.__class__.__name__}
        checks["redis"]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``: the app's icon (pages link it; browsers still ask here for other responses)."""
    return HttpResponsePermanentRedirect(static("antt/favicon.svg"))


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("events:list")


def admin_login(request: HttpRequest, extra_context: Any = None) -> HttpResponse:
    return redirect_to_login(request.GET.get("next") or "/admin/", reverse(settings.LOGIN_URL))
