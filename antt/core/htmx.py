"""The request type of a view that asks ``request.htmx`` (django-htmx's middleware sets it on every request).

Annotate such a view's ``request`` as ``HtmxHttpRequest`` (the pattern django-htmx documents for type
checkers) instead of silencing mypy at each use.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails
