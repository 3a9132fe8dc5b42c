"""JSON from outside, bounded: a body too large or nested too deep is a 400 with a message, never a 500.

Python's JSON decoder recurses once per level (``RecursionError`` near 1,000 levels), and what it returns
is walked again by serializers, validation and the audit trail: ANTT's own documents are a few levels
deep (a GeoJSON polygon is 4), so ``MAX_DEPTH`` leaves room and stops the rest at the door. Every JSON
body a client sends passes through ``loads`` (the REST API's default parser is ``BoundedJSONParser``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

from antt.core.errors import Invalid

#: Levels of arrays and objects a JSON document may nest.
MAX_DEPTH = 32


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # NaN, Infinity: not JSON


def _too_deep(value: Any, limit: int) -> bool:
    """True when ``value`` nests more than ``limit`` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, Mapping) else item if isinstance(item, list) else None
        if children is None:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def loads(text: str | bytes, *, max_depth: int = MAX_DEPTH, max_bytes: int | None = None) -> Any:
    """``json.loads`` within bounds; ``Invalid`` with a message a person can act on otherwise.

    ``max_bytes`` defaults to ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (Django's bound on a request body).
    """
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE if max_bytes is None else max_bytes
    if limit is not None and len(text) > limit:
        raise Invalid(
            _("The request body is too large (at most %(size)d bytes).") % {"size": limit},
            code="too_large",
        )
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except RecursionError:
        value, deep = None, True
    except ValueError as exc:  # UnicodeDecodeError too
        raise Invalid(_("The request body is not valid JSON: %(error)s") % {"error": exc}) from None
    else:
        deep = _too_deep(value, max_depth)
    if deep:
        raise Invalid(
            _("The JSON is nested too deeply (at most %(depth)d levels).") % {"depth": max_depth},
            code="too_deep",
        )
    return value


class BoundedJSONParser(JSONParser):
    """DRF's JSON parser with ANTT's bounds on size and depth (the default parser of the REST API)."""

    def parse(
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)  # never more than one byte too many
        try:
            return loads(raw, max_bytes=limit)
        except Invalid as exc:
            raise ParseError(str(exc)) from None
