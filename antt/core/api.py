"""API plumbing shared by every app: errors as ``{"detail", "code"}`` in the request's language."""

from __future__ import annotations

import functools
import zoneinfo
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.utils import html
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


# --- Input fields that read exactly what the schema says --------------------------------------------------


class RefuseEmptyFormValueMixin:
    """In a form (multipart or urlencoded) request DRF drops an empty value of an optional field silently,
    so ``time_zone=`` or ``starts_at=`` in a PATCH answered 200 and changed nothing. Keep the empty value,
    so that it is validated (and refused) exactly as an empty JSON string is."""

    def get_value(self, dictionary: Any) -> Any:
        if (
            html.is_html_input(dictionary)
            and dictionary.get(getattr(self, "field_name", "")) == ""
            and not getattr(self, "allow_blank", False)
            and not getattr(self, "allow_null", False)
        ):
            return ""
        return super().get_value(dictionary)  # type: ignore[misc]


class StrictDateTimeField(RefuseEmptyFormValueMixin, serializers.DateTimeField):
    """A date-time; an empty form value is refused, not ignored."""


class StrictCharField(RefuseEmptyFormValueMixin, serializers.CharField):
    """A string in the request, never a number or a boolean turned into one (DRF's ``CharField`` takes ``42``
    for ``"42"``, which the schema does not allow). In a form (multipart) request an empty value is refused
    like an empty JSON string, instead of being dropped silently. Every code or text read by the API uses it.
    """

    default_error_messages = {
        "not_a_string": gettext_lazy("Send text here (a string), not a number or a list.")
    }

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("not_a_string")
        return super().to_internal_value(data)


class StrictSlugField(StrictCharField, serializers.SlugField):
    """A slug (letters, digits, hyphens and underscores), sent as a string."""


class TimeZoneField(StrictCharField):
    """An IANA time zone name such as ``Asia/Ho_Chi_Minh``; never empty."""

    default_error_messages = {
        "unknown_zone": gettext_lazy("%(value)s is not a known time zone (e.g. Asia/Ho_Chi_Minh).")
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", "An IANA time zone name, e.g. Asia/Ho_Chi_Minh.")
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if value not in _time_zones():
            raise serializers.ValidationError(
                self.error_messages["unknown_zone"] % {"value": value}, code="unknown_zone"
            )
        return value


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
