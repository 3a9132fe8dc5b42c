"""The coverage audit of an event's whole plan: every finding (kept at the plan version by a live index in
each process, see :mod:`antt.planning.live_coverage`), the names that label them, and the gap board's rows.

The plan comes from :mod:`antt.planning.coverage_input`; the rules are the engine's (:mod:`antt.planning.coverage`).
"""

from __future__ import annotations

from bisect import insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import Any

from django.utils import formats

from antt.forces.models import Officer, Skill
from antt.planning import coverage, coverage_cache, coverage_input, live_coverage
from antt.planning.models import Post, Site


def coverage_for(event: Any) -> list[coverage.Finding]:
    """Every finding of the event's plan, in the engine's deterministic order (from the live index at the
    plan version: see :mod:`antt.planning.live_coverage`)."""
    return list(coverage_snapshot(event).findings)


def coverage_snapshot(event: Any) -> coverage_cache.Snapshot:
    """The findings of the event's current plan version, from this process's live index (one query when
    nothing changed; the changes since its version otherwise: see :mod:`antt.planning.live_coverage`), or
    computed afresh inside a service's transaction or for an event without a plan version."""
    if not coverage_cache.in_service_transaction():
        live = live_coverage.snapshot(event)
        if live is not None:
            return live
    return coverage_cache.Snapshot(event_id=event.pk, version="", findings=_audit_plan(event))


def coverage_labelled(event: Any) -> coverage_cache.Snapshot:
    """:func:`coverage_snapshot` with the site list and the findings' labels (what the board and the API
    show)."""
    return _labelled(event, coverage_snapshot(event))


def _audit_plan(event: Any) -> list[coverage.Finding]:
    with coverage.collector_paused():  # until the plan is freed: the collector would rescan all of it
        plan = coverage_input.coverage_plan(event)
        findings = coverage.audit(plan)
        del plan
    return findings


def wanted_names(findings: Iterable[coverage.Finding]) -> dict[str, set[Any]]:
    """The ids of the posts, sites and officers the findings' sentences name, by type (and the codes of
    the roles, under ``"role"``)."""
    wanted: dict[str, set[Any]] = {"post": set(), "site": set(), "officer": set(), "role": set()}
    uses: dict[coverage.FindingKind, frozenset[str]] = {}
    for finding in findings:
        if finding.role:
            wanted["role"].add(finding.role)
        used = uses.get(finding.kind)
        if used is None:
            used = uses[finding.kind] = coverage.messages.placeholders(finding.kind)
        if "post" in used:
            wanted["post"].update(finding.post_ids)
        if "site" in used:
            wanted["site"].update(finding.site_ids)
        if "officer" in used:
            wanted["officer"].update(finding.officer_ids)
    return wanted


def _names(
    event: Any, findings: list[coverage.Finding], sites: list[tuple[int, str, str]] | None = None
) -> dict[tuple[str, int], tuple[str, str]]:
    """``(type, id) -> (Vietnamese, English)`` label of the posts, sites and officers the findings'
    sentences mention (three queries at most, each for just those rows and columns; two when every site
    is given as ``(id, name_vi, name_en)``)."""
    return names_of(event, wanted_names(findings), sites)


def names_of(
    event: Any, wanted: dict[str, set[Any]], sites: list[tuple[int, str, str]] | None = None
) -> dict[tuple[str, int], tuple[str, str]]:
    """``(type, id) -> (Vietnamese, English)`` label of the posts, sites and officers in ``wanted``."""
    names: dict[tuple[str, int], tuple[str, str]] = {}
    if wanted.get("post"):
        for pk, code, name_vi, name_en in (
            Post.objects.filter(event=event, pk__in=sorted(wanted["post"]))
            .order_by()
            .values_list("pk", "code", "name_vi", "name_en")
        ):
            names[("post", pk)] = (f"{code} ({name_vi})", f"{code} ({name_en})")
    if wanted.get("site"):
        rows = (
            sites
            if sites is not None
            else Site.objects.filter(event=event, pk__in=sorted(wanted["site"]))
            .order_by()
            .values_list("pk", "name_vi", "name_en")
        )
        for pk, name_vi, name_en in rows:
            if pk in wanted["site"]:
                names[("site", pk)] = (name_vi, name_en)
    if wanted.get("officer"):
        for pk, code, full_name, rank in (
            Officer.objects.filter(event=event, pk__in=sorted(wanted["officer"]))
            .order_by()
            .values_list("pk", "code", "full_name", "rank")
        ):
            name = f"{f'{rank} {full_name}'.strip()} ({code})"
            names[("officer", pk)] = (name, name)
    if wanted.get("role"):
        for code, name_vi, name_en in (
            Skill.objects.filter(event=event, code__in=sorted(wanted["role"]))
            .order_by()
            .values_list("code", "name_vi", "name_en")
        ):
            names[("role", code)] = (name_vi, name_en)  # type: ignore[index]
    return names


