"""Input records of the coverage engine: frozen dataclasses, no Django.

Time unit: every instant is an ``int`` — whole minutes since 1970-01-01T00:00 UTC ("UTC minutes").
Every window is half-open, ``[start, end)``: an assignment from 08:00 to 16:00 covers the minute
that starts at 08:00 and the one that starts at 15:59, not the one that starts at 16:00.
Calendar rules (skill expiry, consecutive duty days) use local dates in the event's time zone.
Use :func:`minute_of` / :meth:`Window.of` to convert aware ``datetime`` values and
:func:`datetime_of` to convert back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MINUTE = timedelta(minutes=1)

#: Assignment statuses that put an officer on duty. Any other status (``relieved``, ``absent``,
#: ``cancelled`` …) is ignored by every check: it neither covers a requirement nor breaks a rule.
ACTIVE_STATUSES: frozenset[str] = frozenset({"planned", "published", "checked_in"})

#: Highest clearance level (0 = none … 3 = Top Secret).
MAX_CLEARANCE = 3


def minute_of(moment: datetime) -> int:
    """Return the UTC minute of an aware ``datetime`` (seconds are floored)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("coverage: datetimes must be timezone-aware")
    return (moment - EPOCH) // _MINUTE


def datetime_of(minute: int, tz: tzinfo = UTC) -> datetime:
    """Return the aware ``datetime`` of a UTC minute, expressed in ``tz``."""
    return (EPOCH + timedelta(minutes=minute)).astimezone(tz)


@dataclass(frozen=True, slots=True)
class Window:
    """A half-open window ``[start, end)`` of UTC minutes; ``end > start``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"coverage: window ends ({self.end}) before it starts ({self.start})")

    @classmethod
    def of(cls, starts_at: datetime, ends_at: datetime) -> Window:
        """Build a window from two aware datetimes."""
        return cls(minute_of(starts_at), minute_of(ends_at))

    @property
    def minutes(self) -> int:
        """Length of the window in minutes."""
        return self.end - self.start

    def overlaps(self, other: Window) -> bool:
        """True when the two windows share at least one minute."""
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True, slots=True)
class Requirement:
    """Demand: ``headcount`` officers with role/skill ``role`` at ``post_id`` during ``window``.

    ``rule_id`` is the ``RequirementRule`` that produced it, ``None`` when entered by hand.
    """

    id: int
    post_id: int
    site_id: int
    window: Window
    role: str
    headcount: int = 1
    min_clearance: int = 0
    rule_id: int | None = None

    def __post_init__(self) -> None:
        if self.headcount < 1:
            raise ValueError(f"coverage: requirement {self.id} has headcount {self.headcount} < 1")
        if not 0 <= self.min_clearance <= MAX_CLEARANCE:
            raise ValueError(
                f"coverage: requirement {self.id} has clearance {self.min_clearance} not in 0..3"
            )

    @property
    def is_manual(self) -> bool:
        """True when the requirement was entered by hand rather than derived from a rule."""
        return self.rule_id is None


@dataclass(frozen=True, slots=True)
class Assignment:
    """Supply: officer ``officer_id`` stands at ``post_id`` in role ``role`` during ``window``.

    ``requirement_id`` links the assignment to the requirement it was made for (``None``: not linked).
    Only assignments whose ``status`` is in :data:`ACTIVE_STATUSES` are checked or counted.
    """

    id: int
    officer_id: int
    post_id: int
    site_id: int
    window: Window
    role: str
    status: str = "planned"
    requirement_id: int | None = None

    @property
    def active(self) -> bool:
        """True when the status puts the officer on duty."""
        return self.status in ACTIVE_STATUSES


@dataclass(frozen=True, slots=True)
class Skill:
    """A skill held by an officer, valid up to and including the local date ``expires`` (None: never)."""

    code: str
    expires: date | None = None


@dataclass(frozen=True, slots=True)
class Officer:
    """An officer. ``availability`` ``None`` means always available; otherwise only inside those windows."""

    id: int
    unit_id: int
    skills: tuple[Skill, ...] = ()
    clearance: int = 0
    availability: tuple[Window, ...] | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.clearance <= MAX_CLEARANCE:
            raise ValueError(f"coverage: officer {self.id} has clearance {self.clearance} not in 0..3")


@dataclass(frozen=True, slots=True)
class RestRules:
    """Working-time rules; ``None`` switches a rule off.

    - ``min_rest_minutes``: shortest break between two duty periods (back-to-back assignments form one
      duty period and need no break between them);
    - ``max_duty_minutes_per_24h``: most duty minutes inside any sliding window of 1,440 minutes;
    - ``max_consecutive_days``: most local calendar days in a row with at least one duty minute.
    """

    min_rest_minutes: int | None = None
    max_duty_minutes_per_24h: int | None = None
    max_consecutive_days: int | None = None


@dataclass(frozen=True, slots=True)
class SiteHours:
    """Opening windows of a site. Sites without a ``SiteHours`` entry are always open."""

    site_id: int
    windows: tuple[Window, ...]


@dataclass(frozen=True, slots=True)
class CoveragePlan:
    """Everything the audit looks at: the event window and zone, demand, supply, people and rules."""

    window: Window
    time_zone: str
    requirements: tuple[Requirement, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    officers: tuple[Officer, ...] = ()
    rest: RestRules = RestRules()
    site_hours: tuple[SiteHours, ...] = ()

    def __post_init__(self) -> None:
        ZoneInfo(self.time_zone)  # raises ZoneInfoNotFoundError for an unknown zone
        for name, items in (
            ("requirement", self.requirements),
            ("assignment", self.assignments),
            ("officer", self.officers),
        ):
            ids = [item.id for item in items]
            if len(set(ids)) != len(ids):
                raise ValueError(f"coverage: duplicate {name} ids")
        sites = [hours.site_id for hours in self.site_hours]
        if len(set(sites)) != len(sites):
            raise ValueError("coverage: duplicate site ids in site_hours")
