# mypy: disable-error-code="arg-type, operator, index, union-attr"
"""Plan pages: list (filters, search, htmx, query bound), detail buttons, form with tasks, workflow, diff."""

from __future__ import annotations

from typing import Any

import pytest

from antt.plans import services
from antt.plans.models import Plan, PlanVersion
from antt.plans.tests.factories import commanded_unit, make_plan

pytestmark = pytest.mark.django_db


def _many(actor: Any, event: Any, n: int) -> None:
    unit = commanded_unit(event)
    for i in range(n):
        plan = make_plan(actor, event, unit=unit, code=f"PA-{i:03d}", title_vi=f"Phương án số {i}")
        if i % 3 == 0:
            services.submit_plan(actor=actor, plan=plan)


def test_list_filters_and_searches_without_diacritics(as_user: Any, planner: Any, event: Any) -> None:
    unit = commanded_unit(event)
    make_plan(planner, event, unit=unit)
    make_plan(
        planner,
        event,
        unit=unit,
        kind="plan",
        code="KH-01",
        title_vi="Kế hoạch bảo vệ",
        title_en="Protection plan",
    )
    client = as_user(planner)
    url = f"/events/{event.code}/plans/"
    page = client.get(url)
    assert page.status_code == 200
    assert [p.code for p in page.context["plans"]] == ["KH-01", "PA-CHAY-ICC"]
    assert [p.code for p in client.get(url, {"kind": "contingency"}).context["plans"]] == ["PA-CHAY-ICC"]
    assert [p.code for p in client.get(url, {"q": "ke hoach bao ve"}).context["plans"]] == ["KH-01"]
    assert list(client.get(url, {"status": "approved"}).context["plans"]) == []
    partial = client.get(url, {"q": "chua chay"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="results">')
    assert "PA-CHAY-ICC" in partial
    assert "KH-01" not in partial


@pytest.mark.parametrize("n", [3, 15])
def test_list_query_count_does_not_grow(
    as_user: Any, planner: Any, event: Any, n: int, django_assert_max_num_queries: Any
) -> None:
    _many(planner, event, n)
    client = as_user(planner)
    with django_assert_max_num_queries(12):
        response = client.get(f"/events/{event.code}/plans/")
    assert len(response.context["plans"]) == n


def test_list_refuses_field_officers_and_outsiders(
    as_user: Any, field_officer: Any, outsider: Any, event: Any
) -> None:
    assert as_user(field_officer).get(f"/events/{event.code}/plans/").status_code == 403
    assert as_user(outsider).get(f"/events/{event.code}/plans/").status_code == 404


def test_create_with_tasks_from_the_form(as_user: Any, planner: Any, event: Any) -> None:
    unit = commanded_unit(event, code="CAQN-PCCC")
    data = {
        "kind": "contingency",
        "code": "PA-BOM-HTL",
        "title_vi": "Phương án xử lý đe dọa bom tại khách sạn",
        "title_en": "Bomb threat at a delegation hotel",
        "trigger_vi": "Nhận tin báo có bom tại khách sạn",
        "body_vi": "Sơ tán, khám xét, phong tỏa.",
        "responsible": unit.commander.code,
        "tasks-TOTAL_FORMS": "2",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-unit": str(unit.pk),
        "tasks-0-text_vi": "Khám xét phát hiện vật nổ",
        "tasks-0-offset_minutes": "10",
        "tasks-0-deadline": "",
        "tasks-1-unit": "",
        "tasks-1-text_vi": "",
        "save": "1",
    }
    response = as_user(planner).post(f"/events/{event.code}/plans/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    plan = Plan.objects.get(code="PA-BOM-HTL")
    assert response["Location"] == f"/events/{event.code}/plans/{plan.pk}/"
    tasks = plan.latest_version.tasks
    assert [(t["unit"]["code"], t["offset_minutes"], t["commander"]["id"]) for t in tasks] == [
        ("CAQN-PCCC", 10, unit.commander.pk)
    ]


def test_form_errors_write_nothing(as_user: Any, planner: Any, event: Any, other_event: Any) -> None:
    unit = commanded_unit(event)
    foreign = commanded_unit(other_event)
    base = {
        "kind": "contingency",
        "code": "PA-X",
        "title_vi": "Phương án",
        "title_en": "Plan",
        "trigger_vi": "Báo động",
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "0",
        "tasks-0-unit": str(unit.pk),
        "tasks-0-text_vi": "Tuần tra",
    }
    client = as_user(planner)
    url = f"/events/{event.code}/plans/new/"
    no_title = client.post(url, {**base, "title_vi": ""})
    assert no_title.status_code == 400
    assert "This field is required" in no_title.content.decode()
    foreign_unit = client.post(url, {**base, "tasks-0-unit": str(foreign.pk)})
    assert foreign_unit.status_code == 400
    assert "Select a valid choice" in foreign_unit.content.decode()
    bad_commander = client.post(url, {**base, "tasks-0-commander": foreign.commander.code})
    assert bad_commander.status_code == 400
    assert "No officer with the service number" in bad_commander.content.decode()
    no_trigger = client.post(url, {**base, "trigger_vi": ""})
    assert "A contingency plan needs its trigger" in no_trigger.content.decode()
    assert Plan.objects.count() == PlanVersion.objects.count() == 0


def test_more_rows_without_javascript(as_user: Any, planner: Any, event: Any) -> None:
    response = as_user(planner).post(
        f"/events/{event.code}/plans/new/",
        {"kind": "plan", "tasks-TOTAL_FORMS": "2", "tasks-INITIAL_FORMS": "0", "add_rows": "1"},
    )
    assert response.status_code == 200
    assert len(response.context["formset"].forms) == 5
    assert Plan.objects.count() == 0


def test_edit_an_approved_plan_starts_a_new_draft(
    as_user: Any, planner: Any, commander: Any, event: Any
) -> None:
    plan = make_plan(planner, event)
    services.submit_plan(actor=planner, plan=plan)
    services.approve_plan(actor=commander, plan=plan, number=1)
    client = as_user(planner)
    form = client.get(f"/events/{event.code}/plans/{plan.pk}/edit/")
    assert "stays in force" in form.content.decode()
    initial = form.context["formset"].initial
    task = initial[0]
    data = {
        "title_vi": plan.title_vi,
        "title_en": plan.title_en,
        "trigger_vi": "Báo cháy hoặc khói tại Trung tâm Hội nghị",
        "body_vi": "Sơ tán.",
        "responsible": plan.responsible.code,
        "base": "1",
        "change_note": "Mở rộng điều kiện kích hoạt",
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "1",
        **{f"tasks-0-{k}": ("" if v is None else str(v)) for k, v in task.items()},
    }
    response = client.post(f"/events/{event.code}/plans/{plan.pk}/edit/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan.refresh_from_db()
    assert (plan.status, plan.approved_version.number, plan.latest_version.number) == ("draft", 1, 2)
    assert plan.latest_version.tasks[0]["key"] == task["key"]
    detail = client.get(f"/events/{event.code}/plans/{plan.pk}/").content.decode()
    assert 'id="in-force"' in detail
    assert 'id="working"' in detail
    diff = client.get(f"/events/{event.code}/plans/{plan.pk}/diff/").content.decode()
    assert "<ins>Sơ tán.</ins>" in diff
    assert "Báo cháy hoặc khói" in diff
    assert as_user(commander).get(f"/events/{event.code}/plans/{plan.pk}/versions/1/").status_code == 200


def test_buttons_follow_role_and_four_eyes(
    as_user: Any, planner: Any, commander: Any, observer: Any, event: Any
) -> None:
    plan = make_plan(planner, event)
    url = f"/events/{event.code}/plans/{plan.pk}/"
    planner_page = as_user(planner).get(url).content.decode()
    assert "Submit version 1 for approval" in planner_page
    assert 'id="review"' not in planner_page
    assert "Submit version" not in as_user(observer).get(url).content.decode()
    services.submit_plan(actor=planner, plan=plan)
    commander_page = as_user(commander).get(url).content.decode()
    assert "Approve version 1" in commander_page
    assert "Return for changes" in commander_page
    own = make_plan(commander, event, code="PA-OWN")
    services.submit_plan(actor=commander, plan=own)
    own_page = as_user(commander).get(f"/events/{event.code}/plans/{own.pk}/").content.decode()
    assert "Approve version 1" not in own_page
    assert "Four eyes" in own_page


def test_workflow_buttons_post_through_the_services(
    as_user: Any, planner: Any, commander: Any, observer: Any, outsider: Any, event: Any
) -> None:
    plan = make_plan(planner, event)
    base = f"/events/{event.code}/plans/{plan.pk}"
    assert as_user(observer).post(f"{base}/submit/").status_code == 403
    assert as_user(outsider).post(f"{base}/submit/").status_code == 404
    assert as_user(planner).post(f"{base}/submit/").status_code == 302
    assert as_user(planner).post(f"{base}/approve/", {"number": "1"}).status_code == 403
    returned = as_user(commander).post(f"{base}/return/", {"comment": ""}, follow=True)
    assert "Say what must change" in returned.content.decode()
    plan.refresh_from_db()
    assert plan.status == "submitted"
    as_user(commander).post(f"{base}/approve/", {"number": "1"})
    plan.refresh_from_db()
    assert (plan.status, plan.approved_version.number) == ("approved", 1)
    assert as_user(planner).get(f"{base}/versions/9/").status_code == 404


def test_saving_the_form_unchanged_makes_no_version(as_user: Any, planner: Any, event: Any) -> None:
    """Browsers send textarea lines as CRLF: that alone is no change."""
    plan = make_plan(planner, event)
    client = as_user(planner)
    form = client.get(f"/events/{event.code}/plans/{plan.pk}/edit/").context
    initial = {k: v for k, v in form["form"].initial.items() if k not in {"sites", "programme_items"}}
    data = {k: ("" if v is None else str(v).replace("\n", "\r\n")) for k, v in initial.items()}
    tasks = form["formset"].initial
    data |= {"tasks-TOTAL_FORMS": str(len(tasks)), "tasks-INITIAL_FORMS": str(len(tasks))}
    for i, task in enumerate(tasks):
        data |= {f"tasks-{i}-{k}": ("" if v is None else str(v)) for k, v in task.items()}
    response = client.post(f"/events/{event.code}/plans/{plan.pk}/edit/", data)
    assert response.status_code == 400
    assert "Nothing changed" in response.content.decode()
    assert PlanVersion.objects.filter(plan=plan).count() == 1


def test_versions_and_steps_name_people_by_rank_and_name_not_username(
    as_user: Any, planner: Any, observer: Any, event: Any
) -> None:
    from antt.forces.tests.factories import OfficerFactory

    OfficerFactory(event=event, user=planner, rank="Thiếu tá", full_name="Lê Thị Hoa")
    plan = make_plan(planner, event)
    services.submit_plan(actor=planner, plan=plan)
    client = as_user(observer)
    detail = client.get(f"/events/{event.code}/plans/{plan.pk}/").content.decode()
    listing = client.get(f"/events/{event.code}/plans/").content.decode()
    assert detail.count("Thiếu tá Lê Thị Hoa") >= 3  # version header, versions table, history
    assert "Thiếu tá Lê Thị Hoa" in listing
    assert f"· {planner.username}" not in detail


def test_a_submitted_draft_is_withdrawn_from_its_page(as_user: Any, planner: Any, event: Any) -> None:
    plan = make_plan(planner, event)
    services.submit_plan(actor=planner, plan=plan)
    client = as_user(planner)
    page = client.get(f"/events/{event.code}/plans/{plan.pk}/").content.decode()
    assert "Withdraw the submission" in page
    response = client.post(f"/events/{event.code}/plans/{plan.pk}/withdraw/", follow=True)
    assert "Withdrawn: the plan is a draft again." in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT
