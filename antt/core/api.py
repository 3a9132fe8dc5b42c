"""API plumbing shared by every app: errors as ``{"detail", "code"}`` in the request's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from antt.core import unavailable
from antt.core.errors import DomainError
from antt.core.lookups import MAX_ID, not_found_message


class IdField(serializers.IntegerField):
    """An object id in a request body: a whole number the database can hold (1 … 2**63 - 1), else a 400."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if unavailable.is_database_unavailable(exc):
        return Response(
            unavailable.api_body(), status=503, headers={"Retry-After": str(unavailable.RETRY_AFTER)}
        )
    if isinstance(exc, DomainError):
        data: dict[str, Any] = {"detail": str(exc), "code": exc.code}
        if exc.field:
            data["field"] = exc.field
        return Response(data, status=exc.status_code)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(not_found_message())
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = {
            "detail": _("The request body is not valid: see 'errors' for each field."),
            "code": "invalid",
            "errors": response.data,
        }
    elif isinstance(exc, exceptions.APIException):
        detail = exc.detail
        response.data = {"detail": str(detail), "code": getattr(detail, "code", exc.default_code)}
    return response
