"""Read side of the browse pages: the map's features, the programme and duty timelines, the lists and the
site and officer pages.

Every function checks access itself (``require``), like ``queries``, and runs a fixed number of queries
whatever the size of the plan: the lists are paginated, the duty timeline shows one day of one page of
officers, and coverage is computed once per call by the coverage engine.

Timelines are drawn without inline styles (CSP ``style-src 'self'``): a day is cut into ``STEPS`` steps of
five minutes and each bar carries the classes ``tl-x-<start step>`` and ``tl-w-<width in steps>`` that
``planning/browse.css`` positions as percentages of the day.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from antt.core.permissions import can, require
from antt.forces import queries as forces_queries
from antt.forces.models import Officer, Unit
from antt.planning import coverage, findings, queries
from antt.planning.labels import KIND_LABELS, SEVERITY_LABELS
from antt.planning.models import Assignment, Post, ProgrammeItem, ProgrammeItemSite, Requirement, Site

#: A day is drawn in 288 steps of 5 minutes (the CSS classes ``tl-x-0`` … ``tl-x-287``, ``tl-w-1`` … ``tl-w-288``).
STEPS = 288
#: Overlapping bars in one row go into lanes; beyond this many they share the last lane.
MAX_LANES = 12
SITES_PER_PAGE = 100
UNITS_PER_PAGE = 100
OFFICERS_PER_PAGE = 50
DUTY_ROWS_PER_PAGE = 50

# --- coverage state of sites and posts ---------------------------------------------------------------------

STATUS_LABELS = {
    "gap": _("Uncovered demand"),
    "conflict": _("Conflicts"),
    "covered": _("Covered"),
    "none": _("No demand"),
}


@dataclass
class Coverage:
    """Findings that touch one site or post: ``gaps`` (uncovered demand) and ``conflicts`` (any other
    finding a planner must fix: double booking, skill, clearance, rest, orphan …; overstaffing only
    counts as ``other``), and whether it has demand at all."""

    demand: int = 0
    gaps: int = 0
    conflicts: int = 0
    other: int = 0

    @property
    def status(self) -> str:
        if self.gaps:
            return "gap"
        if self.conflicts:
            return "conflict"
        return "covered" if self.demand else "none"

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    def add(self, finding: coverage.Finding) -> None:
        if finding.kind == coverage.FindingKind.UNCOVERED:
            self.gaps += 1
        elif finding.severity == coverage.Severity.LOW:
            self.other += 1
        else:
            self.conflicts += 1


def _coverage_by_object(
    event: Any, findings: Iterable[coverage.Finding]
) -> tuple[dict[int, Coverage], dict[int, Coverage]]:
    """(by site id, by post id). A site counts its own findings and, through ``site_ids``, its posts'."""
    by_site: dict[int, Coverage] = defaultdict(Coverage)
    by_post: dict[int, Coverage] = defaultdict(Coverage)
    for finding in findings:
        for post_id in set(finding.post_ids):
            by_post[post_id].add(finding)
        for site_id in set(finding.site_ids):
            by_site[site_id].add(finding)
    for post_id, site_id, n in (
        Requirement.objects.filter(event=event)
        .values_list("post_id", "post__site_id")
        .annotate(n=Count("id"))
        .values_list("post_id", "post__site_id", "n")
    ):
        by_post[post_id].demand += n
        by_site[site_id].demand += n
    return by_site, by_post


def _findings_if_allowed(user: Any, event: Any) -> list[coverage.Finding]:
    return queries.coverage_for(event) if can(user, "coverage.view", event) else []


# --- the map ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapSite:
    site: Site
    coverage: Coverage
    posts: int
    items: int


def map_sites(user: Any, event: Any) -> list[MapSite]:
    """Every site of the event with its coverage state and counts (the map's legend table)."""
    require(user, "planning.view", event)
    by_site, _by_post = _coverage_by_object(event, _findings_if_allowed(user, event))
    sites = Site.objects.filter(event=event).annotate(
        n_posts=Count("posts", distinct=True), n_items=Count("programme_items", distinct=True)
    )
    return [
        MapSite(site=s, coverage=by_site.get(s.pk, Coverage()), posts=s.n_posts, items=s.n_items)
        for s in sites.order_by("code", "pk")
    ]


