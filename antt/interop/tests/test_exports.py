# mypy: disable-error-code="arg-type, index, union-attr"
"""GeoJSON (checked against RFC 7946's rules), the roster XLSX, and the export pages and API endpoints."""

from __future__ import annotations

import io
import itertools
import json
import math
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from antt.audit.models import AuditEntry
from antt.interop import geojson
from antt.interop.tests.test_scenario import build_plan
from antt.planning.tests.factories import AssignmentFactory, PostFactory

pytestmark = pytest.mark.django_db


def _ring_area2(ring: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def _position_problems(position: Any, where: str) -> list[str]:
    if not isinstance(position, list) or len(position) not in (2, 3):
        return [f"{where}: a position is an array of two or three numbers (§3.1.1)"]
    if not all(isinstance(n, int | float) and not isinstance(n, bool) and math.isfinite(n) for n in position):
        return [f"{where}: positions are numbers"]
    lon, lat = position[0], position[1]
    problems = []
    if not -180 <= lon <= 180:
        problems.append(f"{where}: longitude first, within -180..180 (§3.1.1, §4)")
    if not -90 <= lat <= 90:
        problems.append(f"{where}: latitude second, within -90..90 (§3.1.1, §4)")
    return problems


def rfc7946_problems(document: Any) -> list[str]:
    """The MUSTs of RFC 7946 that a FeatureCollection of Points, LineStrings and Polygons can break."""
    problems: list[str] = []
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        return ["the top level is a FeatureCollection object (§3.3)"]
    if "crs" in document:
        problems.append("no crs member (§4)")
    features = document.get("features")
    if not isinstance(features, list):
        return ["a FeatureCollection has a features array (§3.3)"]
    for n, feature in enumerate(features):
        where = f"features[{n}]"
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            problems.append(f"{where}: each member is a Feature (§3.3)")
            continue
        if "geometry" not in feature or "properties" not in feature:
            problems.append(f"{where}: a Feature has geometry and properties members (§3.2)")
        if not (feature.get("properties") is None or isinstance(feature["properties"], dict)):
            problems.append(f"{where}: properties is an object or null (§3.2)")
        if "id" in feature and not isinstance(feature["id"], str | int | float):
            problems.append(f"{where}: id is a string or number (§3.2)")
        geometry = feature.get("geometry")
        if geometry is None:
            continue
        kind, coordinates = geometry.get("type"), geometry.get("coordinates")
        if kind == "Point":
            problems += _position_problems(coordinates, where)
        elif kind == "LineString":
            if not isinstance(coordinates, list) or len(coordinates) < 2:
                problems.append(f"{where}: a LineString has two or more positions (§3.1.4)")
            else:
                for p in coordinates:
                    problems += _position_problems(p, where)
        elif kind == "Polygon":
            for r, ring in enumerate(coordinates or []):
                if len(ring) < 4 or ring[0] != ring[-1]:
                    problems.append(f"{where}: a linear ring is closed with four or more positions (§3.1.6)")
                    continue
                for p in ring:
                    problems += _position_problems(p, where)
                if (_ring_area2(ring) > 0) != (r == 0):
                    problems.append(f"{where}: exterior rings counter-clockwise, holes clockwise (§3.1.6)")
        else:
            problems.append(f"{where}: unexpected geometry type {kind!r}")
    return problems


def test_the_rfc_checker_catches_what_it_should() -> None:
    assert rfc7946_problems({"type": "FeatureCollection", "features": [{"type": "Feature"}]})
    flipped = {"type": "Point", "coordinates": [15.88, 108.33]}
    assert rfc7946_problems(
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": flipped, "properties": {}}],
        }
    )


def test_clockwise_polygons_are_rewound_to_the_right_hand_rule() -> None:
    clockwise = [[0.0, 0.0], [0.0, 1.0], [1.0, 1.0], [1.0, 0.0], [0.0, 0.0]]
    fixed = geojson.right_hand({"type": "Polygon", "coordinates": [clockwise, clockwise[::-1]]})
    assert fixed is not None
    assert _ring_area2(fixed["coordinates"][0]) > 0
    assert _ring_area2(fixed["coordinates"][1]) < 0


