"""Reads for the field side, with access checks: my officer, my duties, my post, live coverage.

Live coverage is computed from operations rows on top of the plan (assignments), in a handful of queries per
call, and is never cached by plan version: a check-in changes it, the plan's findings stay cached.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import Role, can, require
from antt.core.shortcache import MISSING, ShortCache
from antt.events import plan_versions
from antt.events.models import Event
from antt.forces.models import Officer
from antt.forces.queries import commanded_unit_ids
from antt.operations import proofs
from antt.operations.models import (
    CheckIn,
    FieldReport,
    OrdersAcknowledgement,
    PositionReport,
    PostProof,
    ReportPhoto,
)
from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, Site

DEFAULT_GRACE = timedelta(minutes=15)
DEFAULT_AWAY = timedelta(minutes=10)
ORDERS_HORIZON = timedelta(hours=12)  # unacknowledged orders for a duty starting within this are a finding


def officer_of(user: Any, event: Event) -> Officer | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return Officer.objects.filter(event=event, user=user).select_related("unit").first()


def _duties(officer: Officer) -> QuerySet[Assignment]:
    return Assignment.objects.filter(officer=officer).select_related("post", "post__site", "skill")


def duty_at(
    officer: Officer, post: Post, at: datetime, *, grace: timedelta = DEFAULT_GRACE
) -> Assignment | None:
    """The officer's duty at ``post`` whose window (start - grace … end + grace) holds ``at``."""
    return (
        _duties(officer)
        .filter(post=post, starts_at__lte=at + grace, ends_at__gte=at - grace)
        .order_by("starts_at")
        .first()
    )


def duty_now(officer: Officer, at: datetime, *, grace: timedelta = DEFAULT_GRACE) -> Assignment | None:
    return _duties(officer).filter(starts_at__lte=at + grace, ends_at__gte=at).order_by("starts_at").first()


