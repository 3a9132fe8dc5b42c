"""Reads of planning with access checks, and the coverage audit of an event's plan."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import BigIntegerField, Func, Prefetch, QuerySet

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import require
from antt.core.text import fold
from antt.forces.models import Officer, OfficerSkill
from antt.planning import coverage, coverage_cache
from antt.planning.geo import parse_windows
from antt.planning.models import (
    Assignment,
    Post,
    ProgrammeItem,
    ProgrammeItemSite,
    Requirement,
    RestRules,
    Site,
)


def sites_for(user: Any, event: Any, *, search: str = "") -> QuerySet[Site]:
    require(user, "planning.view", event)
    qs = Site.objects.filter(event=event).select_related("parent")
    for word in fold(search).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def get_site_for(user: Any, event: Any, site_id: Any, *, action: str = "planning.view") -> Site:
    require(user, action, event)
    site = (
        Site.objects.filter(event=event, pk=id_or_not_found(site_id))
        .select_related("event", "parent")
        .first()
    )
    if site is None:
        raise not_found()
    return site


def posts_for(user: Any, event: Any, *, site: Any = None) -> QuerySet[Post]:
    require(user, "planning.view", event)
    qs = Post.objects.filter(event=event).select_related("site", "default_skill")
    return qs.filter(site=site) if site is not None else qs


def get_post_for(user: Any, event: Any, post_id: Any, *, action: str = "planning.view") -> Post:
    require(user, action, event)
    post = posts_for(user, event).filter(pk=id_or_not_found(post_id)).select_related("event").first()
    if post is None:
        raise not_found()
    return post


def programme_items_for(user: Any, event: Any) -> QuerySet[ProgrammeItem]:
    require(user, "planning.view", event)
    return ProgrammeItem.objects.filter(event=event).prefetch_related(
        Prefetch("stops", queryset=ProgrammeItemSite.objects.order_by("position", "pk")), "rules__skill"
    )


def get_programme_item_for(
    user: Any, event: Any, item_id: Any, *, action: str = "planning.view"
) -> ProgrammeItem:
    require(user, action, event)
    item = (
        programme_items_for(user, event).filter(pk=id_or_not_found(item_id)).select_related("event").first()
    )
    if item is None:
        raise not_found()
    return item


def requirements_for(user: Any, event: Any) -> QuerySet[Requirement]:
    require(user, "planning.view", event)
    return Requirement.objects.filter(event=event).select_related("post", "skill")


def get_requirement_for(
    user: Any, event: Any, requirement_id: Any, *, action: str = "planning.view"
) -> Requirement:
    require(user, action, event)
    requirement = (
        requirements_for(user, event)
        .filter(pk=id_or_not_found(requirement_id))
        .select_related("event")
        .first()
    )
    if requirement is None:
        raise not_found()
    return requirement


def assignments_for(user: Any, event: Any, *, officer: Any = None, post: Any = None) -> QuerySet[Assignment]:
    require(user, "planning.view", event)
    qs = Assignment.objects.filter(event=event).select_related("officer", "post", "skill")
    if officer is not None:
        qs = qs.filter(officer=officer)
    if post is not None:
        qs = qs.filter(post=post)
    return qs


def get_assignment_for(
    user: Any, event: Any, assignment_id: Any, *, action: str = "planning.view"
) -> Assignment:
    require(user, action, event)
    assignment = (
        assignments_for(user, event).filter(pk=id_or_not_found(assignment_id)).select_related("event").first()
    )
    if assignment is None:
        raise not_found()
    return assignment


# --- coverage --------------------------------------------------------------------------------------------


def _windows(value: Any) -> tuple[coverage.Window, ...]:
    return tuple(coverage.Window.of(start, end) for start, end in parse_windows(value))


class _UtcMinute(Func):
    """Whole minutes since 1970-01-01 UTC of a datetime column (the engine's time unit, seconds floored),
    computed by the database so that no ``datetime`` object is built per row."""

    # date_part() is a double: exact here, as every microsecond timestamp before 2286 is (and about twice
    # as fast for PostgreSQL as EXTRACT's numeric)
    template = "CAST(FLOOR(date_part('epoch', %(expressions)s) / 60) AS BIGINT)"
    output_field = BigIntegerField()
    # the database returns integers already: no per-row int() converter
    convert_value = staticmethod(Func._convert_value_noop)  # type: ignore[attr-defined]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # stored as UTC text "YYYY-MM-DD HH:MM:SS.ffffff"; SQLite would round the fraction to milliseconds
        # (59.9999 s -> the next minute), so cut it off first ('%%%%' survives two rounds of formatting)
        template = "(CAST(strftime('%%%%s', substr(%(expressions)s, 1, 19)) AS INTEGER) / 60)"
        return self.as_sql(compiler, connection, template=template, **extra)


class _Lookup(dict[int, Any]):
    """``pk -> field`` of the event's rows of a small table; a row of another event (which the services
    never link) is fetched when first asked for rather than failing."""

    def __init__(self, model: Any, field: str, rows: Any) -> None:
        super().__init__(rows)
        self.model, self.field = model, field

    def __missing__(self, pk: int) -> Any:
        value = self[pk] = self.model.objects.filter(pk=pk).values_list(self.field, flat=True).first()
        return value


def coverage_plan(event: Any) -> coverage.CoveragePlan:
    """The event's plan as the coverage engine's dataclasses (seven queries, whatever its size).

    Rows come as tuples (times as UTC minutes computed by the database; sites from one small lookup
    rather than a join); equal windows share one ``Window``; the cyclic garbage collector pauses while
    the records are built (they form no cycles).
    """
    site_of = _Lookup(Post, "site_id", Post.objects.filter(event=event).values_list("pk", "site_id"))

    windows: dict[tuple[int, int], coverage.Window] = {}

    def window(start: int, end: int) -> coverage.Window:
        found = windows.get((start, end))
        if found is None:
            found = windows[start, end] = coverage.Window(start, end)
        return found

    with coverage.collector_paused():
        Req, Asg = coverage.Requirement, coverage.Assignment
        requirements = tuple(
            [
                Req(
                    pk,
                    post_id,
                    site_of[post_id],
                    window(start, end),
                    role,
                    headcount,
                    clearance,
                    rule,
                )
                for pk, post_id, start, end, role, headcount, clearance, rule in (
                    Requirement.objects.filter(event=event)
                    .order_by()
                    .values_list(
                        "pk",
                        "post_id",
                        _UtcMinute("starts_at"),
                        _UtcMinute("ends_at"),
                        "skill__code",
                        "headcount",
                        "min_clearance",
                        "rule_id",
                    )
                )
            ]
        )
        assignments = tuple(
            [
                Asg(
                    pk,
                    officer,
                    post_id,
                    site_of[post_id],
                    window(start, end),
                    role,
                    status,
                    linked,
                )
                for pk, officer, post_id, start, end, role, status, linked in (
                    Assignment.objects.filter(event=event)
                    .order_by()
                    .values_list(
                        "pk",
                        "officer_id",
                        "post_id",
                        _UtcMinute("starts_at"),
                        _UtcMinute("ends_at"),
                        "skill__code",
                        "status",
                        "requirement_id",
                    )
                )
            ]
        )
        skills: dict[int, list[coverage.Skill]] = defaultdict(list)
        held: dict[tuple[str, date | None], coverage.Skill] = {}
        for officer_id, code, expires in (
            OfficerSkill.objects.filter(officer__event=event)
            .order_by()
            .values_list("officer_id", "skill__code", "expires_on")
        ):
            skill = held.get((code, expires))
            if skill is None:
                skill = held[code, expires] = coverage.Skill(code=code, expires=expires)
            skills[officer_id].append(skill)
        none: tuple[coverage.Skill, ...] = ()
        officers = tuple(
            [
                coverage.Officer(
                    pk,
                    unit_id,
                    tuple(skills[pk]) if pk in skills else none,
                    clearance,
                    _windows(availability) if availability else None,
                )
                for pk, unit_id, clearance, availability in (
                    Officer.objects.filter(event=event)
                    .order_by()
                    .values_list("pk", "unit_id", "clearance", "availability")
                )
            ]
        )
    rules = RestRules.objects.filter(event=event).first()
    rest = (
        coverage.RestRules(
            min_rest_minutes=rules.min_rest_minutes,
            max_duty_minutes_per_24h=rules.max_duty_minutes_per_24h,
            max_consecutive_days=rules.max_consecutive_days,
        )
        if rules
        else coverage.RestRules()
    )
    site_hours = tuple(
        coverage.SiteHours(site_id=pk, windows=_windows(windows))
        for pk, windows in Site.objects.filter(event=event, opening_windows__isnull=False).values_list(
            "pk", "opening_windows"
        )
        if windows
    )
    return coverage.CoveragePlan(
        window=coverage.Window.of(event.starts_at, event.ends_at),
        time_zone=event.time_zone,
        requirements=requirements,
        assignments=assignments,
        officers=officers,
        rest=rest,
        site_hours=site_hours,
    )


def coverage_for(event: Any) -> list[coverage.Finding]:
    """Every finding of the event's plan, in the engine's deterministic order (cached per plan version:
    see :mod:`antt.planning.coverage_cache`)."""
    return list(coverage_snapshot(event).findings)


def coverage_snapshot(event: Any) -> coverage_cache.Snapshot:
    """The findings of the event's current plan version, from the cache (one query) or computed; a cached
    snapshot also holds the site list and the names that label its findings."""
    return coverage_cache.snapshot(event, _compute_snapshot)


def coverage_labelled(event: Any) -> coverage_cache.Snapshot:
    """:func:`coverage_snapshot` with the site list and the findings' labels (what the board and the API
    show)."""
    return _labelled(event, coverage_snapshot(event))


def _audit_plan(event: Any) -> list[coverage.Finding]:
    with coverage.collector_paused():  # until the plan is freed: the collector would rescan all of it
        plan = coverage_plan(event)
        findings = coverage.audit(plan)
        del plan
    return findings


def _names(
    event: Any, findings: list[coverage.Finding], sites: list[tuple[int, str, str]] | None = None
) -> dict[tuple[str, int], tuple[str, str]]:
    """``(type, id) -> (Vietnamese, English)`` label of the posts, sites and officers the findings'
    sentences mention (three queries at most, each for just those rows and columns; two when every site
    is given as ``(id, name_vi, name_en)``)."""
    wanted: dict[str, set[int]] = {"post": set(), "site": set(), "officer": set()}
    uses: dict[coverage.FindingKind, frozenset[str]] = {}
    for finding in findings:
        used = uses.get(finding.kind)
        if used is None:
            used = uses[finding.kind] = coverage.messages.placeholders(finding.kind)
        if "post" in used:
            wanted["post"].update(finding.post_ids)
        if "site" in used:
            wanted["site"].update(finding.site_ids)
        if "officer" in used:
            wanted["officer"].update(finding.officer_ids)
    names: dict[tuple[str, int], tuple[str, str]] = {}
    if wanted["post"]:
        for pk, code, name_vi, name_en in (
            Post.objects.filter(event=event, pk__in=sorted(wanted["post"]))
            .order_by()
            .values_list("pk", "code", "name_vi", "name_en")
        ):
            names[("post", pk)] = (f"{code} ({name_vi})", f"{code} ({name_en})")
    if wanted["site"]:
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
    if wanted["officer"]:
        for pk, code, full_name, rank in (
            Officer.objects.filter(event=event, pk__in=sorted(wanted["officer"]))
            .order_by()
            .values_list("pk", "code", "full_name", "rank")
        ):
            name = f"{f'{rank} {full_name}'.strip()} ({code})"
            names[("officer", pk)] = (name, name)
    return names


def _compute_snapshot(event: Any, version: str) -> coverage_cache.Snapshot:
    """Audit the plan; for a version that will be cached, also read the names that label the findings
    (an uncached snapshot reads them only if a caller asks: see :func:`_labelled`)."""
    snap = coverage_cache.Snapshot(event_id=event.pk, version=version, findings=_audit_plan(event))
    return _labelled(event, snap) if version else snap


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
    from django.utils.translation import get_language

    names = _names(event, findings)
    index = 1 if (get_language() or "vi").startswith("en") else 0

    def label(object_type: str, object_id: int) -> str:
        found = names.get((object_type, object_id))
        return found[index] if found is not None else f"#{object_id}"

    return label


def get_rule_for(user: Any, item: ProgrammeItem, rule_id: Any, *, action: str = "planning.view") -> Any:
    from antt.planning.models import RequirementRule

    require(user, action, item.event)
    rule = (
        RequirementRule.objects.filter(programme_item=item, pk=id_or_not_found(rule_id))
        .select_related("programme_item__event")
        .first()
    )
    if rule is None:
        raise not_found()
    return rule


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


def gap_board(
    event: Any,
    *,
    lang: str,
    day: date | None = None,
    site_id: int | None = None,
    severity: str = "",
    keep: Any = None,
    page: int = 1,
) -> GapBoard:
    """The coverage findings of ``event`` filtered and grouped by local day and site (a fixed number of
    queries, whatever the size of the plan). The counts cover every finding shown; the groups hold one
    page of at most :data:`BOARD_PAGE` findings, in day, site and engine order (``page`` from 1)."""
    from antt.planning.labels import KIND_LABELS, SEVERITY_LABELS

    snap = coverage_labelled(event)
    tz = event.tz
    english = lang == "en"
    site_names = {pk: name_en if english else name_vi for pk, name_vi, name_en in snap.sites or ()}

    def board_order() -> list[tuple[date, str, coverage.Finding]]:
        """Every finding with its local day and site names, in day, site and engine order (once per plan
        version, language and time zone in each process; the filters below keep this order)."""
        day_of: dict[int, date] = {}  # local day of a UTC minute (findings share few start minutes)
        rows = []
        for finding in snap.findings:
            start = finding.window.start
            local_day = day_of.get(start)
            if local_day is None:
                local_day = day_of[start] = coverage.datetime_of(start, tz).date()
            name = ", ".join(site_names.get(pk, f"#{pk}") for pk in finding.site_ids) or "—"
            rows.append((local_day, name, finding))
        rows.sort(key=lambda row: (row[0], row[1]))
        return rows

    ordered = [
        row
        for row in snap.once(("board", english, event.time_zone), board_order)
        if (day is None or row[0] == day)
        and (site_id is None or site_id in row[2].site_ids)
        and (not severity or row[2].severity == severity)
        and (keep is None or keep(row[2]))
    ]
    shown = [(d, f) for d, _s, f in ordered]
    pages = max(1, -(-len(ordered) // BOARD_PAGE))
    page = min(max(1, page), pages)
    on_page = ordered[(page - 1) * BOARD_PAGE : page * BOARD_PAGE]
    label = snap.label(english)
    grouped: dict[date, dict[str, list[BoardRow]]] = defaultdict(lambda: defaultdict(list))
    for local_day, name, finding in on_page:
        kind = str(finding.kind)
        grouped[local_day][name].append(
            BoardRow(
                kind=kind,
                kind_label=str(KIND_LABELS.get(kind, kind)),
                severity=str(finding.severity),
                severity_label=str(SEVERITY_LABELS.get(str(finding.severity), finding.severity)),
                starts_at=coverage.datetime_of(finding.window.start, tz),
                ends_at=coverage.datetime_of(finding.window.end, tz),
                explanation=coverage.explain(finding, lang, label),
                post_ids=finding.post_ids,
                officer_ids=finding.officer_ids,
                requirement_ids=finding.requirement_ids,
                assignment_ids=finding.assignment_ids,
            )
        )
    kinds = Counter(str(f.kind) for _d, f in shown)
    gaps = sum(n for k, n in kinds.items() if k in GAP_KINDS)
    conflicts = sum(n for k, n in kinds.items() if k in CONFLICT_KINDS)
    first = event.starts_at.astimezone(tz).date()
    last = (event.ends_at - timedelta(microseconds=1)).astimezone(tz).date()
    return GapBoard(
        counts={"gaps": gaps, "conflicts": conflicts, "other": len(shown) - gaps - conflicts},
        by_kind=[(str(KIND_LABELS.get(k, k)), kinds[k]) for k in sorted(kinds)],
        days=[first + timedelta(days=n) for n in range((last - first).days + 1)],
        sites=list(site_names.items()),
        groups=[(d, sorted(grouped[d].items(), key=lambda pair: pair[0])) for d in sorted(grouped)],
        total=len(shown),
        page=page,
        pages=pages,
        first=(page - 1) * BOARD_PAGE + 1 if on_page else 0,
        last=(page - 1) * BOARD_PAGE + len(on_page),
    )


def rest_rules_for(user: Any, event: Any) -> RestRules:
    """The event's rest rules (unsaved and all off when none were set)."""
    require(user, "planning.view", event)
    return RestRules.objects.filter(event=event).first() or RestRules(event=event)


