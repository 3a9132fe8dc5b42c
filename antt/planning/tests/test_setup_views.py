# mypy: disable-error-code="arg-type, index"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The plan set-up pages: each form saves through the services, refuses bad input at the field and in the
summary at the top (vi and en), and only roles that may change the plan open them."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from antt.audit.models import AuditEntry
from antt.forces.tests.factories import OfficerFactory, SkillFactory, UnitFactory
from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, RestRules, Site
from antt.planning.tests.factories import (
    AssignmentFactory,
    PostFactory,
    ProgrammeItemFactory,
    ProgrammeItemSiteFactory,
    RequirementRuleFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

POLYGON = '{"type":"Polygon","coordinates":[[[108.33,15.88],[108.34,15.88],[108.34,15.89],[108.33,15.88]]]}'


def _summary_and_field(html: str, message: str) -> None:
    """The message is shown twice: in the summary at the top and at its field."""
    assert 'id="error-summary"' in html
    assert html.count(message) >= 2, message


def test_a_planner_adds_a_site_with_a_drawn_outline(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    url = reverse("planning:site-new", args=[event.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "code": "HA-01",
            "name_vi": "Hội An",
            "name_en": "",
            "kind": "venue",
            "risk_level": "3",
            "geometry": POLYGON,
        },
    )
    site = Site.objects.get(event=event, code="HA-01")
    assert response.status_code == 302
    assert site.geometry["type"] == "Polygon"
    assert site.name_en == "Hội An"  # English optional
    assert AuditEntry.objects.filter(action="planning.create_site", event_id=event.pk).count() == 1


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ("not json", "The geometry is not valid GeoJSON text."),
        (
            '{"type":"Polygon","coordinates":[[[108.33,15.88],[108.34,15.88],[108.34,15.89]]]}',
            "Each Polygon ring needs at least four positions.",
        ),
        ('{"type":"Point","coordinates":[200,15]}', "Longitude 200.0 is outside -180 to 180."),
    ],
)
def test_a_bad_geometry_is_refused_at_its_field(
    as_user: Any, planner: Any, event: Any, geometry: str, message: str
) -> None:
    response = as_user(planner).post(
        reverse("planning:site-new", args=[event.code]),
        {"code": "X1", "name_vi": "X", "kind": "venue", "risk_level": "2", "geometry": geometry},
    )
    assert response.status_code == 400
    _summary_and_field(response.content.decode(), message)
    assert not Site.objects.filter(event=event).exists()


