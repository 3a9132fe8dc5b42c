# mypy: disable-error-code="arg-type, operator, attr-defined"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The field API and pages: idempotency answers (400/422/409/replay), bad input as clear messages, access
(404 for what is not mine), photos only for those who may see the incident, the live "now" view."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from antt.forces.tests.factories import OfficerFactory
from antt.operations import field_queries, proofs
from antt.operations import field_services as fs
from antt.operations.models import (
    CheckIn,
    FieldReport,
    IdempotencyRecord,
    Incident,
    PositionReport,
    PostProof,
)
from antt.operations.tests.field_setup import FAR, INSIDE, SQUARE, at, on_duty
from antt.operations.tests.test_field_services import JPEG
from antt.planning.tests.factories import AssignmentFactory, PostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def duty(event: Any, field_officer: Any, time_machine: Any) -> Any:
    d = on_duty(event, field_officer)
    time_machine.move_to(at(d, 5), tick=False)
    return d


def api(event: Any, path: str) -> str:
    return f"/api/v1/events/{event.code}/field/{path}"


def post(client: Any, url: str, body: Any, key: str | None = "auto", **extra: Any) -> Any:
    headers = {} if key is None else {"HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4()) if key == "auto" else key}
    return client.post(url, json.dumps(body), content_type="application/json", **headers, **extra)


def report_body(**over: Any) -> dict[str, Any]:
    return {"client_id": str(uuid.uuid4()), "category": "crowd", "text": "Đông người ở cổng 2", **over}


def test_a_write_without_an_idempotency_key_is_400_and_writes_nothing(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    response = post(as_user(field_officer), api(event, "reports/"), report_body(), key=None)
    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert FieldReport.objects.count() == 0


def test_a_replay_returns_the_first_answer_and_writes_once(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    client = as_user(field_officer)
    key, body = str(uuid.uuid4()), report_body()
    first = post(client, api(event, "reports/"), body, key=key)
    again = post(client, api(event, "reports/"), body, key=key)
    assert first.status_code == 201
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert FieldReport.objects.count() == 1
    assert Incident.objects.count() == 1


def test_the_same_key_with_another_body_is_422(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    client = as_user(field_officer)
    key = str(uuid.uuid4())
    assert post(client, api(event, "reports/"), report_body(), key=key).status_code == 201
    reused = post(client, api(event, "reports/"), report_body(text="Khác"), key=key)
    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"
    assert FieldReport.objects.count() == 1


def test_the_same_key_still_in_progress_is_409_until_its_lease_runs_out(
    as_user: Any, field_officer: Any, event: Any, duty: Any, time_machine: Any
) -> None:
    from antt.operations.idempotency import LEASE

    client = as_user(field_officer)
    key, body = str(uuid.uuid4()), report_body()
    # Claim the key as a first request would, then send the same request while it "runs".
    post(client, api(event, "reports/"), body, key=key)
    IdempotencyRecord.objects.filter(key=key).update(status_code=None, body="", completed_at=None)
    FieldReport.objects.all().delete()
    Incident.objects.all().delete()
    busy = post(client, api(event, "reports/"), body, key=key)
    assert busy.status_code == 409
    assert busy.json()["code"] == "idempotency_in_progress"
    assert busy["Retry-After"] == "1"
    # The process that claimed it died (no write committed): after the lease, a retry takes it over.
    time_machine.move_to(at(duty, 5) + LEASE + timedelta(seconds=1), tick=False)
    assert post(client, api(event, "reports/"), body, key=key).status_code == 201
    assert FieldReport.objects.count() == 1


def test_a_final_refusal_is_stored_and_replayed_too(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    client = as_user(field_officer)
    key = str(uuid.uuid4())
    body = {"post": duty.post.pk, "lat": FAR[0], "lon": FAR[1], "accuracy_m": 5, "orders_digest": duty.digest}
    first = post(client, api(event, "check-ins/"), body, key=key)
    assert first.status_code == 400
    assert first.json()["code"] == "outside_geofence"
    again = post(client, api(event, "check-ins/"), body, key=key)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert CheckIn.objects.count() == 0


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("check-ins/", {"post": 0, "lat": 0, "lon": 0}, "post"),
        ("check-ins/", {"post": "POST", "lat": 95, "lon": 0}, "lat"),
        ("reports/", {"client_id": "x", "category": "crowd", "text": "x"}, "client_id"),
        ("reports/", {"client_id": str(uuid.uuid4()), "category": "aliens", "text": "x"}, "category"),
        (
            "reports/",
            {"client_id": str(uuid.uuid4()), "category": "crowd", "text": "x", "lat": 10, "lon": 181},
            "lon",
        ),
        ("positions/", {"points": []}, "points"),
        ("positions/", {"points": [{"lat": "a", "lon": 1, "device_time": "2026-11-10T08:00:00Z"}]}, "points"),
        ("sos/", {"pin": "12"}, "pin"),
    ],
    ids=[
        "unknown-post",
        "lat-out-of-range",
        "bad-uuid",
        "unknown-category",
        "lon-out-of-range",
        "empty-batch",
        "bad-point",
        "short-pin",
    ],
)
def test_bad_input_is_a_400_with_a_message_and_writes_nothing(
    as_user: Any, field_officer: Any, event: Any, duty: Any, path: str, body: dict[str, Any], field: str
) -> None:
    if body.get("post") == "POST":
        body = {**body, "post": duty.post.pk}
    response = post(as_user(field_officer), api(event, path), body)
    assert response.status_code in (400, 404)
    data = response.json()
    assert data["detail"]
    assert field in json.dumps(data) or response.status_code == 404
    assert FieldReport.objects.count() + CheckIn.objects.count() + PositionReport.objects.count() == 0


def test_messages_come_in_vietnamese(as_user: Any, field_officer: Any, event: Any, duty: Any) -> None:
    body = {"post": duty.post.pk, "lat": FAR[0], "lon": FAR[1], "accuracy_m": 5, "orders_digest": duty.digest}
    response = post(as_user(field_officer), api(event, "check-ins/"), body, HTTP_ACCEPT_LANGUAGE="vi")
    assert "chốt" in response.json()["detail"]


def test_a_report_for_another_events_post_is_refused(
    as_user: Any, field_officer: Any, event: Any, other_event: Any, duty: Any
) -> None:
    foreign = PostFactory(event=other_event)
    response = post(as_user(field_officer), api(event, "reports/"), report_body(post=foreign.pk))
    assert response.status_code == 400
    assert response.json()["field"] == "post"
    assert Incident.objects.count() == 0


def test_a_check_in_at_a_post_where_i_have_no_duty_is_404(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    elsewhere = PostFactory(event=event)
    response = post(as_user(field_officer), api(event, "check-ins/"), {"post": elsewhere.pk})
    assert response.status_code == 404


def test_another_events_member_gets_404_for_the_field_api(
    as_user: Any, outsider: Any, event: Any, duty: Any
) -> None:
    response = post(as_user(outsider), api(event, "reports/"), report_body())
    assert response.status_code == 404
    assert as_user(outsider).get(api(event, "today/")).status_code == 404


def test_the_full_check_in_over_the_api_with_a_scanned_code(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    client = as_user(field_officer)
    step, code = proofs.code_at(fs.post_proof(duty.post).secret, at(duty, 5))
    today = client.get(api(event, "today/")).json()
    assert today["duties"][0]["orders_digest"] == duty.digest
    assert today["duties"][0]["acknowledged"] is False
    assert (
        post(
            client, api(event, "orders-ack/"), {"post": duty.post.pk, "orders_digest": duty.digest}
        ).status_code
        == 201
    )
    response = post(
        client,
        api(event, "check-ins/"),
        {
            "post": duty.post.pk,
            "code_step": step,
            "code": code,
            "lat": INSIDE[0],
            "lon": INSIDE[1],
            "accuracy_m": 4,
            "device_time": at(duty, 5).isoformat(),
        },
    )
    assert response.status_code == 201
    assert response.json()["proofs"]["code"] is True
    assert client.get(api(event, "today/")).json()["duties"][0]["checked_in"] is True


def test_a_photo_is_served_to_the_reporter_and_the_operations_room_only(
    as_user: Any, field_officer: Any, dispatcher: Any, event: Any, duty: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client = as_user(field_officer)
    body = report_body()
    post(client, api(event, "reports/"), body)
    response = client.post(
        api(event, f"reports/{body['client_id']}/photos/"),
        JPEG,
        content_type="image/jpeg",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert response.status_code == 201
    url = f"/events/{event.code}/field/photos/{response.json()['id']}/"
    for user, status in ((field_officer, 200), (dispatcher, 200)):
        got = as_user(user).get(url)
        assert got.status_code == status
        assert got["Cache-Control"] == "private, no-store"
        assert b"".join(got.streaming_content).startswith(b"\xff\xd8")
        for closer in got._resource_closers:  # not got.close(): its request_finished closes the DB connection
            closer()
    from antt.accounts.tests.factories import UserFactory
    from antt.core.permissions import Role
    from antt.events.tests.factories import MembershipFactory

    other_officer = MembershipFactory(event=event, user=UserFactory(), role=Role.FIELD_OFFICER).user
    assert as_user(other_officer).get(url).status_code == 404
    wrong = client.post(
        api(event, f"reports/{body['client_id']}/photos/"),
        b"GIF89a",
        content_type="image/gif",
        HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "photo_type"


def test_the_field_page_shows_my_duty_orders_and_map(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    page = as_user(field_officer).get(f"/events/{event.code}/field/")
    assert page.status_code == 200
    html = page.content.decode()
    assert duty.post.orders in html
    assert 'class="map"' in html
    assert "HA-07" in html  # my call sign is on the officer line
    manifest = as_user(field_officer).get(f"/events/{event.code}/field/manifest.webmanifest").json()
    assert manifest["display"] == "standalone"
    sw = as_user(field_officer).get(f"/events/{event.code}/field/sw.js")
    assert b"caches.open" in sw.content


def test_the_field_map_gets_the_post_geometry_and_radius_and_works_offline_without_tiles(
    as_user: Any, field_officer: Any, event: Any, duty: Any, settings: Any
) -> None:
    settings.MAP_TILE_URL = ""
    page = as_user(field_officer).get(f"/events/{event.code}/field/")
    boot = page.context["boot"]
    assert boot["duties"][0]["geometry"] == SQUARE
    assert boot["duties"][0]["radius"] == 75  # the default before the post's proof settings are made
    assert boot["tiles"]["url"] == ""  # no tiles configured: the map is the grid alone
    fs.post_proof(duty.post)
    PostProof.objects.filter(post=duty.post).update(radius_m=120)
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    boot = as_user(field_officer).get(f"/events/{event.code}/field/").context["boot"]
    assert (boot["duties"][0]["radius"], boot["tiles"]["url"]) == (120, settings.MAP_TILE_URL)
    # Leaflet is in the service worker's app shell, so the map opens with no network.
    sw = as_user(field_officer).get(f"/events/{event.code}/field/sw.js").content.decode()
    assert "vendor/leaflet/leaflet.js" in sw
    assert "vendor/leaflet/leaflet.css" in sw


def test_the_code_page_shows_a_qr_of_the_current_step_to_the_operations_room_not_to_officers(
    as_user: Any, field_officer: Any, dispatcher: Any, event: Any, duty: Any
) -> None:
    url = f"/events/{event.code}/posts/{duty.post.pk}/code/"
    page = as_user(dispatcher).get(url)
    assert page.status_code == 200
    step, code = proofs.code_at(fs.post_proof(duty.post).secret, at(duty, 5))
    assert page.context["payload"].endswith(f"?post={duty.post.pk}&t={step}&k={code}")
    assert b"<svg" in page.content
    assert as_user(field_officer).get(url).status_code == 403


def test_live_coverage_finds_no_show_left_post_early_check_out_and_unread_orders(
    event: Any, field_officer: Any, dispatcher: Any, duty: Any, time_machine: Any, as_user: Any
) -> None:
    absent = AssignmentFactory(event=event, post=duty.post)
    leaver = OfficerFactory(event=event)
    early = AssignmentFactory(event=event, post=duty.post)
    fs.acknowledge_orders(actor=field_officer, event=event, post=duty.post, orders_digest=duty.digest)
    fs.check_in(
        actor=field_officer,
        event=event,
        post=duty.post,
        proof=fs.Proof(lat=INSIDE[0], lon=INSIDE[1], accuracy_m=5),
    )
    CheckIn.objects.create(
        event=event,
        officer=early.officer,
        post=duty.post,
        assignment=early,
        kind="out",
        at=at(duty, 10),
        received_at=at(duty, 10),
        user=dispatcher,
    )
    fs.record_positions(
        actor=field_officer,
        event=event,
        points=[
            {"lat": FAR[0], "lon": FAR[1], "accuracy_m": 5, "device_time": at(duty, m)} for m in (20, 25, 40)
        ],
    )
    assert leaver.pk
    time_machine.move_to(at(duty, 45), tick=False)
    posts, findings = field_queries.live_coverage(dispatcher, event, at(duty, 45))
    kinds = {(f.kind, f.assignment_id) for f in findings}
    assert ("no_show", absent.pk) in kinds
    assert ("left_post", duty.assignment.pk) in kinds
    assert ("checked_out_early", early.pk) in kinds
    assert ("orders_not_acknowledged", absent.pk) in kinds
    assert ("orders_not_acknowledged", duty.assignment.pk) not in kinds
    row = next(p for p in posts if p.post == duty.post)
    assert (row.planned, row.present) == (3, 1)
    page = as_user(dispatcher).get(f"/events/{event.code}/gaps/now/")
    assert page.status_code == 200
    assert "No-show at post" in page.content.decode()
    assert as_user(field_officer).get(f"/events/{event.code}/gaps/now/").status_code == 403


def test_a_unit_commander_sees_only_their_units_check_ins(event: Any, unit_commander_with_unit: Any) -> None:
    user, mine, theirs = unit_commander_with_unit
    seen = list(field_queries.unit_check_ins(user, event))
    assert [c.pk for c in seen] == [mine.pk]
    assert theirs.pk not in [c.pk for c in seen]


@pytest.fixture
def unit_commander_with_unit(event: Any, dispatcher: Any) -> Any:
    from antt.accounts.tests.factories import UserFactory
    from antt.core.permissions import Role
    from antt.events.tests.factories import MembershipFactory
    from antt.forces.tests.factories import UnitFactory

    user = MembershipFactory(event=event, user=UserFactory(), role=Role.UNIT_COMMANDER).user
    unit = UnitFactory(event=event)
    OfficerFactory(event=event, unit=unit, user=user)
    unit.commander = user.officers.get() if hasattr(user, "officers") else None
    from antt.forces.models import Officer

    unit.commander = Officer.objects.get(user=user)
    unit.save()
    mine_a = AssignmentFactory(event=event, officer=OfficerFactory(event=event, unit=unit))
    theirs_a = AssignmentFactory(event=event)
    rows = []
    for a in (mine_a, theirs_a):
        rows.append(
            CheckIn.objects.create(
                event=event,
                officer=a.officer,
                post=a.post,
                assignment=a,
                kind="in",
                at=a.starts_at,
                received_at=a.starts_at,
                user=dispatcher,
            )
        )
    return user, rows[0], rows[1]


def test_a_planner_chooses_what_proves_presence_at_a_post_and_others_cannot(
    as_user: Any, planner: Any, dispatcher: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    from antt.audit.models import AuditEntry

    url = f"/events/{event.code}/posts/{duty.post.pk}/proof/"
    page = as_user(planner).get(url)
    assert page.status_code == 200
    assert page.context["form"].initial["radius_m"] == 75
    form = {"needs_code": "on", "radius_m": "40", "grace_minutes": "10", "away_minutes": "5"}
    saved = as_user(planner).post(url, form)
    assert saved.status_code == 200
    assert saved.context["saved"]
    row = PostProof.objects.get(post=duty.post)
    assert (row.needs_position, row.needs_code, row.needs_nfc, row.radius_m) == (False, True, False, 40)
    entry = AuditEntry.objects.get(action="operations.post_proof")
    assert json.loads(entry.changes)["radius_m"] == [75, 40]
    # No proof at all, or a radius out of range: a clear message, nothing changed.
    for bad in ({**form, "needs_code": ""}, {**form, "radius_m": "9000"}):
        refused = as_user(planner).post(url, bad)
        assert refused.status_code == 400
        assert refused.context["form"].errors
    assert PostProof.objects.get(post=duty.post).radius_m == 40
    assert AuditEntry.objects.filter(action="operations.post_proof").count() == 1
    for user in (dispatcher, field_officer):
        assert as_user(user).get(url).status_code in (403, 404)
        assert as_user(user).post(url, form).status_code in (403, 404)
    assert as_user(planner).get(f"/events/{event.code}/posts/999999/proof/").status_code == 404


@pytest.mark.parametrize("path", ["reports/", "positions/"])
def test_a_report_and_a_batch_are_checked_before_the_write_transaction_and_saved_in_it(
    as_user: Any, field_officer: Any, event: Any, duty: Any, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """The reads and checks run outside the transaction that writes (on SQLite it holds the database's one
    write lock); the write, its audit entry and the stored answer inside it."""
    from django.db import connection

    from antt.operations import field_positions, field_reports

    module, check, save = (
        (field_reports, "check_report", "save_report")
        if path == "reports/"
        else (field_positions, "check_positions", "save_positions")
    )
    depth: dict[str, int] = {}

    def spy(name: str, real: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            depth[name] = len(connection.atomic_blocks)
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(module, check, spy("check", getattr(module, check)))
    monkeypatch.setattr(module, save, spy("save", getattr(module, save)))
    base = len(connection.atomic_blocks)  # the test's own transaction
    point = {"lat": INSIDE[0], "lon": INSIDE[1], "accuracy_m": 5, "device_time": at(duty, 4).isoformat()}
    body = report_body() if path == "reports/" else {"points": [point]}
    assert post(as_user(field_officer), api(event, path), body).status_code == 201
    assert depth == {"check": base, "save": base + 1}
    assert IdempotencyRecord.objects.get().status_code == 201


def test_a_refusal_by_the_checks_before_the_write_is_stored_and_replayed(
    as_user: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    client = as_user(field_officer)
    key, body = str(uuid.uuid4()), report_body(category="no-such-category")
    first = post(client, api(event, "reports/"), body, key=key)
    assert first.status_code == 400
    assert first.json()["field"] == "category"
    again = post(client, api(event, "reports/"), body, key=key)
    assert (again.status_code, again.json()) == (400, first.json())
    assert again["Idempotent-Replayed"] == "true"
    assert (FieldReport.objects.count(), Incident.objects.count()) == (0, 0)
