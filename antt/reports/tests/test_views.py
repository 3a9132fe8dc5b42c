# mypy: disable-error-code="union-attr,arg-type,index"
"""The doors: pages and downloads answer only those allowed, the public feeds only what was published, the
calendar address only until it is revoked."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from lxml import etree
from openpyxl import load_workbook

from antt.core.permissions import Clearance, Role
from antt.events.tests.factories import MembershipFactory
from antt.reports import alert_services, duty_calendar
from antt.reports.models import Alert, Iap, IapVersion, SitRep
from antt.reports.tests.factories import world
from antt.reports.tests.test_alerts import texts

pytestmark = pytest.mark.django_db


@pytest.mark.slow
def test_generate_then_another_commander_approves_through_the_pages(
    event: Any, as_user: Any, planner: Any, commander: Any
) -> None:
    w = world(event)
    response = as_user(planner).post(
        reverse("reports:iap-generate", args=[event.code]),
        {"period": w.period.pk, "day": "2026-11-10", "language": "vi", "classification": "1"},
    )
    the_iap = Iap.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:iap", args=[event.code, the_iap.pk])
    version = IapVersion.objects.get()
    assert version.status == IapVersion.Status.BUILT
    page = as_user(commander).get(response["Location"])
    assert b"Approve version 1" in page.content
    as_user(commander).post(
        reverse("reports:iap-approve", args=[event.code, the_iap.pk, 1]),
        {"content_hash": version.content_hash},
    )
    version.refresh_from_db()
    assert version.status == IapVersion.Status.APPROVED
    assert version.pdf_final  # rendered by the finalize task (immediate here)
    pdf = as_user(commander).get(reverse("reports:iap-pdf", args=[event.code, the_iap.pk, 1]) + "?lang=en")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.slow
def test_an_iap_is_hidden_from_members_without_the_clearance(
    event: Any, as_user: Any, planner: Any, observer: Any
) -> None:
    w = world(event)
    as_user(planner).post(
        reverse("reports:iap-generate", args=[event.code]),
        {"period": w.period.pk, "day": "2026-11-10", "classification": "2"},
    )
    the_iap = Iap.objects.get()
    confidential = MembershipFactory(event=event, role=Role.OBSERVER, clearance=Clearance.CONFIDENTIAL).user
    assert as_user(confidential).get(reverse("reports:iap", args=[event.code, the_iap.pk])).status_code == 404
    assert (
        as_user(observer).get(reverse("reports:iap-pdf", args=[event.code, the_iap.pk, 1])).status_code == 404
    )
    assert as_user(planner).get(reverse("reports:iap", args=[event.code, the_iap.pk])).status_code == 200


def test_an_observer_cannot_generate_nor_approve(event: Any, as_user: Any, observer: Any) -> None:
    w = world(event)
    response = as_user(observer).post(
        reverse("reports:iap-generate", args=[event.code]), {"period": w.period.pk, "day": "2026-11-10"}
    )
    assert response.status_code == 403
    assert not Iap.objects.exists()


@pytest.mark.slow
def test_the_sitrep_exports_as_pdf_and_edxl(event: Any, as_user: Any, planner: Any) -> None:
    world(event)
    as_user(planner).post(
        reverse("reports:sitrep-draft", args=[event.code]), {"day": "2026-11-10", "classification": "0"}
    )
    report = SitRep.objects.get()
    client = as_user(planner)
    client.post(
        reverse("reports:sitrep", args=[event.code, report.pk]),
        {"summary_vi": "Tình hình ổn định.", "summary_en": "Calm."},
    )
    report.refresh_from_db()
    assert report.summary_vi == "Tình hình ổn định."
    xml = client.get(reverse("reports:sitrep-xml", args=[event.code, report.pk]))
    assert etree.fromstring(xml.content).tag.endswith("sitRep")
    assert client.get(
        reverse("reports:sitrep-pdf", args=[event.code, report.pk]) + "?lang=en"
    ).content.startswith(b"%PDF")


def test_a_bad_alert_comes_back_with_the_reason_and_nothing_is_written(
    event: Any, as_user: Any, planner: Any
) -> None:
    data = {k: v for k, v in texts().items() if k != "area"}
    data["area"] = '{"polygon": [[15.88, 108.33], [15.88, 108.34], [15.89, 108.34], [15.9, 108.3]]}'
    response = as_user(planner).post(reverse("reports:alerts", args=[event.code]), data)
    assert response.status_code == 200
    assert b"not closed" in response.content
    assert not Alert.objects.exists()


def test_the_atom_feed_shows_only_published_alerts(
    event: Any, client: Any, planner: Any, commander: Any
) -> None:
    shown = alert_services.create_alert(actor=planner, event=event, **texts(headline_vi="Đã phát hành"))
    alert_services.approve_alert(actor=commander, alert=shown)
    shown = alert_services.publish_alert(actor=commander, alert=shown)
    draft = alert_services.create_alert(actor=planner, event=event, **texts(headline_vi="Bản nháp bí mật"))
    approved = alert_services.create_alert(
        actor=planner, event=event, **texts(headline_vi="Đã duyệt chưa phát")
    )
    alert_services.approve_alert(actor=commander, alert=approved)
    feed = client.get(reverse("reports:public-alerts", kwargs={"event_code": event.code}))
    assert feed.status_code == 200
    text = feed.content.decode()
    assert "Đã phát hành" in text
    assert "Bản nháp bí mật" not in text
    assert "Đã duyệt chưa phát" not in text
    root = etree.fromstring(feed.content)
    assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) == 1
    assert (
        client.get(
            reverse("reports:public-alert", kwargs={"event_code": event.code, "alert_id": shown.pk})
        ).status_code
        == 200
    )
    for hidden in (draft, approved):
        assert (
            client.get(
                reverse("reports:public-alert", kwargs={"event_code": event.code, "alert_id": hidden.pk})
            ).status_code
            == 404
        )


def test_the_ical_address_stops_working_when_revoked(
    event: Any, client: Any, as_user: Any, planner: Any
) -> None:
    w = world(event)
    feed, secret = duty_calendar.create_feed(actor=planner, event=event, officer=w.officers[0])
    url = reverse("reports:ical", kwargs={"secret": secret})
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert b"BEGIN:VCALENDAR" in response.content
    as_user(planner).post(reverse("reports:feed-revoke", args=[event.code, feed.pk]))
    assert client.get(url).status_code == 404


@pytest.mark.slow
def test_rosters_print_as_pdf_and_xlsx(event: Any, as_user: Any, planner: Any) -> None:
    w = world(event)
    client = as_user(planner)
    url = reverse("reports:roster-unit", args=[event.code, w.units[0].pk]) + "?day=2026-11-10"
    assert client.get(url).content.startswith(b"%PDF")
    book = load_workbook(io.BytesIO(client.get(url + "&format=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "MẬT · CONFIDENTIAL"
    assert [r[4] for r in rows[3:]] == ["Đại úy Nguyễn Thị Hương", "Trung úy Trần Quốc Đạt"]
    post_url = (
        reverse("reports:roster-post", args=[event.code, w.checkpoint.pk]) + "?day=2026-11-10&format=xlsx"
    )
    assert len(list(load_workbook(io.BytesIO(client.get(post_url).content)).active.iter_rows())) == 5


def test_pages_answer(event: Any, as_user: Any, planner: Any) -> None:
    world(event)
    client = as_user(planner)
    for name in ("reports:home", "reports:periods", "reports:channels", "reports:alerts", "reports:feeds"):
        assert client.get(reverse(name, args=[event.code])).status_code == 200, name
