# mypy: disable-error-code="arg-type, operator, list-item, index"
# (factory_boy types a factory call as the factory, not the model it returns)
"""Planning services: one-row rules, rules across rows, derivation, assignment, publication, audit."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.forces.tests.factories import OfficerFactory, SkillFactory
from antt.planning import assignment_services, coverage_audit, services
from antt.planning.coverage import FindingKind
from antt.planning.models import Assignment, Post, Requirement
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

POINT = {"type": "Point", "coordinates": [108.338, 15.880]}


@pytest.mark.parametrize(
    ("geometry", "message"),
    [
        ({"type": "Point", "coordinates": [200, 15]}, "Longitude"),
        ({"type": "Point", "coordinates": [108, 95]}, "Latitude"),
        ({"type": "LineString", "coordinates": [[108, 15]]}, "two positions"),
        (
            {"type": "Polygon", "coordinates": [[[108, 15], [108.1, 15], [108.1, 15.1], [108, 15.2]]]},
            "end where",
        ),
        ({"type": "Circle", "coordinates": [108, 15]}, "Point, LineString or Polygon"),
        ({"type": "Point", "coordinates": ["a", "b"]}, "numbers"),
    ],
)
def test_invalid_geometry_is_refused(planner: Any, event: Any, geometry: Any, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        services.create_site(
            actor=planner, event=event, code="S1", name_vi="A", name_en="A", geometry=geometry
        )


def test_site_with_zones_and_route_is_created_and_audited(planner: Any, event: Any) -> None:
    venue = services.create_site(
        actor=planner,
        event=event,
        code="VENUE",
        name_vi="Trung tâm Hội nghị",
        name_en="Centre",
        geometry=POINT,
    )
    zone = services.create_site(
        actor=planner,
        event=event,
        code="ZONE-A",
        name_vi="Khu A",
        name_en="Zone A",
        kind="zone",
        parent=venue,
        geometry={
            "type": "Polygon",
            "coordinates": [[[108.33, 15.87], [108.34, 15.87], [108.34, 15.88], [108.33, 15.87]]],
        },
    )
    assert zone.parent == venue
    with pytest.raises(Invalid, match="inside itself"):
        services.update_site(actor=planner, site=venue, parent=zone)
    with pytest.raises(Invalid, match="already used"):
        services.create_site(actor=planner, event=event, code="VENUE", name_vi="B", name_en="B")
    assert AuditEntry.objects.filter(action="planning.create_site").count() == 2


def test_programme_item_window_rules(planner: Any, event: Any) -> None:
    start = event.starts_at + timedelta(hours=2)
    with pytest.raises(Invalid, match="end must be after the start"):
        services.create_programme_item(
            actor=planner, event=event, code="X", name_vi="X", name_en="X", starts_at=start, ends_at=start
        )
    with pytest.raises(Invalid, match="within the event"):
        services.create_programme_item(
            actor=planner,
            event=event,
            code="X",
            name_vi="X",
            name_en="X",
            starts_at=start,
            ends_at=event.ends_at + timedelta(hours=1),
        )
    assert not AuditEntry.objects.filter(action="planning.create_programme_item").exists()


def test_rules_derive_requirements_and_item_changes_rederive_them(planner: Any, event: Any) -> None:
    venue = SiteFactory(event=event)
    zone = SiteFactory(event=event, parent=venue, kind="zone")
    gate = PostFactory(event=event, site=venue, kind=Post.Kind.CHECKPOINT)
    inner = PostFactory(event=event, site=zone, kind=Post.Kind.CHECKPOINT)
    PostFactory(event=event, site=venue, kind=Post.Kind.PATROL)
    item = ProgrammeItemFactory(event=event)
    ProgrammeItemSiteFactory(item=item, site=venue)
    skill = SkillFactory(event=event, code="checkpoint")
    services.add_requirement_rule(
        actor=planner,
        item=item,
        post_kind=Post.Kind.CHECKPOINT,
        skill=skill,
        headcount=2,
        lead_minutes=120,
        lag_minutes=30,
    )
    derived = Requirement.objects.filter(programme_item=item).order_by("post_id")
    assert [r.post_id for r in derived] == [gate.pk, inner.pk]
    assert derived[0].starts_at == item.starts_at - timedelta(hours=2)
    assert derived[0].ends_at == item.ends_at + timedelta(minutes=30)
    kept = derived[0].pk
    services.update_programme_item(actor=planner, item=item, starts_at=item.starts_at + timedelta(hours=1))
    moved = Requirement.objects.get(pk=kept)
    assert moved.starts_at == item.starts_at + timedelta(hours=1) - timedelta(hours=2)
    assert AuditEntry.objects.filter(action="planning.derive_requirements").exists()


def test_programme_change_orphans_assignments_instead_of_deleting_them(planner: Any, event: Any) -> None:
    venue, hotel = SiteFactory(event=event), SiteFactory(event=event, kind="hotel")
    post = PostFactory(event=event, site=venue)
    item = ProgrammeItemFactory(event=event)
    ProgrammeItemSiteFactory(item=item, site=venue)
    rule = RequirementRuleFactory(programme_item=item, headcount=1, lead_minutes=0, lag_minutes=0)
    services.derive_requirements(item)
    requirement = Requirement.objects.get(programme_item=item)
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    assignment = assignment_services.assign_officer(
        actor=planner,
        post=post,
        officer=officer,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        requirement=requirement,
    )
    assert assignment.skill == rule.skill
    assert coverage_audit.coverage_for(event) == []
    services.update_programme_item(actor=planner, item=item, sites=[hotel])
    assert not Requirement.objects.filter(pk=requirement.pk).exists()
    assert Assignment.objects.filter(pk=assignment.pk).exists()
    kinds = {f.kind for f in coverage_audit.coverage_for(event)}
    assert FindingKind.ORPHAN_ASSIGNMENT in kinds


def test_assign_officer_refuses_double_booking_missing_skill_and_other_events(
    planner: Any, event: Any, other_event: Any
) -> None:
    post = PostFactory(event=event)
    skill = SkillFactory(event=event, code="checkpoint")
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    start = event.starts_at + timedelta(hours=8)
    assignment_services.assign_officer(
        actor=planner,
        post=post,
        officer=officer,
        starts_at=start,
        ends_at=start + timedelta(hours=4),
        skill=skill,
    )
    other_post = PostFactory(event=event)
    with pytest.raises(Conflict, match="already assigned"):
        assignment_services.assign_officer(
            actor=planner,
            post=other_post,
            officer=officer,
            starts_at=start + timedelta(hours=3),
            ends_at=start + timedelta(hours=6),
            skill=skill,
        )
    # back to back is fine
    assignment_services.assign_officer(
        actor=planner,
        post=other_post,
        officer=officer,
        starts_at=start + timedelta(hours=4),
        ends_at=start + timedelta(hours=6),
        skill=skill,
    )
    novice = OfficerFactory(event=event)
    with pytest.raises(Invalid, match="does not hold"):
        assignment_services.assign_officer(
            actor=planner,
            post=post,
            officer=novice,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            skill=skill,
        )
    stranger = OfficerFactory(event=other_event, skills=["checkpoint"])
    with pytest.raises(Invalid, match="Unknown officer"):
        assignment_services.assign_officer(
            actor=planner,
            post=post,
            officer=stranger,
            starts_at=start,
            ends_at=start + timedelta(hours=1),
            skill=skill,
        )
    with pytest.raises(Invalid, match="end must be after"):
        assignment_services.assign_officer(
            actor=planner, post=post, officer=novice, starts_at=start, ends_at=start, skill=skill
        )
    assert Assignment.objects.count() == 2


def test_moving_an_assignment_onto_another_duty_is_refused(planner: Any, event: Any) -> None:
    first = AssignmentFactory(event=event)
    second = AssignmentFactory(
        event=event,
        officer=first.officer,
        skill=first.skill,
        starts_at=first.ends_at,
        ends_at=first.ends_at + timedelta(hours=2),
    )
    with pytest.raises(Conflict):
        assignment_services.update_assignment(actor=planner, assignment=second, starts_at=first.starts_at)
    second.refresh_from_db()
    assert second.starts_at == first.ends_at


def test_observer_cannot_assign_and_dispatcher_cannot_publish(
    observer: Any, dispatcher: Any, event: Any
) -> None:
    post = PostFactory(event=event)
    officer = OfficerFactory(event=event, skills=["checkpoint"])
    with pytest.raises(NotAllowed):
        assignment_services.assign_officer(
            actor=observer,
            post=post,
            officer=officer,
            starts_at=event.starts_at,
            ends_at=event.starts_at + timedelta(hours=1),
        )
    with pytest.raises(NotAllowed):
        assignment_services.publish_assignments(actor=dispatcher, event=event)


def test_publish_is_one_audited_action(planner: Any, event: Any) -> None:
    assignments = [
        AssignmentFactory(event=event, starts_at=event.starts_at + timedelta(hours=h)) for h in (1, 6, 12)
    ]
    before = AuditEntry.objects.count()
    assert assignment_services.publish_assignments(actor=planner, event=event) == 3
    assert AuditEntry.objects.count() == before + 1
    assert set(Assignment.objects.values_list("status", flat=True)) == {"published"}
    assert (
        assignment_services.publish_assignments(actor=planner, event=event, ids=[a.pk for a in assignments])
        == 0
    )


def test_derived_requirement_cannot_be_edited_by_hand(planner: Any, event: Any) -> None:
    rule = RequirementRuleFactory(programme_item=ProgrammeItemFactory(event=event))
    requirement = RequirementFactory(event=event, rule=rule, programme_item=rule.programme_item)
    with pytest.raises(Conflict, match="derived from a rule"):
        services.update_requirement(actor=planner, requirement=requirement, headcount=3)
    manual = services.create_requirement(
        actor=planner,
        event=event,
        post=PostFactory(event=event),
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        skill=rule.skill,
        headcount=2,
    )
    assert services.update_requirement(actor=planner, requirement=manual, headcount=3).headcount == 3


def test_coverage_for_maps_a_small_plan(planner: Any, event: Any) -> None:
    RestRulesFactory(event=event, min_rest_minutes=600)
    requirement = RequirementFactory(event=event, headcount=2)
    officer = OfficerFactory(event=event, skills=[("checkpoint", date(2000, 1, 1))])
    AssignmentFactory(
        event=event,
        post=requirement.post,
        officer=officer,
        skill=requirement.skill,
        starts_at=requirement.starts_at,
        ends_at=requirement.ends_at,
    )
    findings = coverage_audit.coverage_for(event)
    kinds = sorted(str(f.kind) for f in findings)
    assert kinds == ["skill_expired", "uncovered"]
    uncovered = next(f for f in findings if f.kind == FindingKind.UNCOVERED)
    assert uncovered.number("shortfall") == 2
    assert uncovered.post_ids == (requirement.post_id,)


def test_rest_rules_are_set_and_audited(planner: Any, event: Any) -> None:
    rules = services.set_rest_rules(actor=planner, event=event, min_rest_minutes=480, max_consecutive_days=5)
    assert (rules.min_rest_minutes, rules.max_consecutive_days) == (480, 5)
    assert AuditEntry.objects.filter(action="planning.set_rest_rules").count() == 1


def test_a_new_or_moved_post_gets_the_programmes_requirements(planner: Any, event: Any) -> None:
    venue, hotel = SiteFactory(event=event), SiteFactory(event=event, kind="hotel")
    zone = SiteFactory(event=event, parent=venue, kind="zone")
    item = ProgrammeItemFactory(event=event)
    ProgrammeItemSiteFactory(item=item, site=venue)
    RequirementRuleFactory(programme_item=item)
    post = services.create_post(
        actor=planner, event=event, site=zone, code="Z1", name_vi="Chốt Z1", name_en="Z1", kind="checkpoint"
    )
    assert Requirement.objects.filter(post=post, programme_item=item).count() == 1
    services.update_post(actor=planner, post=post, site=hotel)
    assert not Requirement.objects.filter(post=post).exists()