def test_a_duplicate_code_is_refused_by_the_service_at_the_code_field(
    as_user: Any, planner: Any, event: Any
) -> None:
    SiteFactory(event=event, code="HA-01")
    response = as_user(planner).post(
        reverse("planning:site-new", args=[event.code]),
        {"code": "HA-01", "name_vi": "X", "kind": "venue", "risk_level": "2"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="error-summary"' in html
    assert "This code is already used in this event." in html


def test_errors_read_in_vietnamese(as_user: Any, planner: Any, event: Any, settings: Any) -> None:
    client = as_user(planner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    response = client.post(reverse("planning:site-new", args=[event.code]), {"code": "", "name_vi": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Vui lòng sửa các lỗi sau:" in html


def test_a_post_is_placed_with_orders_and_check_in_interval(as_user: Any, planner: Any, event: Any) -> None:
    site = SiteFactory(event=event)
    response = as_user(planner).post(
        reverse("planning:post-new", args=[event.code]),
        {
            "code": "G1",
            "name_vi": "Cổng 1",
            "site": site.pk,
            "kind": "checkpoint",
            "orders": "Kiểm tra thẻ",
            "check_in_minutes": "20",
            "geometry": '{"type":"Point","coordinates":[108.335,15.885]}',
        },
    )
    assert response.status_code == 302
    post = Post.objects.get(event=event, code="G1")
    assert (post.orders, post.check_in_minutes, post.geometry["type"]) == ("Kiểm tra thẻ", 20, "Point")


def test_a_post_refuses_a_polygon_and_a_zero_interval(as_user: Any, planner: Any, event: Any) -> None:
    site = SiteFactory(event=event)
    response = as_user(planner).post(
        reverse("planning:post-new", args=[event.code]),
        {
            "code": "G1",
            "name_vi": "Cổng 1",
            "site": site.pk,
            "kind": "fixed",
            "check_in_minutes": "0",
            "geometry": POLYGON,
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    _summary_and_field(html, "Ensure this value is greater than or equal to 1.")
    _summary_and_field(html, "Draw one of: Point, LineString.")
    assert not Post.objects.filter(event=event).exists()


def test_another_events_site_cannot_be_chosen_for_a_post(
    as_user: Any, planner: Any, event: Any, other_event: Any
) -> None:
    foreign = SiteFactory(event=other_event)
    response = as_user(planner).post(
        reverse("planning:post-new", args=[event.code]),
        {"code": "G1", "name_vi": "Cổng 1", "site": foreign.pk, "kind": "fixed", "check_in_minutes": "15"},
    )
    assert response.status_code == 400
    assert not Post.objects.filter(code="G1").exists()


def _item_data(site: Site, **extra: Any) -> dict[str, Any]:
    return {
        "code": "OPEN",
        "name_vi": "Khai mạc",
        "kind": "session",
        "starts_at": "2026-11-11T09:00",
        "ends_at": "2026-11-11T11:00",
        "protection_level": "0",
        "sites": [site.pk],
        **extra,
    }


def test_a_programme_item_is_entered_in_the_events_time_zone(as_user: Any, planner: Any, event: Any) -> None:
    site = SiteFactory(event=event)
    response = as_user(planner).post(reverse("planning:item-new", args=[event.code]), _item_data(site))
    item = ProgrammeItem.objects.get(event=event, code="OPEN")
    assert response.status_code == 302
    assert item.starts_at.isoformat() == "2026-11-11T02:00:00+00:00"  # 09:00 in Asia/Ho_Chi_Minh
    assert list(item.stops.values_list("site_id", flat=True)) == [site.pk]


def test_an_item_outside_the_event_or_ending_before_it_starts_is_refused(
    as_user: Any, planner: Any, event: Any
) -> None:
    site = SiteFactory(event=event)
    client = as_user(planner)
    url = reverse("planning:item-new", args=[event.code])
    backwards = client.post(url, _item_data(site, ends_at="2026-11-11T08:00"))
    outside = client.post(url, _item_data(site, starts_at="1900-01-01T08:00", ends_at="1900-01-01T09:00"))
    assert backwards.status_code == 400
    _summary_and_field(backwards.content.decode(), "The end must be after the start.")
    assert outside.status_code == 400
    assert "The window must lie within the event" in outside.content.decode()
    assert not ProgrammeItem.objects.filter(event=event).exists()


def test_the_rule_preview_shows_the_derived_requirements_without_saving(
    as_user: Any, planner: Any, event: Any
) -> None:
    skill = SkillFactory(event=event, code="checkpoint")
    post = PostFactory(event=event, kind="checkpoint", name_en="North gate")
    item = ProgrammeItemFactory(event=event)
    ProgrammeItemSiteFactory(item=item, site=post.site)
    url = reverse("planning:rule-add", args=[event.code, item.pk])
    data = {
        "post_kind": "checkpoint",
        "skill": skill.pk,
        "headcount": "2",
        "min_clearance": "0",
        "lead_minutes": "60",
        "lag_minutes": "0",
    }
    preview = as_user(planner).post(url, {**data, "preview": "1"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert 'id="rule-preview"' in html
    assert "North gate" in html
    assert not Requirement.objects.filter(event=event).exists()
    saved = as_user(planner).post(url, {**data, "save": "1"})
    assert saved.status_code == 302
    requirement = Requirement.objects.get(event=event)
    assert (requirement.post_id, requirement.headcount) == (post.pk, 2)
    assert requirement.starts_at == item.starts_at.replace(microsecond=0) - timedelta(minutes=60)


def test_the_preview_and_the_save_derive_the_same_requirements(planner: Any, event: Any) -> None:
    """One derivation: what the preview shows is what saving writes."""
    from antt.planning import services

    rule = RequirementRuleFactory(programme_item__event=event, headcount=3)
    post = PostFactory(event=event, kind=rule.post_kind)
    PostFactory(event=event, kind="patrol", site=post.site)
    ProgrammeItemSiteFactory(item=rule.programme_item, site=post.site)
    shown = services.preview_requirements(actor=planner, item=rule.programme_item)
    services.derive_requirements(rule.programme_item)
    saved = Requirement.objects.filter(programme_item=rule.programme_item)
    key = ("post_id", "skill_id", "headcount", "starts_at", "ends_at")
    assert [tuple(getattr(r, k) for k in key) for r in shown] == [
        tuple(getattr(r, k) for k in key) for r in saved
    ]


def test_a_rule_without_a_skill_is_refused_at_its_field(as_user: Any, planner: Any, event: Any) -> None:
    item = ProgrammeItemFactory(event=event)
    response = as_user(planner).post(
        reverse("planning:rule-add", args=[event.code, item.pk]),
        {
            "post_kind": "checkpoint",
            "headcount": "0",
            "min_clearance": "0",
            "lead_minutes": "0",
            "lag_minutes": "0",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    _summary_and_field(html, "This field is required.")
    _summary_and_field(html, "Ensure this value is greater than or equal to 1.")


def test_a_hand_entered_requirement_and_rest_rules(as_user: Any, planner: Any, event: Any) -> None:
    post = PostFactory(event=event)
    skill = SkillFactory(event=event)
    client = as_user(planner)
    ok = client.post(
        reverse("planning:requirement-new", args=[event.code]),
        {
            "post": post.pk,
            "skill": skill.pk,
            "starts_at": "2026-11-10T08:00",
            "ends_at": "2026-11-10T20:00",
            "headcount": "2",
            "min_clearance": "0",
        },
    )
    rest = client.post(
        reverse("planning:rest-rules", args=[event.code]),
        {"min_rest_minutes": "480", "max_duty_minutes_per_24h": "2000"},
    )
    assert ok.status_code == 302
    assert Requirement.objects.get(event=event, rule__isnull=True).headcount == 2
    assert rest.status_code == 400
    _summary_and_field(rest.content.decode(), "Ensure this value is less than or equal to 1440.")
    assert not RestRules.objects.filter(event=event).exists()


@pytest.mark.parametrize("role", ["observer", "dispatcher", "field_officer"])
@pytest.mark.parametrize(
    "name",
    [
        "planning:setup",
        "planning:site-new",
        "planning:post-new",
        "planning:item-new",
        "planning:requirement-new",
        "planning:rest-rules",
        "planning:publish",
    ],
)
def test_roles_that_do_not_plan_are_refused(
    as_user: Any, request: Any, event: Any, role: str, name: str
) -> None:
    user = request.getfixturevalue(role)
    assert as_user(user).get(reverse(name, args=[event.code])).status_code == 403


# --- publish ----------------------------------------------------------------------------------------------


def test_publish_previews_then_publishes_one_unit_as_one_audited_action(
    as_user: Any, planner: Any, event: Any
) -> None:
    north, south = UnitFactory(event=event, code="N"), UnitFactory(event=event, code="S")
    mine = AssignmentFactory(
        event=event, officer=OfficerFactory(event=event, unit=north, full_name="Lê Văn Bắc")
    )
    other = AssignmentFactory(
        event=event, officer=OfficerFactory(event=event, unit=south, full_name="Trần Nam")
    )
    client = as_user(planner)
    url = reverse("planning:publish", args=[event.code])
    preview = client.get(url, {"scope": "unit", "unit": north.pk})
    html = preview.content.decode()
    assert "Lê Văn Bắc" in html
    assert "Trần Nam" not in html
    assert Assignment.objects.filter(status="published").count() == 0
    response = client.post(url, {"scope": "unit", "unit": north.pk, "publish": "1"})
    assert response.status_code == 302
    mine.refresh_from_db(), other.refresh_from_db()
    assert (mine.status, other.status) == ("published", "planned")
    entry = AuditEntry.objects.get(action="planning.publish_assignments", event_id=event.pk)
    changes = json.loads(entry.changes)
    assert changes["ids"] == [mine.pk]
    assert changes["scope"] == {"day": None, "unit": "N"}


def test_publish_refuses_an_empty_choice_and_a_missing_day(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    url = reverse("planning:publish", args=[event.code])
    empty = client.post(url, {"scope": "all", "publish": "1"})
    no_day = client.post(url, {"scope": "day", "publish": "1"})
    assert empty.status_code == 400
    assert "Nothing to publish" in empty.content.decode()
    assert no_day.status_code == 400
    _summary_and_field(no_day.content.decode(), "Choose the day to publish.")


def test_the_setup_page_lists_what_is_built_with_its_links(as_user: Any, planner: Any, event: Any) -> None:
    post = PostFactory(event=event, name_en="North gate")
    item = ProgrammeItemFactory(event=event, name_en="Opening")
    response = as_user(planner).get(reverse("planning:setup", args=[event.code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("planning:site-edit", args=[event.code, post.site_id]) in html
    assert reverse("planning:post-edit", args=[event.code, post.pk]) in html
    assert reverse("planning:item-edit", args=[event.code, item.pk]) in html


@pytest.mark.parametrize("name", ["planning:site-edit", "planning:post-edit", "planning:item-edit"])
def test_the_edit_pages_open_with_the_current_values(
    as_user: Any, planner: Any, event: Any, name: str
) -> None:
    post = PostFactory(event=event, code="GATE-7")
    item = ProgrammeItemFactory(event=event, code="GATE-7")
    ProgrammeItemSiteFactory(item=item, site=post.site)
    post.site.code = "GATE-7"
    post.site.save()
    obj_id = {
        "planning:site-edit": post.site_id,
        "planning:post-edit": post.pk,
        "planning:item-edit": item.pk,
    }[name]
    response = as_user(planner).get(reverse(name, args=[event.code, obj_id]))
    assert response.status_code == 200
    assert 'value="GATE-7"' in response.content.decode()


def test_the_api_previews_a_rule_with_the_same_derivation(
    as_user: Any, planner: Any, observer: Any, event: Any
) -> None:
    SkillFactory(event=event, code="checkpoint")
    post = PostFactory(event=event, kind="checkpoint")
    item = ProgrammeItemFactory(event=event)
    ProgrammeItemSiteFactory(item=item, site=post.site)
    url = f"/api/v1/events/{event.code}/programme/{item.pk}/rules/preview/"
    body = {"post_kind": "checkpoint", "skill": "checkpoint", "headcount": 3, "lag_minutes": 30}
    response = as_user(planner).post(url, body, content_type="application/json")
    assert response.status_code == 200
    assert [(r["post"], r["skill"], r["headcount"], r["id"]) for r in response.json()] == [
        (post.pk, "checkpoint", 3, None)
    ]
    assert not Requirement.objects.filter(event=event).exists()
    assert as_user(observer).post(url, body, content_type="application/json").status_code == 403
