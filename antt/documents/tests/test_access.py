"""Who may read: clearance ≥ classification AND a need-to-know grant in force (person, unit, duty), on a
document in use. The whole matrix at once, then the duty grant following a re-plan, and the pages' 404."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest

from antt.core.errors import Invalid, NotFound
from antt.core.permissions import Clearance
from antt.documents import access, queries
from antt.documents.models import Document, Grant
from antt.documents.tests.conftest import make_reader, on_duty

pytestmark = pytest.mark.django_db

KINDS = ("person", "unit", "duty")
WINDOWS = ("inside", "outside")
STATES = (Document.State.ACTIVE, Document.State.WITHDRAWN, Document.State.DESTROYED)


def test_exactly_the_allowed_cells_of_the_matrix_can_read(
    event: Any, custodian: Any, units: dict[str, Any], post: Any
) -> None:
    at = event.starts_at + timedelta(hours=9)
    # Four readers in the team (under HQ), one per clearance, all on duty at the post; one reader of the
    # highest clearance in another unit and on no duty: unit and duty grants must not reach them.
    readers = {level: make_reader(event, f"r{level}", level, units["team"]) for level in Clearance.values}
    for reader in readers.values():
        on_duty(event, reader, post)
    stranger = make_reader(event, "stranger", Clearance.TOP_SECRET, units["other"])
    windows = {
        "inside": (at - timedelta(hours=1), at + timedelta(hours=1)),
        "outside": (at + timedelta(hours=2), at + timedelta(hours=5)),
    }
    cells: dict[int, tuple[int, str, str, str]] = {}
    for classification, kind, window, state in itertools.product(Clearance.values, KINDS, WINDOWS, STATES):
        doc = Document.objects.create(
            event=event,
            title_vi=f"{classification}-{kind}-{window}-{state}",
            classification=classification,
            custodian=custodian,
            state=state,
        )
        start, end = windows[window]
        targets: list[dict[str, Any]] = {
            "person": [{"user": u} for u in [*readers.values(), stranger]],
            "unit": [{"unit": units["hq"], "include_subunits": True}],
            "duty": [{"post": post}],
        }[kind]
        for target in targets:
            Grant.objects.create(
                document=doc, kind=kind, valid_from=start, valid_until=end, granted_by=custodian, **target
            )
        cells[doc.pk] = (classification, kind, window, state)

    for level, reader in readers.items():
        expected = {
            pk for pk, (c, _k, w, s) in cells.items() if s == "active" and w == "inside" and level >= c
        }
        seen = set(queries.documents_for(reader, event, at=at).values_list("pk", flat=True))
        assert seen == expected, f"clearance {level}"
        one_by_one = {
            pk
            for pk in cells
            if access.may_read(access.reader_for(reader, event), Document.objects.get(pk=pk), at)
        }
        assert one_by_one == expected
    expected_stranger = {
        pk for pk, (_c, k, w, s) in cells.items() if k == "person" and s == "active" and w == "inside"
    }
    assert (
        set(queries.documents_for(stranger, event, at=at).values_list("pk", flat=True)) == expected_stranger
    )
    # The custodian holds them all (while in use), whatever the grants.
    assert set(queries.documents_for(custodian, event, at=at).values_list("pk", flat=True)) == {
        pk for pk, cell in cells.items() if cell[3] == "active"
    }


def test_a_unit_grant_without_sub_units_reaches_only_that_unit(
    event: Any, custodian: Any, units: dict[str, Any]
) -> None:
    at = event.starts_at + timedelta(hours=9)
    in_team = make_reader(event, "team-member", Clearance.SECRET, units["team"])
    in_hq = make_reader(event, "hq-member", Clearance.SECRET, units["hq"])
    doc = Document.objects.create(
        event=event, title_vi="x", classification=Clearance.CONFIDENTIAL, custodian=custodian
    )
    Grant.objects.create(
        document=doc,
        kind="unit",
        unit=units["hq"],
        include_subunits=False,
        granted_by=custodian,
        valid_from=at - timedelta(hours=1),
        valid_until=at + timedelta(hours=1),
    )
    assert list(queries.documents_for(in_hq, event, at=at)) == [doc]
    assert list(queries.documents_for(in_team, event, at=at)) == []


def test_a_duty_grant_follows_the_roster_when_the_duty_moves(
    event: Any, custodian: Any, units: dict[str, Any], post: Any
) -> None:
    at = event.starts_at + timedelta(hours=9)
    officer_a = make_reader(event, "a", Clearance.SECRET, units["team"])
    officer_b = make_reader(event, "b", Clearance.SECRET, units["team"])
    duty = on_duty(event, officer_a, post)
    route = Document.objects.create(
        event=event, title_vi="Tuyến đoàn xe", classification=Clearance.SECRET, custodian=custodian
    )
    Grant.objects.create(
        document=route,
        kind="duty",
        post=post,
        granted_by=custodian,
        valid_from=at - timedelta(hours=2),
        valid_until=at + timedelta(hours=2),
    )
    assert list(queries.documents_for(officer_a, event, at=at)) == [route]
    assert list(queries.documents_for(officer_b, event, at=at)) == []

    duty.officer = officer_b.officer  # the re-plan: B takes A's duty
    duty.save()
    assert list(queries.documents_for(officer_a, event, at=at)) == []
    assert list(queries.documents_for(officer_b, event, at=at)) == [route]


def test_a_duty_outside_the_grant_window_gives_no_access(
    event: Any, custodian: Any, units: dict[str, Any], post: Any
) -> None:
    at = event.starts_at + timedelta(hours=9)
    officer = make_reader(event, "late", Clearance.SECRET, units["team"])
    on_duty(event, officer, post, hours=(20, 23))
    doc = Document.objects.create(
        event=event, title_vi="x", classification=Clearance.CONFIDENTIAL, custodian=custodian
    )
    Grant.objects.create(
        document=doc,
        kind="duty",
        post=post,
        granted_by=custodian,
        valid_from=at - timedelta(hours=2),
        valid_until=at + timedelta(hours=2),
    )
    assert list(queries.documents_for(officer, event, at=at)) == []


def test_a_document_one_may_not_read_is_not_found_on_every_page(
    event: Any, other_event: Any, custodian: Any, units: dict[str, Any], as_user: Any, outsider: Any
) -> None:
    reader = make_reader(event, "no-grant", Clearance.TOP_SECRET, units["team"])
    doc = Document.objects.create(
        event=event, title_vi="Phương án bảo vệ", classification=Clearance.CONFIDENTIAL, custodian=custodian
    )
    with pytest.raises(NotFound):
        queries.get_document_for(reader, event, doc.pk)
    client = as_user(reader)
    base = f"/events/{event.code}/documents/{doc.pk}/"
    assert client.get(base).status_code == 404
    assert client.post(base + "versions/1/copy/").status_code == 404
    assert client.post(base + "withdraw/", {"reason": "x"}).status_code == 404
    listing = client.get(f"/events/{event.code}/documents/")
    assert listing.status_code == 200
    assert "Phương án bảo vệ" not in listing.content.decode()
    assert as_user(outsider).get(base).status_code == 404
    assert as_user(custodian).get(base).status_code == 200


def test_documents_attached_to_a_plan_are_listed_by_plan_under_the_same_rule(
    event: Any,
    other_event: Any,
    custodian: Any,
    planner: Any,
    time_machine: Any,
    units: dict[str, Any],
    as_user: Any,
    outsider: Any,
) -> None:
    from antt.documents import services
    from antt.plans.tests.factories import make_plan

    at = event.starts_at
    plan = make_plan(planner, event)
    foreign = make_plan(outsider, other_event)
    from antt.core.permissions import Role

    # A unit commander reads plans (planning.view); a field officer could not even name the plan.
    reader = make_reader(event, "plan-reader", Clearance.SECRET, units["team"], role=Role.UNIT_COMMANDER)
    shown = Document.objects.create(
        event=event, title_vi="Sơ đồ bố trí lực lượng", classification=1, custodian=custodian
    )
    hidden = Document.objects.create(
        event=event, title_vi="Danh sách mật danh", classification=1, custodian=custodian
    )
    for doc in (shown, hidden):
        services.attach_plans(actor=custodian, document=doc, plans=[plan])
    Grant.objects.create(
        document=shown,
        kind="person",
        user=reader,
        granted_by=custodian,
        valid_from=at - timedelta(days=20),
        valid_until=at + timedelta(days=20),
    )
    with pytest.raises(Invalid):
        services.attach_plans(actor=custodian, document=shown, plans=[foreign])
    assert list(queries.documents_for(reader, event, at=at, plan_id=plan.pk)) == [shown]
    assert set(queries.documents_for(custodian, event, at=at, plan_id=plan.pk)) == {shown, hidden}
    time_machine.move_to(at, tick=False)
    response = as_user(reader).get(f"/events/{event.code}/documents/?plan={plan.pk}")
    page = response.content.decode()
    assert response.status_code == 200, page[-3000:]
    assert "Sơ đồ bố trí lực lượng" in page
    assert "Danh sách mật danh" not in page
    assert as_user(reader).get(f"/events/{event.code}/documents/?plan={foreign.pk}").status_code == 404


def test_a_planned_duty_or_a_duty_long_over_gives_no_access(
    event: Any, custodian: Any, units: dict[str, Any], post: Any
) -> None:
    """Whoever edits the roster must not give themselves a document with an unpublished duty; an officer
    whose duty ended does not keep the document for the rest of the grant's window."""
    at = event.starts_at + timedelta(hours=9)
    planned = make_reader(event, "planned", Clearance.SECRET, units["team"])
    on_duty(event, planned, post, status="planned")
    earlier = make_reader(event, "earlier", Clearance.SECRET, units["team"])
    on_duty(event, earlier, post, hours=(0, 4))
    doc = Document.objects.create(
        event=event, title_vi="x", classification=Clearance.CONFIDENTIAL, custodian=custodian
    )
    Grant.objects.create(
        document=doc,
        kind="duty",
        post=post,
        granted_by=custodian,
        valid_from=event.starts_at,
        valid_until=event.starts_at + timedelta(days=5),
    )
    assert list(queries.documents_for(planned, event, at=at)) == []
    assert list(queries.documents_for(earlier, event, at=at)) == []
    assert list(queries.documents_for(earlier, event, at=event.starts_at + timedelta(hours=2))) == [doc]
