"""From database rows to the dispatch ranking (``dispatch.suggest``) and back to rows a page shows.

A handful of queries whatever the size of the event, each reading only what the ranking needs: the officers
on duty now who hold a skill the category needs (assignments covering the instant, with their unit), which of
those skills they hold, the active responders, the points of their posts, and for those posts only the
officers on duty there and the headcount their requirements ask for now.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from antt.forces.models import Officer
from antt.operations import presence
from antt.operations.dispatch import Candidate, PostLoad, Suggestion, centroid, suggest, within_reach
from antt.operations.models import Incident, Responder
from antt.planning.models import Assignment, Post, Requirement


def committed_officers(event: Any) -> set[int]:
    """Officers sent to an incident and not released (on their own or with their whole unit)."""
    active = Responder.objects.filter(incident__event=event, status__in=Responder.ACTIVE)
    officers = set(active.filter(officer__isnull=False).values_list("officer_id", flat=True))
    units = set(active.filter(unit__isnull=False).values_list("unit_id", flat=True))
    if units:
        officers |= set(Officer.objects.filter(unit_id__in=units).values_list("pk", flat=True))
    return officers


def committed_units(event: Any) -> set[int]:
    return set(
        Responder.objects.filter(
            incident__event=event, status__in=Responder.ACTIVE, unit__isnull=False
        ).values_list("unit_id", flat=True)
    )


def post_loads(
    event: Any,
    at: datetime,
    *,
    committed: set[int] | None = None,
    duty: list[tuple[int, int]] | None = None,
    posts: Collection[int] | None = None,
) -> dict[int, PostLoad]:
    """Post id → officers present now (not sent away) and the headcount its requirements ask for now; only
    ``posts`` when given (``duty`` must then hold every officer on duty at them, or be left out)."""
    committed = committed_officers(event) if committed is None else committed
    requirements = Requirement.objects.filter(event=event, starts_at__lte=at, ends_at__gt=at)
    if posts is not None:
        posts = list(posts)
        requirements = requirements.filter(post_id__in=posts)
        if duty is None:
            # By post (a post is one event's): a few rows through the post index, not the event's window.
            duty = list(
                Assignment.objects.filter(post_id__in=posts, starts_at__lte=at, ends_at__gt=at)
                .order_by()
                .values_list("officer_id", "post_id")
            )
    required = dict(requirements.values("post_id").annotate(n=Sum("headcount")).values_list("post_id", "n"))
    present = presence.present_officers(event, at, duty=duty)
    keys = set(required) | set(present)
    return {
        pk: PostLoad(present=len(present.get(pk, set()) - committed), required=int(required.get(pk, 0)))
        for pk in keys
    }


def incident_point(incident: Incident) -> tuple[float, float] | None:
    """Where the incident is: its own point, else its post's, else its site's."""
    post, site = incident.post, incident.site
    for geometry in (
        incident.location,
        post.geometry if post is not None else None,
        site.geometry if site is not None else None,
        post.site.geometry if post is not None else None,
    ):
        point = centroid(geometry)
        if point is not None:
            return point
    return None


def on_duty_holding(
    event: Any, at: datetime, skills: list[str]
) -> tuple[dict[int, int], dict[int, frozenset[str]]]:
    """Officer → their post (the first assignment covering ``at`` wins), and officer → the ``skills`` they
    hold, of the officers on duty holding every one of ``skills`` (everyone on duty without skills)."""
    if not skills:
        duty = (
            Assignment.objects.filter(event=event, starts_at__lte=at, ends_at__gt=at)
            .order_by()  # the model's ordering would sort every row for nothing
            .values_list("officer_id", "post_id")
        )
        return dict(reversed(list(duty))), {}
    # One query from the event's skills: their valid holders (a few), then each one's assignment covering
    # ``at`` (through the officer index). The skill's event is the event; the assignment's is the officer's.
    valid = Q(officer__skills__expires_on__isnull=True) | Q(
        officer__skills__expires_on__gte=timezone.localdate(at)
    )
    rows = (
        Assignment.objects.filter(starts_at__lte=at, ends_at__gt=at)
        .filter(Q(officer__skills__skill__event=event, officer__skills__skill__code__in=skills) & valid)
        .order_by()
        .values_list("officer_id", "post_id", "officer__skills__skill__code")
    )
    post_of: dict[int, int] = {}
    codes: dict[int, set[str]] = {}
    for officer_id, post_id, code in rows:
        post_of.setdefault(officer_id, post_id)
        codes.setdefault(officer_id, set()).add(code)
    needed = set(skills)
    held = {pk: frozenset(c) for pk, c in codes.items() if needed <= c}
    return {pk: post_of[pk] for pk in held}, held


def positions_of(event: Any, at: datetime, post_of: dict[int, int]) -> dict[int, tuple[float, float] | None]:
    """Officer → their last position: a fresh report from their phone, else their post's point (``None``
    when neither is known)."""
    posts = set(post_of.values())
    # A few posts by id; beyond that, every post of the event in one read (no list of thousands of ids).
    points = presence.post_points(event, posts=posts if len(posts) <= 500 else None)
    positions = {pk: points.get(post_id) for pk, post_id in post_of.items()}
    positions.update(
        (pk, point) for pk, point in presence.fresh_positions(event, at).items() if pk in positions
    )
    return positions


def candidates(event: Any, at: datetime, skills: list[str]) -> list[Candidate]:
    """Every officer on duty now holding all of ``skills``, with their unit, skills, position and post (the
    ranking's whole input; ``suggestions_for`` builds it only for the officers within reach)."""
    post_of, held = on_duty_holding(event, at, skills)
    positions = positions_of(event, at, post_of)
    units = dict(Officer.objects.filter(event=event).values_list("pk", "unit_id"))
    empty: frozenset[str] = frozenset()
    return [
        Candidate(pk, units.get(pk) or 0, held.get(pk, empty), positions[pk], post_id)
        for pk, post_id in post_of.items()
    ]


@dataclass(frozen=True)
class SuggestionRow:
    suggestion: Suggestion
    officer: Officer
    post: Post | None

    @property
    def eta_minutes(self) -> int | None:
        eta = self.suggestion.eta_seconds
        return None if eta is None else max(1, round(eta / 60))


def suggestions_for(incident: Incident, *, at: datetime | None = None, limit: int = 8) -> list[SuggestionRow]:
    """The best responders for ``incident`` now, with their officer and post rows for display.

    Reads the officers on duty as (officer, post) pairs (the holders of a needed skill only), ranks their
    points by distance, and reads the posts' loads, units and rows only for the few within reach."""
    at = at or timezone.now()
    event = incident.event
    committed = committed_officers(event)
    skills = list(incident.category.skill_codes or [])
    post_of, held = on_duty_holding(event, at, skills)
    for pk in committed:
        post_of.pop(pk, None)
    positions = positions_of(event, at, post_of)
    target = incident_point(incident)
    empty: frozenset[str] = frozenset()
    found = [
        Candidate(pk, 0, held.get(pk, empty), positions[pk], post_of[pk])
        for pk in within_reach(target, positions, limit)
    ]
    ranked = suggest(
        target=target,
        skills=skills,
        candidates=found,
        committed=committed,
        # What each one's post loses, counted with every officer on duty there (not only holders).
        posts=post_loads(event, at, committed=committed, posts={post_of[c.officer_id] for c in found}),
        limit=limit,
    )
    officers = Officer.objects.select_related("unit").in_bulk([s.officer_id for s in ranked])
    posts = Post.objects.in_bulk([s.post_id for s in ranked if s.post_id])
    return [
        SuggestionRow(
            replace(s, unit_id=officers[s.officer_id].unit_id or 0),
            officers[s.officer_id],
            posts.get(s.post_id) if s.post_id else None,
        )
        for s in ranked
        if s.officer_id in officers
    ]
