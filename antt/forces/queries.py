"""Reads of forces with access checks: missing and forbidden look the same (``NotFound``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from antt.core.errors import NotFound
from antt.core.permissions import require
from antt.core.text import fold
from antt.forces.models import Officer, OfficerSkill, Skill, Unit


def _not_found() -> NotFound:
    from django.utils.translation import gettext as _

    return NotFound(_("Not found, or you do not have access."))


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise _not_found() from None


def _search(qs: QuerySet[Any], search: str) -> QuerySet[Any]:
    for word in fold(search).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def units_for(user: Any, event: Any, *, search: str = "") -> QuerySet[Unit]:
    require(user, "forces.view", event)
    return _search(Unit.objects.filter(event=event), search).select_related("parent", "commander")


def get_unit_for(user: Any, event: Any, unit_id: Any, *, action: str = "forces.view") -> Unit:
    require(user, action, event)
    unit = Unit.objects.filter(event=event, pk=_pk(unit_id)).select_related("event").first()
    if unit is None:
        raise _not_found()
    return unit


def skills_for(user: Any, event: Any) -> QuerySet[Skill]:
    require(user, "forces.view", event)
    return Skill.objects.filter(event=event)


def officers_for(user: Any, event: Any, *, search: str = "", unit: Any = None) -> QuerySet[Officer]:
    require(user, "forces.view", event)
    qs = Officer.objects.filter(event=event)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return (
        _search(qs, search)
        .select_related("unit")
        .prefetch_related(
            Prefetch("skills", queryset=OfficerSkill.objects.select_related("skill").order_by("skill__code"))
        )
    )


def get_officer_for(user: Any, event: Any, officer_id: Any, *, action: str = "forces.view") -> Officer:
    require(user, action, event)
    officer = officers_for(user, event).filter(pk=_pk(officer_id)).select_related("event").first()
    if officer is None:
        raise _not_found()
    return officer


def lookup(model: Any, event: Any, value: Any, *, field: str) -> Any:
    """An object of ``event`` referenced by id in input; ``Invalid`` when unknown there (never 404)."""
    from django.utils.translation import gettext as _

    from antt.core.errors import Invalid

    if value is None:
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError):
        pk = -1
    obj = model.objects.filter(event=event, pk=pk).select_related("event").first()
    if obj is None:
        raise Invalid(_("Unknown %(field)s in this event.") % {"field": field}, field=field)
    return obj


def units_to_choose(user: Any, event: Any) -> list[tuple[int, str]]:
    """(id, "CODE — name") of every unit of the event, for a filter."""
    return [(u.pk, f"{u.code} — {u.name}") for u in units_for(user, event).order_by("code", "pk")]
