import factory

from antt.events.tests.factories import EventFactory
from antt.rostering.models import SolverRun


class SolverRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SolverRun

    event = factory.SubFactory(EventFactory)
    status = SolverRun.Status.SUCCEEDED
    fingerprint = "0" * 64
    time_limit = 5
