"""Ids from outside (URL, form, JSON) turned into lookups: one parser, one bound, one "not found" message.

Every id a person or a client sends passes through here before it reaches a query, so a value the
database cannot hold (``10**30``: ``OverflowError`` on SQLite, an out-of-range error on PostgreSQL) is
refused like any unknown id, and missing and forbidden objects answer with the same words.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _

from antt.core.errors import Invalid, NotFound

if TYPE_CHECKING:
    from antt.core.permissions import EventLike

# Primary keys are 64-bit signed integers on both databases (BigAutoField on PostgreSQL; SQLite's INTEGER).
MAX_ID = 2**63 - 1

M = TypeVar("M", bound=Model)


def not_found_message() -> str:
    """The one answer for missing and forbidden alike."""
    return _("Not found, or you do not have access.")


def not_found() -> NotFound:
    return NotFound(not_found_message())


def parse_id(value: Any) -> int | None:
    """``value`` as a positive id the database can hold, or ``None`` (not a whole number, ≤ 0, too large)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip() if isinstance(value, str | bytes) else ""
        if not text.isascii() or not text.isdigit() or len(text) > 19:
            return None
        number = int(text)
    return number if 1 <= number <= MAX_ID else None


def id_or_not_found(value: Any) -> int:
    """The id in ``value``; ``NotFound`` (404) when it cannot name any object."""
    number = parse_id(value)
    if number is None:
        raise not_found()
    return number


def ids_in(values: Iterable[Any]) -> list[int]:
    """The well-formed ids among ``values``, without repeats, sorted (the others cannot name an object)."""
    return sorted({number for value in values if (number := parse_id(value)) is not None})


def one_by_id(qs: QuerySet[M], value: Any, *, field: str = "pk") -> M:
    """The object of ``qs`` (already narrowed to what the caller may see) whose ``field`` is the id in
    ``value``; ``NotFound`` (404) when there is none, missing and forbidden alike."""
    obj = qs.filter(**{field: id_or_not_found(value)}).first()
    if obj is None:
        raise not_found()
    return obj


def lookup(model: Any, event: EventLike, value: Any, *, field: str) -> Any:
    """An object of ``event`` referenced by id in input; ``Invalid`` (400) when unknown there (never 404).

    ``None`` stays ``None`` (an optional reference left empty).
    """
    if value is None:
        return None
    number = parse_id(value)
    obj = (
        None
        if number is None
        else model.objects.filter(event=event, pk=number).select_related("event").first()
    )
    if obj is None:
        raise Invalid(_("Unknown %(field)s in this event.") % {"field": field}, field=field)
    return obj


def lookup_refs(event: EventLike, data: dict[str, Any], models: dict[str, Any]) -> dict[str, Any]:
    """``data`` with each reference named in ``models`` (field → model) that it holds replaced by the object
    of ``event`` (``lookup``: ``Invalid`` when unknown there); the other fields as they are."""
    out = dict(data)
    for name, model in models.items():
        if name in out:
            out[name] = lookup(model, event, out[name], field=name)
    return out
