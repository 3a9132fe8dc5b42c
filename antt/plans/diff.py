"""Differences between two plan versions. Pure Python (no Django): plain dicts in, plain data out.

Text is compared line by line with :mod:`difflib`; tasks are matched by their ``key`` (kept from version to
version by the edit service), so a task is *added*, *removed* or *changed* (with the names of the fields
that changed); header fields (title, trigger, commander, sites, programme items) are listed before/after.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

TASK_FIELDS = ("unit", "text_vi", "text_en", "commander", "offset_minutes", "deadline")
HEADER_FIELDS = (
    "title_vi",
    "title_en",
    "trigger_vi",
    "trigger_en",
    "responsible",
    "sites",
    "programme_items",
)


@dataclass(frozen=True)
class Line:
    op: str  # "equal", "insert", "delete"
    text: str
    old_no: int | None
    new_no: int | None


@dataclass(frozen=True)
class TaskChange:
    key: str
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class TaskDiff:
    added: list[Mapping[str, Any]] = field(default_factory=list)
    removed: list[Mapping[str, Any]] = field(default_factory=list)
    changed: list[TaskChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


def text_lines(old: str, new: str) -> list[Line]:
    """Every line of both texts, tagged equal/delete/insert (a replaced block: its deletes, then inserts)."""
    a, b = old.splitlines(), new.splitlines()
    out: list[Line] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(Line("equal", a[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2))
            continue
        out.extend(Line("delete", a[i], i + 1, None) for i in range(i1, i2))
        out.extend(Line("insert", b[j], None, j + 1) for j in range(j1, j2))
    return out


def unified(old: str, new: str, *, old_label: str, new_label: str) -> str:
    """A unified diff (three lines of context), as ``diff -u`` prints it."""
    return "\n".join(
        difflib.unified_diff(
            old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm=""
        )
    )


def _comparable(value: Any) -> Any:
    """Snapshots of objects compare by id (a renamed unit is not a changed task)."""
    if isinstance(value, Mapping) and "id" in value:
        return value["id"]
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def tasks(old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]) -> TaskDiff:
    before = {t["key"]: t for t in old}
    after = {t["key"]: t for t in new}
    result = TaskDiff(
        added=[t for t in new if t["key"] not in before],
        removed=[t for t in old if t["key"] not in after],
    )
    unchanged = 0
    for task in new:
        previous = before.get(task["key"])
        if previous is None:
            continue
        changed = tuple(
            name for name in TASK_FIELDS if _comparable(previous.get(name)) != _comparable(task.get(name))
        )
        if changed:
            result.changed.append(TaskChange(task["key"], previous, task, changed))
        else:
            unchanged += 1
    return TaskDiff(result.added, result.removed, result.changed, unchanged)


def header(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, Any, Any]]:
    """``(field, before, after)`` for each header field that differs."""
    return [
        (name, old.get(name), new.get(name))
        for name in HEADER_FIELDS
        if _comparable(old.get(name)) != _comparable(new.get(name))
    ]
