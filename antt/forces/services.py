"""Every write to units, skills and officers: permission ``forces.change``, audit, one transaction each."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid
from antt.core.permissions import require
from antt.events import plan_versions
from antt.forces.models import Officer, OfficerSkill, Skill, Unit

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

UNIT_FIELDS = ("code", "name_vi", "name_en", "parent", "commander")
SKILL_FIELDS = ("code", "name_vi", "name_en")
OFFICER_FIELDS = (
    "code",
    "full_name",
    "rank",
    "unit",
    "call_sign",
    "phone",
    "clearance",
    "home_base",
    "availability",
)


def _check_parent(unit: Unit) -> None:
    seen = {unit.pk}
    parent = unit.parent
    while parent is not None:
        if parent.pk in seen:
            raise Invalid(_("A unit cannot be placed under itself or its own sub-unit."), field="parent")
        seen.add(parent.pk)
        parent = parent.parent


@transaction.atomic
def create_unit(
    *,
    actor: Actor,
    event: Event,
    code: str,
    name_vi: str,
    name_en: str,
    parent: Unit | None = None,
    commander: Officer | None = None,
) -> Unit:
    require(actor, "forces.change", event)  # permission first: a refused actor never learns a rule
    writes.same_event(event, parent=parent, commander=commander)
    unit = Unit(event=event, code=code, name_vi=name_vi, name_en=name_en, parent=parent, commander=commander)
    return writes.create(
        actor=actor,
        action="forces.change",
        event=event,
        obj=unit,
        fields=UNIT_FIELDS,
        audit_action="forces.create_unit",
        search=True,
    )


@transaction.atomic
def update_unit(*, actor: Actor, unit: Unit, **changes: Any) -> Unit:
    require(actor, "forces.change", unit.event)
    writes.same_event(unit.event, parent=changes.get("parent"), commander=changes.get("commander"))
    if "parent" in changes:
        probe = Unit(pk=unit.pk, parent=changes["parent"])
        _check_parent(probe)
    unit, _delta = writes.update(
        actor=actor,
        action="forces.change",
        event=unit.event,
        obj=unit,
        changes=changes,
        allowed=UNIT_FIELDS,
        fields=UNIT_FIELDS,
        audit_action="forces.update_unit",
        search=True,
    )
    return unit


@transaction.atomic
def delete_unit(*, actor: Actor, unit: Unit) -> None:
    writes.delete(
        actor=actor,
        action="forces.change",
        event=unit.event,
        obj=unit,
        fields=UNIT_FIELDS,
        audit_action="forces.delete_unit",
    )


@transaction.atomic
def create_skill(*, actor: Actor, event: Event, code: str, name_vi: str, name_en: str) -> Skill:
    return writes.create(
        actor=actor,
        action="forces.change",
        event=event,
        obj=Skill(event=event, code=code, name_vi=name_vi, name_en=name_en),
        fields=SKILL_FIELDS,
        audit_action="forces.create_skill",
    )


def _skills_snapshot(officer: Officer) -> dict[str, str | None]:
    return {
        code: (expires.isoformat() if expires else None)
        for code, expires in OfficerSkill.objects.filter(officer=officer).values_list(
            "skill__code", "expires_on"
        )
    }


def _set_skills(officer: Officer, skills: Iterable[tuple[Skill, date | None]]) -> None:
    pairs = list(skills)
    for skill, _expires in pairs:
        writes.same_event(officer.event, skill=skill)
    codes = [skill.code for skill, _expires in pairs]
    if len(set(codes)) != len(codes):
        raise Invalid(_("A skill is listed twice."), field="skills")
    OfficerSkill.objects.filter(officer=officer).delete()
    OfficerSkill.objects.bulk_create(
        [OfficerSkill(officer=officer, skill=skill, expires_on=expires) for skill, expires in pairs]
    )


@transaction.atomic
def create_officer(
    *,
    actor: Actor,
    event: Event,
    code: str,
    full_name: str,
    unit: Unit,
    rank: str = "",
    call_sign: str = "",
    phone: str = "",
    clearance: int = 0,
    home_base: Any = None,
    availability: list[dict[str, str]] | None = None,
    skills: Iterable[tuple[Skill, date | None]] = (),
) -> Officer:
    """Create an officer with skills ``[(skill, expires_on or None), ...]``."""
    require(actor, "forces.change", event)
    writes.same_event(event, unit=unit, home_base=home_base)
    officer = Officer(
        event=event,
        code=code,
        full_name=full_name,
        unit=unit,
        rank=rank,
        call_sign=call_sign,
        phone=phone,
        clearance=clearance,
        home_base=home_base,
        availability=availability or None,
    )
    officer = writes.create(
        actor=actor,
        action="forces.change",
        event=event,
        obj=officer,
        fields=OFFICER_FIELDS,
        audit_action="forces.create_officer",
        search=True,
    )
    _set_skills(officer, skills)
    plan_versions.bump(event, officers=[officer.pk])
    return officer


@transaction.atomic
def update_officer(
    *,
    actor: Actor,
    officer: Officer,
    skills: Iterable[tuple[Skill, date | None]] | None = None,
    **changes: Any,
) -> Officer:
    """Change an officer; ``skills`` (when given) replaces the whole list of skills."""
    require(actor, "forces.change", officer.event)
    writes.same_event(officer.event, unit=changes.get("unit"), home_base=changes.get("home_base"))
    before_skills = _skills_snapshot(officer)
    officer, delta = writes.update(
        actor=actor,
        action="forces.change",
        event=officer.event,
        obj=officer,
        changes=changes,
        allowed=OFFICER_FIELDS,
        fields=OFFICER_FIELDS,
        audit_action="forces.update_officer",
        search=True,
    )
    changed = bool(delta)
    if skills is not None:
        _set_skills(officer, skills)
        after_skills = _skills_snapshot(officer)
        if after_skills != before_skills:
            changed = True
            audit.record(
                actor=actor,
                action="forces.set_officer_skills",
                target=officer,
                event=officer.event,
                changes={"skills": [before_skills, after_skills]},
            )
    if changed:
        plan_versions.bump(officer.event_id, officers=[officer.pk])
    return officer


@transaction.atomic
def delete_officer(*, actor: Actor, officer: Officer) -> None:
    writes.delete(
        actor=actor,
        action="forces.change",
        event=officer.event,
        obj=officer,
        fields=OFFICER_FIELDS,
        audit_action="forces.delete_officer",
    )
    plan_versions.bump(officer.event_id, officers=[officer.pk])


@transaction.atomic
def record_contact_read(*, actor: Actor, event: Event, officers: int, search: str = "") -> None:
    """Trace a bulk read of officers' contact data (one audit entry per request, not per officer)."""
    require(actor, "forces.view", event)
    audit.record(
        actor=actor,
        action="forces.read_contacts",
        target=event,
        event=event,
        changes={"officers": officers, "search": search[:100]},
    )


@transaction.atomic
def link_account(*, actor: Any, officer: Officer, user: Any) -> Officer:
    """Link the account ``user`` signs in with to ``officer`` (``None``: unlink), so that "my duties" shows
    the officer's duties. The account must be an active member of the event; one officer per account."""
    event = officer.event
    require(actor, "forces.change", event)
    if user is not None:
        membership = event.membership_for(user)
        if membership is None or not membership.is_active or not user.is_active:
            raise Invalid(
                _("%(user)s is not an active member of this event: invite the account first.")
                % {"user": user},
                field="username",
            )
        other = Officer.objects.filter(event=event, user=user).exclude(pk=officer.pk).first()
        if other is not None:
            raise Conflict(
                _("%(user)s is already linked to %(officer)s.") % {"user": user, "officer": other},
                field="username",
            )
    officer = Officer.objects.select_for_update().get(pk=officer.pk)
    before = officer.user.get_username() if officer.user is not None else None
    after = user.get_username() if user is not None else None
    if before == after:
        return officer
    officer.user = user
    writes.save(officer)
    audit.record(
        actor=actor,
        action="forces.link_account",
        target=officer,
        event=event,
        changes={"user": [before, after]},
    )
    return officer
