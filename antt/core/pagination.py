"""Every list in the API answers one page: ``{"count", "next", "previous", "results"}``.

A caller asks for ``?limit=`` (at most ``MAX_PAGE_SIZE``) and ``?offset=``; without them it gets the first
``PAGE_SIZE`` items. A list that answered everything at once let one call read the whole force with its
phone numbers; now a bulk read takes many calls, each of them logged. The OpenAPI schema documents the page
object for every list (drf-spectacular wraps a list response when the view names a ``pagination_class``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response

PAGE_SIZE = 100
MAX_PAGE_SIZE = 500


class Pagination(LimitOffsetPagination):
    default_limit = PAGE_SIZE
    max_limit = MAX_PAGE_SIZE


class PagedListMixin:
    """For an ``APIView`` whose GET answers a list: ``return self.paged(request, items, serialize)``."""

    pagination_class = Pagination

    def paged(self, request: Request, items: Any, serialize: Callable[[Sequence[Any]], Any]) -> Response:
        paginator = self.pagination_class()
        page: list[Any] | None = paginator.paginate_queryset(items, request, view=self)  # type: ignore[arg-type]
        return paginator.get_paginated_response(serialize(page or []))
