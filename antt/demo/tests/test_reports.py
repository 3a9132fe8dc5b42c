# mypy: disable-error-code="union-attr,arg-type,index"
"""The summit's briefing: an approved IAP for the first operational period whose sections count what the
plan holds, a SitRep draft, one published CAP alert, working calendar feeds; seeded once."""

from __future__ import annotations

import io

import pytest
from ical.calendar_stream import IcsCalendarStream
from lxml import etree
from pypdf import PdfReader

from antt.accounts.models import User
from antt.demo import seed as demo
from antt.demo.reports import seed_reports
from antt.events.models import Event
from antt.forces.models import Unit
from antt.planning.models import Assignment, Post, Site
from antt.reports import cap, duty_calendar, iap
from antt.reports.models import Alert, Iap, IapVersion, SitRep

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_the_summit_has_its_briefing() -> None:
    seeded = demo.seed()
    summit = Event.objects.get(code="demo-summit")
    users = {u.username: u for u in User.objects.filter(username__startswith="demo-")}
    people = {
        "planner": users["demo-planner"],
        "commander": users["demo-commander"],
        "field_officer": users["demo-officer"],
        "unit_commander": users["demo-unit"],
    }
    secrets = {
        name: url.removeprefix("/ical/").removesuffix(".ics") for name, url in seeded["calendars"].items()
    }
    the_iap = Iap.objects.get(event=summit, period__code="ngay")
    version = the_iap.approved_version
    assert version.status == IapVersion.Status.APPROVED
    assert version.approved_by == users["demo-commander"]
    counts = iap.row_counts(version.content)
    window = {"starts_at__lt": the_iap.ends_at, "ends_at__gt": the_iap.starts_at}
    assert counts["ics203"] == Unit.objects.filter(event=summit).count()
    assert counts["ics204"] == Assignment.objects.filter(event=summit, **window).count() > 0
    assert counts["ics205"] == 5
    assert counts["ics206"] == (
        Post.objects.filter(event=summit, kind=Post.Kind.MEDICAL).count()
        + Site.objects.filter(event=summit, kind=Site.Kind.HOSPITAL).count()
    )
    assert len(version.content["ics202"]["objectives"]) >= 1  # the approved KH-ANTT-01
    text = PdfReader(io.BytesIO(bytes(version.pdf))).pages[0].extract_text()
    assert "Hội nghị Cấp cao quốc tế tại Hội An, Quảng Nam" in text.replace("\n", " ")
    assert SitRep.objects.filter(event=summit, status=SitRep.Status.DRAFT).count() == 1
    alert = Alert.objects.get(event=summit, status=Alert.Status.PUBLISHED)
    assert cap.schema().validate(etree.fromstring(alert.xml.encode()))
    assert set(secrets) == {"demo-officer", "demo-unit"}
    for secret in secrets.values():
        feed = duty_calendar.feed_for_secret(secret)
        assert len(IcsCalendarStream.calendar_from_ics(duty_calendar.ics(feed).decode()).events) > 0
    assert seed_reports(summit, **people) == {}
    assert IapVersion.objects.filter(iap__event=summit).count() == 1
