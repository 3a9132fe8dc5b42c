"""The scenario file: the whole plan of one event as one versioned JSON document (docs/scenario.md).

Pure: ``loads(content)`` reads the file's bytes with bounds (size, nesting, numbers a database can hold);
``check(data)`` validates a parsed document (from ``loads`` or from any other door) against those bounds,
then the JSON Schema (a small validator for the keywords the schema uses; no dependency), then the
references between its parts and the domain rules, and returns every problem with its JSON path.
Nothing here reads the database.
"""

from __future__ import annotations

import json
import math
import re
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from antt.core.geo import validate_geometry
from antt.interop.problems import Problem

SCHEMA_VERSION = 1
SCHEMA_PATH = Path(__file__).parent / "schema" / "scenario.schema.json"
ACTIVE = ("planned", "published")
MAX_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 32  # the deepest part of a real file (a polygon's position) sits 7 levels down
INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # a database integer column (PostgreSQL ``integer``)
MAX_INT_DIGITS = 20  # longer integer literals are not converted at all (Python refuses past 4,300 digits)
MAX_PROBLEMS = 100


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class BadNumber:
    """A number in the file that no field can hold (huge, infinite, NaN), kept as its text to be reported."""

    text: str

    def __str__(self) -> str:
        digits = self.text.lstrip("+-")
        return self.text if len(digits) <= 20 else f"{self.text[:12]}… ({len(digits):,} digits)"


def _parse_int(text: str) -> int | BadNumber:
    return int(text) if len(text) <= MAX_INT_DIGITS else BadNumber(text)


def _parse_float(text: str) -> float | BadNumber:
    value = float(text)
    return value if math.isfinite(value) else BadNumber(text)


def loads(content: bytes | str) -> tuple[Any, list[Problem]]:
    """The parsed file, or the one problem why it cannot be read (not UTF-8 JSON, too large, too deep).

    Numbers that no field can hold come back as :class:`BadNumber`, which :func:`check` reports with
    their JSON path.
    """
    if len(content) > MAX_BYTES:
        return None, [too_large()]
    try:
        text = content.decode("utf-8-sig") if isinstance(content, bytes) else content
        data = json.loads(text, parse_int=_parse_int, parse_float=_parse_float, parse_constant=BadNumber)
    except RecursionError:
        return None, [_too_deep("$")]
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError is a ValueError
        return None, [Problem(_("The file is not UTF-8 JSON: %(error)s"), {"error": exc}, path="$")]
    return data, []


def too_large() -> Problem:
    """Why a file over :data:`MAX_BYTES` is not read (say it before reading it)."""
    return Problem(
        _("The file is larger than %(limit)s MB."), {"limit": MAX_BYTES // (1024 * 1024)}, path="$"
    )


def _too_deep(path: str) -> Problem:
    return Problem(_("Nested more than %(limit)s levels deep."), {"limit": MAX_DEPTH}, path=path)


def _number_problem(value: Any, path: str) -> Problem | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, BadNumber) or (isinstance(value, float) and not math.isfinite(value)):
        shown = str(value)
    elif isinstance(value, int) and not INT_MIN <= value <= INT_MAX:
        try:
            shown = str(BadNumber(str(value)))
        except ValueError:  # more digits than Python converts to text
            shown = f"±2**{value.bit_length()}"
    else:
        return None
    return Problem(
        _("The number %(value)s is out of range (%(min)s to %(max)s)."),
        {"value": shown, "min": INT_MIN, "max": INT_MAX},
        path=path,
    )


