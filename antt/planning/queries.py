"""Reads of planning with access checks (the coverage audit of the whole plan: ``coverage_audit``)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

from django.db.models import Prefetch, QuerySet

from antt.core.lookups import one_by_id
from antt.core.permissions import require
from antt.core.text import fold
from antt.forces.models import Officer
from antt.forces.queries import unit_tree_ids
from antt.planning import coverage
from antt.planning.models import (
    Assignment,
    Post,
    ProgrammeItem,
    ProgrammeItemSite,
    Requirement,
    RestRules,
    Site,
)

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User
    from antt.events.models import Event


def sites_for(user: Actor, event: Event, *, search: str = "") -> QuerySet[Site]:
    require(user, "planning.view", event)
    qs = Site.objects.filter(event=event).select_related("parent")
    for word in fold(search).split():
        qs = qs.filter(search_text__contains=word)
    return qs


def get_site_for(user: Actor, event: Event, site_id: Any, *, action: str = "planning.view") -> Site:
    require(user, action, event)
    return one_by_id(Site.objects.filter(event=event).select_related("event", "parent"), site_id)


def posts_for(user: Actor, event: Event, *, site: Site | None = None) -> QuerySet[Post]:
    require(user, "planning.view", event)
    qs = Post.objects.filter(event=event).select_related("site", "default_skill")
    return qs.filter(site=site) if site is not None else qs


def get_post_for(user: Actor, event: Event, post_id: Any, *, action: str = "planning.view") -> Post:
    require(user, action, event)
    return one_by_id(posts_for(user, event).select_related("event"), post_id)


def programme_items_for(user: Actor, event: Event) -> QuerySet[ProgrammeItem]:
    require(user, "planning.view", event)
    return ProgrammeItem.objects.filter(event=event).prefetch_related(
        Prefetch("stops", queryset=ProgrammeItemSite.objects.order_by("position", "pk")), "rules__skill"
    )


def get_programme_item_for(
    user: Actor, event: Event, item_id: Any, *, action: str = "planning.view"
) -> ProgrammeItem:
    require(user, action, event)
    return one_by_id(programme_items_for(user, event).select_related("event"), item_id)


def requirements_for(user: Actor, event: Event) -> QuerySet[Requirement]:
    require(user, "planning.view", event)
    return Requirement.objects.filter(event=event).select_related("post", "skill")


def get_requirement_for(
    user: Actor, event: Event, requirement_id: Any, *, action: str = "planning.view"
) -> Requirement:
    require(user, action, event)
    return one_by_id(requirements_for(user, event).select_related("event"), requirement_id)


def assignments_for(
    user: Actor, event: Event, *, officer: Officer | None = None, post: Post | None = None
) -> QuerySet[Assignment]:
    require(user, "planning.view", event)
    qs = Assignment.objects.filter(event=event).select_related("officer", "post", "skill")
    if officer is not None:
        qs = qs.filter(officer=officer)
    if post is not None:
        qs = qs.filter(post=post)
    return qs


def get_assignment_for(
    user: Actor, event: Event, assignment_id: Any, *, action: str = "planning.view"
) -> Assignment:
    require(user, action, event)
    return one_by_id(assignments_for(user, event).select_related("event"), assignment_id)


def get_rule_for(user: Actor, item: ProgrammeItem, rule_id: Any, *, action: str = "planning.view") -> Any:
    from antt.planning.models import RequirementRule

    require(user, action, item.event)
    return one_by_id(
        RequirementRule.objects.filter(programme_item=item).select_related("programme_item__event"), rule_id
    )


def rest_rules_for(user: Actor, event: Event) -> RestRules:
    """The event's rest rules (unsaved and all off when none were set)."""
    require(user, "planning.view", event)
    return RestRules.objects.filter(event=event).first() or RestRules(event=event)


# --- the assignment editor, my unit, my duties --------------------------------------------------------------


def officer_of(user: Actor, event: Event) -> Officer | None:
    """The officer ``user`` signs in as in ``event`` (None when the account is not linked)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Officer.objects.filter(event=event, user=cast("User", user)).select_related("unit").first()


def editor_requirement_for(user: Actor, event: Event, requirement_id: Any) -> Requirement:
    """A requirement for the editor (post, site and skill loaded); 404 when missing or hidden."""
    require(user, "planning.view", event)
    return one_by_id(
        Requirement.objects.filter(event=event).select_related(
            "event", "post__site", "skill", "programme_item"
        ),
        requirement_id,
    )


def editor_assignment_for(user: Actor, event: Event, assignment_id: Any) -> Assignment:
    """An assignment for the editor (officer, unit, post, site, skill and requirement loaded)."""
    require(user, "planning.view", event)
    return one_by_id(
        Assignment.objects.filter(event=event).select_related(
            "event", "officer__unit", "post__site", "skill"
        ),
        assignment_id,
    )


def shortfalls(findings: list[coverage.Finding]) -> dict[int, int]:
    """Requirement id → the largest shortfall of an uncovered finding it is part of."""
    short: dict[int, int] = {}
    for finding in findings:
        if finding.kind == coverage.FindingKind.UNCOVERED:
            for pk in finding.requirement_ids:
                short[pk] = max(short.get(pk, 0), finding.number("shortfall"))
    return short


def editor_requirements(
    event: Event,
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
    event: Event, unit_ids: set[int], *, starts_at: datetime, ends_at: datetime
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


def unit_keep(event: Event, unit_id: int) -> Any:
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
