from typing import Any

import factory

from antt.events.tests.factories import EventFactory
from antt.forces.models import Officer, OfficerSkill, Skill, Unit


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"U{n:03d}")
    name_vi = factory.Sequence(lambda n: f"Đội Cảnh sát cơ động {n}")
    name_en = factory.Sequence(lambda n: f"Mobile police team {n}")

    @factory.post_generation
    def finish(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.refresh_search_text()
            obj.save()


class SkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("event", "code")

    event = factory.SubFactory(EventFactory)
    code = "checkpoint"
    name_vi = factory.LazyAttribute(lambda s: f"Kỹ năng {s.code}")
    name_en = factory.LazyAttribute(lambda s: f"Skill {s.code}")


class OfficerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Officer
        skip_postgeneration_save = True

    event = factory.SubFactory(EventFactory)
    code = factory.Sequence(lambda n: f"CA{n:05d}")
    full_name = factory.Sequence(lambda n: f"Nguyễn Văn Đức {n}")
    rank = "Thượng úy"
    unit = factory.SubFactory(UnitFactory, event=factory.SelfAttribute("..event"))
    clearance = 1

    @factory.post_generation
    def skills(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        """``OfficerFactory(skills=["checkpoint", ("traffic", date)])``: codes, or (code, expiry) pairs."""
        if not create:
            return
        for entry in extracted or ():
            code, expires = (entry, None) if isinstance(entry, str) else entry
            OfficerSkillFactory(
                officer=obj, skill=SkillFactory(event=obj.event, code=code), expires_on=expires
            )
        obj.refresh_search_text()
        obj.save()


class OfficerSkillFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OfficerSkill

    officer = factory.SubFactory(OfficerFactory)
    skill = factory.SubFactory(SkillFactory, event=factory.SelfAttribute("..officer.event"))
    expires_on = None
