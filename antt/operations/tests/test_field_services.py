# mypy: disable-error-code="arg-type, operator, attr-defined"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The field services: orders, check-in with its proofs, reports with photos, SOS, positions, retention —
and that none of it touches the plan's version."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed, NotFound
from antt.operations import field_services as fs
from antt.operations import ntag, proofs
from antt.operations.models import (
    CheckIn,
    FieldReport,
    Incident,
    NfcTag,
    OrdersAcknowledgement,
    PositionBatch,
    PositionReport,
    PostProof,
    ReportPhoto,
    Sos,
)
from antt.operations.tests.field_setup import FAR, INSIDE, at, on_duty
from antt.planning.tests.factories import PostFactory

pytestmark = pytest.mark.django_db

# A tiny valid JPEG header with an EXIF (APP1) segment carrying a GPS tag, then the scan.
EXIF = b"Exif\x00\x00GPS 15.8801N 108.3380E"
JPEG = (
    b"\xff\xd8"
    b"\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xe1"
    + (len(EXIF) + 2).to_bytes(2, "big")
    + EXIF
    + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    + b"\x12\x34" * 20
    + b"\xff\xd9"
)


@pytest.fixture
def duty(event: Any, field_officer: Any, time_machine: Any) -> Any:
    d = on_duty(event, field_officer)
    time_machine.move_to(at(d, 5), tick=False)
    return d


def _ack(duty: Any, user: Any, event: Any) -> None:
    fs.acknowledge_orders(actor=user, event=event, post=duty.post, orders_digest=duty.digest)


def test_orders_are_acknowledged_once_per_version_and_a_new_version_needs_a_new_one(
    event: Any, field_officer: Any, duty: Any
) -> None:
    _ack(duty, field_officer, event)
    _ack(duty, field_officer, event)
    assert OrdersAcknowledgement.objects.count() == 1
    old = duty.digest
    duty.post.orders = "Lệnh mới: đóng cổng lúc 16:00."
    duty.post.save()
    with pytest.raises(Conflict, match="changed"):  # the phone still shows the old version
        fs.acknowledge_orders(actor=field_officer, event=event, post=duty.post, orders_digest=old)
    fs.acknowledge_orders(
        actor=field_officer, event=event, post=duty.post, orders_digest=proofs.orders_digest(duty.post.orders)
    )
    assert OrdersAcknowledgement.objects.count() == 2


def test_check_in_needs_the_orders_acknowledged_and_records_which_proofs_held(
    event: Any, field_officer: Any, duty: Any
) -> None:
    proof = fs.Proof(lat=INSIDE[0], lon=INSIDE[1], accuracy_m=8)
    with pytest.raises(Conflict, match="Acknowledge"):
        fs.check_in(actor=field_officer, event=event, post=duty.post, proof=proof)
    assert CheckIn.objects.count() == 0
    row = fs.check_in(
        actor=field_officer, event=event, post=duty.post, proof=proof, orders_digest=duty.digest
    )
    assert row.assignment == duty.assignment
    assert row.proofs == {"clock": "server", "window": True, "position": True}
    assert row.is_strong
    assert row.accuracy_m == 8
    assert AuditEntry.objects.filter(action="operations.check_in", object_id=str(row.pk)).count() == 1


def test_a_check_in_without_the_required_code_is_accepted_as_weak(
    event: Any, field_officer: Any, time_machine: Any
) -> None:
    d = on_duty(event, field_officer, needs_code=True)
    time_machine.move_to(at(d, 2), tick=False)
    row = fs.check_in(
        actor=field_officer,
        event=event,
        post=d.post,
        proof=fs.Proof(lat=INSIDE[0], lon=INSIDE[1], accuracy_m=5),
        orders_digest=d.digest,
    )
    assert not row.is_strong