def map_features(user: Any, event: Any) -> dict[str, Any]:
    """The sites and posts that have a geometry, as one GeoJSON FeatureCollection (RFC 7946), each feature
    with its coverage state (``status``: gap, conflict, covered, none), counts and links."""
    require(user, "planning.view", event)
    by_site, by_post = _coverage_by_object(event, _findings_if_allowed(user, event))
    gaps_url = reverse("planning:gap-board", args=[event.code])
    features: list[dict[str, Any]] = []
    sites = (
        Site.objects.filter(event=event)
        .annotate(n_posts=Count("posts", distinct=True), n_items=Count("programme_items", distinct=True))
        .order_by("code", "pk")
    )
    for site in sites:
        if not site.geometry:
            continue
        state = by_site.get(site.pk, Coverage())
        features.append(
            _feature(
                f"site-{site.pk}",
                site.geometry,
                layer="site",
                code=site.code,
                name=site.name,
                kind=site.kind,
                kind_label=str(site.get_kind_display()),
                state=state,
                counts={"posts": site.n_posts, "items": site.n_items},
                gaps_url=f"{gaps_url}?site={site.pk}",
                url=reverse("planning:site-detail", args=[event.code, site.pk]),
                site=site.name,
            )
        )
    posts = Post.objects.filter(event=event).select_related("site").order_by("code", "pk")
    for post in posts:
        if not post.geometry:
            continue
        state = by_post.get(post.pk, Coverage())
        features.append(
            _feature(
                f"post-{post.pk}",
                post.geometry,
                layer="post",
                code=post.code,
                name=post.name,
                kind=post.kind,
                kind_label=str(post.get_kind_display()),
                state=state,
                counts={},
                gaps_url=f"{gaps_url}?site={post.site_id}",
                url=reverse("planning:site-detail", args=[event.code, post.site_id]),
                site=post.site.name,
            )
        )
    return {"type": "FeatureCollection", "features": features}


def _feature(
    feature_id: str,
    geometry: dict[str, Any],
    *,
    layer: str,
    code: str,
    name: str,
    kind: str,
    kind_label: str,
    state: Coverage,
    counts: dict[str, int],
    gaps_url: str,
    url: str,
    site: str,
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": feature_id,
        "geometry": {"type": geometry["type"], "coordinates": geometry["coordinates"]},
        "properties": {
            "layer": layer,
            "code": code,
            "name": name,
            "kind": kind,
            "kind_label": kind_label,
            "site": site,
            "status": state.status,
            "status_label": state.status_label,
            "demand": state.demand,
            "gaps": state.gaps,
            "conflicts": state.conflicts,
            **counts,
            "gaps_url": gaps_url,
            "url": url,
        },
    }


# --- timeline geometry ------------------------------------------------------------------------------------


