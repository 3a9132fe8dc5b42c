"""Read side of the browse pages: the map's features, the site list and the site and officer pages (the
timelines: ``timelines``).

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
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from antt.core.permissions import can, require
from antt.forces import queries as forces_queries
from antt.forces.models import Officer
from antt.planning import coverage, coverage_audit, findings, queries
from antt.planning.labels import KIND_LABELS, SEVERITY_LABELS
from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, Site
from antt.planning.timelines import (
    Row,
    Tick,
    day_bounds,
    duty_bar,
    event_days,
    finish_rows,
    place,
    ticks,
)

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.events.models import Event

SITES_PER_PAGE = 100

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
    event: Event, findings: Iterable[coverage.Finding]
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


def _findings_if_allowed(user: Actor, event: Event) -> list[coverage.Finding]:
    return coverage_audit.coverage_for(event) if can(user, "coverage.view", event) else []


# --- the map ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MapSite:
    site: Site
    coverage: Coverage
    posts: int
    items: int


def map_sites(user: Actor, event: Event) -> list[MapSite]:
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


def map_features(user: Actor, event: Event) -> dict[str, Any]:
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


# --- lists ------------------------------------------------------------------------------------------------


def paginate(qs: QuerySet[Any], page: Any, per_page: int) -> Page[Any]:
    return Paginator(qs, per_page).get_page(page)


def site_list(user: Actor, event: Event, *, search: str = "", page: Any = 1) -> Page[Any]:
    """Sites matching ``search`` (diacritics ignored), with their numbers of posts and programme items."""
    qs = queries.sites_for(user, event, search=search).annotate(
        n_posts=Count("posts", distinct=True), n_items=Count("programme_items", distinct=True)
    )
    return paginate(qs.order_by("code", "pk"), page, SITES_PER_PAGE)


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


def _finding_rows(event: Event, findings: list[coverage.Finding], lang: str) -> list[FindingRow]:
    label = coverage_audit.coverage_labels(event, findings)
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


def site_page(user: Actor, event: Event, site_id: Any, *, lang: str) -> SitePage:
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


def officer_page(user: Actor, event: Event, officer_id: Any, *, lang: str) -> OfficerPage:
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
            row.bars.append(duty_bar(event, assignment, where, tz))
        rows.append(row)
    mine = findings.findings_for_officer(event, officer) if can(user, "coverage.view", event) else []
    return OfficerPage(
        officer=officer,
        skills=skills,
        rows=finish_rows(rows),
        duties=duties,
        findings=_finding_rows(event, mine, lang),
        ticks=ticks(first, tz),
    )


def programme_kinds() -> list[tuple[str, str]]:
    return [(value, str(label)) for value, label in ProgrammeItem.Kind.choices]