def _labelled(event: Any, snap: coverage_cache.Snapshot) -> coverage_cache.Snapshot:
    """``snap`` with its site list and labels read (two or three queries, once per snapshot)."""
    if snap.sites is None:
        snap.sites = list(
            Site.objects.filter(event=event).order_by("code", "pk").values_list("pk", "name_vi", "name_en")
        )
    if snap.names is None:
        snap.names = _names(event, snap.findings, snap.sites)
    return snap


def coverage_labels(event: Any, findings: list[coverage.Finding]) -> coverage.messages.Labeller:
    """A labeller naming the posts, sites and officers the findings' sentences mention, in the active
    language (three queries at most, each for just those rows and columns)."""
    from antt.core.languages import current_language

    names = _names(event, findings)
    index = 1 if current_language() == "en" else 0

    def label(object_type: str, object_id: int) -> str:
        found = names.get((object_type, object_id))
        return found[index] if found is not None else f"#{object_id}"

    return label


# --- the gap board ---------------------------------------------------------------------------------------

GAP_KINDS = frozenset({"uncovered"})
CONFLICT_KINDS = frozenset({"double_booked", "orphan_assignment", "unknown_officer"})


@dataclass(frozen=True)
class BoardRow:
    kind: str
    kind_label: str
    severity: str
    severity_label: str
    starts_at: datetime
    ends_at: datetime
    explanation: str
    post_ids: tuple[int, ...]
    officer_ids: tuple[int, ...]
    requirement_ids: tuple[int, ...] = ()
    assignment_ids: tuple[int, ...] = ()
    when: str = ""  # local start and end times (the end's date too when it ends on another day)
    fixes: tuple[tuple[str, str], ...] = ()  # (address, text) of each link to the editor (``links``)


@dataclass
class GapBoard:
    counts: dict[str, int]
    by_kind: list[tuple[str, int]]
    days: list[date]
    sites: list[tuple[int, str]]
    groups: list[tuple[date, list[tuple[str, list[BoardRow]]]]]
    total: int
    # pages of at most BOARD_PAGE findings (the counts above are always over every finding shown)
    page: int = 1
    pages: int = 1
    first: int = 0  # 1-based numbers of the first and last finding on this page (0 when none)
    last: int = 0

    @property
    def previous(self) -> int:
        return max(1, self.page - 1)

    @property
    def next(self) -> int:
        return min(self.pages, self.page + 1)


#: Findings rendered per page of the gap board (bounded work per request, whatever the size of the plan).
BOARD_PAGE = 100


def _span(starts_at: datetime, ends_at: datetime) -> str:
    """A row's window in its local time, in the active language: the start and end times joined by an en
    dash, the end's short date and time when it ends on another day."""
    end = (
        formats.date_format(ends_at, "SHORT_DATETIME_FORMAT")
        if ends_at.date() != starts_at.date()
        else formats.time_format(ends_at, "H:i")
    )
    return f"{formats.time_format(starts_at, 'H:i')}\u2013{end}"


def _board_key(row: tuple[date, str, coverage.Finding]) -> tuple[Any, ...]:
    """The gap board's order: local day, site names, then the engine's order."""
    return (row[0], row[1], row[2].sort_key())


#: ``_span`` of ``(language, time zone, start minute, end minute)``, kept by the process: findings of every
#: version share a few hundred windows, and formatting one costs ~0.1 ms (emptied when it grows past the bound)
_SPANS: dict[tuple[str, str, int, int], str] = {}
_SPANS_BOUND = 50_000