def event_days(event: Any) -> list[date]:
    """The local days of the event, first to last, in its time zone."""
    tz = event.tz
    first = event.starts_at.astimezone(tz).date()
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def day_bounds(day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Local midnight to the next local midnight, in UTC (23 or 25 hours on a DST change)."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def _step(moment: datetime, start: datetime, end: datetime) -> int:
    """The step (0 … STEPS) of ``moment`` within ``[start, end]``; subtraction in UTC, so DST is right."""
    span = (end - start).total_seconds()
    offset = (moment.astimezone(UTC) - start).total_seconds()
    return max(0, min(STEPS, round(offset * STEPS / span)))


@dataclass
class Bar:
    label: str
    detail: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    x: int
    w: int
    cut_before: bool
    cut_after: bool
    url: str = ""
    lane: int = 0
    status: str = ""


@dataclass
class Row:
    label: str
    url: str = ""
    detail: str = ""
    bars: list[Bar] = field(default_factory=list)
    lanes: int = 1


@dataclass
class Tick:
    x: int
    label: str


def place(
    starts_at: datetime, ends_at: datetime, day_start: datetime, day_end: datetime
) -> tuple[int, int, bool, bool] | None:
    """(x step, width in steps ≥ 1, cut before, cut after) of a window drawn on one day, or None when the
    window misses the day."""
    if ends_at <= day_start or starts_at >= day_end:
        return None
    x = _step(max(starts_at, day_start), day_start, day_end)
    end = _step(min(ends_at, day_end), day_start, day_end)
    x = min(x, STEPS - 1)
    return x, max(1, end - x), starts_at < day_start, ends_at > day_end


def stack(bars: list[Bar]) -> int:
    """Put overlapping bars in separate lanes (first fit, by start); return the number of lanes."""
    lane_ends: list[int] = []
    for bar in sorted(bars, key=lambda b: (b.x, -b.w)):
        for lane, end in enumerate(lane_ends):
            if end <= bar.x:
                bar.lane = lane
                lane_ends[lane] = bar.x + bar.w
                break
        else:
            bar.lane = min(len(lane_ends), MAX_LANES - 1)
            if len(lane_ends) < MAX_LANES:
                lane_ends.append(bar.x + bar.w)
    return max(1, len(lane_ends))


def ticks(day: date, tz: tzinfo, *, every: int = 3) -> list[Tick]:
    start, end = day_bounds(day, tz)
    out = []
    for hour in range(0, 24, every):
        moment = datetime.combine(day, time(hour), tzinfo=tz)
        out.append(Tick(x=min(_step(moment, start, end), STEPS - 1), label=f"{hour:02d}:00"))
    return out


def _finish(rows: list[Row]) -> list[Row]:
    for row in rows:
        row.bars.sort(key=lambda b: (b.starts_at, b.label))
        row.lanes = stack(row.bars)
    return rows


# --- the programme timeline -------------------------------------------------------------------------------


@dataclass
class TimelineDay:
    day: date
    ticks: list[Tick]
    rows: list[Row]

    @property
    def bars(self) -> int:
        return sum(len(r.bars) for r in self.rows)


def programme_timeline(
    user: Any, event: Any, *, day: date | None = None, kind: str = ""
) -> list[TimelineDay]:
    """Programme items by site over the event's days (rows = sites; an item with a route of four sites
    shows on four rows); ``day`` and ``kind`` filter. Four queries."""
    require(user, "planning.view", event)
    tz = event.tz
    days = [d for d in event_days(event) if day is None or d == day]
    if not days:
        return []
    window_start = day_bounds(days[0], tz)[0]
    window_end = day_bounds(days[-1], tz)[1]
    items = ProgrammeItem.objects.filter(event=event, starts_at__lt=window_end, ends_at__gt=window_start)
    if kind:
        items = items.filter(kind=kind)
    items = items.prefetch_related(
        Prefetch(
            "stops", queryset=ProgrammeItemSite.objects.select_related("site").order_by("position", "pk")
        )
    ).order_by("starts_at", "pk")
    items_list = list(items)
    site_url: dict[int, str] = {}
    out = []
    for d in days:
        start, end = day_bounds(d, tz)
        rows: dict[tuple[str, int], Row] = {}
        for item in items_list:
            where = place(item.starts_at, item.ends_at, start, end)
            if where is None:
                continue
            stops = list(item.stops.all())
            for position, stop in enumerate(stops or [None]):
                if stop is None:
                    key, label, url = ("~", 0), str(_("No site")), ""
                else:
                    key, label = (stop.site.code, stop.site.pk), stop.site.name
                    url = site_url.setdefault(
                        stop.site.pk, reverse("planning:site-detail", args=[event.code, stop.site.pk])
                    )
                row = rows.setdefault(key, Row(label=label, url=url, detail=stop.site.code if stop else ""))
                x, w, before, after = where
                route = f" ({position + 1}/{len(stops)})" if len(stops) > 1 else ""
                row.bars.append(
                    Bar(
                        label=item.name + route,
                        detail=str(item.get_kind_display()),
                        kind=item.kind,
                        starts_at=item.starts_at.astimezone(tz),
                        ends_at=item.ends_at.astimezone(tz),
                        x=x,
                        w=w,
                        cut_before=before,
                        cut_after=after,
                    )
                )
        out.append(TimelineDay(day=d, ticks=ticks(d, tz), rows=_finish([rows[k] for k in sorted(rows)])))
    return out


# --- the duty timeline (officers and units) ---------------------------------------------------------------


@dataclass
class DutyTimeline:
    day: date
    ticks: list[Tick]
    rows: list[Row]
    page: Page[Any]
    unit: Unit | None


def unit_and_descendants(event: Any, unit: Unit) -> list[int]:
    """``unit`` and every unit under it (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Unit.objects.filter(event=event).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    out, todo = [], [unit.pk]
    while todo:
        pk = todo.pop()
        if pk in out:
            continue
        out.append(pk)
        todo.extend(children.get(pk, ()))
    return out


def duty_timeline(
    user: Any, event: Any, *, day: date, unit: Unit | None = None, page: Any = 1
) -> DutyTimeline:
    """Who is where on ``day``: one row per officer with their assignments as bars. With ``unit``: every
    officer of that unit and the units under it, on duty or not; without: the officers on duty that day.
    ``DUTY_ROWS_PER_PAGE`` rows a page; five queries whatever the size of the forces."""
    require(user, "planning.view", event)
    require(user, "forces.view", event)
    tz = event.tz
    start, end = day_bounds(day, tz)
    officers = Officer.objects.filter(event=event).select_related("unit")
    on_duty = Assignment.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start)
    if unit is not None:
        officers = officers.filter(unit_id__in=unit_and_descendants(event, unit))
    else:
        officers = officers.filter(pk__in=on_duty.values("officer_id"))
    paginator = Paginator(officers.order_by("unit__code", "code", "pk"), DUTY_ROWS_PER_PAGE)
    current = paginator.get_page(page)
    rows: dict[int, Row] = {}
    for officer in current.object_list:
        rows[officer.pk] = Row(
            label=str(officer),
            url=reverse("planning:officer-detail", args=[event.code, officer.pk]),
            detail=f"{officer.code} · {officer.unit.code}",
        )
    duties = on_duty.filter(officer_id__in=list(rows)).select_related("post__site", "skill")
    for assignment in duties.order_by("starts_at", "pk"):
        where = place(assignment.starts_at, assignment.ends_at, start, end)
        if where is None:  # pragma: no cover - the query already bounds the window
            continue
        x, w, before, after = where
        rows[assignment.officer_id].bars.append(
            Bar(
                label=f"{assignment.post.code} {assignment.post.name}",
                detail=f"{assignment.post.site.name} · {assignment.skill}",
                kind=assignment.post.kind,
                starts_at=assignment.starts_at.astimezone(tz),
                ends_at=assignment.ends_at.astimezone(tz),
                x=x,
                w=w,
                cut_before=before,
                cut_after=after,
                url=reverse("planning:site-detail", args=[event.code, assignment.post.site_id]),
                status=assignment.status,
            )
        )
    return DutyTimeline(
        day=day, ticks=ticks(day, tz), rows=_finish(list(rows.values())), page=current, unit=unit
    )


# --- lists ------------------------------------------------------------------------------------------------


def paginate(qs: QuerySet[Any], page: Any, per_page: int) -> Page[Any]:
    return Paginator(qs, per_page).get_page(page)


def site_list(user: Any, event: Any, *, search: str = "", page: Any = 1) -> Page[Any]:
    """Sites matching ``search`` (diacritics ignored), with their numbers of posts and programme items."""
    qs = queries.sites_for(user, event, search=search).annotate(
        n_posts=Count("posts", distinct=True), n_items=Count("programme_items", distinct=True)
    )
    return paginate(qs.order_by("code", "pk"), page, SITES_PER_PAGE)


def officer_list(
    user: Any, event: Any, *, search: str = "", unit: Unit | None = None, page: Any = 1
) -> Page[Any]:
    """Officers matching ``search`` (diacritics ignored), optionally of one unit, with skills and unit."""
    qs = forces_queries.officers_for(user, event, search=search, unit=unit)
    return paginate(qs.order_by("code", "pk"), page, OFFICERS_PER_PAGE)


def unit_list(user: Any, event: Any, *, search: str = "", page: Any = 1) -> Page[Any]:
    """Units matching ``search`` (diacritics ignored), with their numbers of officers."""
    qs = forces_queries.units_for(user, event, search=search).annotate(n_officers=Count("officers"))
    return paginate(qs.order_by("code", "pk"), page, UNITS_PER_PAGE)


def units_to_choose(user: Any, event: Any) -> list[tuple[int, str]]:
    """(id, "CODE — name") of every unit of the event, for a filter."""
    return [
        (u.pk, f"{u.code} — {u.name}") for u in forces_queries.units_for(user, event).order_by("code", "pk")
    ]


# --- the site page ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingRow:
    kind: str
    kind_label: str
    severity: str
    severity_label: str
    starts_at: datetime
    ends_at: datetime
    explanation: str


@dataclass
class SitePage:
    site: Site
    coverage: Coverage
    children: list[Site]
    posts: list[tuple[Post, Coverage]]
    items: list[ProgrammeItem]
    findings: list[FindingRow]


def _finding_rows(event: Any, findings: list[coverage.Finding], lang: str) -> list[FindingRow]:
    label = queries.coverage_labels(event, findings)
    tz = event.tz
    return [
        FindingRow(
            kind=str(f.kind),
            kind_label=str(KIND_LABELS.get(str(f.kind), f.kind)),
            severity=str(f.severity),
            severity_label=str(SEVERITY_LABELS.get(str(f.severity), f.severity)),
            starts_at=coverage.datetime_of(f.window.start, tz),
            ends_at=coverage.datetime_of(f.window.end, tz),
            explanation=coverage.explain(f, lang, label),
        )
        for f in findings
    ]


def site_page(user: Any, event: Any, site_id: Any, *, lang: str) -> SitePage:
    """A site with its zones, posts (each with its coverage state), programme items and findings."""
    site = queries.get_site_for(user, event, site_id)
    mine = findings.findings_for_site(event, site) if can(user, "coverage.view", event) else []
    by_site, by_post = _coverage_by_object(event, mine)
    posts = list(queries.posts_for(user, event, site=site).order_by("code", "pk"))
    items = list(
        ProgrammeItem.objects.filter(event=event, stops__site=site).distinct().order_by("starts_at", "pk")
    )
    return SitePage(
        site=site,
        coverage=by_site.get(site.pk, Coverage()),
        children=list(Site.objects.filter(event=event, parent=site).order_by("code", "pk")),
        posts=[(post, by_post.get(post.pk, Coverage())) for post in posts],
        items=items,
        findings=_finding_rows(event, mine, lang),
    )


# --- the officer page -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillRow:
    code: str
    name: str
    expires_on: date | None
    state: str  # valid, expiring (during the event), expired (before the event)
    state_label: str


SKILL_STATES = {
    "valid": _("Valid"),
    "expiring": _("Expires during the event"),
    "expired": _("Expired"),
}


@dataclass
class OfficerPage:
    officer: Officer
    skills: list[SkillRow]
    rows: list[Row]  # one a day of the event
    duties: list[Assignment]
    findings: list[FindingRow]
    ticks: list[Tick]


def officer_page(user: Any, event: Any, officer_id: Any, *, lang: str) -> OfficerPage:
    """An officer with unit, skills (and whether each is valid for the event), duties day by day and the
    coverage findings about them."""
    require(user, "planning.view", event)
    officer = forces_queries.get_officer_for(user, event, officer_id)
    days = event_days(event)
    first, last = days[0], days[-1]
    skills = []
    for held in officer.skills.all():
        expires = held.expires_on
        state = (
            "valid" if expires is None or expires > last else "expiring" if expires >= first else "expired"
        )
        skills.append(
            SkillRow(
                code=held.skill.code,
                name=str(held.skill),
                expires_on=expires,
                state=state,
                state_label=str(SKILL_STATES[state]),
            )
        )
    duties = list(
        queries.assignments_for(user, event, officer=officer)
        .select_related("post__site")
        .order_by("starts_at", "pk")
    )
    tz = event.tz
    rows = []
    for d in days:
        start, end = day_bounds(d, tz)
        row = Row(label=date_format(d, "l"), detail=date_format(d, "SHORT_DATE_FORMAT"))
        for assignment in duties:
            where = place(assignment.starts_at, assignment.ends_at, start, end)
            if where is None:
                continue
            x, w, before, after = where
            row.bars.append(
                Bar(
                    label=f"{assignment.post.code} {assignment.post.name}",
                    detail=f"{assignment.post.site.name} · {assignment.skill}",
                    kind=assignment.post.kind,
                    starts_at=assignment.starts_at.astimezone(tz),
                    ends_at=assignment.ends_at.astimezone(tz),
                    x=x,
                    w=w,
                    cut_before=before,
                    cut_after=after,
                    url=reverse("planning:site-detail", args=[event.code, assignment.post.site_id]),
                    status=assignment.status,
                )
            )
        rows.append(row)
    mine = findings.findings_for_officer(event, officer) if can(user, "coverage.view", event) else []
    return OfficerPage(
        officer=officer,
        skills=skills,
        rows=_finish(rows),
        duties=duties,
        findings=_finding_rows(event, mine, lang),
        ticks=ticks(first, tz),
    )


def programme_kinds() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ProgrammeItem.Kind.choices]
