"""The one-statement decision (``access.decide``, and the same SQL inside the statement that loads a document
for its page) never disagrees with the list (``readable``) or with ``may_read``: random grants of every kind,
state and window, random readers (with or without an officer, inactive, not a member, the custodian) and
random moments, compared pair by pair."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antt.accounts.tests.factories import UserFactory
from antt.core.errors import NotFound
from antt.core.permissions import Clearance, Role
from antt.documents import access, queries
from antt.documents.models import Document, Grant
from antt.documents.tests.conftest import make_reader, on_duty
from antt.events.tests.factories import MembershipFactory
from antt.forces.tests.factories import UnitFactory
from antt.planning.tests.factories import PostFactory, ProgrammeItemFactory, RequirementFactory

pytestmark = pytest.mark.django_db

HOURS = 48


@pytest.fixture
def world(event: Any, other_event: Any, custodian: Any, units: dict[str, Any], post: Any) -> dict[str, Any]:
    squad = UnitFactory(event=event, code="PA-SQUAD", parent=units["team"])
    second_post = PostFactory(event=event, code="CP-GATE")
    item = ProgrammeItemFactory(event=event, code="PLENARY")
    readers = [
        make_reader(event, "squad-2", Clearance.SECRET, squad),
        make_reader(event, "team-3", Clearance.TOP_SECRET, units["team"]),
        make_reader(event, "hq-1", Clearance.CONFIDENTIAL, units["hq"]),
        make_reader(event, "other-3", Clearance.TOP_SECRET, units["other"]),
    ]
    on_duty(event, readers[0], post, hours=(8, 12))
    on_duty(event, readers[1], second_post, hours=(30, 34))
    on_duty(event, readers[3], post, hours=(20, 26), status="planned")
    by_item = on_duty(event, readers[2], second_post, hours=(14, 18))
    by_item.requirement = RequirementFactory(event=event, post=second_post, programme_item=item)
    by_item.save()
    no_officer = MembershipFactory(
        event=event, user=UserFactory(username="no-officer"), role=Role.FIELD_OFFICER, clearance=3
    ).user
    inactive = make_reader(event, "inactive", Clearance.TOP_SECRET, units["team"])
    inactive.memberships.filter(event=event).update(is_active=False)
    stranger = UserFactory(username="not-a-member")
    documents = [
        Document.objects.create(
            event=event, title_vi=f"d{i}", classification=level, custodian=custodian, state=state
        )
        for i, (level, state) in enumerate(
            [(0, "active"), (1, "active"), (2, "active"), (3, "active"), (1, "withdrawn"), (2, "destroyed")]
        )
    ]
    foreign = Document.objects.create(
        event=other_event, title_vi="foreign", classification=0, custodian=custodian
    )
    return {
        "users": [*readers, no_officer, inactive, stranger, custodian],
        "documents": documents,
        "foreign": foreign,
        "targets": {
            "person": [{"user": u} for u in [*readers, no_officer, inactive]],
            "unit": [
                {"unit": u, "include_subunits": sub}
                for u in (units["hq"], units["team"], squad, units["other"])
                for sub in (True, False)
            ],
            "duty": [{"post": post}, {"post": second_post}, {"programme_item": item}],
        },
    }


grants = st.lists(
    st.tuples(
        st.integers(0, 5),  # document
        st.sampled_from(("person", "unit", "duty")),
        st.integers(0, 100),  # target (modulo the kind's targets)
        st.integers(-24, HOURS),  # window start, hours after the event's start
        st.integers(1, 30),  # window length
        st.sampled_from(tuple(Grant.State.values)),
    ),
    max_size=8,
)


@settings(
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(drawn=grants, hour=st.integers(-12, HOURS), minute=st.integers(0, 59))
def test_the_one_statement_decision_agrees_with_the_list_and_may_read(
    event: Any, other_event: Any, world: dict[str, Any], drawn: list[Any], hour: int, minute: int
) -> None:
    at = event.starts_at + timedelta(hours=hour, minutes=minute)
    documents = world["documents"]
    with transaction.atomic():
        for doc, kind, target, begin, length, state in drawn:
            targets = world["targets"][kind]
            start = event.starts_at + timedelta(hours=begin)
            Grant.objects.create(
                document=documents[doc],
                kind=kind,
                state=state,
                valid_from=start,
                valid_until=start + timedelta(hours=length),
                granted_by=documents[doc].custodian,
                **targets[target % len(targets)],
            )
        for user in world["users"]:
            reader = access.reader_for(user, event)
            listed = set(access.readable(reader, event, at).values_list("pk", flat=True))
            for document in documents:
                decided = access.decide(user, event, document.pk, at)
                assert decided == (document.pk in listed), (user, document, at)
                assert decided == access.may_read(reader, document, at), (user, document, at)
                if user != document.custodian:  # (the custodian also opens what they manage)
                    try:
                        queries.get_document_for(user, event, document.pk, at=at)
                        opened = True
                    except NotFound:
                        opened = False
                    assert opened == decided, (user, document, at)
            assert not access.decide(user, event, world["foreign"].pk, at)  # another event's document
        transaction.set_rollback(True)


def test_a_document_of_another_event_is_decided_in_its_own_event_only(
    event: Any, other_event: Any, custodian: Any
) -> None:
    reader = MembershipFactory(event=other_event, role=Role.FIELD_OFFICER, clearance=3).user
    MembershipFactory(event=event, user=reader, role=Role.FIELD_OFFICER, clearance=3)
    doc = Document.objects.create(event=other_event, title_vi="x", classification=1, custodian=custodian)
    at = other_event.starts_at
    Grant.objects.create(
        document=doc,
        kind="person",
        user=reader,
        granted_by=custodian,
        valid_from=at - timedelta(hours=1),
        valid_until=at + timedelta(hours=1),
    )
    assert access.decide(reader, other_event, doc.pk, at)
    assert not access.decide(reader, event, doc.pk, at)
    with pytest.raises(NotFound):
        queries.get_document_for(reader, event, doc.pk, at=at)
    assert queries.get_document_for(reader, other_event, doc.pk, at=at) == doc
