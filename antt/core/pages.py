"""What every list page shares: the search and page parameters, and the htmx partial or the whole page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from antt.core.htmx import HtmxHttpRequest


def search_param(request: HttpRequest) -> str:
    return request.GET.get("q", "")[:100]


def page_param(request: HttpRequest) -> str:
    return request.GET.get("page", "1")[:8]


def render_page(
    request: HtmxHttpRequest, template: str, partial: str, context: dict[str, Any]
) -> HttpResponse:
    """``template#partial`` for an htmx request, the whole ``template`` otherwise."""
    htmx = request.htmx
    # A history restore (back button after a cache miss) wants the whole page, not the partial.
    name = f"{template}#{partial}" if htmx and not htmx.history_restore_request else template
    return render(request, name, context)
