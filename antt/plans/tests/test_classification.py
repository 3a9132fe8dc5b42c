# mypy: disable-error-code="arg-type, index, union-attr"
"""A plan carries its classification marking (Mật by default): chosen when it is made, in the page form and
the API, and shown at the top and the bottom of its pages and in the list."""

from __future__ import annotations

import json
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Invalid
from antt.core.permissions import Clearance
from antt.plans.models import Plan
from antt.plans.tests.factories import commanded_unit, make_plan

pytestmark = pytest.mark.django_db

JSON = "application/json"


def test_a_plan_is_confidential_unless_told_otherwise(planner: Any, event: Any) -> None:
    plan = make_plan(planner, event)
    assert plan.classification == Clearance.CONFIDENTIAL
    entry = AuditEntry.objects.get(action="plans.create_plan", object_id=str(plan.pk))
    assert json.loads(entry.changes)["classification"] == [None, Clearance.CONFIDENTIAL]


def test_the_marking_is_shown_at_the_top_and_the_bottom_of_the_plan_and_in_the_list(
    as_user: Any, planner: Any, event: Any, settings: Any
) -> None:
    plan = make_plan(planner, event, classification=Clearance.SECRET)
    client = as_user(planner)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    for url in (
        f"/events/{event.code}/plans/{plan.pk}/",
        f"/events/{event.code}/plans/{plan.pk}/versions/1/",
    ):
        html = client.get(url).content.decode()
        assert html.count('class="marking marking-2"') == 2, url
        assert "Tối mật" in html
    listing = client.get(f"/events/{event.code}/plans/").content.decode()
    assert 'class="marking marking-2"' in listing


def test_an_unclassified_plan_shows_no_marking(as_user: Any, planner: Any, event: Any) -> None:
    plan = make_plan(planner, event, classification=Clearance.NONE)
    html = as_user(planner).get(f"/events/{event.code}/plans/{plan.pk}/").content.decode()
    assert 'class="marking' not in html


def test_the_page_form_sets_the_classification(as_user: Any, planner: Any, event: Any) -> None:
    unit = commanded_unit(event, code="CAQN-PCCC")
    data = {
        "kind": "plan",
        "code": "KH-BV-01",
        "classification": str(Clearance.TOP_SECRET),
        "title_vi": "Kế hoạch bảo vệ hội nghị",
        "body_vi": "Bảo vệ vòng trong, vòng ngoài.",
        "responsible": unit.commander.code,
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-unit": str(unit.pk),
        "tasks-0-text_vi": "Bảo vệ vòng ngoài",
        "tasks-0-offset_minutes": "",
        "tasks-0-deadline": "",
        "save": "1",
    }
    response = as_user(planner).post(f"/events/{event.code}/plans/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Plan.objects.get(event=event, code="KH-BV-01").classification == Clearance.TOP_SECRET


def test_the_api_sets_and_shows_the_classification_and_refuses_an_unknown_one(
    as_user: Any, planner: Any, event: Any
) -> None:
    client = as_user(planner)
    base = f"/api/v1/events/{event.code}/plans/"
    payload = {"kind": "plan", "code": "KH-02", "title_vi": "Kế hoạch", "title_en": "", "classification": 2}
    created = client.post(base, payload, content_type=JSON)
    assert created.status_code == 201, created.content
    assert created.json()["classification"] == 2
    bad = client.post(base, {**payload, "code": "KH-03", "classification": 7}, content_type=JSON)
    assert bad.status_code == 400
    assert "classification" in bad.content.decode()
    assert not Plan.objects.filter(event=event, code="KH-03").exists()


def test_the_service_refuses_an_unknown_classification(planner: Any, event: Any) -> None:
    with pytest.raises(Invalid) as caught:
        make_plan(planner, event, classification=9)
    assert caught.value.field == "classification"
