"""Findings about one assignment, officer or site, from the coverage engine on a slice of the plan (the
same answers as the full audit, ``coverage_audit.coverage_for``, restricted to them), and the labeller that names
posts and officers in their sentences."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils.translation import gettext as _

from antt.core.languages import current_language
from antt.forces.models import Officer, Skill
from antt.planning import coverage, coverage_input
from antt.planning.assignability import ACTIVE, PROPOSED, proposal_of
from antt.planning.models import Assignment, Post, Requirement, Site

if TYPE_CHECKING:
    from antt.events.models import Event

# --- names for the sentences ------------------------------------------------------------------------------


def labeller(event: Event, findings: Iterable[coverage.Finding], *, officers: Iterable[Officer] = ()) -> Any:
    """A labeller for ``findings``: posts by code and name (one query), officers given or looked up (one
    query), the proposal as "(proposed)"."""
    findings = list(findings)
    names: dict[tuple[str, int], str] = {}
    for officer in officers:
        names[("officer", officer.pk)] = f"{officer} ({officer.code})"
    post_ids = {pk for f in findings for pk in f.post_ids}
    if post_ids:
        for pk, code in Post.objects.filter(event=event, pk__in=post_ids).values_list("pk", "code"):
            names[("post", pk)] = code
    missing = {pk for f in findings for pk in f.officer_ids if ("officer", pk) not in names}
    if missing:
        for officer in Officer.objects.filter(event=event, pk__in=missing).only("code", "full_name", "rank"):
            names[("officer", officer.pk)] = f"{officer} ({officer.code})"
    roles = {f.role for f in findings if f.role}
    if roles:
        english = current_language() == "en"
        for code, name_vi, name_en in Skill.objects.filter(event=event, code__in=roles).values_list(
            "code", "name_vi", "name_en"
        ):
            names[("role", code)] = name_en if english else name_vi  # type: ignore[index]
    proposed = _("(proposed)")

    def label(object_type: str, object_id: Any) -> str:
        if object_type == "assignment" and object_id == PROPOSED:
            return proposed
        return names.get((object_type, object_id), f"#{object_id}")

    return label


def for_officer(finding: coverage.Finding, officer_id: int) -> coverage.Finding:
    """The same finding about another officer (its sentences rendered again)."""
    text = coverage.render(
        finding.kind,
        finding.window,
        role=finding.role,
        post_ids=finding.post_ids,
        site_ids=finding.site_ids,
        officer_ids=(officer_id,),
        assignment_ids=finding.assignment_ids,
        requirement_ids=finding.requirement_ids,
        numbers=dict(finding.numbers),
        time_zone=finding.time_zone,
    )
    return replace(finding, officer_ids=(officer_id,), message_vi=text["vi"], message_en=text["en"])


def findings_about(event: Event, assignment: Assignment) -> list[coverage.Finding]:
    """The current findings that involve ``assignment`` (its officer's rules, its qualification, its post's
    coverage), from the engine on a small plan."""
    proposal = proposal_of(assignment)
    small = coverage_input.small_plan(
        event,
        officers=Q(pk=assignment.officer_id),
        groups=[(proposal.post_id, proposal.skill_id, proposal.starts_at, proposal.ends_at)],
        site=assignment.post.site,
        requirement_ids=[assignment.requirement_id] if assignment.requirement_id else [],
    )
    index = coverage.CoverageIndex(
        small.plan, groups={(proposal.post_id, proposal.role)}, calendar=coverage_input.calendar_of(event)
    )
    return [f for f in index.findings() if assignment.pk in f.assignment_ids]


# --- findings about one officer or one site -----------------------------------------------------------------


def findings_for_officer(event: Event, officer: Officer) -> list[coverage.Finding]:
    """The findings of the full audit (``coverage_audit.coverage_for``) that name ``officer``, from a slice of the
    plan: all their active duties, and the (post, role) groups of those duties whole."""
    return _scoped(event, Q(officer_id=officer.pk), lambda f: officer.pk in f.officer_ids, whole=None)


def findings_for_site(event: Event, site: Site) -> list[coverage.Finding]:
    """The findings of the full audit that name ``site``, from a slice of the plan: the (post, role)
    groups of the site's own posts whole, and every officer on duty there with all their active duties."""
    return _scoped(
        event,
        Q(post__site_id=site.pk),
        lambda f: site.pk in f.site_ids,
        groups=Q(post__site_id=site.pk),
        whole=lambda x: x.site_id == site.pk,
    )


def _scoped(
    event: Event, subjects: Q, keep: Any, *, whole: Any, groups: Q | None = None
) -> list[coverage.Finding]:
    """The findings ``keep`` retains of the engine's run on a slice: the officers with an active duty
    matching ``subjects`` with all their active duties, their skills; the (post, role) groups of those
    duties (or matching ``groups``: requirements and active duties alike) with all their requirements and
    active duties; the requirements those duties name; the officers of the group duties (their skills and
    clearance decide the coverage; their findings outside the slice are not asked); the opening hours of
    the sites met. ``whole`` tells the requirements and duties of the groups loaded whole (default: the
    groups of the subjects' duties): only their coverage is checked. Seven queries."""
    active = Assignment.objects.filter(event=event, status__in=ACTIVE).order_by()
    officer_ids = set(active.filter(subjects).values_list("officer_id", flat=True).distinct())
    own = list(
        active.filter(officer_id__in=sorted(officer_ids)).values_list(*coverage_input.ASSIGNMENT_VALUES)
    )
    keys = {(row[2], row[6]) for row in own}  # (post id, skill code)
    if whole is None:
        whole = lambda x: (x.post_id, x.role) in keys  # noqa: E731
    if groups is None:
        groups = Q(pk__in=[])
        for post_id, code in sorted(keys):
            groups |= Q(post_id=post_id, skill__code=code)
    rows = {*own, *active.filter(groups).values_list(*coverage_input.ASSIGNMENT_VALUES)}
    requirement_ids = {row[-1] for row in rows if row[-1] is not None}
    requirements = coverage_input.engine_requirements(
        Requirement.objects.filter(event=event).filter(groups | Q(pk__in=sorted(requirement_ids)))
    )
    assignments = tuple(sorted((coverage_input.engine_assignment(row) for row in rows), key=lambda a: a.id))
    people = Officer.objects.filter(event=event, pk__in=sorted({a.officer_id for a in assignments}))
    site_ids = {a.site_id for a in assignments} | {r.site_id for r in requirements}
    site_hours = tuple(
        coverage.SiteHours(site_id=pk, windows=coverage_input.windows(windows))
        for pk, windows in Site.objects.filter(
            event=event, pk__in=sorted(site_ids), opening_windows__isnull=False
        ).values_list("pk", "opening_windows")
        if windows
    )
    plan = coverage.CoveragePlan(
        window=coverage.Window.of(event.starts_at, event.ends_at),
        time_zone=event.time_zone,
        requirements=requirements,
        assignments=assignments,
        officers=coverage_input.engine_officers(people),
        rest=coverage_input.rest_rules(event),
        site_hours=site_hours,
    )
    items: list[coverage.Assignment | coverage.Requirement] = [*assignments, *requirements]
    wanted = {(x.post_id, x.role) for x in items if whole(x)}
    index = coverage.CoverageIndex(plan, groups=wanted, calendar=coverage_input.calendar_of(event))
    return [f for f in index.findings() if keep(f)]
