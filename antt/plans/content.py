"""What a plan version holds: the checked input of create/edit turned into its stored content (snapshots of
the officers, units, sites and programme items it names, the task list with deadlines or offsets), and back.

Everything here validates and raises ``Invalid`` with the field at fault; nothing here writes.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from antt.core.errors import Invalid
from antt.core.lookups import parse_id
from antt.forces.models import Officer, Unit
from antt.planning.models import ProgrammeItem, Site
from antt.plans.models import Plan, PlanVersion

if TYPE_CHECKING:
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


def text(value: Any) -> str:
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
    out = {name: text(data.get(name)) for name in EDITABLE[:6]}
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


def check_deadline(event: Event, deadline: datetime | None, row: int) -> None:
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
        key = text(row.get("key"))
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
        text_vi, text_en = text(row.get("text_vi")), text(row.get("text_en"))
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
        check_deadline(event, deadline, row_no)
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


def content_of(
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


def input_of(version: PlanVersion) -> dict[str, Any]:
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
