# mypy: disable-error-code="union-attr,arg-type,index"
"""The reports API reads what the pages show, with the same rules: clearance hides a report, a version not
approved is for those who prepare IAPs, a member of another event sees nothing."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest

from antt.reports import sitrep_services
from antt.reports.models import Alert, Iap, IapVersion, OperationalPeriod
from antt.reports.tests.factories import world

pytestmark = pytest.mark.django_db


def an_iap(event: Any, user: Any) -> Iap:
    """An unclassified IAP: version 1 approved and distributed, version 2 built and awaiting approval."""
    period = OperationalPeriod.objects.create(
        event=event, code="ngay", name_vi="Ca ngày", name_en="Day shift", starts=time(6), ends=time(18)
    )
    iap = Iap.objects.create(
        event=event,
        period=period,
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=12),
        classification=0,
    )
    v1 = IapVersion.objects.create(
        iap=iap,
        number=1,
        status=IapVersion.Status.APPROVED,
        pdf_final=True,
        content={"ics203": {"rows": [{"unit": "CSCD-1"}]}},
        content_hash="a" * 64,
        requested_by=user,
        requested_at=event.starts_at,
        approved_by=user,
        approved_at=event.starts_at,
    )
    v2 = IapVersion.objects.create(
        iap=iap,
        number=2,
        status=IapVersion.Status.BUILT,
        content={"ics203": {"rows": []}},
        content_hash="b" * 64,
        requested_by=user,
        requested_at=event.starts_at,
    )
    iap.latest_version, iap.approved_version = v2, v1
    iap.save()
    return iap


def an_alert(event: Any, user: Any, status: str, identifier: str) -> Alert:
    return Alert.objects.create(
        event=event,
        identifier=identifier,
        status=status,
        author=user,
        event_vi="Hạn chế giao thông",
        event_en="Traffic restriction",
        headline_vi="Tạm cấm phương tiện trên tuyến Đà Nẵng - Hội An",
        headline_en="Road closed",
        description_vi="Từng đoạn, mỗi lần 15 phút.",
        description_en="Section by section.",
        area_vi="Tuyến Đà Nẵng - Hội An",
        area_en="Đà Nẵng - Hội An road",
        area={"circle": [15.88, 108.33, 2.0]},
    )


def test_iap_versions_not_approved_are_for_those_who_prepare_them(
    as_user: Any, event: Any, planner: Any, observer: Any
) -> None:
    iap = an_iap(event, planner)
    base = f"/api/v1/events/{event.code}/iaps/"
    listed = as_user(observer).get(base).json()["results"]
    assert [(r["id"], r["latest_version"], r["approved_version"]) for r in listed] == [(iap.pk, 2, 1)]
    assert listed[0]["period"]["code"] == "ngay"
    seen = as_user(observer).get(f"{base}{iap.pk}/").json()
    assert [v["number"] for v in seen["versions"]] == [1]
    assert seen["versions"][0]["pdf"] == f"/events/{event.code}/reports/iaps/{iap.pk}/v1.pdf"
    assert [v["number"] for v in as_user(planner).get(f"{base}{iap.pk}/").json()["versions"]] == [2, 1]
    assert as_user(observer).get(f"{base}{iap.pk}/versions/1/").json()["content"] == {
        "ics203": {"rows": [{"unit": "CSCD-1"}]}
    }
    assert as_user(observer).get(f"{base}{iap.pk}/versions/2/").status_code == 404
    assert as_user(planner).get(f"{base}{iap.pk}/versions/2/").json()["status"] == "built"


def test_a_classified_iap_or_sitrep_is_not_found_below_its_clearance(
    as_user: Any, event: Any, planner: Any, observer: Any
) -> None:
    iap = an_iap(event, planner)
    Iap.objects.filter(pk=iap.pk).update(classification=2)  # secret
    world(event)
    report = sitrep_services.draft_sitrep(actor=planner, event=event, day=date(2026, 11, 10))  # confidential
    observer_client, planner_client = as_user(observer), as_user(planner)
    assert observer_client.get(f"/api/v1/events/{event.code}/iaps/").json()["results"] == []
    assert observer_client.get(f"/api/v1/events/{event.code}/iaps/{iap.pk}/").status_code == 404
    assert observer_client.get(f"/api/v1/events/{event.code}/sitreps/").json()["results"] == []
    assert observer_client.get(f"/api/v1/events/{event.code}/sitreps/{report.pk}/").status_code == 404
    assert planner_client.get(f"/api/v1/events/{event.code}/iaps/{iap.pk}/").status_code == 200
    listed = planner_client.get(f"/api/v1/events/{event.code}/sitreps/").json()["results"]
    assert [(r["id"], r["day"], r["status"]) for r in listed] == [(report.pk, "2026-11-10", "draft")]
    detail = planner_client.get(f"/api/v1/events/{event.code}/sitreps/{report.pk}/").json()
    assert detail["sections"]["summary"]["assignments"] == 3
    assert detail["sections"]["incidents"] == {"available": False}
    assert detail["xml"] == f"/events/{event.code}/reports/sitreps/{report.pk}/edxl-sitrep.xml"


def test_alerts_list_and_detail_link_only_a_published_message(
    as_user: Any, event: Any, planner: Any, observer: Any
) -> None:
    published = an_alert(event, planner, Alert.Status.PUBLISHED, "ANTT-api-1")
    draft = an_alert(event, planner, Alert.Status.DRAFT, "ANTT-api-2")
    client = as_user(observer)
    base = f"/api/v1/events/{event.code}/alerts/"
    assert {r["identifier"]: r["status"] for r in client.get(base).json()["results"]} == {
        "ANTT-api-1": "published",
        "ANTT-api-2": "draft",
    }
    detail = client.get(f"{base}{published.pk}/").json()
    assert detail["headline_vi"] == "Tạm cấm phương tiện trên tuyến Đà Nẵng - Hội An"
    assert detail["area"] == {"circle": [15.88, 108.33, 2.0]}
    assert detail["cap"] == f"/public/{event.code}/alerts/{published.pk}.xml"
    assert client.get(f"{base}{draft.pk}/").json()["cap"] is None


def test_another_events_member_sees_nothing(as_user: Any, event: Any, planner: Any, outsider: Any) -> None:
    iap = an_iap(event, planner)
    alert = an_alert(event, planner, Alert.Status.PUBLISHED, "ANTT-api-3")
    client = as_user(outsider)
    for path in (
        "iaps/",
        f"iaps/{iap.pk}/",
        f"iaps/{iap.pk}/versions/1/",
        "sitreps/",
        "alerts/",
        f"alerts/{alert.pk}/",
    ):
        assert client.get(f"/api/v1/events/{event.code}/{path}").status_code == 404, path


def test_schema_documents_the_reports_endpoints(as_user: Any, planner: Any) -> None:
    schema = as_user(planner).get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path in (
        "/api/v1/events/{code}/iaps/",
        "/api/v1/events/{code}/iaps/{iap_id}/",
        "/api/v1/events/{code}/iaps/{iap_id}/versions/{number}/",
        "/api/v1/events/{code}/sitreps/",
        "/api/v1/events/{code}/sitreps/{sitrep_id}/",
        "/api/v1/events/{code}/alerts/",
        "/api/v1/events/{code}/alerts/{alert_id}/",
    ):
        assert path in schema["paths"], path
