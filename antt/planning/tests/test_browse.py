# mypy: disable-error-code="arg-type, operator, union-attr, index"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The browse pages: map and its GeoJSON, programme and duty timelines, lists with diacritics-blind
search, the site and officer pages; access; query counts that do not grow with the plan."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.planning.models import ProgrammeItem
from antt.planning.tests.factories import (
    AssignmentFactory,
    PostFactory,
    ProgrammeItemFactory,
    ProgrammeItemSiteFactory,
    RequirementFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

# The event runs 2026-12-02 00:00 to 2026-12-06 00:00 in Hồ Chí Minh City (UTC+7).
START = datetime(2026, 12, 1, 17, 0, tzinfo=UTC)


@pytest.fixture
def plan_event(event: Any) -> Any:
    event.starts_at = START
    event.ends_at = START + timedelta(days=4)
    event.time_zone = "Asia/Ho_Chi_Minh"
    event.save()
    return event


def _at(event: Any, day: int, hour: float) -> datetime:
    return event.starts_at + timedelta(days=day, hours=hour)


def _grow(event: Any, n: int) -> None:
    """``n`` more sites, each with a covered post, an item, a unit and two officers on duty."""
    for _ in range(n):
        site = SiteFactory(event=event)
        post = PostFactory(event=event, site=site)
        requirement = RequirementFactory(
            event=event, post=post, starts_at=_at(event, 1, 8), ends_at=_at(event, 1, 12)
        )
        item = ProgrammeItemFactory(event=event, starts_at=_at(event, 1, 9), ends_at=_at(event, 1, 11))
        ProgrammeItemSiteFactory(item=item, site=site)
        unit = UnitFactory(event=event)
        for _officer in range(2):
            officer = OfficerFactory(event=event, unit=unit, skills=["checkpoint"])
            AssignmentFactory(
                event=event,
                officer=officer,
                post=post,
                skill=requirement.skill,
                starts_at=requirement.starts_at,
                ends_at=requirement.ends_at,
            )


def _plan(event: Any) -> dict[str, Any]:
    """Three sites: one with a gap, one with a double-booked officer, one fully covered."""
    gap_site = SiteFactory(
        event=event, code="HA-ICC", name_vi="Trung tâm Hội nghị Hội An", name_en="Hoi An centre"
    )
    clash_site = SiteFactory(
        event=event,
        code="QN-HOSP",
        name_vi="Bệnh viện Quảng Nam",
        name_en="Quang Nam hospital",
        geometry={"type": "LineString", "coordinates": [[108.2, 15.9], [108.3, 15.88]]},
    )
    ok_site = SiteFactory(
        event=event,
        code="DAD",
        name_vi="Sân bay Đà Nẵng",
        name_en="Da Nang airport",
        geometry={
            "type": "Polygon",
            "coordinates": [[[108.19, 16.04], [108.2, 16.04], [108.2, 16.05], [108.19, 16.04]]],
        },
    )
    gap_post = PostFactory(
        event=event, site=gap_site, geometry={"type": "Point", "coordinates": [108.33, 15.88]}
    )
    RequirementFactory(event=event, post=gap_post, starts_at=_at(event, 0, 8), ends_at=_at(event, 0, 12))
    ok_post = PostFactory(event=event, site=ok_site)
    ok_req = RequirementFactory(
        event=event, post=ok_post, starts_at=_at(event, 0, 8), ends_at=_at(event, 0, 12)
    )
    unit = UnitFactory(event=event, name_vi="Công an tỉnh Quảng Nam", name_en="Quang Nam police")
    team = UnitFactory(event=event, parent=unit, name_vi="Đội Hội An", name_en="Hoi An team")
    officer = OfficerFactory(event=event, unit=team, full_name="Nguyễn Văn Đức", skills=["checkpoint"])
    AssignmentFactory(
        event=event,
        officer=officer,
        post=ok_post,
        skill=ok_req.skill,
        starts_at=ok_req.starts_at,
        ends_at=ok_req.ends_at,
    )
    # a second officer of the team is booked on two posts of the hospital at once
    other = OfficerFactory(event=event, unit=team, full_name="Lê Văn Cường", skills=["checkpoint"])
    for _post in range(2):
        AssignmentFactory(
            event=event,
            officer=other,
            post=PostFactory(event=event, site=clash_site),
            skill=ok_req.skill,
            starts_at=ok_req.starts_at,
            ends_at=ok_req.ends_at,
        )
    session = ProgrammeItemFactory(
        event=event,
        kind=ProgrammeItem.Kind.SESSION,
        name_en="Plenary",
        starts_at=_at(event, 0, 8),
        ends_at=_at(event, 0, 11),
    )
    ProgrammeItemSiteFactory(item=session, site=gap_site)
    motorcade = ProgrammeItemFactory(
        event=event,
        kind=ProgrammeItem.Kind.MOTORCADE,
        name_en="Airport run",
        starts_at=_at(event, 1, 22),
        ends_at=_at(event, 2, 1),
    )
    ProgrammeItemSiteFactory(item=motorcade, site=ok_site, position=0)
    ProgrammeItemSiteFactory(item=motorcade, site=clash_site, position=1)
    return {
        "gap_site": gap_site,
        "clash_site": clash_site,
        "ok_site": ok_site,
        "gap_post": gap_post,
        "unit": unit,
        "team": team,
        "officer": officer,
    }


# --- the map --------------------------------------------------------------------------------------------


def test_map_features_are_geojson_coloured_by_coverage(as_user: Any, planner: Any, plan_event: Any) -> None:
    objects = _plan(plan_event)
    response = as_user(planner).get(f"/events/{plan_event.code}/map/features.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    collection = response.json()
    assert collection["type"] == "FeatureCollection"
    by_id = {f["id"]: f for f in collection["features"]}
    gap = by_id[f"site-{objects['gap_site'].pk}"]
    assert gap["type"] == "Feature"
    assert gap["geometry"] == {"type": "Point", "coordinates": [108.338, 15.8801]}
    assert gap["properties"]["status"] == "gap"
    assert gap["properties"]["gaps"] == 1
    assert gap["properties"]["gaps_url"] == f"/events/{plan_event.code}/gaps/?site={objects['gap_site'].pk}"
    assert gap["properties"]["name"] == "Hoi An centre"
    assert by_id[f"site-{objects['clash_site'].pk}"]["properties"]["status"] == "conflict"
    assert by_id[f"site-{objects['clash_site'].pk}"]["geometry"]["type"] == "LineString"
    assert by_id[f"site-{objects['ok_site'].pk}"]["properties"]["status"] == "covered"
    assert by_id[f"site-{objects['ok_site'].pk}"]["geometry"]["type"] == "Polygon"
    post = by_id[f"post-{objects['gap_post'].pk}"]
    assert (post["properties"]["layer"], post["properties"]["status"]) == ("post", "gap")
    # posts without a geometry are left off the map
    assert sum(f["properties"]["layer"] == "post" for f in collection["features"]) == 1


def test_map_names_follow_the_language(as_user: Any, planner: Any, plan_event: Any) -> None:
    objects = _plan(plan_event)
    client = as_user(planner)
    client.cookies["antt_language"] = "vi"
    features = client.get(f"/events/{plan_event.code}/map/features.geojson").json()["features"]
    gap = next(f for f in features if f["id"] == f"site-{objects['gap_site'].pk}")
    assert gap["properties"]["name"] == "Trung tâm Hội nghị Hội An"


def test_map_page_passes_config_by_data_attributes_and_lists_sites(
    as_user: Any, planner: Any, plan_event: Any, settings: Any
) -> None:
    _plan(plan_event)
    settings.MAP_TILE_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example"
    response = as_user(planner).get(f"/events/{plan_event.code}/map/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'data-features="/events/{plan_event.code}/map/features.geojson"' in body
    assert 'data-tile-url="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in body
    assert "/static/vendor/leaflet/leaflet.js" in body
    assert "/static/planning/map.js" in body
    assert "<script>" not in body  # configuration is data, not inline script (CSP script-src 'self')
    assert [row.coverage.status for row in response.context["sites"]] == ["covered", "gap", "conflict"]


def test_without_a_tile_url_the_map_says_it_draws_a_blank_grid(
    as_user: Any, planner: Any, plan_event: Any
) -> None:
    body = as_user(planner).get(f"/events/{plan_event.code}/map/").content.decode()
    assert 'data-tile-url=""' in body
    assert "blank grid" in body


def test_the_tile_host_is_allowed_in_csp_img_src() -> None:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'antt.settings'; django.setup(); "
        "from django.conf import settings; "
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']))"
    )
    env = {
        **os.environ,
        "ANTT_DEBUG": "1",
        "ANTT_MAP_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png",
    }
    env.pop("ANTT_TILE_URL", None)
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["'self'", "data:", "https://*.tiles.example.org"]
    env["ANTT_MAP_TILE_URL"] = "javascript:alert(1)"
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert refused.returncode != 0
    assert "ANTT_MAP_TILE_URL must start with https://" in refused.stderr


def test_map_is_refused_to_field_officers_and_hidden_from_outsiders(
    as_user: Any, field_officer: Any, outsider: Any, plan_event: Any
) -> None:
    for url in (f"/events/{plan_event.code}/map/", f"/events/{plan_event.code}/map/features.geojson"):
        assert as_user(field_officer).get(url).status_code == 403
        assert as_user(outsider).get(url).status_code == 404


def test_map_queries_do_not_grow_with_the_plan(
    as_user: Any, planner: Any, plan_event: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(planner)
    _plan(plan_event)
    sizes = []
    for n in (1, 8):
        _grow(plan_event, n)
        with django_assert_max_num_queries(20):
            page = client.get(f"/events/{plan_event.code}/map/")
        with django_assert_max_num_queries(20):
            data = client.get(f"/events/{plan_event.code}/map/features.geojson")
        sizes.append((len(page.context["sites"]), len(data.json()["features"])))
    assert sizes == [(4, 5), (12, 13)]


# --- the programme timeline -----------------------------------------------------------------------------


def test_programme_timeline_puts_items_on_their_sites_rows_by_local_time(
    as_user: Any, planner: Any, plan_event: Any
) -> None:
    _plan(plan_event)
    response = as_user(planner).get(f"/events/{plan_event.code}/timeline/")
    assert response.status_code == 200
    days = response.context["timeline"]
    assert [d.day for d in days] == [
        date(2026, 12, 2),
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 5),
    ]
    first = days[0]
    assert [row.label for row in first.rows] == ["Hoi An centre"]
    plenary = first.rows[0].bars[0]
    assert (plenary.x, plenary.w) == (96, 36)  # 08:00 local, three hours
    # the motorcade runs 22:00-01:00 along two sites: drawn on both rows, cut at midnight
    second = {row.label: row.bars for row in days[1].rows}
    assert [b.label for b in second["Da Nang airport"]] == ["Airport run (1/2)"]
    assert (second["Da Nang airport"][0].x, second["Da Nang airport"][0].cut_after) == (264, True)
    third = {row.label: row.bars for row in days[2].rows}
    assert third["Quang Nam hospital"][0].cut_before
    body = response.content.decode()
    assert 'class="tl-bar tl-x-96 tl-w-36 tl-lane-0 tl-k-session"' in body
    assert "08:00\u201311:00" in body
    assert "style=" not in body.split("<main", 1)[1]  # CSP style-src 'self': classes, no inline styles


def test_programme_timeline_filters_by_day_and_kind_and_answers_htmx_with_the_partial(
    as_user: Any, planner: Any, plan_event: Any
) -> None:
    _plan(plan_event)
    client = as_user(planner)
    by_day = client.get(f"/events/{plan_event.code}/timeline/", {"day": "2026-12-03"})
    assert [d.day for d in by_day.context["timeline"]] == [date(2026, 12, 3)]
    ProgrammeItemFactory(event=plan_event, kind=ProgrammeItem.Kind.OTHER, name_en="Briefing")  # no site
    by_kind = client.get(f"/events/{plan_event.code}/timeline/", {"kind": "session", "day": "nonsense"})
    assert sum(d.bars for d in by_kind.context["timeline"]) == 1
    siteless = client.get(f"/events/{plan_event.code}/timeline/", {"kind": "other"}).context["timeline"]
    assert [(row.label, [b.label for b in row.bars]) for row in siteless[0].rows] == [
        ("No site", ["Briefing"])
    ]
    partial = client.get(
        f"/events/{plan_event.code}/timeline/", {"kind": "motorcade"}, HTTP_HX_REQUEST="true"
    )
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="timeline">')
    assert "Airport run" in body
    assert "Plenary" not in body


def test_programme_timeline_is_refused_to_field_officers_and_hidden_from_outsiders(
    as_user: Any, field_officer: Any, outsider: Any, plan_event: Any
) -> None:
    assert as_user(field_officer).get(f"/events/{plan_event.code}/timeline/").status_code == 403
    assert as_user(outsider).get(f"/events/{plan_event.code}/timeline/").status_code == 404


def test_programme_timeline_queries_do_not_grow_with_the_programme(
    as_user: Any, planner: Any, plan_event: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(planner)
    totals = []
    for n in (1, 10):
        _grow(plan_event, n)
        with django_assert_max_num_queries(14):
            response = client.get(f"/events/{plan_event.code}/timeline/")
        totals.append(sum(d.bars for d in response.context["timeline"]))
    assert totals == [1, 11]


# --- the duty timeline ----------------------------------------------------------------------------------


def test_duty_timeline_of_a_unit_shows_its_officers_and_those_of_units_under_it(
    as_user: Any, planner: Any, plan_event: Any
) -> None:
    objects = _plan(plan_event)
    OfficerFactory(event=plan_event, unit=objects["unit"], full_name="Trần Thị Bình")  # off duty
    response = as_user(planner).get(
        f"/events/{plan_event.code}/duties/", {"unit": objects["unit"].pk, "day": "2026-12-02"}
    )
    assert response.status_code == 200
    rows = {row.label: row for row in response.context["timeline"].rows}
    assert set(rows) == {"Thượng úy Nguyễn Văn Đức", "Thượng úy Lê Văn Cường", "Thượng úy Trần Thị Bình"}
    assert [(b.x, b.w, b.lane) for b in rows["Thượng úy Nguyễn Văn Đức"].bars] == [(96, 48, 0)]
    double = rows["Thượng úy Lê Văn Cường"]
    assert double.lanes == 2  # the double booking shows as two overlapping bars
    assert [(b.x, b.w) for b in double.bars] == [(96, 48), (96, 48)]
    assert rows["Thượng úy Trần Thị Bình"].bars == []
    assert "Off duty" in response.content.decode()


def test_duty_timeline_without_a_unit_lists_who_is_on_duty_that_day(
    as_user: Any, planner: Any, plan_event: Any
) -> None:
    _plan(plan_event)
    client = as_user(planner)
    first = client.get(f"/events/{plan_event.code}/duties/")  # defaults to the first day
    assert first.context["day"] == date(2026, 12, 2)
    assert len(first.context["timeline"].rows) == 2
    assert (
        client.get(f"/events/{plan_event.code}/duties/", {"day": "2026-12-04"}).context["timeline"].rows == []
    )
    foreign = client.get(f"/events/{plan_event.code}/duties/", {"unit": "999999"})
    assert foreign.context["unit"] is None


def test_duty_timeline_is_paginated_and_its_queries_do_not_grow_with_the_forces(
    as_user: Any, planner: Any, plan_event: Any, django_assert_max_num_queries: Any
) -> None:
    client = as_user(planner)
    counts = []
    for n in (2, 30):
        _grow(plan_event, n)
        with django_assert_max_num_queries(16):
            response = client.get(f"/events/{plan_event.code}/duties/", {"day": "2026-12-03"})
        timeline = response.context["timeline"]
        counts.append((timeline.page.paginator.count, len(timeline.rows)))
    assert counts == [(4, 4), (64, 50)]
    second = client.get(f"/events/{plan_event.code}/duties/", {"day": "2026-12-03", "page": "2"})
    assert len(second.context["timeline"].rows) == 14
    assert "Page 2 of 2" in second.content.decode()


def test_duty_timeline_is_refused_to_field_officers_and_hidden_from_outsiders(
    as_user: Any, field_officer: Any, outsider: Any, plan_event: Any
) -> None:
    assert as_user(field_officer).get(f"/events/{plan_event.code}/duties/").status_code == 403
    assert as_user(outsider).get(f"/events/{plan_event.code}/duties/").status_code == 404


# --- lists with diacritics-blind search -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "found"),
    [
        ("sites", "hoi an", "Hoi An centre"),
        ("sites", "Quang Nam", "Quang Nam hospital"),
        ("sites", "BENH VIEN", "Quang Nam hospital"),
        ("units", "quang nam", "Quang Nam police"),
        ("units", "hội an", "Hoi An team"),
        ("officers", "nguyen van duc", "Nguyễn Văn Đức"),
    ],
)
def test_lists_search_ignores_diacritics(
    as_user: Any, planner: Any, plan_event: Any, path: str, query: str, found: str
) -> None:
    _plan(plan_event)
    response = as_user(planner).get(f"/events/{plan_event.code}/{path}/", {"q": query})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 1
    assert found in response.content.decode()


def test_site_search_with_htmx_returns_only_the_results(as_user: Any, planner: Any, plan_event: Any) -> None:
    _plan(plan_event)
    response = as_user(planner).get(
        f"/events/{plan_event.code}/sites/", {"q": "da nang"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">')
    assert "Da Nang airport" in body
    assert "Hoi An centre" not in body
    assert (
        "No site matches"
        in as_user(planner).get(f"/events/{plan_event.code}/sites/", {"q": "zzz"}).content.decode()
    )


def test_officer_list_filters_by_unit(as_user: Any, planner: Any, plan_event: Any) -> None:
    objects = _plan(plan_event)
    OfficerFactory(event=plan_event, unit=objects["unit"])
    client = as_user(planner)
    assert client.get(f"/events/{plan_event.code}/officers/").context["page"].paginator.count == 3
    by_unit = client.get(f"/events/{plan_event.code}/officers/", {"unit": objects["team"].pk})
    assert {o.full_name for o in by_unit.context["page"]} == {"Nguyễn Văn Đức", "Lê Văn Cường"}


@pytest.mark.parametrize("path", ["sites", "officers", "units"])
def test_lists_are_refused_to_field_officers_and_hidden_from_outsiders(
    as_user: Any, field_officer: Any, outsider: Any, plan_event: Any, path: str
) -> None:
    assert as_user(field_officer).get(f"/events/{plan_event.code}/{path}/").status_code == 403
    assert as_user(outsider).get(f"/events/{plan_event.code}/{path}/").status_code == 404


@pytest.mark.parametrize(("path", "per_page"), [("sites", 100), ("officers", 50), ("units", 100)])
def test_list_queries_do_not_grow_with_the_data(
    as_user: Any, planner: Any, plan_event: Any, django_assert_max_num_queries: Any, path: str, per_page: int
) -> None:
    client = as_user(planner)
    for n in (1, 12):
        _grow(plan_event, n)
        with django_assert_max_num_queries(14):
            response = client.get(f"/events/{plan_event.code}/{path}/")
        assert len(response.context["page"].object_list) <= per_page
    assert response.context["page"].paginator.count in {13, 26}


# --- the site and officer pages -------------------------------------------------------------------------


def test_site_page_shows_posts_programme_and_coverage(as_user: Any, planner: Any, plan_event: Any) -> None:
    objects = _plan(plan_event)
    response = as_user(planner).get(f"/events/{plan_event.code}/sites/{objects['gap_site'].pk}/")
    assert response.status_code == 200
    data = response.context["data"]
    assert data.coverage.status == "gap"
    assert [(post.pk, state.status) for post, state in data.posts] == [(objects["gap_post"].pk, "gap")]
    assert [item.name_en for item in data.items] == ["Plenary"]
    body = response.content.decode()
    assert "is short of 1 officer(s)" in body
    assert f"/events/{plan_event.code}/gaps/?site={objects['gap_site'].pk}" in body


def test_officer_page_shows_skills_with_expiry_unit_and_duties(
    as_user: Any, planner: Any, plan_event: Any
) -> None:
    unit = UnitFactory(event=plan_event, name_en="K9 team")
    officer = OfficerFactory(
        event=plan_event,
        unit=unit,
        skills=["checkpoint", ("k9", date(2026, 12, 1)), ("medical", date(2026, 12, 4))],
    )
    post = PostFactory(event=plan_event)
    AssignmentFactory(
        event=plan_event,
        officer=officer,
        post=post,
        starts_at=_at(plan_event, 1, 6),
        ends_at=_at(plan_event, 1, 14),
    )
    response = as_user(planner).get(f"/events/{plan_event.code}/officers/{officer.pk}/")
    assert response.status_code == 200
    data = response.context["data"]
    assert [(s.code, s.state) for s in data.skills] == [
        ("checkpoint", "valid"),
        ("k9", "expired"),
        ("medical", "expiring"),
    ]
    assert [len(row.bars) for row in data.rows] == [0, 1, 0, 0]
    assert (data.rows[1].bars[0].x, data.rows[1].bars[0].w) == (72, 96)
    body = response.content.decode()
    assert "K9 team" in body
    assert "Expires during the event" in body


def test_site_and_officer_pages_of_another_event_are_not_found(
    as_user: Any, planner: Any, plan_event: Any, other_event: Any, field_officer: Any
) -> None:
    foreign_site = SiteFactory(event=other_event)
    foreign_officer = OfficerFactory(event=other_event)
    client = as_user(planner)
    assert client.get(f"/events/{plan_event.code}/sites/{foreign_site.pk}/").status_code == 404
    assert client.get(f"/events/{plan_event.code}/officers/{foreign_officer.pk}/").status_code == 404
    own = SiteFactory(event=plan_event)
    assert as_user(field_officer).get(f"/events/{plan_event.code}/sites/{own.pk}/").status_code == 403


def test_detail_queries_do_not_grow_with_the_plan(
    as_user: Any, planner: Any, plan_event: Any, django_assert_max_num_queries: Any
) -> None:
    objects = _plan(plan_event)
    client = as_user(planner)
    for n in (1, 10):
        _grow(plan_event, n)
        for _ in range(n):
            AssignmentFactory(event=plan_event, officer=objects["officer"], post=objects["gap_post"])
        # 25: one of them names the roles (skills) the findings speak of
        with django_assert_max_num_queries(25):
            assert client.get(f"/events/{plan_event.code}/sites/{objects['gap_site'].pk}/").status_code == 200
        with django_assert_max_num_queries(25):
            assert (
                client.get(f"/events/{plan_event.code}/officers/{objects['officer'].pk}/").status_code == 200
            )


# --- the event home -------------------------------------------------------------------------------------


def test_event_home_links_to_the_browse_pages_for_those_who_may_see_them(
    as_user: Any, planner: Any, field_officer: Any, plan_event: Any
) -> None:
    pages = ("map", "timeline", "duties", "sites", "officers", "units")
    planner_home = as_user(planner).get(f"/events/{plan_event.code}/").content.decode()
    assert all(f"/events/{plan_event.code}/{p}/" in planner_home for p in pages)
    officer_home = as_user(field_officer).get(f"/events/{plan_event.code}/").content.decode()
    assert not any(f"/events/{plan_event.code}/{p}/" in officer_home for p in pages)


def test_browse_pages_speak_vietnamese(as_user: Any, planner: Any, plan_event: Any) -> None:
    _plan(plan_event)
    client = as_user(planner)
    client.cookies["antt_language"] = "vi"
    body = client.get(f"/events/{plan_event.code}/timeline/").content.decode()
    assert 'lang="vi"' in body
    assert "Tất cả các ngày" in body  # "All days"
    assert "Trung tâm Hội nghị Hội An" in body
    assert "Thứ 4, 02/12/2026" in body  # a Wednesday, in the one Vietnamese date style
