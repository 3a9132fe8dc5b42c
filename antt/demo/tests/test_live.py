"""The demo's live scenario moves the board: incidents of several priorities, an SOS, a dispatch, a close."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from antt.demo import live
from antt.demo import seed as demo
from antt.operations.models import BoardUpdate, Incident, Responder

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# 10:00 in Hội An on the demo summit's first day: its posts are staffed.
DAY = datetime(2026, 11, 10, 3, 0, tzinfo=UTC)


def test_the_demo_plays_a_short_day_on_the_summit(settings: Any, time_machine: Any) -> None:
    settings.DEMO = True
    time_machine.move_to(DAY, tick=False)
    demo.seed(today=DAY)
    steps = live.play(pause=0, stop=threading.Event())
    incidents = Incident.objects.filter(event__code="demo-summit")
    assert steps == 15
    assert {i.priority for i in incidents} >= {1, 2}
    assert incidents.filter(source="sos").count() == 1
    assert incidents.get(summary__startswith="Đám đông").status == "closed"
    assert Responder.objects.filter(incident__event__code="demo-summit").exists()
    assert BoardUpdate.objects.filter(event__code="demo-summit").count() > 15
