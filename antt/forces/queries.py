"""Reads of forces with access checks: missing and forbidden look the same (``NotFound``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from antt.core.errors import Invalid
from antt.core.lookups import one_by_id
from antt.core.permissions import Role, require
from antt.core.text import fold
from antt.forces.models import Officer, OfficerSkill, Skill, Unit

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event


def _search(qs: QuerySet[Any], search: str) -> QuerySet[Any]:
    for word in fold(search).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def units_for(user: Actor, event: Event, *, search: str = "") -> QuerySet[Unit]:
    require(user, "forces.view", event)
    return _search(Unit.objects.filter(event=event), search).select_related("parent", "commander")


def get_unit_for(user: Actor, event: Event, unit_id: Any, *, action: str = "forces.view") -> Unit:
    require(user, action, event)
    return one_by_id(Unit.objects.filter(event=event).select_related("event"), unit_id)


def skills_for(user: Actor, event: Event) -> QuerySet[Skill]:
    require(user, "forces.view", event)
    return Skill.objects.filter(event=event)


def skills_by_code(event: Event, codes: Iterable[Any], *, field: str) -> list[Skill]:
    """The skills of ``event`` that ``codes`` from input name, in order (one query); ``Invalid`` (400) naming
    the first code the event does not know. API input refers to skills by code, never by id."""
    wanted = [str(code) for code in codes]
    by_code = {skill.code: skill for skill in Skill.objects.filter(event=event, code__in=wanted)}
    for code in wanted:
        if code not in by_code:
            raise Invalid(_("Unknown skill: %(code)s") % {"code": code}, field=field)
    return [by_code[code] for code in wanted]


def officers_for(
    user: Actor, event: Event, *, search: str = "", unit: Unit | None = None
) -> QuerySet[Officer]:
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


def get_officer_for(user: Actor, event: Event, officer_id: Any, *, action: str = "forces.view") -> Officer:
    require(user, action, event)
    return one_by_id(officers_for(user, event).select_related("event"), officer_id)


def units_to_choose(user: Actor, event: Event) -> list[tuple[int, str]]:
    """(id, "CODE — name") of every unit of the event, for a filter."""
    return [(u.pk, f"{u.code} — {u.name}") for u in units_for(user, event).order_by("code", "pk")]


# --- Contact data (phone numbers) -------------------------------------------------------------------------
# Roles whose work needs every officer's phone: they run the operation and call people out.
CONTACT_ROLES = frozenset({Role.COMMANDER, Role.PLANNER, Role.DISPATCHER})


@dataclass(frozen=True)
class ContactAccess:
    """Whose contact data one person may see in one event (see ``contact_access``)."""

    everyone: bool = False
    unit_ids: frozenset[int] = frozenset()
    user_id: int | None = None

    def allows(self, officer: Officer) -> bool:
        return self.allows_ids(officer.unit_id, officer.user_id)

    def allows_ids(self, unit_id: int | None, user_id: int | None) -> bool:
        """The same answer from an officer's ``unit_id`` and ``user_id`` (for rows read as values)."""
        return self.everyone or unit_id in self.unit_ids or (user_id is not None and user_id == self.user_id)


def unit_tree_ids(event: Event, roots: Any) -> set[int]:
    """``roots`` and every unit below them in ``event`` (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Unit.objects.filter(event=event).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    return _below(children, [int(pk) for pk in roots])


def commanded_unit_ids(user: Actor, event: Event) -> set[int]:
    """The units ``user`` commands in ``event`` (through their linked officer) and every unit below them
    (one query)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    pairs = list(Unit.objects.filter(event=event).values_list("pk", "parent_id", "commander__user_id"))
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id, _commander in pairs:
        children[parent_id].append(pk)
    return _below(children, [pk for pk, _parent, commander_user in pairs if commander_user == user.pk])


def _below(children: dict[int | None, list[int]], roots: list[int]) -> set[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk not in seen:
            seen.add(pk)
            stack.extend(children.get(pk, ()))
    return seen


def contact_access(user: Actor, event: Event) -> ContactAccess:
    """THE rule for "may see an officer's phone number", used by the API, the pages and the exports.

    Commanders, planners and dispatchers see everyone's; a unit commander sees the officers of the units
    they command (and the units below); every officer sees their own. Observers, custodians and field
    officers see no one else's: personal data only where the work needs it.
    """
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return ContactAccess()
    membership = event.membership_for(user)
    if membership is None or not membership.is_active:
        return ContactAccess()
    if membership.role in CONTACT_ROLES:
        return ContactAccess(everyone=True)
    units = commanded_unit_ids(user, event) if membership.role == Role.UNIT_COMMANDER else set()
    return ContactAccess(unit_ids=frozenset(units), user_id=user.pk)


def may_see_contact(user: Actor, event: Event, officer: Officer) -> bool:
    """``contact_access`` for one officer (a page that shows one officer)."""
    return contact_access(user, event).allows(officer)


def redact_contacts(user: Actor, event: Event, officers: list[dict[str, Any]]) -> None:
    """Blank the ``phone`` of each exported officer row (keyed by ``code``) that ``user`` may not see."""
    access = contact_access(user, event)
    if access.everyone:
        return
    rows = Officer.objects.filter(event=event).values_list("code", "unit_id", "user_id")
    visible = {code for code, unit_id, user_id in rows if access.allows_ids(unit_id, user_id)}
    for row in officers:
        if row.get("code") not in visible:
            row["phone"] = ""
