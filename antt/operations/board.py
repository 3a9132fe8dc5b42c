"""What the live board shows, read in a bounded number of queries whatever the size of the day.

Incidents open, by priority then age (SOS first); escalations not acknowledged; posts with their live
state (present / late / absent / left post, against their headcount now); units and their status; the
programme items running; open coverage gaps. The same rows feed the page, its live partial (pushed over
the WebSocket, polled by htmx when sockets are blocked) and the map's GeoJSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from antt.forces.models import Unit
from antt.operations import dispatch_input, escalation, live, presence
from antt.operations.dispatch import centroid
from antt.operations.models import CoverageGap, Incident, Responder
from antt.planning.models import Post, ProgrammeItem

OPEN = ("reported", "acknowledged", "dispatched", "on_scene")
POST_LIMIT = 200  # posts listed on the board (the map shows them all); the worst first


@dataclass
class PostRow:
    post: Post
    present: int
    required: int
    left: int
    late: int
    state: str

    @property
    def state_label(self) -> str:
        return str(POST_STATES.get(self.state, self.state))


POST_STATES = {
    "present": gettext_lazy("present"),
    "late": gettext_lazy("late"),
    "absent": gettext_lazy("absent"),
    "left": gettext_lazy("left post"),
    "idle": gettext_lazy("no duty now"),
}


@dataclass
class UnitRow:
    unit: Unit
    on_duty: int
    committed: int
    whole_unit_sent: bool

    @property
    def status(self) -> str:
        if self.whole_unit_sent:
            return _("committed (whole unit)")
        if self.committed:
            return _("%(n)d committed") % {"n": self.committed}
        return _("available") if self.on_duty else _("off duty")


@dataclass
class Board:
    now: datetime
    sos: list[Incident]
    incidents: list[Incident]
    escalations: list[Any]
    gaps: list[CoverageGap]
    posts: list[PostRow]
    units: list[UnitRow]
    programme: list[ProgrammeItem]
    last_seq: int
    counts: dict[str, int] = field(default_factory=dict)


def _age_minutes(incident: Incident, now: datetime) -> int:
    return max(0, int((now - incident.reported_at).total_seconds() // 60))


def open_incidents(event: Any) -> list[Incident]:
    return list(
        Incident.objects.filter(event=event, status__in=OPEN)
        .select_related("category", "post", "site")
        .annotate(active=Count("responders", filter=Q(responders__status__in=Responder.ACTIVE)))
        .order_by("priority", "reported_at", "pk")[:300]
    )


def post_rows(event: Any, now: datetime, committed: set[int]) -> list[PostRow]:
    loads = dispatch_input.post_loads(event, now, committed=committed)
    present = presence.present_officers(event, now)
    check_ins = presence.check_ins(event, now)
    posts = Post.objects.filter(event=event, pk__in=list(loads)).select_related("site").in_bulk()
    rows = []
    for pk, load in loads.items():
        officers = present.get(pk, set())
        left = len(officers & committed)
        late = 0 if check_ins is None else len([o for o in officers - committed if o not in check_ins])
        if left:
            state = "left"
        elif load.required and load.present < load.required:
            state = "absent"
        elif late:
            state = "late"
        elif load.present or load.required:
            state = "present"
        else:
            state = "idle"
        if pk in posts:
            rows.append(PostRow(posts[pk], load.present - late, load.required, left, late, state))
    order = {"left": 0, "absent": 1, "late": 2, "present": 3, "idle": 4}
    rows.sort(key=lambda r: (order[r.state], r.post.code))
    return rows


def unit_rows(event: Any, now: datetime, committed: set[int]) -> list[UnitRow]:
    on_duty: dict[int, set[int]] = {}
    duty = presence.duty_posts(event, now)
    from antt.forces.models import Officer

    unit_of = dict(Officer.objects.filter(event=event).values_list("pk", "unit_id"))
    for officer_id, _post_id in duty:
        on_duty.setdefault(unit_of.get(officer_id, 0), set()).add(officer_id)
    sent: dict[int, int] = {}
    for officer_id in committed:
        unit_id = unit_of.get(officer_id, 0)
        sent[unit_id] = sent.get(unit_id, 0) + 1
    whole = dispatch_input.committed_units(event)
    wanted = set(on_duty) | set(sent) | whole
    units = Unit.objects.filter(event=event, pk__in=wanted).order_by("code")[:100]
    return [UnitRow(u, len(on_duty.get(u.pk, ())), sent.get(u.pk, 0), u.pk in whole) for u in units]


def running_programme(event: Any, now: datetime) -> list[ProgrammeItem]:
    return list(
        ProgrammeItem.objects.filter(
            event=event, starts_at__lte=now + timedelta(minutes=30), ends_at__gt=now
        ).order_by("starts_at", "pk")[:20]
    )


def board(event: Any, *, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    incidents = open_incidents(event)
    for incident in incidents:
        incident.age_minutes = _age_minutes(incident, now)  # type: ignore[attr-defined]
    sos = [i for i in incidents if i.source == Incident.Source.SOS and i.status == Incident.Status.REPORTED]
    rest = [i for i in incidents if i not in sos]
    committed = dispatch_input.committed_officers(event)
    gaps = list(
        CoverageGap.objects.filter(event=event, status=CoverageGap.Status.OPEN)
        .select_related("post", "officer", "incident")
        .order_by("created_at")[:100]
    )
    posts = post_rows(event, now, committed)
    return Board(
        now=now,
        sos=sos,
        incidents=rest,
        escalations=escalation.open_escalations(event),
        gaps=gaps,
        posts=posts[:POST_LIMIT],
        units=unit_rows(event, now, committed),
        programme=running_programme(event, now),
        last_seq=live.last_seq(event.pk),
        counts={
            "open": len(incidents),
            "p1": len([i for i in incidents if i.priority == 1]),
            "posts_short": len([p for p in posts if p.state in ("left", "absent")]),
            "posts": len(posts),
        },
    )


def map_features(event: Any, *, now: datetime | None = None) -> dict[str, Any]:
    """GeoJSON for the board's map: posts (live state), open incidents, officers' last positions."""
    now = now or timezone.now()
    committed = dispatch_input.committed_officers(event)
    features: list[dict[str, Any]] = []
    states = {row.post.pk: row for row in post_rows(event, now, committed)}
    for pk, code, name_vi, name_en, geometry, site_geometry in Post.objects.filter(event=event).values_list(
        "pk", "code", "name_vi", "name_en", "geometry", "site__geometry"
    ):
        point = centroid(geometry) or centroid(site_geometry)
        if point is None:
            continue
        row = states.get(pk)
        features.append(
            _point(
                point,
                layer="post",
                id=pk,
                code=code,
                name=name_en if _lang() == "en" else name_vi,
                state=row.state if row else "idle",
                state_label=row.state_label if row else str(POST_STATES["idle"]),
                present=row.present if row else 0,
                required=row.required if row else 0,
            )
        )
    for incident in open_incidents(event):
        point = dispatch_input.incident_point(incident)
        if point is None:
            continue
        features.append(
            _point(
                point,
                layer="incident",
                id=incident.pk,
                label=f"VV-{incident.number:04d}",
                name=incident.summary,
                priority=incident.priority,
                status=incident.status,
                status_label=incident.get_status_display(),
                sos=incident.source == Incident.Source.SOS,
                url=reverse("operations:incident", args=[event.code, incident.pk]),
            )
        )
    for officer_id, point in presence.last_positions(event, now).items():
        features.append(_point(point, layer="position", id=officer_id, committed=officer_id in committed))
    return {"type": "FeatureCollection", "features": features}


def _lang() -> str:
    from antt.core.languages import current_language

    return current_language()


def _point(point: tuple[float, float], **props: Any) -> dict[str, Any]:
    lat, lon = point
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": props}
