# mypy: disable-error-code="union-attr"
"""The summit's demo documents: one at each level, grants of each kind, the Tuyệt mật grant approved by a
second person; each demo role reads exactly what its clearance and grants allow."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import get_user_model

from antt.demo import seed as demo
from antt.documents import queries
from antt.documents.models import Document, Grant
from antt.events.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_documents_cover_every_level_and_grant_kind(time_machine: Any) -> None:
    demo.seed()
    summit = Event.objects.get(code="demo-summit")
    docs = Document.objects.filter(event=summit)
    assert sorted(docs.values_list("classification", flat=True)) == [0, 1, 2, 3]
    assert set(Grant.objects.filter(document__event=summit).values_list("kind", flat=True)) == {
        "person",
        "unit",
        "duty",
    }
    top = Grant.objects.get(document__event=summit, document__classification=3)
    assert (top.state, top.granted_by.username, top.approved_by.username) == (
        "active",
        "demo-custodian",
        "demo-admin",
    )
    users = get_user_model().objects
    time_machine.move_to(summit.starts_at, tick=False)
    readable = {
        name: sorted(
            queries.documents_for(users.get(username=name), summit).values_list("classification", flat=True)
        )
        for name in ("demo-officer", "demo-unit", "demo-commander", "demo-custodian", "demo-observer")
    }
    assert readable == {
        "demo-officer": [0],
        "demo-unit": [0, 1],
        "demo-commander": [2, 3],
        "demo-custodian": [0, 1, 2, 3],
        "demo-observer": [],
    }
    demo.seed()
    assert Document.objects.filter(event=summit).count() == 4