# --- the assignment editor, my unit, my duties --------------------------------------------------------------


def officer_of(user: Any, event: Any) -> Officer | None:
    """The officer ``user`` signs in as in ``event`` (None when the account is not linked)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Officer.objects.filter(event=event, user=user).select_related("unit").first()


def unit_tree_ids(event: Any, roots: Any) -> set[int]:
    """``roots`` and every unit below them in ``event`` (one query)."""
    from antt.forces.models import Unit

    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in Unit.objects.filter(event=event).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    seen: set[int] = set()
    stack = [int(pk) for pk in roots]
    while stack:
        pk = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        stack.extend(children.get(pk, ()))
    return seen


def own_unit_ids(user: Any, event: Any) -> set[int]:
    """The units ``user`` commands in ``event`` (through their linked officer) and all their sub-units."""
    from antt.forces.models import Unit

    if not getattr(user, "is_authenticated", False):
        return set()
    roots = list(Unit.objects.filter(event=event, commander__user=user).values_list("pk", flat=True))
    return unit_tree_ids(event, roots) if roots else set()


def editor_requirement_for(user: Any, event: Any, requirement_id: Any) -> Requirement:
    """A requirement for the editor (post, site and skill loaded); 404 when missing or hidden."""
    require(user, "planning.view", event)
    requirement = (
        Requirement.objects.filter(event=event, pk=id_or_not_found(requirement_id))
        .select_related("event", "post__site", "skill", "programme_item")
        .first()
    )
    if requirement is None:
        raise not_found()
    return requirement


def editor_assignment_for(user: Any, event: Any, assignment_id: Any) -> Assignment:
    """An assignment for the editor (officer, unit, post, site, skill and requirement loaded)."""
    require(user, "planning.view", event)
    assignment = (
        Assignment.objects.filter(event=event, pk=id_or_not_found(assignment_id))
        .select_related("event", "officer__unit", "post__site", "skill")
        .first()
    )
    if assignment is None:
        raise not_found()
    return assignment


def shortfalls(findings: list[coverage.Finding]) -> dict[int, int]:
    """Requirement id → the largest shortfall of an uncovered finding it is part of."""
    short: dict[int, int] = {}
    for finding in findings:
        if finding.kind == coverage.FindingKind.UNCOVERED:
            for pk in finding.requirement_ids:
                short[pk] = max(short.get(pk, 0), finding.number("shortfall"))
    return short


def editor_requirements(
    event: Any,
    *,
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    site_id: int | None = None,
    post_id: int | None = None,
    only: set[int] | None = None,
) -> QuerySet[Requirement]:
    """The requirements of ``event`` for the editor's list, filtered (window, site with its zones, post,
    ``only`` these ids), with the count of active assignments linked to each as ``assigned``."""
    from django.db.models import Count, Q

    qs = (
        Requirement.objects.filter(event=event)
        .select_related("post__site", "skill")
        .annotate(
            assigned=Count("assignments", filter=Q(assignments__status__in=tuple(coverage.ACTIVE_STATUSES)))
        )
        .order_by("starts_at", "post__code", "pk")
    )
    if starts_at is not None and ends_at is not None:
        qs = qs.filter(starts_at__lt=ends_at, ends_at__gt=starts_at)
    if site_id is not None:
        qs = qs.filter(Q(post__site_id=site_id) | Q(post__site__parent_id=site_id))
    if post_id is not None:
        qs = qs.filter(post_id=post_id)
    if only is not None:
        qs = qs.filter(pk__in=sorted(only))
    return qs


def requirement_duties(
    requirement: Requirement, starts_at: datetime, ends_at: datetime
) -> QuerySet[Assignment]:
    """Active duties at the requirement's post in its role overlapping the window (officer and unit loaded)."""
    return (
        Assignment.objects.filter(
            event_id=requirement.event_id,
            post_id=requirement.post_id,
            skill_id=requirement.skill_id,
            status__in=tuple(coverage.ACTIVE_STATUSES),
            starts_at__lt=ends_at,
            ends_at__gt=starts_at,
        )
        .select_related("officer__unit")
        .order_by("starts_at", "officer__code")
    )


