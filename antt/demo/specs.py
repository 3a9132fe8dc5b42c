"""The demo's data files (``antt/demo/data/*.json``) read into frozen specs.

``common.json``: skills, post kinds and their orders, names, ranks and the named requirement rules the
programme items use; ``<event code>.json``: the sites (with their posts), units, programme items and
round-the-clock demand of one demo event, the number of gaps left on purpose and the random seed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class SiteSpec:
    code: str
    name_vi: str
    name_en: str
    kind: str
    geometry: dict[str, Any]
    posts: tuple[tuple[str, int], ...] = ()
    parent: str | None = None
    risk: int = 2
    address: str = ""
    daily_hours: tuple[int, int] | None = None  # opening hours, local (from, to)


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name_vi: str
    name_en: str
    parent: str | None
    officers: int
    skills: tuple[str, ...]  # the first is everyone's; the others are spread
    clearance: tuple[int, int] = (0, 2)
    from_day: int = 0  # reinforcements available from this day (06:00)


@dataclass(frozen=True)
class RuleSpec:
    post_kind: str
    skill: str
    headcount: int = 1
    min_clearance: int = 0
    lead: int = 60
    lag: int = 30


@dataclass(frozen=True)
class ItemSpec:
    day: int
    hour: float
    minutes: int
    kind: str
    code: str
    name_vi: str
    name_en: str
    sites: tuple[str, ...]
    rules: tuple[RuleSpec, ...]
    protection: int = 1
    delegations: tuple[str, ...] = ()


@dataclass(frozen=True)
class StandingSpec:
    """Round-the-clock demand entered by hand: ``headcount`` per post of ``post_kind`` at ``site``."""

    site: str
    post_kind: str
    skill: str
    headcount: int = 1


@dataclass(frozen=True)
class PlanSpec:
    sites: tuple[SiteSpec, ...]
    units: tuple[UnitSpec, ...]
    items: tuple[ItemSpec, ...]
    standing: tuple[StandingSpec, ...]
    gaps: int = 5  # requirements deliberately left one officer short
    seed: int = 36


# --- reading the data files ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Common:
    """What both demo events share (``data/common.json``)."""

    skills: tuple[tuple[str, str, str], ...]
    post_kinds: dict[str, tuple[str, str, str]]  # kind -> (name_vi, name_en, code letter)
    post_orders: dict[str, str]
    surnames: tuple[str, ...]
    middle_names: tuple[str, ...]
    given_names: tuple[str, ...]
    ranks: tuple[str, ...]


def _read(name: str) -> Any:
    return json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))


@cache
def common() -> Common:
    raw = _read("common")
    return Common(
        skills=tuple((code, vi, en) for code, vi, en in raw["skills"]),
        post_kinds={k: (v["name_vi"], v["name_en"], v["letter"]) for k, v in raw["post_kinds"].items()},
        post_orders=raw["post_orders"],
        surnames=tuple(raw["surnames"]),
        middle_names=tuple(raw["middle_names"]),
        given_names=tuple(raw["given_names"]),
        ranks=tuple(raw["ranks"]),
    )


@cache
def plan_spec(code: str) -> PlanSpec | None:
    """The demo plan of the event ``code`` (``data/<code>.json``); None for an event that has none."""
    if code not in ("demo-summit", "demo-congress"):
        return None
    rules = {name: RuleSpec(**rule) for name, rule in _read("common")["rules"].items()}
    raw = _read(code)
    return PlanSpec(
        sites=tuple(
            SiteSpec(
                **{k: v for k, v in s.items() if k not in ("posts", "daily_hours")},
                posts=tuple(s["posts"].items()),
                daily_hours=tuple(s["daily_hours"]) if "daily_hours" in s else None,
            )
            for s in raw["sites"]
        ),
        units=tuple(
            UnitSpec(
                **{k: v for k, v in u.items() if k not in ("skills", "clearance")},
                skills=tuple(u["skills"]),
                clearance=tuple(u.get("clearance", (0, 2))),
            )
            for u in raw["units"]
        ),
        items=tuple(
            ItemSpec(
                **{k: v for k, v in i.items() if k not in ("sites", "rules", "delegations")},
                sites=tuple(i["sites"]),
                rules=tuple(rules[name] for name in i["rules"]),
                delegations=tuple(i.get("delegations", ())),
            )
            for i in raw["items"]
        ),
        standing=tuple(StandingSpec(**s) for s in raw["standing"]),
        gaps=raw["gaps"],
        seed=raw["seed"],
    )
