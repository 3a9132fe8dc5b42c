"""Reads of forces with access checks: missing and forbidden look the same (``NotFound``)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import require
from antt.core.text import fold
from antt.forces.models import Officer, OfficerSkill, Skill, Unit


def _search(qs: QuerySet[Any], search: str) -> QuerySet[Any]:
    for word in fold(search).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def units_for(user: Any, event: Any, *, search: str = "") -> QuerySet[Unit]:
    require(user, "forces.view", event)
    return _search(Unit.objects.filter(event=event), search).select_related("parent", "commander")


def get_unit_for(user: Any, event: Any, unit_id: Any, *, action: str = "forces.view") -> Unit:
    require(user, action, event)
    unit = Unit.objects.filter(event=event, pk=id_or_not_found(unit_id)).select_related("event").first()
    if unit is None:
        raise not_found()
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
    officer = officers_for(user, event).filter(pk=id_or_not_found(officer_id)).select_related("event").first()
    if officer is None:
        raise not_found()
    return officer