def _instance(model: Any, db: str, **values: Any) -> Any:
    """``model`` as the ORM makes it from a row holding only ``values`` (the other fields deferred: loaded on
    first use, as with ``only``)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in values]  # from_db's order
    return model.from_db(db, names, [values[name] for name in names])


def reporter_now(
    user: Any, event: Event, at: datetime, *, grace: timedelta = DEFAULT_GRACE
) -> tuple[Officer | None, Assignment | None]:
    """The officer linked to ``user`` in ``event`` and their duty now (as ``duty_now``), with its post, site
    and programme item, from the officer's duties kept for the plan's version (``my_duty_windows``): on a
    phone's usual path one indexed query. Only the ids and each one's event (``writes.same_event``) are
    there; any other field is read on first use.

    Building the SQL of one query joining the duty, its post, site, requirement and programme item cost a
    report a quarter of its CPU (docs/field.md "Sixth round"), and a phone on duty sends a position batch every
    30 s, which keeps its duties in the process anyway."""
    officer_id, windows = my_duty_windows(user, event)
    if officer_id is None:
        return None, None
    db = Assignment.objects.db
    officer = _instance(Officer, db, id=officer_id, event_id=event.pk, user_id=user.pk)
    window = next((w for w in windows if w.starts_at <= at + grace and w.ends_at >= at), None)
    if window is None:
        return officer, None
    site = _instance(Site, db, id=window.site_id, event_id=window.site_event_id)
    post = _instance(Post, db, id=window.post_id, event_id=window.post_event_id, site_id=window.site_id)
    post.site = site
    duty = _instance(
        Assignment,
        db,
        id=window.assignment_id,
        event_id=window.event_id,
        officer_id=officer_id,
        post_id=window.post_id,
        requirement_id=window.requirement_id,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
    )
    duty.officer, duty.post = officer, post
    if window.requirement_id is not None:
        item_id = window.programme_item_id
        requirement = _instance(Requirement, db, id=window.requirement_id, programme_item_id=item_id)
        if item_id is not None:
            requirement.programme_item = _instance(
                ProgrammeItem, db, id=item_id, event_id=window.item_event_id
            )
        duty.requirement = requirement
    return officer, duty


@dataclass(frozen=True)
class DutyWindow:
    """One duty of an officer as a position batch and a report need it: ids, window, the post's geometry and
    radius, and the event of the duty, its post, site and programme item."""

    assignment_id: int
    post_id: int
    starts_at: datetime
    ends_at: datetime
    geometry: dict[str, Any] | None
    radius_m: int
    event_id: int
    post_event_id: int
    site_id: int
    site_event_id: int
    requirement_id: int | None
    programme_item_id: int | None
    item_event_id: int | None


# Each officer's duties, kept per process for position batches and reports while the event's plan version is
# the one they were read at: a phone sends a batch every 30 s, and its duties change only with the plan (every
# service that changes an assignment, a post or an officer moves the version on). What the version does not
# follow — a post's check-in radius, an officer's link to an account — is forgotten at once when saved in
# this process (the app's signals) and within ``DUTY_CACHE_SECONDS`` elsewhere.
DUTY_WINDOWS = ShortCache(settings.DUTY_CACHE_SECONDS, size=20_000)

_WINDOW_COLUMNS = (
    "officer_id",
    "pk",
    "post_id",
    "starts_at",
    "ends_at",
    "post__geometry",
    "post__proof__radius_m",
    "event_id",
    "post__event_id",
    "post__site_id",
    "post__site__event_id",
    "requirement_id",
    "requirement__programme_item_id",
    "requirement__programme_item__event_id",
)


def my_duty_windows(user: Any, event: Event) -> tuple[int | None, tuple[DutyWindow, ...]]:
    """The id of the officer linked to ``user`` in ``event`` (None when there is none) and all their duties
    in the event, by start: one indexed query of the plan's version when this process read them at that
    version, two or three queries when not."""
    if not getattr(user, "is_authenticated", False):
        return None, ()
    version = plan_versions.identity(event)
    key = (event.pk, user.pk)
    found = DUTY_WINDOWS.get(key)
    if found is not MISSING and found[0] == version:
        return found[1]
    default_radius = PostProof._meta.get_field("radius_m").get_default()
    rows = list(
        Assignment.objects.filter(officer__event=event, officer__user=user)
        .order_by("starts_at", "pk")
        .values_list(*_WINDOW_COLUMNS)
    )
    windows = tuple(
        DutyWindow(
            pk,
            post_id,
            starts,
            ends,
            geometry,
            default_radius if radius is None else int(radius),
            *rest,
        )
        for _officer, pk, post_id, starts, ends, geometry, radius, *rest in rows
    )
    officer_id = (
        rows[0][0]
        if windows
        else Officer.objects.filter(event=event, user=user).values_list("pk", flat=True).first()
    )
    value = (officer_id, windows)
    DUTY_WINDOWS.put(key, (version, value))
    return value


def duties_between(officer: Officer, start: datetime, end: datetime) -> list[Assignment]:
    return list(_duties(officer).filter(starts_at__lte=end, ends_at__gte=start))


def programme_item_of(assignment: Assignment) -> ProgrammeItem | None:
    requirement = assignment.requirement if assignment.requirement_id else None
    return requirement.programme_item if requirement is not None else None


@dataclass
class Duty:
    assignment: Assignment
    orders_digest: str
    acknowledged: bool
    checked_in: bool
    last_check: CheckIn | None
    colleagues: list[str] = field(default_factory=list)
    proof: PostProof | None = None


def proof_radii(post_ids: list[int]) -> dict[int, int]:
    """The check-in radius (m) of each post; a post whose proof settings are not made yet has the default."""
    default = PostProof._meta.get_field("radius_m").get_default()
    found = dict(PostProof.objects.filter(post_id__in=post_ids).values_list("post_id", "radius_m"))
    return {pk: found.get(pk, default) for pk in post_ids}


def my_duties(user: Any, event: Event, now: datetime) -> tuple[Officer | None, list[Duty]]:
    """The signed-in officer's duties now and next (ending after ``now``, the next 36 hours), with their
    orders' state, check-ins and who else is at the post."""
    require(user, "operations.report", event)
    officer = officer_of(user, event)
    if officer is None:
        return None, []
    assignments = list(
        _duties(officer)
        .filter(ends_at__gt=now, starts_at__lt=now + timedelta(hours=36))
        .order_by("starts_at")[:10]
    )
    post_ids = {a.post_id for a in assignments}
    acks = set(
        OrdersAcknowledgement.objects.filter(officer=officer, post_id__in=post_ids).values_list(
            "post_id", "orders_digest"
        )
    )
    checks: dict[int, CheckIn] = {}
    for check in CheckIn.objects.filter(assignment__in=assignments).order_by("at", "pk"):
        checks[check.assignment_id] = check  # type: ignore[index]
    others: dict[int, list[str]] = defaultdict(list)
    for a in assignments:
        colleagues = (
            Assignment.objects.filter(post_id=a.post_id, starts_at__lt=a.ends_at, ends_at__gt=a.starts_at)
            .exclude(officer=officer)
            .values_list("officer__rank", "officer__full_name", "officer__call_sign")[:12]
        )
        others[a.pk] = [" ".join(part for part in row if part) for row in colleagues]
    proofs_by_post = {p.post_id: p for p in PostProof.objects.filter(post_id__in=post_ids)}
    duties = []
    for a in assignments:
        digest = proofs.orders_digest(a.post.orders)
        last = checks.get(a.pk)
        duties.append(
            Duty(
                assignment=a,
                orders_digest=digest,
                acknowledged=(a.post_id, digest) in acks,
                checked_in=last is not None and last.kind in (CheckIn.Kind.IN, CheckIn.Kind.TOUR),
                last_check=last,
                colleagues=others[a.pk],
                proof=proofs_by_post.get(a.post_id),
            )
        )
    return officer, duties