def test_the_rotating_code_proves_the_scan_time_even_when_it_arrives_late(
    event: Any, field_officer: Any, time_machine: Any
) -> None:
    d = on_duty(event, field_officer, needs_code=True)
    scanned = at(d, 1)
    step, code = proofs.code_at(d.post.proof.secret, scanned)
    time_machine.move_to(at(d, 40), tick=False)  # offline for 40 minutes
    row = fs.check_in(
        actor=field_officer,
        event=event,
        post=d.post,
        proof=fs.Proof(code_step=step, code=code, lat=INSIDE[0], lon=INSIDE[1], accuracy_m=5),
        device_time=scanned,
        orders_digest=d.digest,
    )
    assert row.at == proofs.step_start(step)
    assert row.received_at == at(d, 40)
    assert row.proofs["code"] is True
    assert row.proofs["clock"] == "code"
    assert row.is_strong


def test_a_wrong_code_is_refused_and_nothing_is_written(event: Any, field_officer: Any, duty: Any) -> None:
    with pytest.raises(Invalid, match="code"):
        fs.check_in(
            actor=field_officer,
            event=event,
            post=duty.post,
            proof=fs.Proof(code_step=1, code="12345678"),
            orders_digest=duty.digest,
        )
    assert CheckIn.objects.count() == 0
    assert OrdersAcknowledgement.objects.count() == 0


def test_an_nfc_tap_counts_once_and_its_replay_is_refused(event: Any, field_officer: Any, duty: Any) -> None:
    key, uid = bytes(range(16)), bytes.fromhex("04A1B2C3D4E5F6")
    NfcTag.objects.create(
        event=event, post=duty.post, uid=uid.hex(), meta_key=key.hex(), file_key=key.hex(), last_counter=4
    )
    tap = fs.Proof(nfc_e=ntag.encrypt_picc(key, uid, 5).hex(), nfc_c=ntag.sdm_mac(key, uid, 5).hex())
    row = fs.check_in(actor=field_officer, event=event, post=duty.post, proof=tap, orders_digest=duty.digest)
    assert row.proofs["nfc"] is True
    assert NfcTag.objects.get().last_counter == 5
    with pytest.raises(Invalid, match="already used"):
        fs.check_in(actor=field_officer, event=event, post=duty.post, kind="tour", proof=tap)
    forged = fs.Proof(nfc_e=tap.nfc_e, nfc_c="00" * 8)
    with pytest.raises(Invalid, match="not valid"):
        fs.check_in(actor=field_officer, event=event, post=duty.post, kind="tour", proof=forged)
    assert CheckIn.objects.count() == 1


def test_check_in_outside_the_window_or_the_geofence_is_refused_with_a_clear_message(
    event: Any, field_officer: Any, duty: Any, time_machine: Any
) -> None:
    with pytest.raises(Invalid, match="from the post") as far:
        fs.check_in(
            actor=field_officer,
            event=event,
            post=duty.post,
            proof=fs.Proof(lat=FAR[0], lon=FAR[1], accuracy_m=5),
            orders_digest=duty.digest,
        )
    assert far.value.code == "outside_geofence"
    time_machine.move_to(duty.start - timedelta(hours=2), tick=False)
    with pytest.raises(Invalid, match="no duty at this post") as early:
        fs.check_in(
            actor=field_officer, event=event, post=duty.post, proof=fs.Proof(), orders_digest=duty.digest
        )
    assert early.value.code == "outside_window"
    with pytest.raises(Invalid, match="out of range"):
        fs.check_in(
            actor=field_officer,
            event=event,
            post=duty.post,
            proof=fs.Proof(lat=91, lon=0),
            orders_digest=duty.digest,
        )
    assert CheckIn.objects.count() == 0
    assert OrdersAcknowledgement.objects.count() == 0


def test_another_events_post_and_another_role_are_refused(
    event: Any, other_event: Any, field_officer: Any, observer: Any, duty: Any
) -> None:
    foreign = PostFactory(event=other_event)
    with pytest.raises(Invalid, match="Unknown post"):
        fs.check_in(actor=field_officer, event=event, post=foreign, proof=fs.Proof())
    with pytest.raises(Invalid, match="Unknown post"):
        fs.report_incident(
            actor=field_officer,
            event=event,
            client_id=uuid.uuid4(),
            category_code="crowd",
            text="x",
            post=foreign,
        )
    with pytest.raises(NotAllowed):
        fs.check_in(actor=observer, event=event, post=duty.post, proof=fs.Proof())
    assert FieldReport.objects.count() == 0
    assert Incident.objects.count() == 0