def unit_roster(
    event: Any, unit_ids: set[int], *, starts_at: datetime, ends_at: datetime
) -> tuple[list[Any], QuerySet[Officer], dict[int, list[Assignment]]]:
    """My unit: the units (parent and commander loaded), their officers, and each officer's duties in the
    window by officer id (three queries, plus the caller's page of officers)."""
    from antt.forces.models import Unit

    units = list(
        Unit.objects.filter(event=event, pk__in=sorted(unit_ids))
        .select_related("parent", "commander")
        .order_by("code", "pk")
    )
    officers = (
        Officer.objects.filter(event=event, unit_id__in=sorted(unit_ids))
        .select_related("unit")
        .order_by("unit__code", "code", "pk")
    )
    duties: dict[int, list[Assignment]] = defaultdict(list)
    for duty in (
        Assignment.objects.filter(
            event=event, officer__unit_id__in=sorted(unit_ids), starts_at__lt=ends_at, ends_at__gt=starts_at
        )
        .select_related("post__site", "skill")
        .order_by("starts_at", "pk")
    ):
        duties[duty.officer_id].append(duty)
    return units, officers, duties


def duties_of(officer: Officer, *, since: datetime | None = None) -> QuerySet[Assignment]:
    """An officer's duties (post, site and role loaded), from ``since`` on when given."""
    qs = Assignment.objects.filter(event_id=officer.event_id, officer=officer).select_related(
        "post__site", "skill"
    )
    if since is not None:
        qs = qs.filter(ends_at__gt=since)
    return qs.order_by("starts_at", "pk")


def unit_keep(event: Any, unit_id: int) -> Any:
    """The gap board's unit filter: findings about the officers of the unit (and its sub-units), and gaps at
    the posts the unit staffs (three queries)."""
    units = unit_tree_ids(event, [unit_id])
    officers = set(
        Officer.objects.filter(event=event, unit_id__in=sorted(units)).values_list("pk", flat=True)
    )
    posts = set(
        Assignment.objects.filter(event=event, officer__unit_id__in=sorted(units))
        .order_by()
        .values_list("post_id", flat=True)
        .distinct()
    )

    def keep(finding: coverage.Finding) -> bool:
        if officers.intersection(finding.officer_ids):
            return True
        return finding.kind == coverage.FindingKind.UNCOVERED and bool(posts.intersection(finding.post_ids))

    return keep