def bounds_problems(data: Any) -> list[Problem]:
    """Parts nested deeper than :data:`MAX_DEPTH`, and numbers a database cannot hold, with their paths.

    Walks the document without recursion, so it is safe on any input a JSON parser returned.
    """
    problems: list[Problem] = []
    stack: list[tuple[Any, str, int]] = [(data, "$", 0)]
    while stack and len(problems) < MAX_PROBLEMS:
        value, path, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth >= MAX_DEPTH:
                problems.append(_too_deep(path))
                continue
            items = list(value.items() if isinstance(value, dict) else enumerate(value))
            stack += [(item, _path(path, key), depth + 1) for key, item in reversed(items)]
            continue
        problem = _number_problem(value, path)
        if problem is not None:
            problems.append(problem)
    return problems


def dumps(data: dict[str, Any]) -> str:
    """The file's text: UTF-8, two-space indent, keys in the order the exporter wrote them."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 date and time *with* an offset, else None."""
    if not isinstance(value, str) or "T" not in value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


# --- JSON Schema (the subset docs/scenario.schema.json uses) --------------------------------------------

_TYPES: dict[str, Any] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _path(base: str, key: str | int) -> str:
    return f"{base}[{key}]" if isinstance(key, int) else f"{base}.{key}"


def schema_problems(value: Any, node: dict[str, Any] | None = None, path: str = "$") -> list[Problem]:
    root = schema()
    return _validate(value, root if node is None else node, path, root)


def _validate(value: Any, node: dict[str, Any], path: str, root: dict[str, Any]) -> list[Problem]:
    if "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        return _validate(value, target, path, root)
    if "oneOf" in node:
        results = [_validate(value, branch, path, root) for branch in node["oneOf"]]
        if any(not r for r in results):
            return []
        return min(results, key=len)
    out: list[Problem] = []
    if "const" in node and value != node["const"]:
        return [Problem(_("Must be %(value)s."), {"value": json.dumps(node["const"])}, path=path)]
    if "enum" in node and value not in node["enum"]:
        return [
            Problem(
                _("Must be one of: %(values)s."), {"values": ", ".join(map(str, node["enum"]))}, path=path
            )
        ]
    kind = node.get("type")
    if kind is not None and not _TYPES[kind](value):
        return [Problem(_("Must be of type %(type)s."), {"type": kind}, path=path)]
    if isinstance(value, str):
        if len(value) < node.get("minLength", 0):
            out.append(Problem(_("Must not be empty."), path=path))
        if "maxLength" in node and len(value) > node["maxLength"]:
            out.append(Problem(_("At most %(limit)s characters."), {"limit": node["maxLength"]}, path=path))
        if "pattern" in node and not re.search(node["pattern"], value):
            out.append(
                Problem(
                    _("“%(value)s” is not a valid code (letters, digits, . _ -)."),
                    {"value": value},
                    path=path,
                )
            )
        fmt = node.get("format")
        if fmt == "date-time" and parse_datetime(value) is None:
            out.append(
                Problem(
                    _("%(value)s is not a date and time with an offset (ISO 8601)."),
                    {"value": value},
                    path=path,
                )
            )
        if fmt == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                out.append(Problem(_("“%(value)s” is not a date (YYYY-MM-DD)."), {"value": value}, path=path))
    if isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in node and value < node["minimum"]:
            out.append(Problem(_("Must be at least %(limit)s."), {"limit": node["minimum"]}, path=path))
        if "maximum" in node and value > node["maximum"]:
            out.append(Problem(_("Must be at most %(limit)s."), {"limit": node["maximum"]}, path=path))
    if isinstance(value, list):
        if len(value) < node.get("minItems", 0):
            out.append(
                Problem(_("Needs at least %(limit)s item(s)."), {"limit": node["minItems"]}, path=path)
            )
        if "maxItems" in node and len(value) > node["maxItems"]:
            out.append(Problem(_("At most %(limit)s item(s)."), {"limit": node["maxItems"]}, path=path))
        if "items" in node:
            for index, item in enumerate(value):
                out += _validate(item, node["items"], _path(path, index), root)
    if isinstance(value, dict):
        properties = node.get("properties", {})
        for name in node.get("required", ()):
            if name not in value:
                out.append(Problem(_("The member %(name)s is missing."), {"name": name}, path=path))
        for name, item in value.items():
            if name in properties:
                out += _validate(item, properties[name], _path(path, name), root)
            elif node.get("additionalProperties") is False:
                out.append(Problem(_("Unknown member %(name)s."), {"name": name}, path=_path(path, name)))
    return out


