from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import factory

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
    time_zone = "Asia/Ho_Chi_Minh"
    # A fixed local start in the event's own zone, never "now": what falls on which local day must not
    # depend on the hour the suite runs. A test that needs "now" freezes it (the ``time_machine`` fixture).
    # Held in UTC, as the database gives it back.
    starts_at = factory.LazyAttribute(
        lambda e: datetime(2026, 11, 10, 7, 0, tzinfo=ZoneInfo(e.time_zone)).astimezone(UTC)
    )
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
