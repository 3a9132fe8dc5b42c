"""Reads of plans with access checks: missing and forbidden look the same (``NotFound``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from antt.core.errors import Invalid
from antt.core.lookups import one_by_id
from antt.core.permissions import can, require
from antt.core.text import fold
from antt.forces.models import Officer
from antt.plans import diff
from antt.plans.models import Plan, PlanStep, PlanVersion, pick

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

_HEAVY = ("body_vi", "body_en", "trigger_vi", "trigger_en", "tasks", "sites", "programme_items")


def plans_for(
    user: Actor, event: Event, *, kind: str = "", status: str = "", search: str = ""
) -> QuerySet[Plan]:
    """The event's plans, optionally of one kind or status, matching a diacritics-blind search."""
    require(user, "planning.view", event)
    qs = Plan.objects.filter(event=event)
    if kind in Plan.Kind.values:
        qs = qs.filter(kind=kind)
    if status in Plan.Status.values:
        qs = qs.filter(status=status)
    for word in fold(search).split():
        qs = qs.filter(search_text__contains=word)
    qs = qs.order_by("-kind", "code", "pk")  # plans first, then contingency plans
    return qs.select_related("responsible", "latest_version__author", "approved_version").defer(
        *(f"{rel}__{name}" for rel in ("latest_version", "approved_version") for name in _HEAVY)
    )


def get_plan_for(user: Actor, event: Event, plan_id: Any, *, action: str = "planning.view") -> Plan:
    require(user, action, event)
    return one_by_id(
        Plan.objects.filter(event=event).select_related(
            "event", "responsible", "latest_version__author", "approved_version__author"
        ),
        plan_id,
    )


def versions_of(plan: Plan) -> QuerySet[PlanVersion]:
    """Every version of ``plan``, oldest first, without their (large) content."""
    return (
        PlanVersion.objects.filter(plan=plan)
        .select_related("author", "submitted_by", "approved_by")
        .defer(*_HEAVY)
        .order_by("number")
    )


def get_version_for(user: Actor, plan: Plan, number: Any) -> PlanVersion:
    """Version ``number`` of a plan the caller already fetched through ``get_plan_for``."""
    require(user, "planning.view", plan.event)
    return one_by_id(
        PlanVersion.objects.filter(plan=plan).select_related("plan", "author", "submitted_by", "approved_by"),
        number,
        field="number",
    )


def steps_of(plan: Plan) -> QuerySet[PlanStep]:
    return PlanStep.objects.filter(plan=plan).select_related("actor", "version").order_by("-at", "-pk")


def tasks_by_unit(
    tasks: Sequence[Mapping[str, Any]],
) -> list[tuple[Mapping[str, Any], list[Mapping[str, Any]]]]:
    """Tasks grouped by unit (units by code; tasks in the order written)."""
    groups: dict[int, tuple[Mapping[str, Any], list[Mapping[str, Any]]]] = {}
    for task in tasks:
        unit = task["unit"]
        deadline = parse_datetime(task["deadline"]) if task.get("deadline") else None
        groups.setdefault(unit["id"], (unit, []))[1].append({**task, "deadline_at": deadline})
    return sorted(groups.values(), key=lambda group: group[0]["code"])


def unit_commanders(event: Event) -> QuerySet[Officer]:
    """Officers who command a unit of the event (suggestions for 'responsible commander')."""
    return (
        Officer.objects.filter(event=event, pk__in=event.units.exclude(commander=None).values("commander"))
        .select_related("unit")
        .order_by("code")
    )


def officer_by_code(event: Event, code: str, *, field: str) -> Officer | None:
    """The officer with service number ``code`` in ``event``; ``Invalid`` when unknown, None when blank."""
    code = (code or "").strip()
    if not code:
        return None
    officer = Officer.objects.filter(event=event, code=code).first()
    if officer is None:
        raise Invalid(
            _("No officer with the service number %(code)s in this event.") % {"code": code}, field=field
        )
    return officer


def compare(old: PlanVersion, new: PlanVersion) -> dict[str, Any]:
    """Everything that differs between two versions: text lines, header fields and tasks."""
    return {
        "body_vi": diff.text_lines(old.body_vi, new.body_vi),
        "body_en": diff.text_lines(old.body_en, new.body_en),
        "header": diff.header(_header(old), _header(new)),
        "tasks": diff.tasks(old.tasks, new.tasks),
    }


def _header(version: PlanVersion) -> dict[str, Any]:
    return {name: getattr(version, name) for name in diff.HEADER_FIELDS}


def label_of(snapshot: Any) -> str:
    """A person-readable form of a snapshot value (for the diff and the API)."""
    if snapshot is None or snapshot == "":
        return "—"
    if isinstance(snapshot, list):
        return ", ".join(label_of(s) for s in snapshot) or "—"
    if isinstance(snapshot, Mapping):
        if "name" in snapshot:
            return f"{snapshot['name']} ({snapshot['code']})"
        return f"{pick(snapshot.get('name_vi', ''), snapshot.get('name_en', ''))} ({snapshot['code']})"
    return str(snapshot)


# --- who may review and approve (the pages and the services ask the same) ---------------------------------


def contributors(plan: Plan, version: PlanVersion) -> set[int]:
    """Who wrote any version since the one in force, up to ``version``, and who submitted it."""
    since = plan.approved_version.number if plan.approved_version else 0
    authors = set(
        PlanVersion.objects.filter(plan=plan, number__gt=since, number__lte=version.number).values_list(
            "author_id", flat=True
        )
    )
    if version.submitted_by_id:
        authors.add(version.submitted_by_id)
    return authors


def wrote_or_submitted(user: Actor, plan: Plan, version: PlanVersion) -> bool:
    """Four eyes: whoever wrote or submitted any version since the one in force may not approve ``version``."""
    return user.pk in contributors(plan, version)


def may_review(user: Actor, plan: Plan) -> bool:
    """Whether ``user`` may return or approve ``plan`` now (a commander; the plan submitted)."""
    return can(user, "planning.approve", plan.event) and plan.status == Plan.Status.SUBMITTED


def may_approve(user: Actor, plan: Plan, version: PlanVersion | None) -> bool:
    """``may_review``, and the four-eyes rule for ``version`` (the one submitted)."""
    return may_review(user, plan) and version is not None and not wrote_or_submitted(user, plan, version)