# --- references and domain rules -------------------------------------------------------------------------


@dataclass
class Checked:
    """Every problem found, and the assignments that knowingly double-book an officer (kept as in the file)."""

    problems: list[Problem] = field(default_factory=list)
    double_booked: set[int] = field(default_factory=set)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]


def check(data: Any, *, window: tuple[datetime, datetime] | None = None) -> Checked:
    """Validate a parsed scenario: the schema first, then (if it holds) references and domain rules.

    ``window``: the event the plan goes into (default: the file's own event).
    """
    result = Checked()
    result.problems += bounds_problems(data)
    if result.problems:
        return result
    if isinstance(data, dict) and data.get("schema_version") not in (None, SCHEMA_VERSION):
        result.problems.append(
            Problem(
                _("This file has schema version %(found)s; this ANTT reads version %(wanted)s."),
                {"found": data.get("schema_version"), "wanted": SCHEMA_VERSION},
                path="$.schema_version",
            )
        )
        return result
    result.problems += schema_problems(data)
    if result.problems:
        return result
    _Rules(data, window, result).run()
    return result


class _Rules:
    def __init__(
        self, data: dict[str, Any], window: tuple[datetime, datetime] | None, result: Checked
    ) -> None:
        self.data = data
        self.result = result
        event = data["event"]
        self.window = window or (parse_datetime(event["starts_at"]), parse_datetime(event["ends_at"]))

    def bad(
        self, path: str, message: Any, params: dict[str, Any] | None = None, *, warning: bool = False
    ) -> None:
        self.result.problems.append(Problem(message, params or {}, path=path, warning=warning))

    def run(self) -> None:
        data = self.data
        event = data["event"]
        start, end = parse_datetime(event["starts_at"]), parse_datetime(event["ends_at"])
        if start and end and end <= start:
            self.bad("$.event.ends_at", _("The end must be after the start."))
        try:
            zoneinfo.ZoneInfo(event["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            self.bad(
                "$.event.time_zone",
                _("%(value)s is not a known time zone (e.g. Asia/Ho_Chi_Minh)."),
                {"value": event["time_zone"]},
            )
        skills = self.codes("skills")
        sites = self.codes("sites")
        posts = self.codes("posts")
        units = self.codes("units")
        officers = self.codes("officers")
        items = self.codes("programme")
        manual = self.codes("requirements", key="key")
        for i, site in enumerate(data["sites"]):
            path = f"$.sites[{i}]"
            self.ref(f"{path}.parent", site["parent"], sites, _("Unknown site %(code)s."))
            self.geometry(f"{path}.geometry", site["geometry"])
            self.windows(f"{path}.opening_windows", site["opening_windows"])
        self.loops("sites", sites, _("The sites form a loop: a site would be inside itself."))
        for i, post in enumerate(data["posts"]):
            path = f"$.posts[{i}]"
            self.ref(f"{path}.site", post["site"], sites, _("Unknown site %(code)s."))
            self.ref(f"{path}.default_skill", post["default_skill"], skills, _("Unknown skill %(code)s."))
            self.geometry(f"{path}.geometry", post["geometry"])
        for i, unit in enumerate(data["units"]):
            path = f"$.units[{i}]"
            self.ref(f"{path}.parent", unit["parent"], units, _("Unknown unit %(code)s."))
            self.ref(f"{path}.commander", unit["commander"], officers, _("Unknown officer %(code)s."))
        self.loops("units", units, _("The units form a loop: a unit would be under itself."))
        held: dict[str, set[str]] = {}
        for i, officer in enumerate(data["officers"]):
            path = f"$.officers[{i}]"
            self.ref(f"{path}.unit", officer["unit"], units, _("Unknown unit %(code)s."))
            self.ref(f"{path}.home_base", officer["home_base"], sites, _("Unknown site %(code)s."))
            self.windows(f"{path}.availability", officer["availability"])
            codes: set[str] = set()
            for j, entry in enumerate(officer["skills"]):
                self.ref(f"{path}.skills[{j}].skill", entry["skill"], skills, _("Unknown skill %(code)s."))
                if entry["skill"] in codes:
                    self.bad(
                        f"{path}.skills[{j}].skill",
                        _("The skill %(skill)s is listed twice."),
                        {"skill": entry["skill"]},
                    )
                codes.add(entry["skill"])
            held[officer["code"]] = codes
        children: dict[str, list[str]] = defaultdict(list)
        for site in data["sites"]:
            if site["parent"]:
                children[site["parent"]].append(site["code"])
        for i, item in enumerate(data["programme"]):
            path = f"$.programme[{i}]"
            self.span(path, item)
            for j, code in enumerate(item["sites"]):
                self.ref(f"{path}.sites[{j}]", code, sites, _("Unknown site %(code)s."))
            if len(set(item["sites"])) != len(item["sites"]):
                self.bad(f"{path}.sites", _("A site is listed twice."))
            for j, rule in enumerate(item["rules"]):
                self.ref(f"{path}.rules[{j}].skill", rule["skill"], skills, _("Unknown skill %(code)s."))
        for i, req in enumerate(data["requirements"]):
            path = f"$.requirements[{i}]"
            self.span(path, req)
            self.ref(f"{path}.post", req["post"], posts, _("Unknown post %(code)s."))
            self.ref(f"{path}.skill", req["skill"], skills, _("Unknown skill %(code)s."))
        duties: dict[str, list[tuple[datetime, datetime, int]]] = defaultdict(list)
        for i, a in enumerate(data["assignments"]):
            path = f"$.assignments[{i}]"
            self.span(path, a)
            self.ref(f"{path}.officer", a["officer"], officers, _("Unknown officer %(code)s."))
            self.ref(f"{path}.post", a["post"], posts, _("Unknown post %(code)s."))
            self.ref(f"{path}.skill", a["skill"], skills, _("Unknown skill %(code)s."))
            if a["officer"] in held and a["skill"] in skills and a["skill"] not in held[a["officer"]]:
                self.bad(
                    f"{path}.skill",
                    _("The officer %(officer)s does not hold the skill %(skill)s."),
                    {"officer": a["officer"], "skill": a["skill"]},
                )
            self.requirement_ref(f"{path}.requirement", a, items, manual, posts, children)
            s, e = parse_datetime(a["starts_at"]), parse_datetime(a["ends_at"])
            if s and e and e > s and a["status"] in ACTIVE:
                duties[a["officer"]].append((s, e, i))
        for officer_code, spans in duties.items():
            spans.sort()
            latest_end, latest = None, -1
            for s, e, i in spans:
                if latest_end is not None and s < latest_end:
                    self.result.double_booked.add(i)
                    self.bad(
                        f"$.assignments[{i}]",
                        _(
                            "The officer %(officer)s is already assigned at that time (assignment %(other)s); kept as in the file, the gap board shows it."
                        ),
                        {"officer": officer_code, "other": latest},
                        warning=True,
                    )
                if latest_end is None or e > latest_end:
                    latest_end, latest = e, i

    def codes(self, collection: str, *, key: str = "code") -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i, entry in enumerate(self.data[collection]):
            code = entry[key]
            if code in out:
                self.bad(f"$.{collection}[{i}].{key}", _("The code %(code)s is used twice."), {"code": code})
            out.setdefault(code, entry)
        return out

    def ref(self, path: str, value: Any, known: dict[str, Any], message: Any) -> None:
        if value is not None and value not in known:
            self.bad(path, message, {"code": value})

    def loops(self, collection: str, known: dict[str, dict[str, Any]], message: Any) -> None:
        for i, entry in enumerate(self.data[collection]):
            seen, parent = {entry["code"]}, entry["parent"]
            while parent and parent in known:
                if parent in seen:
                    self.bad(f"$.{collection}[{i}].parent", message)
                    break
                seen.add(parent)
                parent = known[parent]["parent"]

    def geometry(self, path: str, value: Any) -> None:
        try:
            validate_geometry(value)
        except ValidationError as exc:
            error = exc.error_list[0]
            self.bad(path, error.message, dict(error.params or {}))

    def windows(self, path: str, value: Iterable[dict[str, str]] | None) -> None:
        spans = []
        for j, window in enumerate(value or ()):
            s, e = parse_datetime(window["starts_at"]), parse_datetime(window["ends_at"])
            if s and e:
                if e <= s:
                    self.bad(f"{path}[{j}].ends_at", _("The end must be after the start."))
                spans.append((s, e, j))
        spans.sort()
        for (_s1, e1, _j1), (s2, _e2, j2) in pairwise(spans):
            if s2 < e1:
                self.bad(f"{path}[{j2}]", _("Two windows overlap; merge them into one."))

    def span(self, path: str, entry: dict[str, Any]) -> None:
        s, e = parse_datetime(entry["starts_at"]), parse_datetime(entry["ends_at"])
        if not (s and e):
            return
        if e <= s:
            self.bad(f"{path}.ends_at", _("The end must be after the start."))
            return
        low, high = self.window
        if low and high and (s < low or e > high):
            self.bad(
                f"{path}.starts_at",
                _("The window must lie within the event (%(start)s to %(end)s)."),
                {"start": low.isoformat(), "end": high.isoformat()},
            )

    def requirement_ref(
        self,
        path: str,
        a: dict[str, Any],
        items: dict[str, dict[str, Any]],
        manual: dict[str, dict[str, Any]],
        posts: dict[str, dict[str, Any]],
        children: dict[str, list[str]],
    ) -> None:
        ref = a["requirement"]
        if ref is None or ref.get("orphaned"):
            return
        if "manual" in ref:
            req = manual.get(ref["manual"])
            if req is None:
                self.bad(f"{path}.manual", _("Unknown requirement %(code)s."), {"code": ref["manual"]})
            elif req["post"] != a["post"]:
                self.bad(path, _("The requirement belongs to another post."))
            elif req["skill"] != a["skill"]:
                self.bad(
                    f"{path[: -len('.requirement')]}.skill",
                    _("The role/skill differs from the requirement's."),
                )
            return
        item = items.get(ref["programme_item"])
        if item is None:
            self.bad(
                f"{path}.programme_item",
                _("Unknown programme item %(code)s."),
                {"code": ref["programme_item"]},
            )
            return
        if ref["rule"] >= len(item["rules"]):
            self.bad(
                f"{path}.rule",
                _("The programme item %(code)s has no rule number %(rule)s."),
                {"code": item["code"], "rule": ref["rule"]},
            )
            return
        if ref["post"] != a["post"]:
            self.bad(path, _("The requirement belongs to another post."))
            return
        post = posts.get(ref["post"])
        at = set(item["sites"]) | {c for s in item["sites"] for c in children.get(s, ())}
        rule = item["rules"][ref["rule"]]
        if rule["skill"] != a["skill"]:
            self.bad(
                f"{path[: -len('.requirement')]}.skill", _("The role/skill differs from the requirement's.")
            )
        if post is not None and (post["site"] not in at or post["kind"] != rule["post_kind"]):
            self.bad(
                path,
                _("The rule %(rule)s of %(code)s does not produce a requirement at the post %(post)s."),
                {"rule": ref["rule"], "code": item["code"], "post": ref["post"]},
            )
