# mypy: disable-error-code="arg-type, operator, index, union-attr"
# (factory_boy types a factory call as the factory, not the model it returns)
"""The plan services: versions, workflow, four eyes, read-only approved versions, diff, bad input."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import translation

from antt.accounts.tests.factories import UserFactory
from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed, NotFound
from antt.core.permissions import Role
from antt.events.tests.factories import MembershipFactory
from antt.forces.tests.factories import OfficerFactory, UnitFactory
from antt.planning.tests.factories import SiteFactory
from antt.plans import diff, queries, services
from antt.plans.models import Plan, PlanStep, PlanVersion
from antt.plans.tests.factories import commanded_unit, make_plan, task

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_commander(event: Any) -> Any:
    return MembershipFactory(event=event, user=UserFactory(username="commander-2"), role=Role.COMMANDER).user


def _counts() -> tuple[int, int, int, int]:
    return (
        Plan.objects.count(),
        PlanVersion.objects.count(),
        PlanStep.objects.count(),
        AuditEntry.objects.count(),
    )


def test_create_plan_writes_version_one_as_a_hashed_draft(planner: Any, event: Any) -> None:
    site = SiteFactory(event=event)
    plan = make_plan(planner, event, sites=[site.pk])
    version = plan.latest_version
    assert (plan.status, version.number, version.author) == ("draft", 1, planner)
    assert version.content_hash == version.compute_hash()
    assert len(version.content_hash) == 64
    assert version.sites == [
        {"id": site.pk, "code": site.code, "name_vi": site.name_vi, "name_en": site.name_en}
    ]
    assert list(plan.sites.all()) == [site]
    assert version.tasks[0]["commander"]["id"] == plan.responsible_id  # defaulted to the unit's commander
    entry = AuditEntry.objects.get(action="plans.create_plan")
    assert entry.object_id == str(plan.pk)
    assert version.content_hash in entry.changes
    assert [p.code for p in queries.plans_for(planner, event, search="phuong an chua chay")] == [
        "PA-CHAY-ICC"
    ]


def test_every_edit_adds_an_immutable_version_and_keeps_task_keys(planner: Any, event: Any) -> None:
    plan = make_plan(planner, event)
    v1 = plan.latest_version
    first = v1.tasks[0]
    police = commanded_unit(event, code="CAQN-HA")
    v2 = services.edit_plan(
        actor=planner,
        plan=plan,
        base_number=1,
        change_note="Thêm nhiệm vụ phân luồng",
        body_vi="Sơ tán đại biểu qua cổng chính.\nCô lập khu vực cháy.",
        tasks=[
            {**task(police, "Phân luồng giao thông"), "key": ""},
            {"key": first["key"], "unit": first["unit"]["id"], "text_vi": "Chữa cháy, cứu nạn, cứu hộ"},
        ],
    )
    v1_again = PlanVersion.objects.get(pk=v1.pk)
    assert v2.number == 2
    assert (v1_again.body_vi, v1_again.tasks, v1_again.content_hash) == (
        v1.body_vi,
        v1.tasks,
        v1.content_hash,
    )
    assert v1_again.content_hash == v1_again.compute_hash()
    assert v2.tasks[1]["key"] == first["key"]
    assert v2.title_vi == v1.title_vi  # fields not given are carried over
    plan.refresh_from_db()
    assert plan.latest_version == v2
    changes = queries.compare(v1, v2)
    assert [(line.op, line.text) for line in changes["body_vi"] if line.op != "equal"] == [
        ("delete", "Sơ tán đại biểu qua cổng phụ."),
        ("insert", "Sơ tán đại biểu qua cổng chính."),
    ]
    tasks = changes["tasks"]
    assert [t["unit"]["code"] for t in tasks.added] == ["CAQN-HA"]
    assert tasks.removed == []
    assert [(c.key, c.fields) for c in tasks.changed] == [
        (first["key"], ("text_vi", "text_en", "offset_minutes"))
    ]
    with pytest.raises(Invalid, match="Nothing changed"):
        services.edit_plan(actor=planner, plan=plan, title_vi=v2.title_vi)
    assert PlanVersion.objects.filter(plan=plan).count() == 2


def test_edit_from_a_stale_version_is_refused(planner: Any, event: Any) -> None:
    plan = make_plan(planner, event)
    services.edit_plan(actor=planner, plan=plan, base_number=1, body_vi="Bản 2")
    with pytest.raises(Conflict, match="Someone saved version 2 while you were editing version 1"):
        services.edit_plan(actor=planner, plan=plan, base_number=1, body_vi="Bản khác")
    assert PlanVersion.objects.filter(plan=plan).count() == 2


def test_workflow_submit_return_submit_approve(planner: Any, commander: Any, event: Any) -> None:
    plan = make_plan(planner, event)
    services.submit_plan(actor=planner, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "submitted"
    with pytest.raises(Conflict, match="waiting for approval"):
        services.edit_plan(actor=planner, plan=plan, body_vi="Sửa lén")
    with pytest.raises(Invalid, match="Say what must change"):
        services.return_plan(actor=commander, plan=plan, comment="  ")
    services.return_plan(actor=commander, plan=plan, comment="Bổ sung lực lượng y tế")
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert PlanStep.objects.filter(plan=plan, action="returned").get().comment == "Bổ sung lực lượng y tế"
    services.edit_plan(actor=planner, plan=plan, body_vi="Có tổ y tế trực.")
    services.submit_plan(actor=planner, plan=plan)
    with pytest.raises(Conflict, match="Only a draft can be submitted"):
        services.submit_plan(actor=planner, plan=plan)
    approved = services.approve_plan(actor=commander, plan=plan, number=2)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_version, approved.approved_by) == ("approved", approved, commander)
    entry = AuditEntry.objects.filter(action="plans.approve_plan").get()
    assert '"version":[null,2]' in entry.changes
    assert approved.content_hash in entry.changes
    assert [s.action for s in queries.steps_of(plan)][::-1] == [
        "created",
        "submitted",
        "returned",
        "edited",
        "submitted",
        "approved",
    ]


def test_nobody_approves_their_own_version(commander: Any, second_commander: Any, event: Any) -> None:
    plan = make_plan(commander, event)
    services.submit_plan(actor=commander, plan=plan)
    with pytest.raises(NotAllowed, match="Four eyes"):
        services.approve_plan(actor=commander, plan=plan, number=1)
    plan.refresh_from_db()
    assert plan.status == "submitted"
    services.approve_plan(actor=second_commander, plan=plan, number=1)


def test_four_eyes_counts_every_change_since_the_version_in_force(
    planner: Any, commander: Any, second_commander: Any, event: Any
) -> None:
    plan = make_plan(planner, event)
    services.edit_plan(actor=commander, plan=plan, body_vi="Nội dung do chỉ huy viết")
    services.edit_plan(actor=planner, plan=plan, body_vi="Nội dung do chỉ huy viết.")  # a full stop
    services.submit_plan(actor=planner, plan=plan)
    with pytest.raises(NotAllowed):
        services.approve_plan(actor=commander, plan=plan, number=3)
    assert services.approve_plan(actor=second_commander, plan=plan, number=3).number == 3


def test_approved_version_stays_in_force_and_read_only_while_a_new_draft_is_written(
    planner: Any, commander: Any, event: Any
) -> None:
    plan = make_plan(planner, event)
    services.submit_plan(actor=planner, plan=plan)
    v1 = services.approve_plan(actor=commander, plan=plan, number=1)
    v2 = services.edit_plan(actor=planner, plan=plan, base_number=1, body_vi="Bản sửa đổi")
    plan.refresh_from_db()
    assert (plan.status, plan.approved_version_id, plan.latest_version_id) == ("draft", v1.pk, v2.pk)
    kept = PlanVersion.objects.get(pk=v1.pk)
    assert (kept.body_vi, kept.content_hash, kept.approved_by) == (v1.body_vi, v1.content_hash, commander)
    assert kept.state(plan) == "in_force"
    services.submit_plan(actor=planner, plan=plan)
    services.approve_plan(actor=commander, plan=plan, number=2)
    plan.refresh_from_db()
    assert PlanVersion.objects.get(pk=v1.pk).state(plan) == "superseded"
    assert plan.approved_version_id == v2.pk


def test_approval_names_the_reviewed_version_and_checks_its_hash(
    planner: Any, commander: Any, event: Any
) -> None:
    plan = make_plan(planner, event)
    services.submit_plan(actor=planner, plan=plan)
    with pytest.raises(Conflict, match="You reviewed version 3"):
        services.approve_plan(actor=commander, plan=plan, number=3)
    PlanVersion.objects.filter(plan=plan).update(body_vi="Sửa thẳng trong cơ sở dữ liệu")
    with pytest.raises(Conflict, match="no longer matches its hash"):
        services.approve_plan(actor=commander, plan=plan, number=1)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_version) == ("submitted", None)


def test_roles_are_checked(planner: Any, commander: Any, observer: Any, outsider: Any, event: Any) -> None:
    with pytest.raises(NotAllowed):
        make_plan(observer, event)
    plan = make_plan(planner, event)
    with pytest.raises(NotAllowed):
        services.submit_plan(actor=observer, plan=plan)
    services.submit_plan(actor=planner, plan=plan)
    with pytest.raises(NotAllowed):
        services.approve_plan(actor=planner, plan=plan, number=1)
    with pytest.raises(NotAllowed):
        services.return_plan(actor=planner, plan=plan, comment="Không đạt")
    with pytest.raises(NotFound):
        services.approve_plan(actor=outsider, plan=plan, number=1)


def test_submit_needs_text_tasks_and_a_responsible_commander(planner: Any, event: Any) -> None:
    plan = make_plan(planner, event, tasks=[], body_vi="", responsible=None)
    with pytest.raises(Invalid, match="Write the plan's text"):
        services.submit_plan(actor=planner, plan=plan)
    services.edit_plan(actor=planner, plan=plan, body_vi="Nội dung")
    with pytest.raises(Invalid, match="at least one task"):
        services.submit_plan(actor=planner, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "draft"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title_vi": "  "}, "Give the plan a title in Vietnamese"),
        ({"tasks": [{"unit": 999999, "text_vi": "Tuần tra"}]}, "Task 1: unknown unit in this event"),
        ({"tasks": [{"unit": None, "text_vi": "Tuần tra"}]}, "Task 1: choose a unit"),
        ({"trigger_vi": ""}, "A contingency plan needs its trigger"),
        ({"responsible": 999999}, "Unknown responsible commander"),
        ({"sites": [999999]}, "Unknown site in this event"),
        ({"change_note": "x" * 501}, "at most 500 characters"),
        ({"kind": "castle"}, "Choose the kind: plan or contingency plan"),
    ],
)
def test_bad_input_writes_nothing(planner: Any, event: Any, changes: dict[str, Any], message: str) -> None:
    unit = commanded_unit(event)
    before = _counts()
    with pytest.raises(Invalid, match=message):
        make_plan(planner, event, unit=unit, **changes)
    assert _counts() == before


def test_task_unit_or_commander_of_another_event_is_unknown(
    planner: Any, event: Any, other_event: Any
) -> None:
    foreign = commanded_unit(other_event)
    before = _counts()
    with pytest.raises(Invalid, match="Task 1: unknown unit in this event"):
        make_plan(planner, event, tasks=[task(foreign)])
    unit = commanded_unit(event)
    with pytest.raises(Invalid, match="Task 1: unknown officer in this event"):
        make_plan(planner, event, unit=unit, tasks=[task(unit, commander=foreign.commander_id)])
    assert _counts()[:3] == before[:3]


def test_task_commander_rules(planner: Any, event: Any) -> None:
    unit = commanded_unit(event)
    other = commanded_unit(event)
    with pytest.raises(Invalid, match="is neither an officer of"):
        make_plan(planner, event, unit=unit, tasks=[task(unit, commander=other.commander_id)])
    bare = UnitFactory(event=event, code="NO-CMD")
    with pytest.raises(Invalid, match="has no commander"):
        make_plan(planner, event, unit=unit, tasks=[task(bare)])
    member = OfficerFactory(event=event, unit=bare)
    plan = make_plan(planner, event, unit=unit, tasks=[task(bare, commander=member.pk)])
    assert plan.latest_version.tasks[0]["commander"]["id"] == member.pk


def test_task_timing_rules(planner: Any, event: Any) -> None:
    unit = commanded_unit(event)
    with pytest.raises(Invalid, match="applies only to a contingency plan"):
        make_plan(planner, event, kind="plan", unit=unit, tasks=[task(unit, offset_minutes=10)])
    with pytest.raises(Invalid, match="Only a contingency plan has a trigger"):
        make_plan(planner, event, kind="plan", unit=unit, trigger_vi="Báo cháy")
    with pytest.raises(Invalid, match="deadline is after the event ends"):
        make_plan(planner, event, unit=unit, tasks=[task(unit, deadline=event.ends_at + timedelta(hours=1))])
    with pytest.raises(Invalid, match="with its time zone"):
        make_plan(planner, event, unit=unit, tasks=[task(unit, deadline="2026-12-01T08:00")])
    with pytest.raises(Invalid, match="whole minutes"):
        make_plan(planner, event, unit=unit, tasks=[task(unit, offset_minutes="soon")])
    plan = make_plan(planner, event, kind="plan", unit=unit, tasks=[task(unit, deadline=event.starts_at)])
    assert plan.latest_version.tasks[0]["deadline"] == event.starts_at.isoformat().replace("+00:00", "+00:00")


def test_task_keys_must_come_from_the_edited_version(planner: Any, event: Any) -> None:
    unit = commanded_unit(event)
    with pytest.raises(Invalid, match="unknown or repeated task key"):
        make_plan(planner, event, unit=unit, tasks=[task(unit, key="made-up")])
    plan = make_plan(planner, event, unit=unit)
    key = plan.latest_version.tasks[0]["key"]
    with pytest.raises(Invalid, match="unknown or repeated task key"):
        services.edit_plan(actor=planner, plan=plan, tasks=[task(unit, key=key), task(unit, key=key)])


def test_codes_are_unique_per_event(planner: Any, event: Any) -> None:
    make_plan(planner, event)
    with pytest.raises(Invalid, match="already used") as caught:
        make_plan(planner, event)
    assert caught.value.field == "code"


def test_diff_is_pure_and_lines_up_both_texts() -> None:
    lines = diff.text_lines("a\nb\nc", "a\nB\nc\nd")
    assert [(line.op, line.text, line.old_no, line.new_no) for line in lines] == [
        ("equal", "a", 1, 1),
        ("delete", "b", 2, None),
        ("insert", "B", None, 2),
        ("equal", "c", 3, 3),
        ("insert", "d", None, 4),
    ]
    assert diff.unified("a\nb", "a\nc", old_label="v1", new_label="v2").splitlines()[-2:] == ["-b", "+c"]
    old = [{"key": "k1", "unit": {"id": 1, "code": "U1"}, "text_vi": "x"}, {"key": "k2", "unit": {"id": 2}}]
    new = [
        {"key": "k1", "unit": {"id": 1, "code": "U1-renamed"}, "text_vi": "x"},
        {"key": "k3", "unit": {"id": 3}},
    ]
    result = diff.tasks(old, new)
    assert ([t["key"] for t in result.added], [t["key"] for t in result.removed]) == (["k3"], ["k2"])
    assert (result.changed, result.unchanged) == ([], 1)  # a renamed unit is the same unit


def test_a_deadline_in_1900_is_refused_when_saved_and_when_submitted(planner: Any, event: Any) -> None:
    unit = commanded_unit(event)
    with pytest.raises(Invalid, match="more than a year before the event starts"):
        make_plan(
            planner, event, kind=Plan.Kind.PLAN, tasks=[task(unit, deadline="1900-01-01T08:00:00+07:00")]
        )
    plan = make_plan(
        planner, event, kind=Plan.Kind.PLAN, tasks=[task(unit, deadline="2026-11-10T06:00:00+07:00")]
    )
    # A version saved before the rule existed: submitting still refuses it.
    version = plan.latest_version
    version.tasks[0]["deadline"] = "1900-01-01T01:00:00+00:00"
    PlanVersion.objects.filter(pk=version.pk).update(tasks=version.tasks)
    with pytest.raises(Invalid, match="Task 1: the deadline is more than a year before the event starts"):
        services.submit_plan(actor=planner, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "draft"


def test_a_submitted_draft_is_withdrawn_before_review(planner: Any, observer: Any, event: Any) -> None:
    plan = make_plan(planner, event)
    with pytest.raises(Conflict, match="Only a submitted draft can be withdrawn"):
        services.withdraw_plan(actor=planner, plan=plan)
    services.submit_plan(actor=planner, plan=plan)
    with pytest.raises(NotAllowed):
        services.withdraw_plan(actor=observer, plan=plan)
    services.withdraw_plan(actor=planner, plan=plan, comment="Thiếu lực lượng dự phòng")
    plan.refresh_from_db()
    assert plan.status == "draft"
    assert plan.latest_version.submitted_by is None
    assert plan.steps.filter(action=PlanStep.Action.WITHDRAWN, actor=planner).exists()
    assert AuditEntry.objects.filter(action="plans.withdraw_plan", object_id=str(plan.pk)).count() == 1
    services.edit_plan(actor=planner, plan=plan, body_vi="Bổ sung lực lượng dự phòng.")  # editable again


def test_a_plan_in_vietnamese_only_is_allowed(planner: Any, event: Any) -> None:
    plan = make_plan(planner, event, title_en="", body_en="")
    services.submit_plan(actor=planner, plan=plan)
    plan.refresh_from_db()
    assert plan.status == "submitted"
    with translation.override("en"):
        assert plan.title == "Phương án chữa cháy tại Trung tâm Hội nghị"  # the Vietnamese title stands in
