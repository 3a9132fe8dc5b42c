# mypy: disable-error-code="union-attr,arg-type,index"
"""Public alerts: valid CAP 1.2 (the OASIS schema through lxml, plus the rules it does not check), four
eyes, update and cancel with references; bad alerts refused with a clear message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from lxml import etree

from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.planning.tests.factories import SiteFactory
from antt.reports import alert_services, cap
from antt.reports.models import Alert

pytestmark = pytest.mark.django_db

CLOSED = [[15.88, 108.33], [15.88, 108.34], [15.89, 108.34], [15.88, 108.33]]
NS = {"cap": cap.NS}


def texts(**overrides: Any) -> dict[str, Any]:
    return {
        "event_vi": "Cấm đường phục vụ đoàn xe",
        "event_en": "Road closure for a motorcade",
        "headline_vi": "Cấm đường Trần Hưng Đạo từ 14:00 đến 15:00",
        "headline_en": "Trần Hưng Đạo street closed 14:00-15:00",
        "description_vi": "Đoàn xe đại biểu di chuyển; các phương tiện không được lưu thông.",
        "description_en": "A delegation motorcade passes; no traffic.",
        "instruction_vi": "Đi đường Lý Thường Kiệt.",
        "instruction_en": "Use Lý Thường Kiệt street.",
        "area_vi": "Đường Trần Hưng Đạo, Hội An",
        "area_en": "Trần Hưng Đạo street, Hội An",
        "category": "Transport",
        "area": {"polygon": CLOSED},
        **overrides,
    }


def published(event: Any, author: Any, approver: Any, **overrides: Any) -> Alert:
    alert = alert_services.create_alert(actor=author, event=event, **texts(**overrides))
    alert_services.approve_alert(actor=approver, alert=alert)
    return alert_services.publish_alert(actor=approver, alert=alert)


def test_a_published_alert_is_valid_cap_1_2_with_both_languages(
    event: Any, planner: Any, commander: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-11-10T06:30:00.123456+07:00")
    alert = published(
        event, planner, commander, onset=event.starts_at, expires=event.starts_at + timedelta(hours=2)
    )
    xml = alert.xml.encode()
    assert cap.schema().validate(etree.fromstring(xml))
    assert cap.rule_errors(xml) == []
    root = etree.fromstring(xml)
    assert root.findtext("cap:sent", namespaces=NS) == "2026-11-10T06:30:00+07:00"
    assert [i.findtext("cap:language", namespaces=NS) for i in root.findall("cap:info", NS)] == [
        "vi-VN",
        "en-US",
    ]
    polygon = root.find("cap:info/cap:area/cap:polygon", NS).text.split()
    assert len(polygon) == 4
    assert polygon[0] == polygon[-1]
    assert " " not in alert.identifier
    assert "," not in alert.identifier


def test_an_update_and_a_cancel_reference_the_published_alert(
    event: Any, planner: Any, commander: Any
) -> None:
    first = published(event, planner, commander)
    cancel = alert_services.create_alert(
        actor=planner, event=event, msg_type="Cancel", references=first, **texts()
    )
    alert_services.approve_alert(actor=commander, alert=cancel)
    cancel = alert_services.publish_alert(actor=commander, alert=cancel)
    root = etree.fromstring(cancel.xml.encode())
    assert root.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert root.findtext("cap:references", namespaces=NS) == (
        f"antt-{event.code}@antt.local,{first.identifier},{cap.cap_time(first.sent.astimezone(event.tz))}"
    )
    assert cap.schema().validate(root)


def test_an_open_polygon_is_refused_in_both_languages(event: Any, planner: Any, settings: Any) -> None:
    open_ring = [*CLOSED[:-1], [15.885, 108.335]]
    with pytest.raises(Invalid, match="not closed"):
        alert_services.create_alert(actor=planner, event=event, **texts(area={"polygon": open_ring}))
    from django.utils import translation

    with translation.override("vi"), pytest.raises(Invalid, match="chưa khép kín"):
        alert_services.create_alert(actor=planner, event=event, **texts(area={"polygon": open_ring}))
    with pytest.raises(Invalid, match="at least four points"):
        alert_services.create_alert(
            actor=planner, event=event, **texts(area={"polygon": CLOSED[:2] + CLOSED[:1]})
        )
    assert not Alert.objects.exists()


def test_an_alert_without_an_area_is_refused_and_a_site_gives_one(event: Any, planner: Any) -> None:
    with pytest.raises(Invalid, match="no area"):
        alert_services.create_alert(actor=planner, event=event, **texts(area={}))
    site = SiteFactory(event=event)  # a point: a 0.5 km circle around it
    alert = alert_services.create_alert(actor=planner, event=event, **texts(area={}, site=site.pk))
    assert alert.area == {"circle": [15.8801, 108.338, 0.5]}


def test_an_unapproved_alert_is_not_published_and_authors_do_not_approve_their_own(
    event: Any, commander: Any, planner: Any
) -> None:
    alert = alert_services.create_alert(actor=commander, event=event, **texts())
    with pytest.raises(Conflict, match="not approved"):
        alert_services.publish_alert(actor=commander, alert=alert)
    with pytest.raises(NotAllowed, match="Four eyes"):
        alert_services.approve_alert(actor=commander, alert=alert)
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT
    assert alert.xml == ""


def test_the_rules_catch_what_the_schema_lets_through() -> None:
    good = (
        f'<alert xmlns="{cap.NS}"><identifier>A-1</identifier><sender>x@y</sender><sent>2026-11-10T07:00:00+07:00</sent>'
        "<status>Actual</status><msgType>Alert</msgType><scope>Public</scope><info><category>Safety</category>"
        "<event>e</event><urgency>Past</urgency><severity>Minor</severity><certainty>Likely</certainty>"
        "<area><areaDesc>a</areaDesc><polygon>1,1 1,2 2,2 1,1</polygon></area></info></alert>"
    )
    assert cap.schema_errors(good.encode()) == []
    assert cap.rule_errors(good.encode()) == []
    bad = good.replace("<identifier>A-1", "<identifier>A 1,2").replace("2,2 1,1", "2,2 3,3")
    assert cap.schema_errors(bad.encode()) == []  # the schema does not see it
    problems = cap.rule_errors(bad.encode())
    assert any("identifier" in p for p in problems)
    assert any("not closed" in p for p in problems)
    fraction = good.replace("07:00:00+07:00", "07:00:00.5+07:00")
    assert cap.schema_errors(fraction.encode()) != []  # the schema's pattern refuses fractions too
