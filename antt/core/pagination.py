"""Every list in the API answers one page: ``{"count", "next", "previous", "results"}``.

A caller asks for ``?limit=`` (at most ``MAX_PAGE_SIZE``) and ``?offset=``; without them it gets the first
``PAGE_SIZE`` items. A list that answered everything at once let one call read the whole force with its
phone numbers; now a bulk read takes many calls, each of them logged. The OpenAPI schema documents the page
object for every list (drf-spectacular wraps a list response when the view names a ``pagination_class``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class Pagination(LimitOffsetPagination):
    """``limit`` and ``offset`` as the schema documents them: one whole number each (``limit`` ≥ 1, above
    ``MAX_PAGE_SIZE`` it is lowered to it; ``offset`` ≥ 0). Anything else is refused with 400, where DRF
    would silently answer the default page."""

    default_limit = PAGE_SIZE
    max_limit = MAX_PAGE_SIZE

    def _number(self, request: Any, name: str, *, minimum: int) -> int | None:
        values = request.query_params.getlist(name)
        if not values:
            return None
        if len(values) > 1 or not values[0].isascii() or not values[0].isdigit() or int(values[0]) < minimum:
            raise ValidationError(
                {name: [_("Send one whole number, at least %(minimum)d.") % {"minimum": minimum}]}
            )
        return int(values[0])

    def get_limit(self, request: Any) -> int:
        limit = self._number(request, self.limit_query_param, minimum=1)
        return self.default_limit if limit is None else min(limit, self.max_limit)

    def get_offset(self, request: Any) -> int:
        return self._number(request, self.offset_query_param, minimum=0) or 0

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"]["minimum"] = 1
                parameter["description"] = (
                    f"How many items per page: {PAGE_SIZE} when not given, at most {MAX_PAGE_SIZE} (a larger "
                    "number is lowered to it)."
                )
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"]["minimum"] = 0
                parameter["description"] = "How many items to skip (0 when not given)."
        return parameters


class PagedListMixin:
    """For an ``APIView`` whose GET answers a list: ``return self.paged(request, items, serialize)``."""

    pagination_class = Pagination

    def paged(self, request: Request, items: Any, serialize: Callable[[Sequence[Any]], Any]) -> Response:
        paginator = self.pagination_class()
        page: list[Any] | None = paginator.paginate_queryset(items, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(serialize(page or []))
