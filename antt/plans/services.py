"""Every write to plans: create, edit (a new version), submit, return, approve.

Rules:
- an edit never changes a version: it writes version N+1 (a draft). Editing an approved plan starts a new
  draft while the approved version stays in force until the new one is approved; a submitted version
  cannot be edited until it is returned;
- submitting needs ``planning.change``; returning and approving need ``planning.approve`` (a commander);
- four eyes: nobody approves a version they wrote or submitted, nor one that contains their changes since
  the version in force;
- approval names the version and the SHA-256 of its canonical JSON, checked again at approval time.
Everything is validated before anything is written, inside one transaction, with one audit entry.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.lookups import parse_id
from antt.core.permissions import Clearance, require
from antt.forces.models import Officer, Unit
from antt.planning.models import ProgrammeItem, Site
from antt.plans import queries
from antt.plans.models import Plan, PlanStep, PlanVersion

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User
    from antt.events.models import Event

MAX_TASKS = 300
MAX_TEXT = 100_000
MAX_TASK_TEXT = 4_000
OFFSET_RANGE = (-7 * 1440, 14 * 1440)  # minutes relative to the trigger
# What an edit may change: a version's content but its change note (that is a separate argument).
EDITABLE = tuple(name for name in PlanVersion.CONTENT_FIELDS if name != "change_note")


# --- snapshots -------------------------------------------------------------------------------------------


def officer_snapshot(officer: Officer) -> dict[str, Any]:
    return {"id": officer.pk, "code": officer.code, "name": str(officer), "unit_id": officer.unit_id}


def named_snapshot(obj: Any) -> dict[str, Any]:
    return {"id": obj.pk, "code": obj.code, "name_vi": obj.name_vi, "name_en": obj.name_en}


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


# --- validation ------------------------------------------------------------------------------------------


def _str(value: Any) -> str:
    """Trimmed text with Unix line ends (a browser sends a textarea's lines with CRLF)."""
    return "" if value is None else str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _pk(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if hasattr(value, "pk"):
        return int(value.pk)
    number = parse_id(value)  # an id no row can have (not a number, too large) looks up nothing
    return -1 if number is None else number


def _lookup(model: Any, event: Event, value: Any, message: str, field: str) -> Any:
    """An object of ``event`` given as instance or id; ``Invalid`` when unknown there (or of another event)."""
    pk = _pk(value)
    if pk is None:
        return None
    if isinstance(value, model) and value.event_id == event.pk:
        return value
    obj = model.objects.filter(event=event, pk=pk).first()
    if obj is None:
        raise Invalid(message, field=field)
    return obj


def _texts(kind: str, data: Mapping[str, Any]) -> dict[str, str]:
    out = {name: _str(data.get(name)) for name in EDITABLE[:6]}
    if not out["title_vi"]:  # Vietnamese is the plan's language; the English title is optional
        raise Invalid(_("Give the plan a title in Vietnamese."), field="title_vi")
    for name in ("title_vi", "title_en"):
        if len(out[name]) > 300:
            raise Invalid(_("A title may have at most 300 characters."), field=name)
    for name in ("body_vi", "body_en", "trigger_vi", "trigger_en"):
        if len(out[name]) > MAX_TEXT:
            raise Invalid(_("This text is too long (at most 100,000 characters)."), field=name)
    if kind == Plan.Kind.CONTINGENCY and not out["trigger_vi"]:
        raise Invalid(
            _("A contingency plan needs its trigger: what sets it off (in Vietnamese at least)."),
            field="trigger_vi",
        )
    if kind == Plan.Kind.PLAN and (out["trigger_vi"] or out["trigger_en"]):
        raise Invalid(
            _("Only a contingency plan has a trigger; leave it empty for a plan."), field="trigger_vi"
        )
    return out


def _many(model: Any, event: Event, values: Iterable[Any] | None, field: str) -> list[Any]:
    ids = []
    for value in values or ():
        pk = _pk(value)
        if pk is not None and pk not in ids:
            ids.append(pk)
    found = {obj.pk: obj for obj in model.objects.filter(event=event, pk__in=ids)}
    if len(found) != len(ids):
        message = (
            _("Unknown site in this event.") if model is Site else _("Unknown programme item in this event.")
        )
        raise Invalid(message, field=field)
    return sorted(found.values(), key=lambda obj: (obj.code, obj.pk))


def _deadline(value: Any, row: int) -> datetime | None:
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(str(value))
    if moment is None or timezone.is_naive(moment):
        raise Invalid(
            _("Task %(row)d: the deadline must be a date and time with its time zone.") % {"row": row},
            field="tasks",
        )
    return moment


# How long before the event a task may fall due (preparation); earlier is a typing slip (a year of 1900).
PREPARATION = timedelta(days=366)


def _check_deadline(event: Any, deadline: datetime | None, row: int) -> None:
    """A task falls due during the event or in its preparation, never after it or years before it."""
    if deadline is None:
        return
    if deadline > event.ends_at:
        raise Invalid(_("Task %(row)d: the deadline is after the event ends.") % {"row": row}, field="tasks")
    if deadline < event.starts_at - PREPARATION:
        raise Invalid(
            _("Task %(row)d: the deadline is more than a year before the event starts; check the date.")
            % {"row": row},
            field="tasks",
        )


def _offset(value: Any, kind: str, row: int) -> int | None:
    if value is None or value == "":
        return None
    if kind != Plan.Kind.CONTINGENCY:
        raise Invalid(
            _(
                "Task %(row)d: a time after the trigger applies only to a contingency plan; give a deadline instead."
            )
            % {"row": row},
            field="tasks",
        )
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        minutes = None
    if minutes is None or not OFFSET_RANGE[0] <= minutes <= OFFSET_RANGE[1]:
        raise Invalid(
            _("Task %(row)d: the time after the trigger must be whole minutes, from -10080 to 20160.")
            % {"row": row},
            field="tasks",
        )
    return minutes


def _tasks(
    event: Event, kind: str, rows: Sequence[Mapping[str, Any]], known_keys: set[str]
) -> list[dict[str, Any]]:
    """Validate the task rows (``unit``, ``text_vi``, ``text_en``, ``commander``, ``offset_minutes``,
    ``deadline``, ``key``) and return their snapshots. ``key`` is empty for a new task, else a key of the
    version being edited."""
    if len(rows) > MAX_TASKS:
        raise Invalid(_("A plan may have at most %(n)d tasks.") % {"n": MAX_TASKS}, field="tasks")
    unit_ids = {pk for row in rows if (pk := _pk(row.get("unit"))) is not None}
    officer_ids = {pk for row in rows if (pk := _pk(row.get("commander"))) is not None}
    units = {u.pk: u for u in Unit.objects.filter(event=event, pk__in=unit_ids).select_related("commander")}
    officers = {o.pk: o for o in Officer.objects.filter(event=event, pk__in=officer_ids)}
    seen: set[str] = set()
    out = []
    for row_no, row in enumerate(rows, start=1):
        key = _str(row.get("key"))
        if key and (key not in known_keys or key in seen):
            raise Invalid(
                _("Task %(row)d: unknown or repeated task key; leave it empty for a new task.")
                % {"row": row_no},
                field="tasks",
            )
        unit_pk = _pk(row.get("unit"))
        if unit_pk is None:
            raise Invalid(_("Task %(row)d: choose a unit.") % {"row": row_no}, field="tasks")
        unit = units.get(unit_pk)
        if unit is None:
            raise Invalid(_("Task %(row)d: unknown unit in this event.") % {"row": row_no}, field="tasks")
        text_vi, text_en = _str(row.get("text_vi")), _str(row.get("text_en"))
        if not text_vi:
            raise Invalid(
                _("Task %(row)d: say what the unit must do (in Vietnamese at least).") % {"row": row_no},
                field="tasks",
            )
        if len(text_vi) > MAX_TASK_TEXT or len(text_en) > MAX_TASK_TEXT:
            raise Invalid(
                _("Task %(row)d: the text may have at most 4,000 characters.") % {"row": row_no},
                field="tasks",
            )
        commander_pk = _pk(row.get("commander"))
        if commander_pk is None:
            commander = unit.commander
            if commander is None:
                raise Invalid(
                    _("Task %(row)d: %(unit)s has no commander; name who is responsible.")
                    % {"row": row_no, "unit": unit},
                    field="tasks",
                )
        else:
            commander = officers.get(commander_pk)
            if commander is None:
                raise Invalid(
                    _("Task %(row)d: unknown officer in this event.") % {"row": row_no}, field="tasks"
                )
            if commander.unit_id != unit.pk and commander.pk != unit.commander_id:
                raise Invalid(
                    _("Task %(row)d: %(officer)s is neither an officer of %(unit)s nor its commander.")
                    % {"row": row_no, "officer": commander, "unit": unit},
                    field="tasks",
                )
        deadline = _deadline(row.get("deadline"), row_no)
        _check_deadline(event, deadline, row_no)
        key = key or secrets.token_hex(4)
        seen.add(key)
        out.append(
            {
                "key": key,
                "unit": named_snapshot(unit),
                "text_vi": text_vi,
                "text_en": text_en,
                "commander": officer_snapshot(commander),
                "offset_minutes": _offset(row.get("offset_minutes"), kind, row_no),
                "deadline": _iso(deadline),
            }
        )
    return out


def _content(
    event: Event, kind: str, data: Mapping[str, Any], known_keys: set[str]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Validated version content (snapshots) and the objects the plan links to."""
    texts = _texts(kind, data)
    responsible = _lookup(
        Officer,
        event,
        data.get("responsible"),
        _("Unknown responsible commander in this event."),
        "responsible",
    )
    sites = _many(Site, event, data.get("sites"), "sites")
    items = _many(ProgrammeItem, event, data.get("programme_items"), "programme_items")
    tasks = _tasks(event, kind, list(data.get("tasks") or ()), known_keys)
    content = {
        **texts,
        "responsible": officer_snapshot(responsible) if responsible else None,
        "sites": [named_snapshot(s) for s in sites],
        "programme_items": [named_snapshot(i) for i in items],
        "tasks": tasks,
    }
    return content, {"responsible": responsible, "sites": sites, "programme_items": items}


def _input_of(version: PlanVersion) -> dict[str, Any]:
    """A version's content in the shape the services take (to carry unchanged parts into an edit)."""
    return {
        **{name: getattr(version, name) for name in EDITABLE[:6]},
        "responsible": (version.responsible or {}).get("id"),
        "sites": [s["id"] for s in version.sites],
        "programme_items": [i["id"] for i in version.programme_items],
        "tasks": [
            {
                "key": t["key"],
                "unit": t["unit"]["id"],
                "text_vi": t["text_vi"],
                "text_en": t["text_en"],
                "commander": t["commander"]["id"] if t.get("commander") else None,
                "offset_minutes": t.get("offset_minutes"),
                "deadline": t.get("deadline"),
            }
            for t in version.tasks
        ],
    }


def _write_version(
    plan: Plan, number: int, content: Mapping[str, Any], change_note: str, actor: Actor
) -> PlanVersion:
    if len(change_note) > 500:
        raise Invalid(_("The change note may have at most 500 characters."), field="change_note")
    version = PlanVersion(
        plan=plan, number=number, change_note=change_note, author=cast("User", actor), **content
    )
    version.created_at = timezone.now()
    version.content_hash = version.compute_hash()
    writes.save(version)
    return version


def _step(plan: Plan, version: PlanVersion, action: str, actor: Actor, comment: str = "") -> None:
    PlanStep.objects.create(
        plan=plan, version=version, action=action, actor=cast("User", actor), comment=comment
    )


def _locked(plan: Plan) -> Plan:
    """The plan row, locked. No joins in the locking query: after waiting for the lock, PostgreSQL re-reads
    the plan row but would join it to the *old* snapshot (a version written meanwhile would be missing)."""
    return Plan.objects.select_for_update().get(pk=plan.pk)


def _latest(plan: Plan) -> PlanVersion:
    assert plan.latest_version_id is not None  # every plan is created with its first version
    return PlanVersion.objects.select_related("plan").get(pk=plan.latest_version_id)


# --- services --------------------------------------------------------------------------------------------


@transaction.atomic
def create_plan(
    *,
    actor: Actor,
    event: Event,
    kind: str,
    code: str,
    title_vi: str,
    title_en: str,
    body_vi: str = "",
    body_en: str = "",
    trigger_vi: str = "",
    trigger_en: str = "",
    responsible: Officer | None = None,
    sites: Iterable[Any] = (),
    programme_items: Iterable[Any] = (),
    tasks: Sequence[Mapping[str, Any]] = (),
    change_note: str = "",
    classification: int = Clearance.CONFIDENTIAL,
) -> Plan:
    """A new plan with its version 1 (a draft), marked ``classification`` (Mật by default)."""
    require(actor, "planning.change", event)
    if kind not in Plan.Kind.values:
        raise Invalid(_("Choose the kind: plan or contingency plan."), field="kind")
    if classification not in Clearance.values:
        raise Invalid(_("Choose a classification from the list."), field="classification")
    data = {
        "title_vi": title_vi,
        "title_en": title_en,
        "body_vi": body_vi,
        "body_en": body_en,
        "trigger_vi": trigger_vi,
        "trigger_en": trigger_en,
        "responsible": responsible,
        "sites": sites,
        "programme_items": programme_items,
        "tasks": tasks,
    }
    content, links = _content(event, kind, data, set())
    plan = Plan(
        event=event,
        kind=kind,
        code=_str(code),
        title_vi=content["title_vi"],
        title_en=content["title_en"],
        responsible=links["responsible"],
        classification=classification,
    )
    if Plan.objects.filter(event=event, code=plan.code).exists():
        raise Invalid(_("This code is already used in this event."), field="code")
    writes.full_clean(plan)
    plan.refresh_search_text()
    writes.save(plan)
    plan.sites.set(links["sites"])
    plan.programme_items.set(links["programme_items"])
    version = _write_version(plan, 1, content, _str(change_note), actor)
    plan.latest_version = version
    plan.save(update_fields=["latest_version"])
    _step(plan, version, PlanStep.Action.CREATED, actor, _str(change_note))
    audit.record(
        actor=actor,
        action="plans.create_plan",
        target=plan,
        event=event,
        changes={
            "kind": [None, plan.kind],
            "code": [None, plan.code],
            "classification": [None, plan.classification],
            "version": [None, 1],
            "content_hash": [None, version.content_hash],
            "tasks": [None, len(content["tasks"])],
        },
    )
    return plan


@transaction.atomic
def edit_plan(
    *,
    actor: Actor,
    plan: Plan,
    base_number: int | None = None,
    change_note: str = "",
    **changes: Any,
) -> PlanVersion:
    """Write version N+1 from the latest version with ``changes`` applied (fields not given stay as they
    are; ``tasks`` replaces the whole list). ``base_number``: the version the editor started from; when
    someone saved another version meanwhile, the edit is refused instead of overwriting theirs."""
    require(actor, "planning.change", plan.event)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise Invalid(
            _("These fields cannot be changed here: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status == Plan.Status.SUBMITTED:
        raise Conflict(
            _("Version %(n)d is waiting for approval; it must be returned before anyone edits the plan.")
            % {"n": latest.number}
        )
    if base_number is not None and base_number != latest.number:
        raise Conflict(
            _(
                "Someone saved version %(n)d while you were editing version %(base)d. Reload the plan and make your changes again."
            )
            % {"n": latest.number, "base": base_number}
        )
    data = {**_input_of(latest), **changes}
    content, links = _content(plan.event, plan.kind, data, {t["key"] for t in latest.tasks})
    if all(content[name] == getattr(latest, name) for name in content):
        raise Invalid(_("Nothing changed, so no new version was made."), code="unchanged")
    before = {"status": plan.status, "title_vi": plan.title_vi, "title_en": plan.title_en}
    version = _write_version(plan, latest.number + 1, content, _str(change_note), actor)
    plan.title_vi, plan.title_en = content["title_vi"], content["title_en"]
    plan.responsible = links["responsible"]
    plan.status = Plan.Status.DRAFT
    plan.latest_version = version
    plan.refresh_search_text()
    plan.save(
        update_fields=["title_vi", "title_en", "responsible", "status", "latest_version", "search_text"]
    )
    plan.sites.set(links["sites"])
    plan.programme_items.set(links["programme_items"])
    _step(plan, version, PlanStep.Action.EDITED, actor, _str(change_note))
    audit.record(
        actor=actor,
        action="plans.edit_plan",
        target=plan,
        event=plan.event,
        changes={
            **audit.diff(
                before, {"status": plan.status, "title_vi": plan.title_vi, "title_en": plan.title_en}
            ),
            "version": [latest.number, version.number],
            "content_hash": [latest.content_hash, version.content_hash],
            "fields": [None, sorted(name for name in content if content[name] != getattr(latest, name))],
        },
    )
    return version


@transaction.atomic
def submit_plan(*, actor: Actor, plan: Plan, comment: str = "") -> Plan:
    """Send the latest (draft) version for approval."""
    require(actor, "planning.change", plan.event)
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status != Plan.Status.DRAFT:
        raise Conflict(
            _("Only a draft can be submitted; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    if not latest.body_vi.strip():
        raise Invalid(
            _("Write the plan's text (in Vietnamese at least) before submitting it."), field="body_vi"
        )
    if not latest.tasks:
        raise Invalid(_("Give the plan at least one task for a unit before submitting it."), field="tasks")
    for row, task in enumerate(latest.tasks, start=1):  # versions saved before a rule was added, too
        _check_deadline(plan.event, parse_datetime(task["deadline"]) if task.get("deadline") else None, row)
    if not latest.responsible:
        raise Invalid(
            _("Name the commander responsible for the whole plan before submitting it."), field="responsible"
        )
    now = timezone.now()
    PlanVersion.objects.filter(pk=latest.pk).update(submitted_by=actor, submitted_at=now)
    plan.status = Plan.Status.SUBMITTED
    plan.save(update_fields=["status", "updated_at"])
    _step(plan, latest, PlanStep.Action.SUBMITTED, actor, _str(comment))
    audit.record(
        actor=actor,
        action="plans.submit_plan",
        target=plan,
        event=plan.event,
        changes={"status": [Plan.Status.DRAFT, Plan.Status.SUBMITTED], "version": [None, latest.number]},
    )
    return plan


@transaction.atomic
def return_plan(*, actor: Actor, plan: Plan, comment: str) -> Plan:
    """Send a submitted version back to draft, saying what must change."""
    require(actor, "planning.approve", plan.event)
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be returned."))
    comment = _str(comment)
    if not comment:
        raise Invalid(_("Say what must change before returning the plan."), field="comment")
    if len(comment) > 4000:
        raise Invalid(_("The comment may have at most 4,000 characters."), field="comment")
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    _step(plan, latest, PlanStep.Action.RETURNED, actor, comment)
    audit.record(
        actor=actor,
        action="plans.return_plan",
        target=plan,
        event=plan.event,
        changes={
            "status": [Plan.Status.SUBMITTED, Plan.Status.DRAFT],
            "version": [latest.number, latest.number],
            "comment": [None, comment],
        },
    )
    return plan


@transaction.atomic
def approve_plan(*, actor: Actor, plan: Plan, number: int, comment: str = "") -> PlanVersion:
    """Approve the submitted version ``number`` (the one the commander reviewed); it comes into force."""
    require(actor, "planning.approve", plan.event)
    plan = _locked(plan)
    version = _latest(plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(_("Only a submitted plan can be approved."))
    if number != version.number:
        raise Conflict(
            _("You reviewed version %(seen)s but version %(n)d is the one submitted; review it again.")
            % {"seen": number, "n": version.number}
        )
    if queries.wrote_or_submitted(actor, plan, version):
        raise NotAllowed(
            _("Four eyes: you wrote or submitted this version, so another commander must approve it.")
        )
    if version.compute_hash() != version.content_hash:
        raise Conflict(
            _(
                "The stored content of version %(n)d no longer matches its hash: it was changed outside ANTT. Do not approve it; tell the administrator."
            )
            % {"n": version.number}
        )
    previous = plan.approved_version
    now = timezone.now()
    PlanVersion.objects.filter(pk=version.pk).update(approved_by=actor, approved_at=now)
    plan.approved_version = version
    plan.status = Plan.Status.APPROVED
    plan.save(update_fields=["approved_version", "status", "updated_at"])
    _step(plan, version, PlanStep.Action.APPROVED, actor, _str(comment))
    audit.record(
        actor=actor,
        action="plans.approve_plan",
        target=plan,
        event=plan.event,
        changes={
            "status": [Plan.Status.SUBMITTED, Plan.Status.APPROVED],
            "version": [previous.number if previous else None, version.number],
            "content_hash": [previous.content_hash if previous else None, version.content_hash],
        },
    )
    version.refresh_from_db()
    return version


@transaction.atomic
def withdraw_plan(*, actor: Any, plan: Plan, comment: str = "") -> Plan:
    """Take a submitted draft back before anyone reviewed it (it becomes a draft again, to be changed)."""
    require(actor, "planning.change", plan.event)
    plan = _locked(plan)
    latest = _latest(plan)
    if plan.status != Plan.Status.SUBMITTED:
        raise Conflict(
            _("Only a submitted draft can be withdrawn; this plan is %(status)s.")
            % {"status": plan.get_status_display().lower()}
        )
    if len(comment) > 4000:
        raise Invalid(_("The comment may have at most 4,000 characters."), field="comment")
    PlanVersion.objects.filter(pk=latest.pk).update(submitted_by=None, submitted_at=None)
    plan.status = Plan.Status.DRAFT
    plan.save(update_fields=["status", "updated_at"])
    _step(plan, latest, PlanStep.Action.WITHDRAWN, actor, _str(comment))
    audit.record(
        actor=actor,
        action="plans.withdraw_plan",
        target=plan,
        event=plan.event,
        changes={"status": [Plan.Status.SUBMITTED, Plan.Status.DRAFT], "version": [latest.number, None]},
    )
    return plan