def test_geojson_export_follows_rfc_7946(as_user: Any, planner: Any, event: Any) -> None:
    build_plan(event)
    response = as_user(planner).get(f"/api/v1/events/{event.code}/export/geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    document = json.loads(response.content)
    assert rfc7946_problems(document) == []
    by_id = {f["id"]: f for f in document["features"]}
    assert by_id["site:ICC"]["geometry"]["type"] == "Polygon"
    assert by_id["site:ICC"]["geometry"]["coordinates"][0][0] == [108.33, 15.88]  # lon, lat
    assert by_id["post:HALL-C01"]["properties"] == {
        "feature": "post",
        "code": "HALL-C01",
        "name_vi": by_id["post:HALL-C01"]["properties"]["name_vi"],
        "name_en": by_id["post:HALL-C01"]["properties"]["name_en"],
        "kind": "checkpoint",
        "site": "ICC-HALL",
    }
    assert by_id["post:RT-P01"]["geometry"] is None
    assert AuditEntry.objects.filter(event_id=event.pk, action="interop.export_geojson").count() == 1


def test_the_demo_map_export_follows_rfc_7946(planner: Any) -> None:
    from antt.events.tests.factories import MembershipFactory
    from antt.interop import exports
    from antt.interop.tests.test_scenario import seeded_summit

    summit = seeded_summit(planner)
    MembershipFactory(event=summit, user=planner, role="planner")
    document = exports.export_geojson(actor=planner, event=summit)
    assert rfc7946_problems(document) == []
    assert len(document["features"]) > 100


def test_roster_xlsx_has_one_row_per_assignment_in_local_time_and_totals(
    as_user: Any, planner: Any, event: Any
) -> None:
    build_plan(event)
    response = as_user(planner).get(f"/api/v1/events/{event.code}/export/roster.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('roster.xlsx"')
    book = load_workbook(io.BytesIO(response.content))
    roster, totals = book.worksheets
    rows = list(roster.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    assert len(body) == 4
    assert header[1] == f"Starts ({event.time_zone})"
    first = min(event.assignments.all(), key=lambda a: (a.starts_at, a.pk))
    local = first.starts_at.astimezone(event.tz).replace(tzinfo=None)
    assert body[0][1] == local
    assert body[0][0].date() == local.date()
    assert {r[12] for r in body} == {"Planned", "Published"}
    assert {r[10] for r in body} >= {"K9-1"}
    total_rows = list(totals.iter_rows(values_only=True))[1:]
    assert {r[0]: r[4] for r in total_rows} == {"CA1": 2, "CA2": 2}
    assert AuditEntry.objects.filter(event_id=event.pk, action="interop.export_roster").count() == 1


def test_roster_hours_add_up(as_user: Any, planner: Any, event: Any) -> None:
    AssignmentFactory(
        event=event,
        starts_at=event.starts_at + timedelta(hours=1),
        ends_at=event.starts_at + timedelta(hours=4),
    )
    response = as_user(planner).get(f"/events/{event.code}/export/roster.xlsx")
    totals = load_workbook(io.BytesIO(response.content)).worksheets[1]
    assert list(totals.iter_rows(values_only=True))[1][5] == 3


def test_scenario_export_endpoint(as_user: Any, planner: Any, event: Any) -> None:
    build_plan(event)
    response = as_user(planner).get(f"/api/v1/events/{event.code}/export/scenario.json")
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["schema_version"] == 1
    assert data["event"]["code"] == event.code
    assert AuditEntry.objects.filter(event_id=event.pk, action="interop.export_scenario").count() == 1


@pytest.mark.parametrize("path", ["geojson", "roster.xlsx", "scenario.json"])
def test_exports_are_refused_without_planning_view(
    as_user: Any, field_officer: Any, event: Any, path: str
) -> None:
    for url in (f"/api/v1/events/{event.code}/export/{path}", f"/events/{event.code}/export/{path}"):
        response = as_user(field_officer).get(url)
        assert response.status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="interop.export").exists()


@pytest.mark.parametrize("path", ["geojson", "roster.xlsx", "scenario.json"])
def test_exports_of_another_event_are_not_found(as_user: Any, outsider: Any, event: Any, path: str) -> None:
    assert as_user(outsider).get(f"/api/v1/events/{event.code}/export/{path}").status_code == 404
    assert as_user(outsider).get(f"/events/{event.code}/export/{path}").status_code == 404


def test_export_page_links_every_export(as_user: Any, planner: Any, observer: Any, event: Any) -> None:
    body = as_user(planner).get(f"/events/{event.code}/interop/").content.decode()
    for path in ("export/geojson", "export/roster.xlsx", "export/scenario.json", "interop/import-forces/"):
        assert path in body
    assert "import-forces" not in as_user(observer).get(f"/events/{event.code}/interop/").content.decode()


def test_the_api_schema_describes_the_exports(as_user: Any, planner: Any) -> None:
    paths = as_user(planner).get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    for name in ("geojson", "roster.xlsx", "scenario.json"):
        assert f"/api/v1/events/{{code}}/export/{name}" in paths


@pytest.mark.parametrize("path", ["geojson", "roster.xlsx", "scenario.json"])
def test_export_queries_do_not_grow_with_the_plan(as_user: Any, planner: Any, event: Any, path: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    build_plan(event)
    client = as_user(planner)
    url = f"/api/v1/events/{event.code}/export/{path}"
    client.get(url)  # warm the session and membership lookups
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(20):
        post = PostFactory(event=event, site=event.sites.first())
        AssignmentFactory(
            event=event,
            post=post,
            starts_at=event.starts_at + timedelta(hours=n),
            ends_at=event.starts_at + timedelta(hours=n + 1),
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries) <= 40
