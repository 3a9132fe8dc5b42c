"""What the coverage engine's rule checks share: the index's state (declared here, built by
:class:`~.engine.CoverageIndex`), the interval helpers and the constructors of findings.

Split from ``engine.py`` by moving whole functions and methods; the rules did not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from operator import attrgetter
from typing import TYPE_CHECKING

from .findings import SEVERITY, Finding, FindingKind
from .localdays import LocalCalendar
from .messages import render
from .model import (
    Assignment,
    Officer,
    Requirement,
    RestRules,
    SiteHours,
    Window,
)

_DAY = 1_440
_MISSING = -(2**62)  # sentinel "skill not held" (a boundary of None means "never expires")

GroupKey = tuple[int, str]
Union = list[tuple[int, int]]


class _OfficerInfo:
    """An officer prepared for checks: skill code → first minute it is no longer valid."""

    __slots__ = ("availability", "clearance", "skills")

    def __init__(self, officer: Officer, calendar: LocalCalendar) -> None:
        self.clearance = officer.clearance
        skills: dict[str, int | None] = {}
        for skill in officer.skills:
            boundary = None if skill.expires is None else calendar.day_start(skill.expires.toordinal() + 1)
            if skill.code in skills:  # the same skill twice: the later expiry wins
                known = skills[skill.code]
                boundary = None if known is None or boundary is None else max(known, boundary)
            skills[skill.code] = boundary
        self.skills = skills
        self.availability = None if officer.availability is None else merge(officer.availability)


def merge(windows: Iterable[Window]) -> Union:
    """Union of windows as sorted, disjoint, non-touching ``(start, end)`` pairs."""
    out: Union = []
    for start, end in sorted((w.start, w.end) for w in windows):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def outside(start: int, end: int, union: Union) -> Union:
    """The maximal parts of ``[start, end)`` not covered by ``union``."""
    parts: Union = []
    cursor = start
    for low, high in union:
        if high <= cursor:
            continue
        if low >= end:
            break
        if low > cursor:
            parts.append((cursor, low))
        cursor = high
        if cursor >= end:
            return parts
    if cursor < end:
        parts.append((cursor, end))
    return parts


_start_of = attrgetter("window.start")


class IndexState:
    """The state every rule check reads (built by ``CoverageIndex._build``), and the findings' constructors."""

    _scope: frozenset[GroupKey] | None
    time_zone: str
    event: Window
    rest: RestRules
    calendar: LocalCalendar
    _site_hours: dict[int, Union]
    _site_hours_input: tuple[SiteHours, ...]
    _requirements: dict[int, Requirement]
    _assignments: dict[int, Assignment]
    _officers: dict[int, Officer]
    _officer_info: dict[int, _OfficerInfo]
    _req_by_group: dict[GroupKey, dict[int, Requirement]]
    _asg_by_group: dict[GroupKey, dict[int, Assignment]]
    _asg_by_officer: dict[int, dict[int, Assignment]]
    _asg_by_req: dict[int, dict[int, Assignment]]
    _group_findings: dict[GroupKey, list[Finding]]
    _officer_findings: dict[int, list[Finding]]
    _assignment_findings: dict[int, list[Finding]]
    _all: list[Finding] | None

    if TYPE_CHECKING:  # defined by OfficerRules; the group rules record the assignments they meet

        def _record_assignment(self, a: Assignment) -> None: ...

    # ------------------------------------------------------------------ findings

    def _finding(
        self,
        kind: FindingKind,
        start: int,
        end: int,
        *,
        role: str | None = None,
        post_ids: tuple[int, ...] = (),
        site_ids: tuple[int, ...] = (),
        officer_ids: tuple[int, ...] = (),
        assignment_ids: tuple[int, ...] = (),
        requirement_ids: tuple[int, ...] = (),
        numbers: tuple[tuple[str, int], ...] = (),
    ) -> Finding:
        window = Window(start, end)
        text = render(
            kind,
            window,
            role=role,
            post_ids=post_ids,
            site_ids=site_ids,
            officer_ids=officer_ids,
            assignment_ids=assignment_ids,
            requirement_ids=requirement_ids,
            numbers=dict(numbers),
            time_zone=self.time_zone,
        )
        return Finding(
            kind=kind,
            severity=SEVERITY[kind],
            window=window,
            role=role,
            post_ids=post_ids,
            site_ids=site_ids,
            officer_ids=officer_ids,
            assignment_ids=assignment_ids,
            requirement_ids=requirement_ids,
            numbers=numbers,
            time_zone=self.time_zone,
            message_vi=text["vi"],
            message_en=text["en"],
        )

    def _about(
        self, kind: FindingKind, start: int, end: int, duties: list[Assignment], **extra: object
    ) -> Finding:
        """A finding about a set of assignments: the objects are theirs."""
        return self._finding(
            kind,
            start,
            end,
            post_ids=tuple(sorted({a.post_id for a in duties})),
            site_ids=tuple(sorted({a.site_id for a in duties})),
            officer_ids=tuple(sorted({a.officer_id for a in duties})),
            assignment_ids=tuple(sorted(a.id for a in duties)),
            requirement_ids=tuple(sorted({a.requirement_id for a in duties if a.requirement_id is not None})),
            **extra,  # type: ignore[arg-type]
        )