def test_a_report_opens_an_incident_at_my_post_and_a_photo_loses_its_exif(
    event: Any, field_officer: Any, duty: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client_id = uuid.uuid4()
    report = fs.report_incident(
        actor=field_officer,
        event=event,
        client_id=client_id,
        category_code="suspicious_object",
        text="Ba lô bỏ quên cạnh cổng 2\nMàu đen",
        lat=INSIDE[0],
        lon=INSIDE[1],
        accuracy_m=6,
        device_time=at(duty, 4),
    )
    incident = report.incident
    assert (incident.source, incident.priority, incident.post, incident.summary) == (
        "field",
        1,
        duty.post,
        "Ba lô bỏ quên cạnh cổng 2",
    )
    assert report.device_time == at(duty, 4)
    assert report.received_at == at(duty, 5)
    photo = fs.add_photo(
        actor=field_officer, event=event, client_id=client_id, data=JPEG, content_type="image/jpeg"
    )
    with photo.file.open("rb") as f:
        stored = f.read()
    assert b"GPS" not in stored
    assert b"Exif" not in stored
    assert stored.startswith(b"\xff\xd8\xff\xe0")
    assert stored.endswith(b"\xff\xd9")
    assert str(tmp_path) in photo.file.path  # under MEDIA_ROOT, not under a static path
    with pytest.raises(Conflict):
        fs.report_incident(
            actor=field_officer, event=event, client_id=client_id, category_code="crowd", text="again"
        )


@pytest.mark.parametrize(
    ("data", "content_type", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * 50, "image/jpeg", "JPEG"),
        (JPEG, "image/png", "JPEG"),
        (b"\xff\xd8" + b"\x00" * (fs.MAX_PHOTO_BYTES + 1), "image/jpeg", "3 MB"),
        (b"\xff\xd8\xff\xe1\x00", "image/jpeg", "damaged"),
    ],
    ids=["png-bytes", "png-type", "too-large", "damaged"],
)
def test_a_bad_photo_is_refused_and_nothing_is_stored(
    event: Any,
    field_officer: Any,
    duty: Any,
    data: bytes,
    content_type: str,
    message: str,
    settings: Any,
    tmp_path: Any,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client_id = uuid.uuid4()
    fs.report_incident(
        actor=field_officer, event=event, client_id=client_id, category_code="crowd", text="Đông người"
    )
    with pytest.raises(Invalid, match=message):
        fs.add_photo(
            actor=field_officer, event=event, client_id=client_id, data=data, content_type=content_type
        )
    assert ReportPhoto.objects.count() == 0
    assert not list(tmp_path.rglob("*.jpg"))


def test_a_fifth_photo_and_someone_elses_report_are_refused(
    event: Any, field_officer: Any, dispatcher: Any, duty: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client_id = uuid.uuid4()
    fs.report_incident(
        actor=field_officer, event=event, client_id=client_id, category_code="crowd", text="Đông"
    )
    for _ in range(4):
        fs.add_photo(
            actor=field_officer, event=event, client_id=client_id, data=JPEG, content_type="image/jpeg"
        )
    with pytest.raises(Invalid, match="4 photos"):
        fs.add_photo(
            actor=field_officer, event=event, client_id=client_id, data=JPEG, content_type="image/jpeg"
        )
    with pytest.raises(NotFound):
        fs.add_photo(actor=dispatcher, event=event, client_id=client_id, data=JPEG, content_type="image/jpeg")


def test_sos_opens_a_p1_incident_repeats_its_position_and_cancels_only_with_the_pin(
    event: Any, field_officer: Any, duty: Any
) -> None:
    sos = fs.raise_sos(
        actor=field_officer, event=event, pin="2468", lat=INSIDE[0], lon=INSIDE[1], accuracy_m=9
    )
    incident = Incident.objects.get(source="sos")
    assert incident.priority == 1
    assert incident.post == duty.post
    assert sos.assignment == duty.assignment
    fs.sos_position(actor=field_officer, event=event, sos_id=sos.pk, lat=15.88, lon=108.33, accuracy_m=12)
    assert PositionReport.objects.filter(sos=sos).count() == 2
    with pytest.raises(Invalid, match="Wrong PIN"):
        fs.cancel_sos(actor=field_officer, event=event, sos_id=sos.pk, pin="1111")
    assert Sos.objects.get().status == "active"
    fs.cancel_sos(actor=field_officer, event=event, sos_id=sos.pk, pin="2468")
    assert Sos.objects.get().status == "cancelled"
    with pytest.raises(Conflict):
        fs.sos_position(actor=field_officer, event=event, sos_id=sos.pk, lat=15.88, lon=108.33)


def test_positions_are_kept_only_on_duty_audited_per_batch_and_deleted_after_retention(
    event: Any, field_officer: Any, duty: Any, time_machine: Any, settings: Any
) -> None:
    points = [
        {"lat": INSIDE[0], "lon": INSIDE[1], "accuracy_m": 5, "device_time": at(duty, m)} for m in (1, 1.5, 2)
    ] + [
        {"lat": INSIDE[0], "lon": INSIDE[1], "accuracy_m": 5, "device_time": duty.start - timedelta(hours=3)}
    ]
    before = AuditEntry.objects.count()
    result = fs.record_positions(actor=field_officer, event=event, points=points)
    assert (result.stored, result.off_duty) == (3, 1)
    assert PositionReport.objects.filter(inside=True).count() == 3
    assert AuditEntry.objects.count() == before + 1
    assert (
        json.loads(AuditEntry.objects.latest("pk").changes)["digest"][1] == PositionBatch.objects.get().digest
    )
    with pytest.raises(Invalid, match="out of range"):
        fs.record_positions(
            actor=field_officer, event=event, points=[{"lat": 0, "lon": 200, "device_time": at(duty, 1)}]
        )
    settings.POSITION_RETENTION_DAYS = 30
    assert fs.purge_positions(now=at(duty, 60 * 24 * 29)) == 0
    assert fs.purge_positions(now=at(duty, 60 * 24 * 31)) == 3
    assert PositionReport.objects.count() == 0
    assert PositionBatch.objects.count() == 0


def test_position_batches_keep_the_duties_until_the_plan_or_the_post_changes(
    event: Any, field_officer: Any, planner: Any, duty: Any, time_machine: Any, settings: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from antt.planning import assignment_services

    def send(*minutes: float, lat: float = FAR[0]) -> tuple[int, int]:
        points = [
            {"lat": lat, "lon": INSIDE[1], "accuracy_m": 5, "device_time": at(duty, m)} for m in minutes
        ]
        result = fs.record_positions(actor=field_officer, event=event, points=points)
        return result.stored, result.off_duty

    assert send(1) == (1, 0)
    with CaptureQueriesContext(connection) as read:  # the next batch: the duties are kept, not read again
        assert send(2) == (1, 0)
    assert not any("planning_assignment" in q["sql"] for q in read.captured_queries)
    # the plan changes (the duty now ends at minute 3): the next batch sees it at once
    assignment_services.update_assignment(actor=planner, assignment=duty.assignment, ends_at=at(duty, 3))
    assert send(2.5, 4) == (1, 1)
    # the post's radius saved in this process: the next point is judged with it at once
    proof = PostProof.objects.get(post=duty.post)
    proof.radius_m = 2_000
    proof.save()
    assert send(2.6) == (1, 0)
    assert PositionReport.objects.latest("pk").inside is True
    # ... and changed by another process (no signal here): within DUTY_CACHE_SECONDS
    PostProof.objects.filter(pk=proof.pk).update(radius_m=10)
    send(2.7)
    assert PositionReport.objects.latest("pk").inside is True
    time_machine.shift(settings.DUTY_CACHE_SECONDS + 1)
    send(2.8)
    assert PositionReport.objects.latest("pk").inside is False


def test_reports_take_the_duty_from_the_kept_duties_and_see_a_plan_change_at_once(
    event: Any, field_officer: Any, planner: Any, duty: Any, time_machine: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from antt.planning import assignment_services

    def report() -> Any:
        return fs.report_incident(
            actor=field_officer, event=event, client_id=uuid.uuid4(), category_code="crowd", text="Đông"
        )

    first = report()
    assert (first.officer, first.post, first.incident.site) == (duty.officer, duty.post, duty.post.site)
    with CaptureQueriesContext(connection) as read:  # the officer's duties are kept: not read again
        second = report()
    assert not any("planning_assignment" in q["sql"] for q in read.captured_queries)
    assert (second.officer, second.post) == (duty.officer, duty.post)
    # the planner moves the duty to another post: the next report is linked to it at once
    other = PostFactory(event=event)
    assignment_services.update_assignment(actor=planner, assignment=duty.assignment, post=other)
    third = report()
    assert (third.officer, third.post, third.incident.post, third.incident.site) == (
        duty.officer,
        other,
        other,
        other.site,
    )
    # the duty ends before now: the officer still reports, with no post
    assignment_services.update_assignment(actor=planner, assignment=duty.assignment, ends_at=at(duty, 2))
    fourth = report()
    assert (fourth.officer, fourth.post, fourth.incident.post) == (duty.officer, None, None)


def test_field_writes_do_not_touch_planning_rows(event: Any, field_officer: Any, duty: Any) -> None:
    from antt.planning.models import Assignment, Post

    stamps = (Assignment.objects.get().updated_at, Post.objects.get(pk=duty.post.pk).updated_at)
    _ack(duty, field_officer, event)
    fs.check_in(
        actor=field_officer,
        event=event,
        post=duty.post,
        proof=fs.Proof(lat=INSIDE[0], lon=INSIDE[1], accuracy_m=5),
    )
    fs.report_incident(
        actor=field_officer, event=event, client_id=uuid.uuid4(), category_code="crowd", text="Đông"
    )
    assert (Assignment.objects.get().updated_at, Post.objects.get(pk=duty.post.pk).updated_at) == stamps
    assert (
        not AuditEntry.objects.filter(action__startswith="planning.")
        .exclude(action="planning.create_post")
        .exists()
    )


def test_the_purge_command_deletes_old_positions_and_idempotency_records_and_keeps_recent_ones(
    event: Any, field_officer: Any, duty: Any, time_machine: Any, settings: Any
) -> None:
    from io import StringIO

    from django.core.management import call_command

    from antt.operations.models import IdempotencyRecord

    settings.POSITION_RETENTION_DAYS = 30
    point = {"lat": INSIDE[0], "lon": INSIDE[1], "accuracy_m": 5}
    time_machine.move_to(at(duty, 1), tick=False)
    fs.record_positions(actor=field_officer, event=event, points=[{**point, "device_time": at(duty, 1)}])
    IdempotencyRecord.objects.create(
        user=field_officer, key="old", method="POST", path="/x/", fingerprint="f", created_at=at(duty, 1)
    )
    time_machine.move_to(at(duty, 60 * 24 * 31), tick=False)
    fresh_key = IdempotencyRecord.objects.create(
        user=field_officer,
        key="new",
        method="POST",
        path="/x/",
        fingerprint="f",
        created_at=at(duty, 60 * 24 * 31),
    )
    out = StringIO()
    call_command("field_purge", stdout=out)
    assert "1 position(s) and 1 Idempotency-Key record(s)" in out.getvalue()
    assert PositionReport.objects.count() == 0
    assert list(IdempotencyRecord.objects.all()) == [fresh_key]


def test_a_category_switched_off_is_refused_at_once_though_reports_keep_categories_a_few_seconds(
    event: Any, field_officer: Any, duty: Any, time_machine: Any
) -> None:
    from antt.operations.models import IncidentCategory

    def report(code: str) -> Any:
        return fs.report_incident(
            actor=field_officer, event=event, client_id=uuid.uuid4(), category_code=code, text="a"
        )

    assert report("traffic").category.code == "traffic"
    traffic = IncidentCategory.objects.get(event=event, code="traffic")
    # switched off in another process (no signal here): still kept for the few seconds …
    IncidentCategory.objects.filter(pk=traffic.pk).update(is_active=False)
    assert report("traffic").category == traffic
    # … and refused once they are over
    time_machine.shift(timedelta(seconds=6))
    with pytest.raises(Invalid) as refused:
        report("traffic")
    assert refused.value.field == "category"
    # switched on and off again in this process: refused at once (its save forgets what was kept)
    traffic.is_active = True
    traffic.save()
    assert report("traffic").category == traffic
    traffic.is_active = False
    traffic.save()
    with pytest.raises(Invalid):
        report("traffic")
