"""From database rows to the dispatch ranking (``dispatch.suggest``) and back to rows a page shows.

A handful of queries whatever the size of the event, each reading only what the ranking needs: the officers
on duty now who hold a skill the category needs (assignments covering the instant, with their unit), which of
those skills they hold, the active responders, the points of their posts, and for those posts only the
officers on duty there and the headcount their requirements ask for now.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from antt.forces.models import Officer, OfficerSkill
from antt.operations import presence
from antt.operations.dispatch import Candidate, PostLoad, Suggestion, centroid, suggest
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
            duty = list(
                Assignment.objects.filter(event=event, starts_at__lte=at, ends_at__gt=at, post_id__in=posts)
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


def _valid_skills(event: Any, skills: list[str], on: Any) -> Any:
    return OfficerSkill.objects.filter(officer__event=event, skill__code__in=skills).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


def skill_holders(event: Any, skills: list[str], on: Any) -> dict[int, frozenset[str]]:
    """Officer id → which of ``skills`` they hold, valid on the day ``on``."""
    if not skills:
        return {}
    holders: dict[int, set[str]] = {}
    for officer_id, code in _valid_skills(event, skills, on).values_list("officer_id", "skill__code"):
        holders.setdefault(officer_id, set()).add(code)
    return {k: frozenset(v) for k, v in holders.items()}


def duty_with_units(event: Any, at: datetime, skills: list[str]) -> list[tuple[int, int, int | None]]:
    """(officer, post, unit) of every assignment covering ``at`` — with ``skills``, only of the officers
    holding at least one of them (the ranking keeps those holding all): one query, a few rows per holder
    instead of every officer on duty."""
    rows = Assignment.objects.filter(event=event, starts_at__lte=at, ends_at__gt=at)
    if skills:
        holders = _valid_skills(event, skills, timezone.localdate(at)).values("officer_id")
        rows = rows.filter(officer_id__in=holders)
    return list(rows.order_by().values_list("officer_id", "post_id", "officer__unit_id"))


def candidates(
    event: Any, at: datetime, skills: list[str], *, duty: list[tuple[int, int, int | None]] | None = None
) -> list[Candidate]:
    """Officers on duty now who hold at least one of ``skills`` (everyone on duty without skills), with the
    needed skills they hold and their position."""
    duty = duty_with_units(event, at, skills) if duty is None else duty
    pairs = [(officer_id, post_id) for officer_id, post_id, _ in duty]
    positions = presence.last_positions(event, at, duty=pairs)
    holders = skill_holders(event, skills, timezone.localdate(at)) if skills else {}
    empty: frozenset[str] = frozenset()
    seen: set[int] = set()
    out = []
    for officer_id, post_id, unit_id in duty:
        if officer_id in seen:
            continue
        seen.add(officer_id)
        out.append(
            Candidate(
                officer_id=officer_id,
                unit_id=unit_id or 0,
                skills=holders.get(officer_id, empty),
                position=positions.get(officer_id),
                post_id=post_id,
            )
        )
    return out


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
    """The best responders for ``incident`` now, with their officer and post rows for display."""
    at = at or timezone.now()
    event = incident.event
    committed = committed_officers(event)
    skills = list(incident.category.skill_codes or [])
    duty = duty_with_units(event, at, skills)
    found = candidates(event, at, skills, duty=duty)
    # What each candidate's post loses: only their posts (every officer on duty there, not only holders).
    where = {c.post_id for c in found if c.post_id is not None} if skills else None
    every = None if skills else [(officer_id, post_id) for officer_id, post_id, _ in duty]
    ranked = suggest(
        target=incident_point(incident),
        skills=skills,
        candidates=found,
        committed=committed,
        posts=post_loads(event, at, committed=committed, duty=every, posts=where),
        limit=limit,
    )
    officers = Officer.objects.select_related("unit").in_bulk([s.officer_id for s in ranked])
    posts = Post.objects.in_bulk([s.post_id for s in ranked if s.post_id])
    return [
        SuggestionRow(s, officers[s.officer_id], posts.get(s.post_id) if s.post_id else None)
        for s in ranked
        if s.officer_id in officers
    ]
