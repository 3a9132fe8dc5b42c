# mypy: disable-error-code="union-attr,arg-type,index"
"""The daily situation report: a draft generated from the day's data (live sections say "no live data yet"),
edited, approved by another commander; PDF and EDXL-SitRep 1.0 XML checked against the specification's
tables (the official schema could not be obtained: docs/reports.md)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from lxml import etree
from pypdf import PdfReader

from antt.core.errors import Conflict, NotAllowed, NotFound
from antt.reports import queries, sitrep, sitrep_services
from antt.reports.models import SitRep
from antt.reports.tests.factories import world

pytestmark = pytest.mark.django_db


def first_day(event: Any) -> Any:
    return event.starts_at.astimezone(event.tz).date()


@pytest.mark.slow
def test_the_draft_counts_the_days_plan_and_says_live_data_is_missing(event: Any, planner: Any) -> None:
    world(event)
    report = sitrep_services.draft_sitrep(actor=planner, event=event, day=first_day(event))
    s = report.sections
    assert s["summary"]["assignments"] == 3
    assert s["summary"]["officers_on_duty"] == 3
    assert s["resources"] == {
        "committed": 3,
        "available": 0,
        "total": 3,
        "by_post_kind": {"checkpoint": 2, "medical": 1},
        "sent_to_incidents": {"available": False},
    }
    assert s["incidents"] == {"available": False}
    assert s["coverage"]["present"] is None
    assert s["gaps"] == {"available": False, "rows": []}
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(sitrep_services.pdf(report, "vi"))).pages)
    assert "Chưa có dữ liệu trực tiếp" in text or "chưa có dữ liệu trực tiếp" in text.lower()


@pytest.mark.slow
def test_edit_then_another_commander_approves(event: Any, planner: Any, commander: Any) -> None:
    world(event)
    report = sitrep_services.draft_sitrep(actor=commander, event=event, day=first_day(event))
    report = sitrep_services.edit_sitrep(
        actor=planner, report=report, summary_vi="Tình hình ổn định, không có vụ việc nghiêm trọng."
    )
    with pytest.raises(NotAllowed):
        sitrep_services.approve_sitrep(actor=commander, report=report)  # commander drafted it
    other = (
        __import__("antt.events.tests.factories", fromlist=["MembershipFactory"])
        .MembershipFactory(event=event, role="commander")
        .user
    )
    report = sitrep_services.approve_sitrep(actor=other, report=report)
    assert report.status == SitRep.Status.APPROVED
    with pytest.raises(Conflict):
        sitrep_services.edit_sitrep(actor=planner, report=report, summary_vi="x")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(sitrep_services.pdf(report, "vi"))).pages)
    assert "Tình hình ổn định, không có vụ việc nghiêm trọng." in text


def test_the_edxl_sitrep_follows_the_specifications_table(event: Any, planner: Any) -> None:
    world(event)
    report = sitrep_services.draft_sitrep(actor=planner, event=event, day=first_day(event))
    report = sitrep_services.edit_sitrep(
        actor=planner, report=report, summary_vi="Ổn định.", summary_en="Stable."
    )
    root = etree.fromstring(sitrep_services.xml(report))
    assert root.tag == f"{{{sitrep.SITREP_NS}}}sitRep"
    names = [etree.QName(child).localname for child in root]
    order = [name for name, _lo, _hi in sitrep.SITREP_TABLE]
    assert [order.index(n) for n in names] == sorted(order.index(n) for n in names)  # the table's order
    for name, low, high in sitrep.SITREP_TABLE:
        count = names.count(name)
        assert count >= low, name
        assert high is None or count <= high, name
    ns = {"s": sitrep.SITREP_NS, "ct": sitrep.CT_NS}
    assert root.findtext("s:reportVersion", namespaces=ns) in sitrep.REPORT_VERSIONS
    assert root.findtext("s:reportConfidence", namespaces=ns) in sitrep.CONFIDENCE
    assert root.findtext("s:severity", namespaces=ns) in sitrep.SEVERITY
    assert root.findtext("s:urgency", namespaces=ns) in sitrep.URGENCY
    assert root.findtext("s:forTimePeriod/ct:fromDateTime", namespaces=ns) == "2026-11-10T00:00:00+07:00"
    assert "Ổn định." in root.findtext("s:report/s:observationText", namespaces=ns)


def test_a_report_above_the_readers_clearance_is_invisible(event: Any, planner: Any, observer: Any) -> None:
    world(event)
    report = sitrep_services.draft_sitrep(actor=planner, event=event, day=first_day(event))
    assert list(queries.sitreps_for(observer, event)) == []
    with pytest.raises(NotFound):
        queries.get_sitrep_for(observer, event, report.pk)
    assert queries.get_sitrep_for(planner, event, report.pk) == report
