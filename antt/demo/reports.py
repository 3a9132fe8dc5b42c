"""The summit's briefing: operational periods, a radio plan, an approved IAP for the first period, a SitRep
draft, one published CAP alert and working calendar feeds — written through the services, seeded once.

Called from ``antt.demo.seed.seed()`` for the summit (see docs/reports.md); idempotent.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from antt.forces.models import Officer, Unit
from antt.planning.models import Site
from antt.reports import alert_services, duty_calendar, services, sitrep_services
from antt.reports.models import Alert, CalendarFeed, Iap, OperationalPeriod, RadioChannel, SitRep

PERIODS = (
    ("ngay", "Ca ngày", "Day shift", time(6, 0), time(18, 0)),
    ("dem", "Ca đêm", "Night shift", time(18, 0), time(6, 0)),
)
CHANNELS = (
    (
        "command",
        "Chỉ huy 1",
        "TG-100",
        "150.100 MHz",
        "HOI-AN",
        "0235 3861 100",
        "Kênh chỉ huy chung toàn sự kiện",
    ),
    ("tactical", "Tác chiến ICC", "TG-110", "150.250 MHz", "ICC", "", "Trung tâm Hội nghị Quốc tế"),
    ("tactical", "Dẫn đoàn", "TG-120", "150.375 MHz", "DOAN-XE", "", "Đoàn xe và tuyến đường"),
    ("medical", "Y tế", "TG-130", "150.500 MHz", "Y-TE", "115", "Cấp cứu, bệnh viện"),
    ("phone", "Trực ban", "", "", "TRUC-BAN", "0235 3861 113", "Số trực ban Công an tỉnh"),
)


def _periods(event: Any, planner: Any) -> OperationalPeriod:
    for code, vi, en, starts, ends in PERIODS:
        if not OperationalPeriod.objects.filter(event=event, code=code).exists():
            services.create_period(
                actor=planner, event=event, code=code, name_vi=vi, name_en=en, starts=starts, ends=ends
            )
    return OperationalPeriod.objects.get(event=event, code=PERIODS[0][0])


def _channels(event: Any, planner: Any) -> None:
    if RadioChannel.objects.filter(event=event).exists():
        return
    for function, name, talk_group, frequency, call_sign, phone, remarks in CHANNELS:
        services.create_channel(
            actor=planner,
            event=event,
            function=function,
            name=name,
            talk_group=talk_group,
            frequency=frequency,
            call_sign=call_sign,
            phone=phone,
            remarks=remarks,
        )


def _iap(event: Any, period: OperationalPeriod, planner: Any, commander: Any) -> None:
    day = event.starts_at.astimezone(event.tz).date()
    if Iap.objects.filter(event=event, period=period, approved_version__isnull=False).exists():
        return
    version = services.request_iap(actor=planner, event=event, period=period, day=day, language="vi")
    services.execute_build(version.pk)  # in the seeding process, not the worker
    version.refresh_from_db()
    services.approve_iap(actor=commander, version=version, content_hash=version.content_hash)
    services.execute_finalize(version.pk)


def _alert(event: Any, planner: Any, commander: Any) -> None:
    if Alert.objects.filter(event=event, status=Alert.Status.PUBLISHED).exists():
        return
    route = Site.objects.filter(event=event, kind=Site.Kind.ROUTE).order_by("code").first()
    alert = alert_services.create_alert(
        actor=planner,
        event=event,
        category="Transport",
        urgency="Expected",
        severity="Moderate",
        certainty="Likely",
        event_vi="Hạn chế giao thông phục vụ đoàn xe",
        event_en="Traffic restriction for a motorcade",
        headline_vi="Tạm cấm phương tiện trên tuyến Đà Nẵng - Hội An khi đoàn xe đi qua",
        headline_en="Đà Nẵng - Hội An road closed while the motorcade passes",
        description_vi="Tuyến đường sẽ tạm dừng lưu thông từng đoạn, mỗi lần khoảng 15 phút, khi đoàn xe đại biểu đi qua.",
        description_en="The road is closed section by section, about 15 minutes at a time, while the delegates' motorcade passes.",
        instruction_vi="Đi tuyến ven biển Võ Nguyên Giáp; làm theo hướng dẫn của Cảnh sát giao thông.",
        instruction_en="Use the Võ Nguyên Giáp coastal road; follow the traffic police.",
        area_vi="Tuyến Đà Nẵng - Hội An",
        area_en="Đà Nẵng - Hội An road",
        site=route,
        area={} if route is not None else {"circle": [15.88, 108.33, 2.0]},
    )
    alert_services.approve_alert(actor=commander, alert=alert)
    alert_services.publish_alert(actor=commander, alert=alert)


def _feeds(event: Any, field_officer: Any, unit_commander: Any) -> dict[str, str]:
    """One calendar address for the demo field officer's duties and one for the demo unit commander's unit.
    Their secrets exist only here (the database keeps hashes): returned so the demo can print them."""
    secrets: dict[str, str] = {}
    officer = Officer.objects.filter(event=event, user=field_officer).first()
    if officer is not None and not CalendarFeed.objects.filter(event=event, user=field_officer).exists():
        secrets[field_officer.username] = duty_calendar.create_feed(
            actor=field_officer, event=event, officer=officer
        )[1]
    commanded = Unit.objects.filter(event=event, commander__user=unit_commander).order_by("code").first()
    if commanded is not None and not CalendarFeed.objects.filter(event=event, user=unit_commander).exists():
        secrets[unit_commander.username] = duty_calendar.create_feed(
            actor=unit_commander, event=event, unit=commanded
        )[1]
    return secrets


def seed_reports(
    event: Any, *, planner: Any, commander: Any, field_officer: Any, unit_commander: Any
) -> dict[str, str]:
    """Seed the briefing of ``event``; returns {username: calendar secret} for feeds made now ({} again)."""
    period = _periods(event, planner)
    _channels(event, planner)
    _iap(event, period, planner, commander)
    if not SitRep.objects.filter(event=event).exists():
        sitrep_services.draft_sitrep(
            actor=planner, event=event, day=event.starts_at.astimezone(event.tz).date()
        )
    _alert(event, planner, commander)
    return _feeds(event, field_officer, unit_commander)
