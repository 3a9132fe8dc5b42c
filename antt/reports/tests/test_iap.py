# mypy: disable-error-code="union-attr,arg-type,index"
"""The Incident Action Plan: built from the plan, in the ICS structure, as a PDF whose text comes back with
its Vietnamese diacritics; versioned, diffed, approved by another commander."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from antt.core.errors import Conflict, NotAllowed
from antt.core.permissions import Clearance, Role
from antt.events.tests.factories import MembershipFactory
from antt.reports import iap, queries, services
from antt.reports.models import IapVersion
from antt.reports.tests.factories import world

pytestmark = [pytest.mark.django_db, pytest.mark.slow]  # WeasyPrint renders PDFs: seconds each


def text_of(pdf: bytes) -> str:
    """The PDF's text with runs of white space as one space (a narrow cell wraps a name over two lines)."""
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def build(actor: Any, w: Any, language: str = "vi") -> IapVersion:
    version = services.request_iap(
        actor=actor,
        event=w.event,
        period=w.period,
        day=w.event.starts_at.astimezone(w.event.tz).date(),
        language=language,
    )
    services.dispatch_build(version.pk)
    version.refresh_from_db()
    return version


def test_the_iap_holds_each_ics_section_with_the_plans_rows(event: Any, planner: Any) -> None:
    w = world(event)
    version = build(planner, w)
    assert version.status == IapVersion.Status.BUILT
    assert version.progress == 100
    assert iap.row_counts(version.content) == {
        "ics202": 0,
        "ics203": 2,
        "ics204": 3,  # the three duties of the first day's period, not the next day's
        "ics205": 1,
        "ics206": 2,  # one medical post, one hospital
        "map": 2,
    }
    hospital = version.content["ics206"]["hospitals"][0]
    assert hospital["code"] == "BV-HA"
    assert 0.5 < hospital["distance_km"] < 2.0
    assert [r[0] for r in version.content["ics206"]["standby"]] == ["ICC-YT"]


def test_the_pdf_text_comes_back_with_vietnamese_diacritics_and_markings(event: Any, planner: Any) -> None:
    w = world(event)
    version = build(planner, w)
    text = text_of(bytes(version.pdf))
    for name in (
        "Nguyễn Thị Hương",
        "Trần Quốc Đạt",
        "Lê Văn Thưởng",
        "Bệnh viện Đa khoa Hội An",
        "Chốt cổng chính",
        "Kênh Hội An 1",
    ):
        assert name in text
    for heading in ("ICS 202", "ICS 203", "ICS 204", "ICS 205", "ICS 206"):
        assert heading in text
    pages = PdfReader(io.BytesIO(bytes(version.pdf))).pages
    for number, page in enumerate(pages, start=1):
        page_text = " ".join(page.extract_text().split())
        assert "MẬT · CONFIDENTIAL" in page_text
        assert version.content_hash in page_text
        assert f"{number} / {len(pages)}" in page_text


def test_the_english_pdf_uses_the_english_names(event: Any, planner: Any) -> None:
    w = world(event)
    version = build(planner, w, language="en")
    text = text_of(bytes(version.pdf))
    assert "Main gate checkpoint" in text
    assert "Incident Action Plan" in text
    assert "Hội An General Hospital" in text


def test_a_new_version_after_the_plan_changes_shows_the_difference(
    event: Any, planner: Any, commander: Any
) -> None:
    w = world(event)
    first = build(planner, w)
    services.approve_iap(actor=commander, version=first, content_hash=first.content_hash)
    w.assignments[1].delete()
    second = build(planner, w)
    assert second.number == 2
    assert second.content_hash != first.content_hash
    changes = iap.diff(queries.previous_built(second).content, second.content)
    assert len(changes["ics204"]["removed"]) == 1
    assert "Trần Quốc Đạt" in changes["ics204"]["removed"][0]
    assert changes["ics204"]["added"] == []


def test_four_eyes_the_requester_may_not_approve(event: Any, commander: Any) -> None:
    w = world(event)
    version = build(commander, w)
    with pytest.raises(NotAllowed, match="Four eyes"):
        services.approve_iap(actor=commander, version=version, content_hash=version.content_hash)


def test_approval_names_the_reviewed_content_and_unmarks_the_draft(
    event: Any, planner: Any, commander: Any
) -> None:
    w = world(event)
    version = build(planner, w)
    assert "BẢN NHÁP" in text_of(bytes(version.pdf))  # the Vietnamese PDF's draft marking
    with pytest.raises(Conflict):
        services.approve_iap(actor=commander, version=version, content_hash="0" * 64)
    approved = services.approve_iap(actor=commander, version=version, content_hash=version.content_hash)
    assert approved.status == IapVersion.Status.APPROVED
    assert not approved.pdf_final  # the draft-marked PDF is not distributed while the final one renders
    services.dispatch_finalize(approved.pk)
    approved.refresh_from_db()
    assert approved.pdf_final
    assert "BẢN NHÁP" not in text_of(bytes(approved.pdf))
    assert approved.iap.approved_version_id == approved.pk


def test_a_draft_is_not_distributed_and_a_classification_hides_the_iap(
    event: Any, planner: Any, commander: Any, observer: Any
) -> None:
    w = world(event)
    version = build(planner, w)
    the_iap = version.iap
    # the observer (clearance none) sees no Confidential IAP at all
    assert list(queries.iaps_for(observer, event)) == []
    cleared = MembershipFactory(event=event, role=Role.OBSERVER, clearance=Clearance.CONFIDENTIAL).user
    assert queries.get_iap_for(cleared, event, the_iap.pk) == the_iap
    from antt.core.errors import NotFound

    with pytest.raises(NotFound):
        queries.get_version_for(cleared, the_iap, version.number)  # built, not approved: not distributed
    services.approve_iap(actor=commander, version=version, content_hash=version.content_hash)
    with pytest.raises(NotFound):
        queries.get_version_for(cleared, the_iap, version.number)  # approved, final PDF not rendered yet
    services.execute_finalize(version.pk)
    assert queries.get_version_for(cleared, the_iap, version.number).pk == version.pk
    with pytest.raises(NotFound):
        queries.get_iap_for(observer, event, the_iap.pk)
