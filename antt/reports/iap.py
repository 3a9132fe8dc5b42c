"""The Incident Action Plan's content, assembled from the plan: ICS 202, 203, 204, 205, 206 and a map page.

``build_content`` returns plain JSON (names in both languages, times as ISO strings) so that a version is a
frozen snapshot with a SHA-256, rendered later in either language. Nothing here writes.
"""

from __future__ import annotations

import hashlib
import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from antt.audit.services import canonical_json
from antt.forces.models import Officer, Unit
from antt.planning.models import Assignment, Post, ProgrammeItem, Site
from antt.plans.models import Plan
from antt.reports.models import Iap, RadioChannel

SECTIONS = ("ics202", "ics203", "ics204", "ics205", "ics206", "map")
EXCERPT = 1200  # characters of a plan's text quoted in ICS 202


def content_hash(content: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


def point_of(geometry: Any) -> tuple[float, float] | None:
    """A representative (lon, lat) of a GeoJSON geometry: the point, or the mean of its positions."""
    if not isinstance(geometry, dict):
        return None
    positions: list[tuple[float, float]] = []

    def walk(value: Any) -> None:
        if (
            isinstance(value, list | tuple)
            and len(value) >= 2
            and all(isinstance(v, int | float) for v in value[:2])
        ):
            positions.append((float(value[0]), float(value[1])))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    walk(geometry.get("coordinates"))
    if not positions:
        return None
    return (sum(p[0] for p in positions) / len(positions), sum(p[1] for p in positions) / len(positions))


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(h))


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _names(obj: Any) -> dict[str, str]:
    return {"code": obj.code, "name_vi": obj.name_vi, "name_en": obj.name_en}


def ics202(event: Any, start: datetime, end: datetime) -> dict[str, Any]:
    """Objectives (approved plans) and command emphasis (approved contingency plans), key activities."""
    plans = Plan.objects.filter(event=event, approved_version__isnull=False).select_related(
        "approved_version"
    )
    objectives: list[dict[str, Any]] = []
    emphasis: list[dict[str, Any]] = []
    for plan in plans.order_by("kind", "code"):
        version = plan.approved_version
        assert version is not None
        row = {
            "code": plan.code,
            "version": version.number,
            "title_vi": version.title_vi,
            "title_en": version.title_en,
            "text_vi": version.body_vi[:EXCERPT],
            "text_en": version.body_en[:EXCERPT],
            "trigger_vi": version.trigger_vi,
            "trigger_en": version.trigger_en,
            "tasks": len(version.tasks),
        }
        (emphasis if plan.kind == Plan.Kind.CONTINGENCY else objectives).append(row)
    items = ProgrammeItem.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start).order_by(
        "starts_at", "pk"
    )
    activities = [
        {**_names(i), "kind": i.kind, "starts_at": _iso(i.starts_at), "ends_at": _iso(i.ends_at)}
        for i in items
    ]
    return {"objectives": objectives, "emphasis": emphasis, "activities": activities}


def ics203(event: Any) -> dict[str, Any]:
    """The organization: every unit, its parent, commander and call sign, and how many officers it has."""
    counts: dict[int, int] = defaultdict(int)
    for unit_id in (
        Officer.objects.filter(event=event).values_list("unit_id", flat=True).iterator(chunk_size=5000)
    ):
        counts[unit_id] += 1
    units = Unit.objects.filter(event=event).select_related("parent", "commander").order_by("code", "pk")
    rows = []
    for unit in units:
        commander = unit.commander
        rows.append(
            {
                **_names(unit),
                "parent": unit.parent.code if unit.parent else "",
                "commander": f"{commander.rank} {commander.full_name}".strip() if commander else "",
                "call_sign": commander.call_sign if commander else "",
                "officers": counts.get(unit.pk, 0),
            }
        )
    return {"units": rows}


