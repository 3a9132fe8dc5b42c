# mypy: disable-error-code="arg-type, index, union-attr"
"""The scenario file: lossless round trip, validation with JSON paths, all-or-nothing import."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.audit.models import AuditEntry
from antt.core.errors import NotAllowed
from antt.events.models import Event
from antt.events.tests.factories import EventFactory, MembershipFactory
from antt.forces.models import Officer
from antt.forces.tests.factories import OfficerFactory, OfficerSkillFactory, SkillFactory, UnitFactory
from antt.interop import scenario, scenario_export, scenario_import
from antt.planning import services as planning_services
from antt.planning.models import Assignment, Requirement, Site
from antt.planning.tests.factories import (
    AssignmentFactory,
    PostFactory,
    ProgrammeItemFactory,
    ProgrammeItemSiteFactory,
    RequirementFactory,
    RequirementRuleFactory,
    RestRulesFactory,
    SiteFactory,
)

pytestmark = pytest.mark.django_db

POLYGON = {
    "type": "Polygon",
    "coordinates": [[[108.33, 15.88], [108.34, 15.88], [108.34, 15.89], [108.33, 15.89], [108.33, 15.88]]],
}


@pytest.fixture
def admin(db: Any) -> Any:
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


def build_plan(event: Any) -> None:
    """A small plan with one of everything the file carries (and an orphan and a double booking)."""
    checkpoint = SkillFactory(event=event, code="checkpoint")
    k9 = SkillFactory(event=event, code="k9")
    venue = SiteFactory(event=event, code="ICC", geometry=POLYGON, address="Hội An")
    hall = SiteFactory(
        event=event,
        code="ICC-HALL",
        kind=Site.Kind.ZONE,
        parent=venue,
        opening_windows=[
            {
                "starts_at": (event.starts_at + timedelta(hours=1)).isoformat(),
                "ends_at": (event.starts_at + timedelta(days=3)).isoformat(),
            }
        ],
    )
    route = SiteFactory(
        event=event,
        code="RT-1",
        kind=Site.Kind.ROUTE,
        geometry={"type": "LineString", "coordinates": [[108.2, 16.05], [108.33, 15.88]]},
    )
    gate = PostFactory(event=event, site=hall, code="HALL-C01", default_skill=checkpoint, orders="Soi chiếu.")
    PostFactory(event=event, site=route, code="RT-P01", kind="patrol", geometry=None)
    province = UnitFactory(event=event, code="CAT-QN")
    team = UnitFactory(event=event, code="CAT-QN-K9", parent=province)
    boss = OfficerFactory(event=event, code="CA1", unit=province, clearance=3, skills=["checkpoint"])
    province.commander = boss
    province.save()
    dog = OfficerFactory(
        event=event,
        code="CA2",
        unit=team,
        phone="0912",
        call_sign="K9-1",
        home_base=venue,
        availability=[
            {
                "starts_at": event.starts_at.isoformat(),
                "ends_at": (event.starts_at + timedelta(days=2)).isoformat(),
            }
        ],
    )
    OfficerSkillFactory(officer=dog, skill=k9, expires_on=date(2030, 1, 31))
    OfficerSkillFactory(officer=dog, skill=checkpoint)
    item = ProgrammeItemFactory(event=event, code="PLEN", delegations=["Việt Nam", "ASEAN"])
    ProgrammeItemSiteFactory(item=item, site=venue, position=0)
    ProgrammeItemSiteFactory(item=item, site=route, position=1)
    RequirementRuleFactory(programme_item=item, skill=checkpoint, post_kind="checkpoint", headcount=1)
    planning_services.derive_requirements(item)
    derived = Requirement.objects.get(event=event, rule__isnull=False)
    manual = RequirementFactory(event=event, post=gate, skill=k9, headcount=1, min_clearance=1)
    AssignmentFactory(
        event=event,
        officer=boss,
        post=gate,
        skill=checkpoint,
        starts_at=derived.starts_at,
        ends_at=derived.ends_at,
        requirement=derived,
        status="published",
    )
    AssignmentFactory(
        event=event,
        officer=dog,
        post=gate,
        skill=k9,
        starts_at=manual.starts_at,
        ends_at=manual.ends_at,
        requirement=manual,
    )
    AssignmentFactory(  # double booking of the same officer, no requirement
        event=event,
        officer=dog,
        post=gate,
        skill=checkpoint,
        starts_at=manual.starts_at,
        ends_at=manual.ends_at,
    )
    orphan_of = RequirementFactory(event=event, post=gate, skill=checkpoint)
    AssignmentFactory(
        event=event,
        officer=boss,
        post=gate,
        skill=checkpoint,
        starts_at=event.starts_at + timedelta(days=2),
        ends_at=event.starts_at + timedelta(days=2, hours=2),
        requirement=orphan_of,
    )
    Requirement.objects.filter(pk=orphan_of.pk).delete()
    RestRulesFactory(event=event)


def without_code(data: dict[str, Any]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    data["event"].pop("code")
    return data


def test_export_import_export_is_lossless(event: Any, admin: Any) -> None:
    build_plan(event)
    first = scenario_export.scenario_of(event)
    assert scenario.check(first).errors == []
    report = scenario_import.import_scenario(
        actor=admin, data=json.loads(scenario.dumps(first)), new_event_code="copy"
    )
    assert report.errors == [], [p.en for p in report.errors]
    assert report.written
    copy_event = Event.objects.get(code="copy")
    second = scenario_export.scenario_of(copy_event)
    assert without_code(second) == without_code(first)
    assert second["event"]["code"] == "copy"
    refs = [a["requirement"] for a in second["assignments"]]
    assert {"orphaned": True} in refs
    assert None in refs
    assert any(r and "manual" in r for r in refs)
    assert any(r and "programme_item" in r for r in refs)
    # the deliberate double booking was kept, and said so
    assert any(p.warning and "already assigned" in p.en for p in report.problems)
    assert AuditEntry.objects.filter(event_id=copy_event.pk, action="interop.import_scenario").count() == 1
    assert AuditEntry.objects.filter(event_id=copy_event.pk, action="planning.assign_officer").exists()


def test_import_into_an_empty_existing_event(event: Any, admin: Any, planner: Any) -> None:
    build_plan(event)
    data = scenario_export.scenario_of(event)
    target = EventFactory(code="empty", starts_at=event.starts_at, ends_at=event.ends_at)
    MembershipFactory(event=target, user=planner, role="planner")
    report = scenario_import.import_scenario(actor=planner, data=data, event=target)
    assert report.written, [p.en for p in report.errors]
    assert Officer.objects.filter(event=target).count() == 2
    again = scenario_import.import_scenario(actor=planner, data=data, event=target)
    assert not again.written
    assert "already holds a plan" in again.errors[0].en


def seeded_summit(actor: Any) -> Any:
    """The demo summit's plan (planning's own seeding only, so this test does not depend on other apps)."""
    from datetime import datetime, time
    from zoneinfo import ZoneInfo

    from antt.demo import planning as planning_demo

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    start = datetime.combine(date(2026, 12, 2), time(0, 0), tzinfo=tz)
    summit = EventFactory(
        code="demo-summit", starts_at=start, ends_at=start + timedelta(days=4), time_zone=str(tz)
    )
    assert planning_demo.seed_event(summit, actor=actor)
    return summit


@pytest.mark.slow
def test_the_demo_summit_round_trips_losslessly(admin: Any) -> None:
    summit = seeded_summit(admin)
    first = scenario_export.scenario_of(summit)
    assert len(first["officers"]) == 1200
    report = scenario_import.import_scenario(actor=admin, data=first, new_event_code="summit-copy")
    assert report.errors == [], [p.en for p in report.errors][:5]
    second = scenario_export.scenario_of(Event.objects.get(code="summit-copy"))
    assert scenario.dumps(without_code(second)) == scenario.dumps(without_code(first))


def test_the_schema_file_in_docs_is_the_one_the_code_uses() -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parents[3] / "docs" / "scenario.schema.json"
    assert json.loads(docs.read_text(encoding="utf-8")) == scenario.schema()


def test_the_export_is_valid_against_the_json_schema_with_an_independent_validator(event: Any) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    build_plan(event)
    jsonschema.Draft202012Validator.check_schema(scenario.schema())
    jsonschema.Draft202012Validator(scenario.schema()).validate(scenario_export.scenario_of(event))


def problems_of(data: Any) -> list[tuple[str, str]]:
    return [(p.path, p.en) for p in scenario.check(data).errors]


@pytest.fixture
def sample(event: Any) -> dict[str, Any]:
    build_plan(event)
    return scenario_export.scenario_of(event)


@pytest.mark.parametrize(
    ("change", "path", "words"),
    [
        (lambda d: d.update(schema_version=2), "$.schema_version", "version 2"),
        (lambda d: d["posts"][0].update(site="NOWHERE"), "$.posts[0].site", "Unknown site NOWHERE"),
        (lambda d: d["officers"][1].update(unit="X"), "$.officers[1].unit", "Unknown unit X"),
        (
            lambda d: d["officers"][0]["skills"][0].update(skill="eod"),
            "$.officers[0].skills[0].skill",
            "Unknown skill eod",
        ),
        (lambda d: d["units"][0].update(parent="CAT-QN-K9"), "$.units[0].parent", "loop"),
        (lambda d: d["sites"].append(dict(d["sites"][0])), "$.sites[3].code", "used twice"),
        (lambda d: d["officers"][0].update(clearance=7), "$.officers[0].clearance", "at most 3"),
        (lambda d: d["officers"][0].update(nickname="x"), "$.officers[0].nickname", "Unknown member"),
        (lambda d: d["officers"][0].pop("rank"), "$.officers[0]", "rank is missing"),
        (
            lambda d: d["programme"][0].update(starts_at="2026-12-01 08:00"),
            "$.programme[0].starts_at",
            "offset",
        ),
        (
            lambda d: d["requirements"][0].update(starts_at="2001-01-01T00:00:00+07:00"),
            "$.requirements[0].starts_at",
            "within the event",
        ),
        (
            lambda d: d["sites"][0]["geometry"]["coordinates"][0].pop(),
            "$.sites[0].geometry",
            "end where it starts",
        ),
        (lambda d: d["assignments"][0].update(skill="k9"), "$.assignments[0].skill", "does not hold"),
        (
            lambda d: d["officers"][1]["availability"].append(dict(d["officers"][1]["availability"][0])),
            "$.officers[1].availability[1]",
            "overlap",
        ),
        (
            lambda d: next(a for a in d["assignments"] if a["requirement"] and "manual" in a["requirement"])[
                "requirement"
            ].update(manual="R99999"),
            "requirement.manual",
            "Unknown requirement R99999",
        ),
    ],
)
def test_each_problem_is_reported_with_its_json_path(
    sample: dict[str, Any], change: Any, path: str, words: str
) -> None:
    change(sample)
    found = problems_of(sample)
    assert any(p.endswith(path) and words in text for p, text in found), found


def test_a_bad_file_writes_nothing(sample: dict[str, Any], admin: Any) -> None:
    sample["assignments"][-1]["officer"] = "CA404"
    before = (Event.objects.count(), AuditEntry.objects.count(), Assignment.objects.count())
    report = scenario_import.import_scenario(actor=admin, data=sample, new_event_code="copy")
    assert not report.written
    assert [p.path for p in report.errors] == [f"$.assignments[{len(sample['assignments']) - 1}].officer"]
    assert (Event.objects.count(), AuditEntry.objects.count(), Assignment.objects.count()) == before


def test_an_error_only_the_services_see_rolls_everything_back(sample: dict[str, Any], planner: Any) -> None:
    """A planner may not create events: the refusal comes from the service, after validation."""
    before = (Event.objects.count(), AuditEntry.objects.count())
    report = scenario_import.import_scenario(actor=planner, data=sample, new_event_code="copy")
    assert not report.written
    assert report.errors[0].path == "$.event"
    assert (Event.objects.count(), AuditEntry.objects.count()) == before


def test_import_into_an_event_needs_the_right_to_change_its_plan(
    sample: dict[str, Any], observer: Any
) -> None:
    target = EventFactory(code="empty")
    MembershipFactory(event=target, user=observer, role="observer")
    with pytest.raises(NotAllowed):
        scenario_import.import_scenario(actor=observer, data=sample, event=target)


def test_a_file_that_is_not_an_object_is_refused() -> None:
    assert problems_of([1, 2]) == [("$", "Must be of type object.")]
