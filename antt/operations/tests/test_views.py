"""The operations room's pages and API: happy paths, refusals (403/404/409 in vi and en), exports."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from antt.operations import incident_services as ops
from antt.operations.models import ActivityEntry, Incident, OpsSettings
from antt.operations.opening import open_incident
from antt.operations.tests.factories import NOW, a_day, category

pytestmark = pytest.mark.django_db


@pytest.fixture
def now(time_machine: Any) -> Any:
    time_machine.move_to(NOW, tick=False)
    return NOW


def _open(event: Any, actor: Any, **kwargs: Any) -> Incident:
    return open_incident(
        actor=actor,
        event=event,
        category=category(event, kwargs.pop("code", "medical")),
        summary=kwargs.pop("summary", "Ngất xỉu ở cổng"),
        location={"type": "Point", "coordinates": [108.3380, 15.8801]},
        **kwargs,
    )


def test_the_board_lists_open_incidents_by_priority_with_a_bounded_number_of_queries(
    as_user: Any, event: Any, dispatcher: Any, now: Any, django_assert_max_num_queries: Any
) -> None:
    a_day(event)
    _open(event, dispatcher, code="crowd", summary="Ùn ứ", priority=3)
    _open(event, dispatcher, summary="Ngất xỉu", priority=1)
    client = as_user(dispatcher)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("operations:board", args=[event.code]))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("Ngất xỉu") < body.index("Ùn ứ")
    assert "Acknowledge" in body
    assert f"/ws/events/{event.code}/ops/" in body


def test_an_sos_is_pinned_on_top_until_acknowledged(
    as_user: Any, event: Any, dispatcher: Any, now: Any
) -> None:
    sos = _open(event, dispatcher, code="other", summary="SOS chốt 3", source="sos", priority=1)
    client = as_user(dispatcher)
    live = client.get(reverse("operations:board-live", args=[event.code])).content.decode()
    assert 'data-alarm="sos"' in live
    ops.acknowledge_incident(actor=dispatcher, incident=sos)
    live = client.get(reverse("operations:board-live", args=[event.code])).content.decode()
    assert 'data-alarm="sos"' not in live


def test_an_observer_sees_the_board_without_buttons_and_cannot_act(
    as_user: Any, event: Any, dispatcher: Any, observer: Any, now: Any
) -> None:
    incident = _open(event, dispatcher)
    client = as_user(observer)
    page = client.get(reverse("operations:board", args=[event.code])).content.decode()
    assert "Ngất xỉu ở cổng" in page
    assert "Acknowledge" not in page
    response = client.post(
        reverse("operations:incident-act", args=[event.code, incident.pk]), {"action": "acknowledge"}
    )
    assert response.status_code == 403
    api = client.post(
        reverse("api:incident-action", args=[event.code, incident.pk]),
        {"action": "acknowledge"},
        content_type="application/json",
    )
    assert api.status_code == 403
    incident.refresh_from_db()
    assert incident.status == "reported"


def test_another_events_member_gets_404_from_page_and_api(
    as_user: Any, event: Any, dispatcher: Any, outsider: Any, now: Any
) -> None:
    incident = _open(event, dispatcher)
    client = as_user(outsider)
    assert client.get(reverse("operations:incident", args=[event.code, incident.pk])).status_code == 404
    assert client.get(reverse("api:incident-detail", args=[event.code, incident.pk])).status_code == 404
    assert client.get(reverse("api:incident-list", args=[event.code])).status_code == 404


def test_a_field_report_through_the_api_opens_an_incident_on_the_board(
    as_user: Any, event: Any, field_officer: Any, dispatcher: Any, now: Any
) -> None:
    client = as_user(field_officer)
    response = client.post(
        reverse("api:incident-list", args=[event.code]),
        {
            "category": "medical",
            "summary": "Người ngất",
            "source": "field",
            "latitude": 15.88,
            "longitude": 108.338,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["label"], data["source"], data["priority"], data["status"]) == (
        "VV-0001",
        "field",
        1,
        "reported",
    )
    updates = as_user(dispatcher).get(reverse("api:board-updates", args=[event.code]) + "?since=0").json()
    assert [(u["seq"], u["data"]["id"]) for u in updates["updates"]] == [(1, data["id"])]


def test_bad_input_to_the_api_is_a_clear_400_and_nothing_is_written(
    as_user: Any, event: Any, dispatcher: Any, now: Any
) -> None:
    client = as_user(dispatcher)
    for body in (
        {"category": "no-such", "summary": "x"},
        {"category": "medical", "summary": "x", "latitude": 15.88},
        {"category": "medical", "summary": "x", "post": 999999},
        {"category": "medical"},
    ):
        response = client.post(
            reverse("api:incident-list", args=[event.code]), body, content_type="application/json"
        )
        assert response.status_code == 400, (body, response.content)
    assert not Incident.objects.exists()


def test_close_before_resolved_is_a_409_in_vietnamese_and_english(
    as_user: Any, event: Any, dispatcher: Any, now: Any
) -> None:
    incident = _open(event, dispatcher)
    client = as_user(dispatcher)
    url = reverse("api:incident-action", args=[event.code, incident.pk])
    english = client.post(url, {"action": "close"}, content_type="application/json")
    vietnamese = client.post(
        url, {"action": "close"}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="vi"
    )
    assert (english.status_code, vietnamese.status_code) == (409, 409)
    assert "resolve it before closing it" in english.json()["detail"]
    assert "VV-0001" in vietnamese.json()["detail"]
    assert "resolve it before" not in vietnamese.json()["detail"]


def test_two_dispatchers_on_one_version_the_second_gets_a_409(
    as_user: Any, event: Any, dispatcher: Any, commander: Any, now: Any
) -> None:
    incident = _open(event, dispatcher)
    url = reverse("api:incident-action", args=[event.code, incident.pk])
    first = as_user(dispatcher).post(
        url, {"action": "acknowledge", "version": 1}, content_type="application/json"
    )
    second = as_user(commander).post(
        url, {"action": "acknowledge", "version": 1}, content_type="application/json"
    )
    assert (first.status_code, second.status_code) == (200, 409)
    assert "Someone else has just changed VV-0001" in second.json()["detail"]
    page = as_user(commander).post(
        reverse("operations:incident-act", args=[event.code, incident.pk]),
        {"action": "resolve", "version": 1},
    )
    assert page.status_code == 409
    assert "Someone else has just changed" in page.content.decode()


def test_dispatch_from_the_suggestions_and_the_officers_page(
    as_user: Any, event: Any, dispatcher: Any, field_officer: Any, now: Any
) -> None:
    day = a_day(event)
    medic = day.officers[1]
    medic.user = field_officer
    medic.save()
    incident = _open(event, dispatcher)
    client = as_user(dispatcher)
    suggestions = client.get(reverse("api:incident-suggestions", args=[event.code, incident.pk])).json()[
        "results"
    ]
    # the nearest officer lacks the medical skill: the ~2 km medic comes first, the ~5 km one next
    assert [s["officer"] for s in suggestions] == [day.officers[1].pk, day.officers[2].pk]
    assert suggestions[0]["post_drops_below"] is True
    response = client.post(
        reverse("operations:incident-dispatch", args=[event.code, incident.pk]),
        {"officer": medic.pk, "version": 1},
    )
    assert response.status_code == 302
    phone = as_user(field_officer)
    page = phone.get(reverse("operations:me", args=[event.code])).content.decode()
    assert "Acknowledge — on my way" in page
    responder = incident.responders.get()
    phone.post(
        reverse("operations:responder-move", args=[event.code, responder.pk]),
        {"status": "en_route", "next": "me"},
    )
    responder.refresh_from_db()
    assert responder.status == "en_route"


def test_incident_exports_csv_and_geojson(as_user: Any, event: Any, dispatcher: Any, now: Any) -> None:
    _open(event, dispatcher, summary="=HYPERLINK(1)")
    client = as_user(dispatcher)
    csv_text = client.get(reverse("operations:incidents-csv", args=[event.code])).content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("number,category,priority,status")
    assert "VV-0001,medical,P1,reported,dispatcher,'=HYPERLINK(1)" in csv_text
    geo = json.loads(client.get(reverse("operations:incidents-geojson", args=[event.code])).content)
    assert geo["features"][0]["geometry"] == {"type": "Point", "coordinates": [108.338, 15.8801]}


def test_the_activity_log_fills_itself_takes_manual_entries_and_exports(
    as_user: Any, event: Any, dispatcher: Any, now: Any
) -> None:
    day = a_day(event)
    incident = _open(event, dispatcher)
    ops.dispatch(actor=dispatcher, incident=incident, officer=day.officers[1])
    client = as_user(dispatcher)
    client.post(
        reverse("operations:log-add", args=[event.code]), {"unit": day.unit.pk, "text": "Giao ca lúc 12:00"}
    )
    texts = list(ActivityEntry.objects.filter(unit=day.unit).order_by("pk").values_list("source", "text"))
    assert texts[0][0] == "auto"
    assert "VV-0001" in texts[0][1]
    assert texts[-1] == ("manual", "Giao ca lúc 12:00")
    csv_text = client.get(
        reverse("operations:log-csv", args=[event.code]) + f"?unit={day.unit.pk}"
    ).content.decode("utf-8-sig")
    assert "Giao ca lúc 12:00" in csv_text
    printable = client.get(reverse("operations:log", args=[event.code]) + "?print=1").content.decode()
    assert "ICS 214" in printable
    assert "Giao ca lúc 12:00" in printable


def test_timers_are_the_commanders_and_a_bad_shift_time_is_a_clear_400(
    as_user: Any, event: Any, commander: Any, dispatcher: Any
) -> None:
    url = reverse("operations:settings", args=[event.code])
    assert as_user(dispatcher).get(url).status_code == 403
    body = {
        **{f"ack_p{p}": 60 * p for p in range(1, 5)},
        **{f"scene_p{p}": 10 * p for p in range(1, 5)},
        "sos_ack_seconds": 15,
        "check_in_grace_minutes": 5,
        "next_level_seconds": 120,
        "shift_boundaries": "06:00, 25:00",
    }
    bad = as_user(commander).post(url, body)
    assert bad.status_code == 400
    assert "25:00" in bad.content.decode()
    good = as_user(commander).post(url, {**body, "shift_boundaries": "18:00, 06:00"})
    assert good.status_code == 302
    row = OpsSettings.objects.get(event=event)
    assert (row.ack_seconds["1"], row.shift_boundaries) == (60, ["06:00", "18:00"])


def test_a_dispatcher_opens_an_incident_and_bad_input_is_a_400(
    as_user: Any, event: Any, dispatcher: Any, now: Any
) -> None:
    client = as_user(dispatcher)
    url = reverse("operations:incident-new", args=[event.code])
    assert client.get(url).status_code == 200
    medical = category(event)
    bad = client.post(url, {"category": medical.pk, "summary": "x", "latitude": "15.8"})
    assert bad.status_code == 400
    good = client.post(
        url, {"category": medical.pk, "summary": "Gọi điện: ngất", "latitude": "15.88", "longitude": "108.33"}
    )
    assert good.status_code == 302
    assert Incident.objects.get().source == "dispatcher"