def get_my_post_for(user: Any, event: Event, post_id: Any) -> Post:
    """A post the signed-in officer has a duty at (any time in the event); 404 otherwise."""
    require(user, "operations.report", event)
    officer = officer_of(user, event)
    post = Post.objects.filter(event=event, pk=id_or_not_found(post_id)).select_related("site").first()
    if post is None:
        raise not_found()
    if can(user, "operations.view", event):
        return post
    if officer is None or not Assignment.objects.filter(officer=officer, post=post).exists():
        raise not_found()
    return post


def get_post_for_settings(event: Event, post_id: Any) -> Post:
    """A post of ``event`` (the caller checked the permission); 404 otherwise."""
    post = Post.objects.filter(event=event, pk=id_or_not_found(post_id)).select_related("site").first()
    if post is None:
        raise not_found()
    return post


def get_code_post_for(user: Any, event: Event, post_id: Any) -> Post:
    """A post whose rotating code ``user`` may show: the operations room, planners, and unit commanders for
    posts where their units stand."""
    allowed = any(
        can(user, a, event) for a in ("operations.dispatch", "planning.change", "planning.assign_own_unit")
    )
    if not allowed:
        require(user, "operations.dispatch", event)
    post = Post.objects.filter(event=event, pk=id_or_not_found(post_id)).first()
    if post is None:
        raise not_found()
    membership = event.membership_for(user)
    if membership is not None and membership.role == Role.UNIT_COMMANDER:
        units = commanded_unit_ids(user, event)
        if not Assignment.objects.filter(post=post, officer__unit_id__in=units).exists():
            raise not_found()
    return post


def get_photo_for(user: Any, event: Event, photo_id: Any) -> ReportPhoto:
    """A report photo, for those allowed to see the incident: the operations room (``operations.view``) and
    the officer who sent it. 404 for everyone else."""
    require(user, "event.view", event)
    photo = (
        ReportPhoto.objects.filter(report__event=event, pk=id_or_not_found(photo_id))
        .select_related("report")
        .first()
    )
    if photo is None:
        raise not_found()
    if photo.report.user_id == user.pk or can(user, "operations.view", event):
        return photo
    raise not_found()


def my_reports(user: Any, event: Event, *, limit: int = 20) -> list[FieldReport]:
    require(user, "operations.report", event)
    return list(
        FieldReport.objects.filter(event=event, user=user)
        .select_related("incident", "category")
        .prefetch_related("photos")
        .order_by("-received_at", "-pk")[:limit]
    )


# --- live coverage ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LiveFinding:
    kind: str  # no_show | left_post | checked_out_early | orders_not_acknowledged
    assignment_id: int
    officer: str
    officer_id: int
    post: str
    post_id: int
    since: datetime

    @property
    def label(self) -> str:
        return str(LIVE_LABELS[self.kind])


LIVE_LABELS = {
    "no_show": _("No-show at post"),
    "left_post": _("Left post"),
    "checked_out_early": _("Checked out early"),
    "orders_not_acknowledged": _("Post orders not acknowledged"),
}


@dataclass
class PostNow:
    post: Post
    planned: int = 0
    present: int = 0
    weak: int = 0
    findings: list[LiveFinding] = field(default_factory=list)


