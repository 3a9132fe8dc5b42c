"""Event mode: the data the Django side hands to the solver, and what it gets back.

Times are integer minutes from the start of the event's first day (day 0 starts at minute 0, in
the event's time zone); day ``d`` is minutes ``[1440·d, 1440·(d+1))``. The Django side converts
aware datetimes to and from these minutes; the solver never sees a datetime.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from antt.solver.engine import SolveStatus
from antt.solver.errors import Reason

__all__ = [
    "DAY",
    "Assignment",
    "Coverage",
    "Demand",
    "Duty",
    "Officer",
    "Post",
    "RosterProblem",
    "RosterResult",
    "Rules",
    "ShiftPattern",
    "Site",
    "SkillGrant",
    "Travel",
    "Uncovered",
    "Weights",
]

DAY = 1440


@dataclass(frozen=True)
class SkillGrant:
    """An officer's skill, valid from ``valid_from`` until ``valid_until`` (minutes; None = no expiry)."""

    skill: str
    valid_from: int | None = None
    valid_until: int | None = None

    def covers(self, start: int, end: int) -> bool:
        """True when the skill is valid for the whole interval ``[start, end)``."""
        return (self.valid_from is None or self.valid_from <= start) and (
            self.valid_until is None or end <= self.valid_until
        )


@dataclass(frozen=True)
class Officer:
    """One officer with skills, clearance, availability and wishes.

    ``unavailable`` are ``(start, end)`` minute intervals; ``days_off`` are required days off (hard);
    ``day_off_requests`` are wishes (soft). ``max_minutes_total`` / ``min_minutes_total`` override
    the event's :class:`Rules` for this officer.
    """

    id: str
    skills: tuple[SkillGrant, ...] = ()
    clearance: int = 0
    unit: str = ""
    home_site: str | None = None
    unavailable: tuple[tuple[int, int], ...] = ()
    days_off: frozenset[int] = frozenset()
    day_off_requests: frozenset[int] = frozenset()
    preferred_posts: frozenset[str] = frozenset()
    max_minutes_total: int | None = None
    min_minutes_total: int | None = None


@dataclass(frozen=True)
class Site:
    """A site; ``cluster`` groups sites commanded together (the solver decomposes by cluster)."""

    id: str
    cluster: str = ""


@dataclass(frozen=True)
class ShiftPattern:
    """A duty pattern by minute of day, e.g. 06-14 is ``(360, 840)``; a night 22-06 is ``(1320, 360)``."""

    code: str
    start: int
    end: int


DEFAULT_PATTERNS = (
    ShiftPattern("E", 6 * 60, 14 * 60),
    ShiftPattern("L", 14 * 60, 22 * 60),
    ShiftPattern("N", 22 * 60, 6 * 60),
)


@dataclass(frozen=True)
class Post:
    """A post at a site; demand windows at the post are split into duties by ``patterns``."""

    id: str
    site: str
    patterns: tuple[ShiftPattern, ...] = DEFAULT_PATTERNS


@dataclass(frozen=True)
class Demand:
    """Post x window x skill x headcount x minimum clearance x protection level (the weight)."""

    id: str
    post: str
    start: int
    end: int
    skill: str | None = None
    headcount: int = 1
    min_clearance: int = 0
    protection: int = 1
    unit: str | None = None


@dataclass(frozen=True)
class Travel:
    """Minutes needed to travel between two sites (both directions)."""

    site_a: str
    site_b: str
    minutes: int


@dataclass(frozen=True)
class Rules:
    """The hard rules of the event (defaults follow common police duty regulations)."""

    min_rest_minutes: int = 11 * 60
    forbidden_successions: tuple[tuple[str, str], ...] = (("N", "E"),)
    max_minutes_per_24h: int | None = 12 * 60
    max_minutes_total: int | None = None
    min_minutes_total: int | None = None
    max_consecutive_days: int | None = 6
    min_consecutive_days_off: int = 1
    default_travel_minutes: int = 0
    night_patterns: tuple[str, ...] = ("N",)


@dataclass(frozen=True)
class Weights:
    """Prices of the soft goals, in the order they matter.

    1. ``uncovered``: per uncovered minute of one demand slot, times the demand's protection level
       (an uncovered 8-hour duty at level 1 costs 480 000);
    2. ``change``: per published assignment not kept (re-plan);
    3. ``cohesion`` (officer of another unit than the demand asks for), ``continuity`` (away from
       the officer's home site), ``preference`` (post not among preferred ones), ``day_off_request``
       (working on a day the officer asked off);
    4. ``fairness_minute``: per minute an officer works above the average load;
       ``fairness_night``: per night duty above the average number of nights.
    """

    uncovered: int = 1000
    change: int = 50_000
    cohesion: int = 2_000
    continuity: int = 1_000
    preference: int = 1_000
    day_off_request: int = 5_000
    fairness_minute: int = 2
    fairness_night: int = 300


@dataclass(frozen=True)
class Assignment:
    """Officer on the duty of ``demand`` that runs ``[start, end)``."""

    officer: str
    demand: str
    start: int
    end: int
    post: str = ""


@dataclass(frozen=True)
class Duty:
    """A piece of demand cut by a shift pattern: what one assignment covers."""

    index: int
    demand: str
    post: str
    site: str
    cluster: str
    start: int
    end: int
    day: int
    pattern: str
    skill: str | None
    min_clearance: int
    headcount: int
    protection: int
    unit: str | None

    @property
    def minutes(self) -> int:
        """Length of the duty."""
        return self.end - self.start


@dataclass(frozen=True)
class RosterProblem:
    """Everything the event-mode solver needs.

    ``pinned`` assignments are locked and kept as they are (the solve is infeasible if they break a
    rule); ``published`` assignments are the roster people already have: the solver keeps as many
    as it can (``Weights.change``) and starts from them.
    """

    officers: tuple[Officer, ...]
    posts: tuple[Post, ...]
    demands: tuple[Demand, ...]
    sites: tuple[Site, ...] = ()
    travel: tuple[Travel, ...] = ()
    rules: Rules = field(default_factory=Rules)
    weights: Weights = field(default_factory=Weights)
    pinned: tuple[Assignment, ...] = ()
    published: tuple[Assignment, ...] = ()


@dataclass(frozen=True)
class Uncovered:
    """``missing`` heads on a duty, with the reason code and parameters (see :mod:`messages`)."""

    demand: str
    post: str
    start: int
    end: int
    missing: int
    reason: Reason


@dataclass(frozen=True)
class Coverage:
    """Covered slot-minutes against demand and against the upper bound on what is coverable."""

    demand_minutes: int
    covered_minutes: int
    upper_bound_minutes: int

    @property
    def of_demand(self) -> float:
        """Fraction of all demand covered."""
        return self.covered_minutes / self.demand_minutes if self.demand_minutes else 1.0

    @property
    def of_coverable(self) -> float:
        """Fraction of the coverable demand (upper bound) covered."""
        return self.covered_minutes / self.upper_bound_minutes if self.upper_bound_minutes else 1.0


@dataclass(frozen=True)
class RosterResult:
    """The roster, what is left uncovered and why, figures, status and (if infeasible) reasons."""

    status: SolveStatus
    assignments: tuple[Assignment, ...] = ()
    uncovered: tuple[Uncovered, ...] = ()
    coverage: Coverage = Coverage(0, 0, 0)
    objective: float | None = None
    bound: float | None = None
    wall_time: float = 0.0
    reasons: tuple[Reason, ...] = ()
    decomposed: bool = False
