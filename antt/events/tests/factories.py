from datetime import timedelta
from typing import Any

import factory
from django.utils import timezone

from antt.accounts.tests.factories import UserFactory
from antt.core.permissions import Clearance, Role
from antt.events.models import Event, Membership


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event
        django_get_or_create = ("code",)
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"event-{n}")
    name_vi = factory.Sequence(lambda n: f"Hội nghị Quảng Nam {n}")
    name_en = factory.Sequence(lambda n: f"Quảng Nam conference {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0))
    ends_at = factory.LazyAttribute(lambda e: e.starts_at + timedelta(days=4))

    @factory.post_generation
    def finish(obj: Any, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            obj.refresh_search_text()
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    event = factory.SubFactory(EventFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.PLANNER
    clearance = Clearance.NONE