def _scope(user: Any, event: Event) -> set[int] | None:
    """None: every unit; else the unit ids a unit commander sees."""
    require(user, "operations.view", event)
    membership = event.membership_for(user)
    if membership is not None and membership.role == Role.UNIT_COMMANDER:
        return commanded_unit_ids(user, event)
    return None


def live_coverage(user: Any, event: Event, now: datetime) -> tuple[list[PostNow], list[LiveFinding]]:
    """Planned vs present per post at ``now``, and the live findings (no-show, left post, checked out early,
    orders not acknowledged), for the units ``user`` sees. Six queries whatever the size."""
    units = _scope(user, event)
    window = Q(starts_at__lte=now + ORDERS_HORIZON, ends_at__gt=now)
    assignments = Assignment.objects.filter(window, event=event).select_related("post", "officer")
    if units is not None:
        assignments = assignments.filter(officer__unit_id__in=units)
    rows = list(assignments.order_by("post__code", "starts_at"))
    ids = [a.pk for a in rows]
    post_ids = {a.post_id for a in rows}
    settings_ = {p.post_id: p for p in PostProof.objects.filter(post_id__in=post_ids)}
    last_check: dict[int, CheckIn] = {}
    for row in CheckIn.objects.filter(assignment_id__in=ids).order_by("at", "pk"):
        last_check[row.assignment_id] = row  # type: ignore[index]
    acks = set(
        OrdersAcknowledgement.objects.filter(
            officer_id__in={a.officer_id for a in rows}, post_id__in=post_ids
        ).values_list("officer_id", "post_id", "orders_digest")
    )
    last_inside = dict(
        PositionReport.objects.filter(assignment_id__in=ids, inside=True)
        .values("assignment_id")
        .annotate(t=Max("device_time"))
        .values_list("assignment_id", "t")
    )
    outside = list(
        PositionReport.objects.filter(
            assignment_id__in=ids, inside=False, device_time__gte=now - timedelta(hours=6)
        )
        .values_list("assignment_id", "device_time")
        .order_by("device_time")
    )
    first_out: dict[int, datetime] = {}
    for assignment_id, t in outside:
        inside_at = last_inside.get(assignment_id)
        if (inside_at is None or t > inside_at) and assignment_id not in first_out:
            first_out[assignment_id] = t
    per_post: dict[int, PostNow] = {}
    findings: list[LiveFinding] = []
    for a in rows:
        proof = settings_.get(a.post_id)
        grace = timedelta(minutes=proof.grace_minutes) if proof else DEFAULT_GRACE
        away = timedelta(minutes=proof.away_minutes) if proof else DEFAULT_AWAY
        active = a.starts_at <= now < a.ends_at
        entry = per_post.setdefault(a.post_id, PostNow(post=a.post))

        def finding(kind: str, since: datetime, a: Assignment = a) -> None:
            item = LiveFinding(kind, a.pk, str(a.officer), a.officer_id, str(a.post), a.post_id, since)
            findings.append(item)
            per_post[a.post_id].findings.append(item)

        if a.post.orders and (a.officer_id, a.post_id, proofs.orders_digest(a.post.orders)) not in acks:
            finding("orders_not_acknowledged", a.starts_at)
        if not active:
            continue
        entry.planned += 1
        check = last_check.get(a.pk)
        present = check is not None and check.kind in (CheckIn.Kind.IN, CheckIn.Kind.TOUR)
        if present and check is not None:
            entry.present += 1
            entry.weak += 0 if check.is_strong else 1
            out_since = first_out.get(a.pk)
            if out_since is not None and now - out_since >= away:
                finding("left_post", out_since)
        elif check is not None and check.kind == CheckIn.Kind.OUT and check.at < a.ends_at - grace:
            finding("checked_out_early", check.at)
        elif check is None and now >= a.starts_at + grace:
            finding("no_show", a.starts_at + grace)
    return sorted(per_post.values(), key=lambda p: p.post.code), findings


def unit_check_ins(user: Any, event: Event, *, limit: int = 200) -> QuerySet[CheckIn]:
    """Check-ins the person may see: all for the operations room, their units' for a unit commander."""
    units = _scope(user, event)
    qs = CheckIn.objects.filter(event=event).select_related("officer", "post").order_by("-at", "-pk")
    if units is not None:
        qs = qs.filter(officer__unit_id__in=units)
    return qs[:limit]