def ics204(
    event: Any, start: datetime, end: datetime, progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """The assignment list per unit: post, window, officer and call sign; the post orders of those posts."""
    rows = (
        Assignment.objects.filter(event=event, starts_at__lt=end, ends_at__gt=start)
        .order_by("officer__unit__code", "post__code", "starts_at", "officer__code", "pk")
        .values_list(
            "officer__unit__code",
            "officer__unit__name_vi",
            "officer__unit__name_en",
            "post__code",
            "post__name_vi",
            "post__name_en",
            "post__site__code",
            "starts_at",
            "ends_at",
            "officer__code",
            "officer__rank",
            "officer__full_name",
            "officer__call_sign",
        )
    )
    groups: dict[str, dict[str, Any]] = {}
    posts: set[str] = set()
    for n, (ucode, uvi, uen, pcode, pvi, pen, scode, s, e, ocode, rank, name, call) in enumerate(
        rows.iterator(chunk_size=5000)
    ):
        group = groups.setdefault(ucode, {"code": ucode, "name_vi": uvi, "name_en": uen, "rows": []})
        group["rows"].append(
            [pcode, pvi, pen, scode, _iso(s), _iso(e), ocode, f"{rank} {name}".strip(), call]
        )
        posts.add(pcode)
        if progress and n % 5000 == 4999:
            progress(n + 1)
    orders = [
        {"code": p.code, "name_vi": p.name_vi, "name_en": p.name_en, "orders": p.orders}
        for p in Post.objects.filter(event=event, code__in=posts).exclude(orders="").order_by("code")
    ]
    return {"units": list(groups.values()), "orders": orders}


def ics205(event: Any) -> dict[str, Any]:
    channels = (
        RadioChannel.objects.filter(event=event).select_related("unit").order_by("function", "name", "pk")
    )
    return {
        "channels": [
            {
                "function": c.function,
                "name": c.name,
                "talk_group": c.talk_group,
                "frequency": c.frequency,
                "call_sign": c.call_sign,
                "phone": c.phone,
                "unit": c.unit.code if c.unit else "",
                "remarks": c.remarks,
            }
            for c in channels
        ]
    }


def _anchors(sites: Iterable[Site]) -> list[tuple[str, tuple[float, float]]]:
    """The places distances are measured from: venues (else any non-hospital site with a position)."""
    placed = [(s, point_of(s.geometry)) for s in sites if s.kind != Site.Kind.HOSPITAL]
    venues = [(s.code, p) for s, p in placed if p and s.kind == Site.Kind.VENUE]
    return venues or [(s.code, p) for s, p in placed if p]


def ics206(event: Any, start: datetime, end: datetime) -> dict[str, Any]:
    """Medical posts, hospitals among the sites with the distance to the nearest venue, ambulance standby."""
    sites = list(Site.objects.filter(event=event).order_by("code", "pk"))
    anchors = _anchors(sites)
    hospitals = []
    for site in sites:
        if site.kind != Site.Kind.HOSPITAL:
            continue
        here = point_of(site.geometry)
        nearest = min(((distance_km(here, p), code) for code, p in anchors), default=None) if here else None
        hospitals.append(
            {
                **_names(site),
                "address": site.address,
                "distance_km": round(nearest[0], 1) if nearest else None,
                "from": nearest[1] if nearest else "",
            }
        )
    medical = Post.objects.filter(event=event, kind=Post.Kind.MEDICAL).select_related("site").order_by("code")
    posts = [{**_names(p), "site": p.site.code} for p in medical]
    standby = [
        [
            a.post.code,
            _iso(a.starts_at),
            _iso(a.ends_at),
            f"{a.officer.rank} {a.officer.full_name}".strip(),
            a.officer.call_sign,
        ]
        for a in Assignment.objects.filter(
            event=event, post__kind=Post.Kind.MEDICAL, starts_at__lt=end, ends_at__gt=start
        )
        .select_related("post", "officer")
        .order_by("post__code", "starts_at", "pk")
    ]
    return {"posts": posts, "hospitals": hospitals, "standby": standby}


def map_page(event: Any) -> dict[str, Any]:
    sites = []
    for site in Site.objects.filter(event=event).order_by("code", "pk"):
        point = point_of(site.geometry)
        if point:
            sites.append(
                {
                    "code": site.code,
                    "name_vi": site.name_vi,
                    "name_en": site.name_en,
                    "kind": site.kind,
                    "lon": point[0],
                    "lat": point[1],
                }
            )
    posts = []
    for code, geometry in Post.objects.filter(event=event).order_by("code").values_list("code", "geometry"):
        point = point_of(geometry)
        if point:
            posts.append({"code": code, "lon": point[0], "lat": point[1]})
    return {"sites": sites, "posts": posts}


def build_content(iap: Iap, progress: Callable[[int, str], None] | None = None) -> dict[str, Any]:
    """The whole IAP content for ``iap``'s window; ``progress(percent, step)`` is told along the way."""
    event, start, end = iap.event, iap.starts_at, iap.ends_at
    tell = progress or (lambda percent, step: None)
    tell(5, "ICS 202")
    content: dict[str, Any] = {
        "event": {
            "code": event.code,
            "name_vi": event.name_vi,
            "name_en": event.name_en,
            "time_zone": event.time_zone,
        },
        "period": {**_names_period(iap), "starts_at": _iso(start), "ends_at": _iso(end)},
        "classification": iap.classification,
        "ics202": ics202(event, start, end),
    }
    tell(15, "ICS 203")
    content["ics203"] = ics203(event)
    tell(25, "ICS 204")
    content["ics204"] = ics204(event, start, end)
    tell(45, "ICS 205/206")
    content["ics205"] = ics205(event)
    content["ics206"] = ics206(event, start, end)
    content["map"] = map_page(event)
    return content


def _names_period(iap: Iap) -> dict[str, str]:
    return {"code": iap.period.code, "name_vi": iap.period.name_vi, "name_en": iap.period.name_en}


def row_counts(content: dict[str, Any]) -> dict[str, int]:
    """How many rows each section has (what the tests and the diff summary compare)."""
    return {
        "ics202": len(content["ics202"]["objectives"]) + len(content["ics202"]["emphasis"]),
        "ics203": len(content["ics203"]["units"]),
        "ics204": sum(len(u["rows"]) for u in content["ics204"]["units"]),
        "ics205": len(content["ics205"]["channels"]),
        "ics206": len(content["ics206"]["posts"]) + len(content["ics206"]["hospitals"]),
        "map": len(content["map"]["sites"]),
    }


def _rows(content: dict[str, Any]) -> dict[str, set[str]]:
    """Every section as a set of printable rows (for the diff)."""
    c = content
    return {
        "ics202": {
            f"{p['code']} v{p['version']}: {p['title_vi']}"
            for p in c["ics202"]["objectives"] + c["ics202"]["emphasis"]
        },
        "ics203": {
            f"{u['code']} · {u['commander']} · {u['call_sign']} · {u['officers']}"
            for u in c["ics203"]["units"]
        },
        "ics204": {
            f"{u['code']} · {r[0]} · {r[4][:16]}-{r[5][:16]} · {r[6]} {r[7]} · {r[8]}"
            for u in c["ics204"]["units"]
            for r in u["rows"]
        },
        "ics205": {
            f"{ch['name']} · {ch['talk_group']} · {ch['frequency']} · {ch['call_sign']} · {ch['unit']}"
            for ch in c["ics205"]["channels"]
        },
        "ics206": {f"{h['code']} · {h['distance_km']} km" for h in c["ics206"]["hospitals"]}
        | {f"{p['code']} · {p['site']}" for p in c["ics206"]["posts"]},
        "map": {f"{s['code']} ({s['lon']:.5f}, {s['lat']:.5f})" for s in c["map"]["sites"]},
    }


def diff(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, dict[str, list[str]]]:
    """Rows added and removed per section between two versions' content."""
    before = _rows(old) if old else {name: set() for name in SECTIONS}
    after = _rows(new)
    return {
        name: {"added": sorted(after[name] - before[name]), "removed": sorted(before[name] - after[name])}
        for name in SECTIONS
    }
