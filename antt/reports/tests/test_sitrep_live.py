# mypy: disable-error-code="union-attr,arg-type,index,return-value"
"""The SitRep's live sections read the operations records of the report's day (local day in the event's
zone): incidents by category and priority with the notable ones, responders, check-ins against the plan,
coverage gaps and how long. Fixed times; boundaries on both sides of the day are left out."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from antt.operations.models import CheckIn, CoverageGap, Escalation, Incident, Responder, Sos
from antt.operations.tests.factories import IncidentFactory, category
from antt.reports import live, sitrep, sitrep_services
from antt.reports.tests.factories import World, world

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 10)


def local(event: Any, hour: int, minute: int = 0, *, days: int = 0) -> datetime:
    return datetime(2026, 11, 10, hour, minute, tzinfo=event.tz) + timedelta(days=days)


def incident(event: Any, number: int, code: str, priority: int, at: datetime, **extra: Any) -> Incident:
    return IncidentFactory(
        event=event,
        number=number,
        category=category(event, code),
        priority=priority,
        reported_at=at,
        **extra,
    )


def gap(
    w: World, post: Any, inc: Incident, responder: Responder, officer: Any, since: datetime, **extra: Any
) -> None:
    row = CoverageGap.objects.create(
        event=w.event, post=post, incident=inc, responder=responder, officer=officer, required=1, **extra
    )
    CoverageGap.objects.filter(pk=row.pk).update(created_at=since)  # the service stamps the server's time


def check_in(
    w: World, user: Any, officer: Any, post: Any, at: datetime, kind: str = "in", strong: bool = True
) -> None:
    CheckIn.objects.create(
        event=w.event,
        officer=officer,
        post=post,
        kind=kind,
        at=at,
        received_at=at,
        is_strong=strong,
        user=user,
    )


@dataclass
class Day:
    world: World
    medical_incident: Incident


def a_live_day(event: Any, user: Any) -> Day:
    """Three incidents on 10/11 (a P1 medical, a P3 crowd, an SOS), a merged duplicate, one the evening
    before and one at midnight after; responders, check-ins, gaps, an SOS and a missed check-in."""
    w = world(event)
    hương, đạt, thưởng = w.officers
    p1 = incident(event, 1, "medical", 1, local(event, 9), summary="Đại biểu bị ngất tại hội trường")
    crowd = incident(event, 2, "crowd", 3, local(event, 14), summary="Ùn ứ cổng phụ")
    sos = incident(event, 3, "other", 3, local(event, 23, 59), summary="SOS từ chốt", source="sos")
    incident(event, 4, "crowd", 4, local(event, 14, 5), status="merged", merged_into=crowd)
    before = incident(event, 5, "crowd", 1, local(event, 23, 59, days=-1), summary="Hôm trước")
    incident(event, 6, "medical", 1, local(event, 0, 0, days=1), summary="Hôm sau")
    r_before = Responder.objects.create(
        incident=before,
        officer=thưởng,
        assigned_at=local(event, 23, 59, days=-1),
        released_at=local(event, 23, 59, days=-1),
        status="released",
    )
    r1 = Responder.objects.create(
        incident=p1,
        officer=thưởng,
        assigned_at=local(event, 9, 5),
        released_at=local(event, 9, 45),
        status="released",
    )
    r2 = Responder.objects.create(incident=crowd, unit=w.units[0], assigned_at=local(event, 14, 10))
    Responder.objects.create(
        incident=sos,
        officer=thưởng,
        assigned_at=local(event, 23, 59),
        released_at=local(event, 0, 30, days=1),
        status="released",
    )
    # gaps: 40 min on the first-aid point; one still open from 14:10; one across midnight (30 min of it
    # today); one closed the evening before (not today)
    gap(w, w.medical, p1, r1, thưởng, local(event, 9, 5), status="returned", closed_at=local(event, 9, 45))
    gap(w, w.checkpoint, crowd, r2, đạt, local(event, 14, 10))
    gap(
        w,
        w.medical,
        before,
        r_before,
        thưởng,
        local(event, 23, 0, days=-1),
        status="returned",
        closed_at=local(event, 0, 30),
    )
    gap(
        w,
        w.medical,
        before,
        r_before,
        thưởng,
        local(event, 20, 0, days=-1),
        status="accepted",
        closed_at=local(event, 21, 0, days=-1),
    )
    # check-ins: Hương twice (one periodic, one without all proofs) and out; Thưởng once; Đạt never;
    # Hương again the next morning (not today)
    check_in(w, user, hương, w.checkpoint, local(event, 7, 2))
    check_in(w, user, hương, w.checkpoint, local(event, 8), kind="tour", strong=False)
    check_in(w, user, hương, w.checkpoint, local(event, 11), kind="out")
    check_in(w, user, thưởng, w.medical, local(event, 7, 5))
    check_in(w, user, hương, w.checkpoint, local(event, 7, 1, days=1))
    Sos.objects.create(
        event=event, officer=thưởng, user=user, received_at=local(event, 23, 58), pin_hash="x", post=w.medical
    )
    for level, fired in (
        (1, local(event, 11, 20)),
        (2, local(event, 11, 22)),
        (1, local(event, 11, 20, days=1)),
    ):
        Escalation.objects.create(
            event=event,
            kind="missed_check_in",
            subject=f"check-in:{đạt.pk}:{w.checkpoint.pk}:{fired:%d}",
            level=level,
            due_at=fired,
            fired_at=fired,
        )
    return Day(w, p1)


def test_the_days_incidents_responders_check_ins_and_gaps_are_counted(
    event: Any, planner: Any, time_machine: Any
) -> None:
    a_live_day(event, planner)
    time_machine.move_to(local(event, 16, 10))  # the crowd's gap has been open two hours
    s = sitrep_services.draft_sitrep(actor=planner, event=event, day=DAY).sections

    incidents = s["incidents"]
    assert incidents["available"] is True
    assert incidents["total"] == 3  # not the merged duplicate, not the evening before, not midnight after
    assert incidents["sos"] == 1
    assert [(r["code"], r["count"]) for r in incidents["by_category"]] == [
        ("crowd", 1),
        ("medical", 1),
        ("other", 1),
    ]
    assert incidents["by_category"][1]["name_vi"] == "Y tế"
    assert incidents["by_priority"] == [{"priority": 1, "count": 1}, {"priority": 3, "count": 2}]
    assert [(n["reference"], n["priority"]) for n in incidents["notable"]] == [("VV-0001", 1), ("VV-0003", 3)]
    assert incidents["notable_total"] == 2

    assert s["resources"]["sent_to_incidents"] == {"available": True, "officers": 1, "units": 1, "at_end": 2}

    coverage = s["coverage"]
    assert coverage["live_available"] is True
    assert (coverage["planned_officers"], coverage["present_officers"], coverage["absent_officers"]) == (
        3,
        2,
        1,
    )
    assert (coverage["planned_posts"], coverage["checked_in_posts"]) == (2, 2)
    assert (coverage["check_ins"], coverage["strong_check_ins"]) == (3, 2)
    assert coverage["present"] == 2

    gaps = s["gaps"]
    assert gaps["available"] is True
    assert [(g["post"], g["incident"], g["minutes"], g["ends_at"] is None) for g in gaps["rows"]] == [
        ("ICC-YT", "VV-0005", 30, False),
        ("ICC-YT", "VV-0001", 40, False),
        ("ICC-C1", "VV-0002", 120, True),
    ]
    assert (gaps["count"], gaps["minutes"], gaps["missed_check_ins"]) == (3, 190, 1)


def test_an_open_gap_counts_until_the_end_of_the_day_once_the_day_is_over(
    event: Any, planner: Any, time_machine: Any
) -> None:
    a_live_day(event, planner)
    time_machine.move_to(local(event, 9, days=2))
    gaps = sitrep_services.draft_sitrep(actor=planner, event=event, day=DAY).sections["gaps"]
    assert [g["minutes"] for g in gaps["rows"]] == [30, 40, 9 * 60 + 50]  # 14:10 → midnight


def test_each_source_says_no_live_data_until_it_has_some(event: Any, planner: Any, time_machine: Any) -> None:
    w = world(event)
    time_machine.move_to(local(event, 12, days=2))
    # only check-ins so far: presence counts, incidents have no data yet (not "0 incidents")
    check_in(w, planner, w.officers[0], w.checkpoint, local(event, 7, 2))
    s = sitrep.sections(event, DAY)
    assert s["incidents"] == {"available": False}
    assert s["resources"]["sent_to_incidents"] == {"available": False}
    assert (s["coverage"]["present_officers"], s["coverage"]["absent_officers"]) == (1, 2)
    assert (s["gaps"]["available"], s["gaps"]["count"]) == (True, 0)
    # an incident the next day: the first day still has none reported before its end, the second counts it
    incident(event, 1, "crowd", 2, local(event, 8, days=1))
    assert sitrep.sections(event, DAY)["incidents"] == {"available": False}
    second = sitrep.sections(event, DAY + timedelta(days=1))["incidents"]
    assert (second["available"], second["total"], second["notable_total"]) == (True, 1, 1)


def test_a_day_without_any_live_record_answers_nothing_made_up(event: Any) -> None:
    world(event)
    happened = live.live_day(event, *sitrep.day_window(event, DAY))
    assert happened == live.LiveDay()
    assert happened.available is False


@pytest.mark.slow
def test_the_pdf_and_the_xml_carry_the_live_sections(event: Any, planner: Any, time_machine: Any) -> None:
    a_live_day(event, planner)
    time_machine.move_to(local(event, 16, 10))
    report = sitrep_services.draft_sitrep(actor=planner, event=event, day=DAY)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(sitrep_services.pdf(report, "vi"))).pages)
    text = " ".join(text.split())  # table cells wrap
    assert "Đại biểu bị ngất tại hội trường" in text
    assert "ICC-C1 · Chốt cổng chính VV-0002 14:10" in text  # the crowd's gap, still open
    assert "VV-0003" in text  # a notable SOS
    assert "VV-0002" in text  # the crowd's open gap
    assert "Y tế" in text
    assert "Đám đông" in text
    assert "chưa có dữ liệu trực tiếp" not in text.lower()
    english = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(sitrep_services.pdf(report, "en"))).pages
    )
    assert "Medical" in english
    assert "P1 — immediate" in english
    root = etree.fromstring(sitrep_services.xml(report))
    ns = {"s": sitrep.SITREP_NS}
    assert root.findtext("s:severity", namespaces=ns) == "Moderate"
    assert root.findtext("s:reportConfidence", namespaces=ns) == "HighlyConfident"
    observation = root.findtext("s:report/s:observationText", namespaces=ns)
    assert "Incidents / Vụ việc: 3 (SOS: 1); notable / đáng chú ý: 2" in observation
    assert "Coverage gaps / Khoảng trống lực lượng: 3, 190 min / phút" in observation


def test_the_report_page_shows_the_days_figures(
    as_user: Any, event: Any, planner: Any, time_machine: Any
) -> None:
    a_live_day(event, planner)
    time_machine.move_to(local(event, 16, 10))
    report = sitrep_services.draft_sitrep(actor=planner, event=event, day=DAY)
    page = as_user(planner).get(f"/events/{event.code}/reports/sitreps/{report.pk}/").content.decode()
    page = " ".join(page.split())
    assert "3 · SOS: 1" in page
    assert "2 / 3" in page  # present / planned
    assert "3 · 190" in page  # gaps, minutes
