from datetime import timedelta
from typing import Any

import factory

from antt.events.tests.factories import EventFactory
from antt.forces.tests.factories import OfficerFactory, SkillFactory
from antt.planning.models import (
    Assignment,
    Post,
    ProgrammeItem,
    ProgrammeItemSite,
    Requirement,
    RequirementRule,
    RestRules,
    Site,
)


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"S{n:03d}")
    name_vi = factory.Sequence(lambda n: f"Trung tâm Hội nghị Hội An {n}")
    name_en = factory.Sequence(lambda n: f"Hội An convention centre {n}")
    kind = Site.Kind.VENUE
    geometry = factory.LazyFunction(lambda: {"type": "Point", "coordinates": [108.3380, 15.8801]})

    @factory.post_generation
    def finish(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.refresh_search_text()
            obj.save()


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    event = factory.SubFactory(EventFactory)
    site = factory.SubFactory(SiteFactory, event=factory.SelfAttribute("..event"))
    code = factory.Sequence(lambda n: f"P{n:03d}")
    name_vi = factory.Sequence(lambda n: f"Chốt cổng {n}")
    name_en = factory.Sequence(lambda n: f"Gate post {n}")
    kind = Post.Kind.CHECKPOINT


class ProgrammeItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeItem

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"PI{n:03d}")
    name_vi = factory.Sequence(lambda n: f"Phiên họp toàn thể {n}")
    name_en = factory.Sequence(lambda n: f"Plenary session {n}")
    kind = ProgrammeItem.Kind.SESSION
    starts_at = factory.LazyAttribute(lambda i: i.event.starts_at + timedelta(hours=8))
    ends_at = factory.LazyAttribute(lambda i: i.starts_at + timedelta(hours=3))


class ProgrammeItemSiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeItemSite

    item = factory.SubFactory(ProgrammeItemFactory)
    site = factory.SubFactory(SiteFactory, event=factory.SelfAttribute("..item.event"))
    position = 0


class RequirementRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequirementRule

    programme_item = factory.SubFactory(ProgrammeItemFactory)
    event = factory.SelfAttribute("programme_item.event")
    post_kind = Post.Kind.CHECKPOINT
    skill = factory.SubFactory(SkillFactory, event=factory.SelfAttribute("..event"))
    headcount = 2
    lead_minutes = 120
    lag_minutes = 30


class RequirementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Requirement

    event = factory.SubFactory(EventFactory)
    post = factory.SubFactory(PostFactory, event=factory.SelfAttribute("..event"))
    skill = factory.SubFactory(SkillFactory, event=factory.SelfAttribute("..event"))
    starts_at = factory.LazyAttribute(lambda r: r.event.starts_at + timedelta(hours=8))
    ends_at = factory.LazyAttribute(lambda r: r.starts_at + timedelta(hours=4))
    headcount = 1


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    event = factory.SubFactory(EventFactory)
    post = factory.SubFactory(PostFactory, event=factory.SelfAttribute("..event"))
    officer = factory.SubFactory(
        OfficerFactory, event=factory.SelfAttribute("..event"), skills=["checkpoint"]
    )
    skill = factory.SubFactory(SkillFactory, event=factory.SelfAttribute("..event"))
    starts_at = factory.LazyAttribute(lambda a: a.event.starts_at + timedelta(hours=8))
    ends_at = factory.LazyAttribute(lambda a: a.starts_at + timedelta(hours=4))


class RestRulesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RestRules
        django_get_or_create = ("event",)

    event = factory.SubFactory(EventFactory)
    min_rest_minutes = 480
    max_duty_minutes_per_24h = 720
    max_consecutive_days = 6
