"""A small briefing world: units with commanders, sites (a venue, a hospital), posts (a checkpoint, a medical
post), assignments on the event's first day, a radio channel, an operational period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any

from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.planning.models import Post, Site
from antt.planning.tests.factories import AssignmentFactory, PostFactory, SiteFactory
from antt.reports.models import OperationalPeriod, RadioChannel


@dataclass
class World:
    event: Any
    period: Any
    units: list[Any]
    officers: list[Any]
    venue: Any
    hospital: Any
    checkpoint: Any
    medical: Any
    assignments: list[Any]
    channel: Any


def world(event: Any) -> World:
    period = OperationalPeriod.objects.create(
        event=event, code="day", name_vi="Ca ngày", name_en="Day shift", starts=time(6, 0), ends=time(18, 0)
    )
    units = [
        UnitFactory(
            event=event, code="CSCD-1", name_vi="Đội Cảnh sát cơ động số 1", name_en="Mobile police team 1"
        ),
        UnitFactory(event=event, code="YTE", name_vi="Tổ Y tế cơ động", name_en="Mobile medical team"),
    ]
    officers = [
        OfficerFactory(
            event=event, unit=units[0], full_name="Nguyễn Thị Hương", rank="Đại úy", call_sign="HOA-01"
        ),
        OfficerFactory(
            event=event, unit=units[0], full_name="Trần Quốc Đạt", rank="Trung úy", call_sign="HOA-02"
        ),
        OfficerFactory(
            event=event, unit=units[1], full_name="Lê Văn Thưởng", rank="Thiếu tá", call_sign="YTE-01"
        ),
    ]
    for unit, commander in zip(units, (officers[0], officers[2]), strict=True):
        unit.commander = commander
        unit.save()
    venue = SiteFactory(
        event=event,
        code="ICC",
        name_vi="Trung tâm Hội nghị Quốc tế Hội An",
        name_en="Hội An International Convention Centre",
        geometry={
            "type": "Polygon",
            "coordinates": [[[108.33, 15.88], [108.34, 15.88], [108.34, 15.89], [108.33, 15.88]]],
        },
    )
    hospital = SiteFactory(
        event=event,
        code="BV-HA",
        name_vi="Bệnh viện Đa khoa Hội An",
        name_en="Hội An General Hospital",
        kind=Site.Kind.HOSPITAL,
        address="4 Trần Hưng Đạo, Hội An",
        geometry={"type": "Point", "coordinates": [108.3350, 15.8770]},
    )
    checkpoint = PostFactory(
        event=event,
        site=venue,
        code="ICC-C1",
        name_vi="Chốt cổng chính",
        name_en="Main gate checkpoint",
        orders="Kiểm tra giấy tờ, soi chiếu hành lý.",
        geometry={"type": "Point", "coordinates": [108.335, 15.885]},
    )
    medical = PostFactory(
        event=event,
        site=venue,
        code="ICC-YT",
        name_vi="Điểm sơ cứu",
        name_en="First-aid point",
        kind=Post.Kind.MEDICAL,
    )
    day_start = event.starts_at  # 07:00 local on the first day
    assignments = [
        AssignmentFactory(
            event=event,
            post=checkpoint,
            officer=officers[0],
            starts_at=day_start,
            ends_at=day_start + timedelta(hours=4),
        ),
        AssignmentFactory(
            event=event,
            post=checkpoint,
            officer=officers[1],
            starts_at=day_start + timedelta(hours=4),
            ends_at=day_start + timedelta(hours=8),
        ),
        AssignmentFactory(
            event=event,
            post=medical,
            officer=officers[2],
            starts_at=day_start,
            ends_at=day_start + timedelta(hours=10),
        ),
        # the next day: outside the first day's period
        AssignmentFactory(
            event=event,
            post=checkpoint,
            officer=officers[0],
            starts_at=day_start + timedelta(days=1),
            ends_at=day_start + timedelta(days=1, hours=4),
        ),
    ]
    channel = RadioChannel.objects.create(
        event=event,
        unit=units[0],
        function=RadioChannel.Function.TACTICAL,
        name="Kênh Hội An 1",
        talk_group="TG-101",
        frequency="150.250 MHz",
        call_sign="HOA",
        phone="0235 3861 234",
    )
    return World(event, period, units, officers, venue, hospital, checkpoint, medical, assignments, channel)


def sweep_objects(event: Any, user: Any) -> dict[str, int]:
    """One object of each kind for the URL sweep (ids of the *other* event)."""
    from datetime import date

    from antt.reports.models import Alert, CalendarFeed, Iap, IapVersion, SitRep

    period = OperationalPeriod.objects.create(
        event=event, code="sweep", name_vi="Ca", name_en="Shift", starts=time(6, 0), ends=time(18, 0)
    )
    iap = Iap.objects.create(
        event=event,
        period=period,
        starts_at=event.starts_at,
        ends_at=event.starts_at + timedelta(hours=12),
        classification=0,
    )
    IapVersion.objects.create(iap=iap, number=1, requested_by=user, requested_at=event.starts_at)
    sitrep = SitRep.objects.create(
        event=event, day=date(2026, 11, 10), number=1, author=user, classification=0
    )
    alert = Alert.objects.create(
        event=event,
        identifier=f"sweep-{event.code}",
        author=user,
        event_vi="x",
        event_en="x",
        headline_vi="x",
        headline_en="x",
        description_vi="x",
        description_en="x",
        area_vi="x",
        area_en="x",
        area={"circle": [15.0, 108.0, 1.0]},
    )
    channel = RadioChannel.objects.create(event=event, name="sweep")
    officer = OfficerFactory(event=event)
    feed = CalendarFeed.objects.create(
        event=event, user=user, kind="officer", officer=officer, secret_hash="0" * 64
    )
    return {"iap": iap.pk, "sitrep": sitrep.pk, "alert": alert.pk, "channel": channel.pk, "feed": feed.pk}
