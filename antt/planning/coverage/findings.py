"""What the audit reports: finding kinds, severities and the :class:`Finding` record."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from .model import Window


class FindingKind(StrEnum):
    """Every kind of gap or rule breach the coverage audit reports."""

    UNCOVERED = "uncovered"
    OVERSTAFFED = "overstaffed"
    DOUBLE_BOOKED = "double_booked"
    REST_TOO_SHORT = "rest_too_short"
    DUTY_OVER_24H = "duty_over_24h"
    TOO_MANY_CONSECUTIVE_DAYS = "too_many_consecutive_days"
    SKILL_MISSING = "skill_missing"
    SKILL_EXPIRED = "skill_expired"
    CLEARANCE_TOO_LOW = "clearance_too_low"
    OFFICER_UNAVAILABLE = "officer_unavailable"
    OUTSIDE_EVENT = "outside_event"
    OUTSIDE_SITE_HOURS = "outside_site_hours"
    ORPHAN_ASSIGNMENT = "orphan_assignment"
    UNKNOWN_OFFICER = "unknown_officer"


class Severity(StrEnum):
    """How urgent a finding is."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


#: The severity of each kind. A gap in coverage is always critical: the rule is "no gaps".
SEVERITY: dict[FindingKind, Severity] = {
    FindingKind.UNCOVERED: Severity.CRITICAL,
    FindingKind.DOUBLE_BOOKED: Severity.HIGH,
    FindingKind.SKILL_MISSING: Severity.HIGH,
    FindingKind.SKILL_EXPIRED: Severity.HIGH,
    FindingKind.CLEARANCE_TOO_LOW: Severity.HIGH,
    FindingKind.OFFICER_UNAVAILABLE: Severity.HIGH,
    FindingKind.UNKNOWN_OFFICER: Severity.HIGH,
    FindingKind.REST_TOO_SHORT: Severity.MEDIUM,
    FindingKind.DUTY_OVER_24H: Severity.MEDIUM,
    FindingKind.TOO_MANY_CONSECUTIVE_DAYS: Severity.MEDIUM,
    FindingKind.OUTSIDE_EVENT: Severity.MEDIUM,
    FindingKind.OUTSIDE_SITE_HOURS: Severity.MEDIUM,
    FindingKind.ORPHAN_ASSIGNMENT: Severity.MEDIUM,
    FindingKind.OVERSTAFFED: Severity.LOW,
}

KIND_ORDER: dict[FindingKind, int] = {kind: index for index, kind in enumerate(FindingKind)}


@dataclass(frozen=True, slots=True)
class Finding:
    """One gap or breach, with the objects involved (ids by type), its window and its numbers.

    ``numbers`` holds the figures of the finding as ``(name, value)`` pairs, e.g.
    ``(("shortfall", 2),)``; :meth:`number` reads one. ``message_vi`` and ``message_en`` are the
    explanation in Vietnamese and English, times shown in ``time_zone``.
    """

    kind: FindingKind
    severity: Severity
    window: Window
    role: str | None
    post_ids: tuple[int, ...]
    site_ids: tuple[int, ...]
    officer_ids: tuple[int, ...]
    assignment_ids: tuple[int, ...]
    requirement_ids: tuple[int, ...]
    numbers: tuple[tuple[str, int], ...]
    time_zone: str
    message_vi: str
    message_en: str

    def number(self, name: str) -> int:
        """Return the figure called ``name`` (KeyError when the kind has no such figure)."""
        for key, value in self.numbers:
            if key == name:
                return value
        raise KeyError(name)

    def objects(self) -> dict[str, tuple[int, ...]]:
        """The ids of the objects involved, by type."""
        return {
            "post": self.post_ids,
            "site": self.site_ids,
            "officer": self.officer_ids,
            "assignment": self.assignment_ids,
            "requirement": self.requirement_ids,
        }

    def sort_key(self) -> tuple[object, ...]:
        """Deterministic order: kind, window, then the objects."""
        return (
            KIND_ORDER[self.kind],
            self.window.start,
            self.window.end,
            self.post_ids,
            self.role or "",
            self.officer_ids,
            self.assignment_ids,
            self.requirement_ids,
            self.site_ids,
            self.numbers,
        )
