# mypy: disable-error-code="arg-type, operator, attr-defined"
# (factory_boy types a factory call as the factory, not the model it returns)
"""What a report and a position batch cost the database, pinned: a change that adds statements to the hot path
of the field (100 reports/s, 167 position batches/s are the goals) fails here instead of slipping by.

The whole request is counted with ``connection.execute_wrapper`` (``CaptureQueriesContext``, under
``django_assert_max_num_queries``, loses the statements of a request through the test client: Django resets
its query log when a request starts). The limits are the counts measured on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from antt.accounts.services import create_token
from antt.audit import verification
from antt.audit.models import AuditEntry
from antt.core import shortcache
from antt.operations import field_services as fs
from antt.operations.models import FieldReport, IdempotencyRecord, Incident, PositionReport
from antt.operations.tests.field_setup import INSIDE, at, on_duty
from antt.planning.tests.factories import ProgrammeItemFactory, RequirementFactory

pytestmark = pytest.mark.django_db

# Measured on SQLite and PostgreSQL (PostgreSQL: one more, the event row's lock; SQLite's write transaction
# holds the database's lock already). A request here runs inside the test's transaction: its transaction is a
# SAVEPOINT and a RELEASE where a server sends BEGIN (and COMMIT, not counted): +1.
# The report, its sign-in read afresh: the token with its user, the membership with its event (one query); the
# key's claim in its own short transaction (savepoint, insert, release: a concurrent duplicate sees it and gets
# 409 at once); category; the plan's version and the officer's duties with their posts, sites and programme
# items (one query each) — these reads before the write's transaction; then [the event's lock], the incident's next number and the board's (one query);
# incident, first step, the board's update; the report; the audit entry (2); the answer stored with its key.
REPORT_SERVICE = 12
REPORT_REQUEST = 18
# A position batch: the sign-in (as above), the key's claim, the plan's version and the officer's duties with
# their posts and radii (one query each) before the write's transaction; the batch, its points, the audit entry
# (2), the answer stored with its key.
POSITIONS_REQUEST = 14
# Statements a request signed in with a token saves when the same server process saw that token within
# ``SIGNIN_CACHE_SECONDS``: the token with its user, the membership with its event.
SIGN_IN_KEPT = 2
# A report or position batch from an officer whose duties this process read at the plan's current version:
# their query.
DUTIES_KEPT = 1
# A report in a category this process looked up within ``SIGNIN_CACHE_SECONDS``: the category's query.
CATEGORY_KEPT = 1


@pytest.fixture
def duty(event: Any, field_officer: Any, time_machine: Any) -> Any:
    d = on_duty(event, field_officer)
    # the duty covers a programme item: the report links it (the duty's query brings it along)
    item = ProgrammeItemFactory(event=event, starts_at=d.assignment.starts_at, ends_at=d.assignment.ends_at)
    d.assignment.requirement = RequirementFactory(
        event=event,
        post=d.post,
        skill=d.assignment.skill,
        starts_at=d.assignment.starts_at,
        ends_at=d.assignment.ends_at,
        programme_item=item,
    )
    d.assignment.save()
    time_machine.move_to(at(d, 5), tick=False)
    return d


@contextmanager
def statements() -> Iterator[list[str]]:
    """Every SQL statement sent on the default connection meanwhile (BEGIN and SAVEPOINT included)."""
    sent: list[str] = []

    def count(execute: Any, sql: str, *rest: Any) -> Any:
        sent.append(sql)
        return execute(sql, *rest)

    with connection.execute_wrapper(count):
        yield sent


def _send(client: Any, url: str, body: dict[str, Any]) -> Any:
    return client.post(
        url, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4())
    )


def test_a_report_costs_at_most_its_pinned_statements_and_one_audit_entry_names_report_and_incident(
    event: Any, field_officer: Any, duty: Any, django_assert_max_num_queries: Any
) -> None:
    fs.report_incident(
        actor=field_officer, event=event, client_id=uuid.uuid4(), category_code="crowd", text="a"
    )
    entries = AuditEntry.objects.count()
    with django_assert_max_num_queries(REPORT_SERVICE):
        report = fs.report_incident(
            actor=field_officer,
            event=event,
            client_id=uuid.uuid4(),
            category_code="medical",
            text="Ngất xỉu ở cổng 2\nĐã gọi y tế",
            lat=INSIDE[0],
            lon=INSIDE[1],
        )
    incident = report.incident
    assert (incident.post, incident.site, incident.programme_item) == (
        duty.post,
        duty.post.site,
        duty.assignment.requirement.programme_item,
    )
    assert (report.officer, incident.priority, incident.number) == (duty.officer, 1, 2)
    # one entry, for the report, that also records the incident's opening (no separate entry for it)
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.get(action="operations.field_report", object_id=str(report.pk))
    changes = json.loads(entry.changes)
    assert changes["incident"] == [None, incident.pk]
    assert changes["incident.number"] == [None, 2]
    assert changes["incident.category"] == [None, incident.category_id]
    assert changes["incident.post"] == [None, duty.post.pk]
    assert changes["incident.status"] == [None, "reported"]
    assert not AuditEntry.objects.filter(action="operations.open_incident").exists()
    assert verification.verify().ok


def test_a_report_and_a_position_batch_over_the_api_stay_within_their_statements(
    event: Any, field_officer: Any, duty: Any
) -> None:
    # as the phone (and benchmarks/field.py) sends them: with an API token
    client = Client(HTTP_AUTHORIZATION=f"Bearer {create_token(actor=field_officer, name='phone')[1]}")
    base = f"/api/v1/events/{event.code}/field/"
    report = {
        "client_id": str(uuid.uuid4()),
        "category": "crowd",
        "text": "Đông người",
        "lat": 15.88,
        "lon": 108.338,
    }
    assert _send(client, base + "reports/", {**report, "client_id": str(uuid.uuid4())}).status_code == 201
    shortcache.clear_all()  # the phone's first request to this server process: its sign-in read again
    with statements() as sent:
        answer = _send(client, base + "reports/", report)
    assert answer.status_code == 201
    assert len(sent) <= REPORT_REQUEST, "\n".join(sent)
    with statements() as sent:  # the next, within seconds: token, user, event and membership are known
        assert _send(client, base + "reports/", {**report, "client_id": str(uuid.uuid4())}).status_code == 201
    assert len(sent) <= REPORT_REQUEST - SIGN_IN_KEPT - DUTIES_KEPT - CATEGORY_KEPT, "\n".join(sent)
    assert not any("planning_assignment" in sql for sql in sent), "\n".join(sent)
    point = {"lat": INSIDE[0], "lon": INSIDE[1], "accuracy_m": 5}
    points = [{**point, "device_time": at(duty, m).isoformat()} for m in (1, 2, 3, 4)]
    shortcache.clear_all()
    with statements() as sent:
        answer = _send(client, base + "positions/", {"points": points})
    assert answer.json() == {"stored": 4, "off_duty": 0}
    assert len(sent) <= POSITIONS_REQUEST, "\n".join(sent)
    later = [{**point, "device_time": at(duty, m).isoformat()} for m in (5, 6)]
    with statements() as sent:
        assert _send(client, base + "positions/", {"points": later}).json() == {"stored": 2, "off_duty": 0}
    assert len(sent) <= POSITIONS_REQUEST - SIGN_IN_KEPT - DUTIES_KEPT, "\n".join(sent)
    assert not any("planning_assignment" in sql for sql in sent), "\n".join(sent)
    # what the statements wrote: the report, its incident, the answer stored with its key
    assert FieldReport.objects.filter(client_id=report["client_id"], incident__number=2).exists()
    assert Incident.objects.count() == 3
    assert PositionReport.objects.count() == 6
    assert IdempotencyRecord.objects.filter(status_code=201).count() == 5