def gap_board(
    event: Any,
    *,
    lang: str,
    day: date | None = None,
    site_id: int | None = None,
    severity: str = "",
    keep: Any = None,
    page: int = 1,
    links: Callable[[BoardRow], tuple[tuple[str, str], ...]] | None = None,
) -> GapBoard:
    """The coverage findings of ``event`` filtered and grouped by local day and site (a fixed number of
    queries, whatever the size of the plan). The counts cover every finding shown; the groups hold one
    page of at most :data:`BOARD_PAGE` findings, in day, site and engine order (``page`` from 1), each
    row with its ``fixes`` from ``links`` (the view's links to the editor; none without it)."""
    from antt.planning.labels import KIND_LABELS, SEVERITY_LABELS

    snap = coverage_labelled(event)
    tz = event.tz
    unfiltered = day is None and site_id is None and not severity and keep is None
    english = lang == "en"
    site_names = {pk: name_en if english else name_vi for pk, name_vi, name_en in snap.sites or ()}

    day_of: dict[int, date] = {}  # local day of a UTC minute (findings share few start minutes)

    def place(finding: coverage.Finding) -> tuple[date, str]:
        """The finding's local day and site names."""
        start = finding.window.start
        local_day = day_of.get(start)
        if local_day is None:
            local_day = day_of[start] = coverage.datetime_of(start, tz).date()
        return local_day, ", ".join(site_names.get(pk, f"#{pk}") for pk in finding.site_ids) or "—"

    def board_order() -> list[tuple[date, str, coverage.Finding]]:
        """Every finding with its local day and site names, in day, site and engine order (once per plan
        version, language and time zone in each process). The engine keeps its findings sorted by
        ``Finding.sort_key`` and keeps the very same objects for what a write did not re-check, so the
        order of the live index's previous version is patched: what left is dropped, what the engine
        re-checked is placed and inserted (a new list: another request may be reading the old one)."""
        carried = snap.carry.setdefault(("board rows", english, event.time_zone), {})
        before = carried.get("rows")
        if before is None:
            rows = [(*place(f), f) for f in snap.findings]
            rows.sort(key=itemgetter(0, 1))  # stable: the engine's order within a day and site
        else:
            now = {id(f): f for f in snap.findings}
            rows = [row for row in before if now.get(id(row[2])) is row[2]]
            if len(rows) != len(now):
                kept = {id(row[2]) for row in rows}
                for finding in snap.findings:
                    if id(finding) not in kept:
                        insort(rows, (*place(finding), finding), key=_board_key)
        carried["rows"] = rows
        return rows

    every = snap.once(("board", english, event.time_zone), board_order)
    if unfiltered:
        ordered = every
    else:
        ordered = [
            row
            for row in every
            if (day is None or row[0] == day)
            and (site_id is None or site_id in row[2].site_ids)
            and (not severity or row[2].severity == severity)
            and (keep is None or keep(row[2]))
        ]
    pages = max(1, -(-len(ordered) // BOARD_PAGE))
    page = min(max(1, page), pages)
    on_page = ordered[(page - 1) * BOARD_PAGE : page * BOARD_PAGE]
    label = snap.label(english)
    kind_labels = {str(k): str(v) for k, v in KIND_LABELS.items()}  # each lazy label translated once
    severity_labels = {str(k): str(v) for k, v in SEVERITY_LABELS.items()}
    moments: dict[int, datetime] = {}
    if len(_SPANS) > _SPANS_BOUND:
        _SPANS.clear()
    grouped: dict[date, dict[str, list[BoardRow]]] = defaultdict(lambda: defaultdict(list))
    for local_day, name, finding in on_page:
        kind, severity_ = str(finding.kind), str(finding.severity)
        start, end = finding.window.start, finding.window.end
        starts_at = moments.get(start) or moments.setdefault(start, coverage.datetime_of(start, tz))
        ends_at = moments.get(end) or moments.setdefault(end, coverage.datetime_of(end, tz))
        when = _SPANS.get((lang, event.time_zone, start, end))
        if when is None:
            when = _SPANS[lang, event.time_zone, start, end] = _span(starts_at, ends_at)
        row = BoardRow(
            kind=kind,
            kind_label=kind_labels.get(kind, kind),
            severity=severity_,
            severity_label=severity_labels.get(severity_, severity_),
            starts_at=starts_at,
            ends_at=ends_at,
            explanation=coverage.explain(finding, lang, label),
            post_ids=finding.post_ids,
            officer_ids=finding.officer_ids,
            requirement_ids=finding.requirement_ids,
            assignment_ids=finding.assignment_ids,
            when=when,
        )
        grouped[local_day][name].append(replace(row, fixes=links(row)) if links is not None else row)
    kinds = (
        snap.once("kinds", lambda: Counter(str(f.kind) for f in snap.findings))  # once per version
        if unfiltered
        else Counter(str(row[2].kind) for row in ordered)
    )
    gaps = sum(n for k, n in kinds.items() if k in GAP_KINDS)
    conflicts = sum(n for k, n in kinds.items() if k in CONFLICT_KINDS)
    first = event.starts_at.astimezone(tz).date()
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    return GapBoard(
        counts={"gaps": gaps, "conflicts": conflicts, "other": len(ordered) - gaps - conflicts},
        by_kind=[(str(KIND_LABELS.get(k, k)), kinds[k]) for k in sorted(kinds)],
        days=[first + timedelta(days=n) for n in range((last - first).days + 1)],
        sites=list(site_names.items()),
        groups=[(d, sorted(grouped[d].items(), key=lambda pair: pair[0])) for d in sorted(grouped)],
        total=len(ordered),
        page=page,
        pages=pages,
        first=(page - 1) * BOARD_PAGE + 1 if on_page else 0,
        last=(page - 1) * BOARD_PAGE + len(on_page),
    )
