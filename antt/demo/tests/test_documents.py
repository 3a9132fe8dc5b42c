# mypy: disable-error-code="union-attr"
"""The summit's demo documents: a handful at each level, every classified level with grants of each kind
(person, unit, duty at a post, duty on a programme item), Tuyệt mật grants approved by a second person; each
demo role reads exactly what its clearance and grants allow."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from antt.core.permissions import Clearance
from antt.demo import seed as demo
from antt.documents import queries
from antt.documents.models import Document, Grant
from antt.events.models import Event

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_documents_cover_every_level_and_grant_kind(time_machine: Any) -> None:
    demo.seed()
    summit = Event.objects.get(code="demo-summit")
    docs = Document.objects.filter(event=summit)
    assert Counter(docs.values_list("classification", flat=True)) == {0: 2, 1: 3, 2: 3, 3: 3}
    assert all(d.versions.count() == 1 for d in docs)
    for level in (Clearance.CONFIDENTIAL, Clearance.SECRET, Clearance.TOP_SECRET):
        grants = Grant.objects.filter(document__event=summit, document__classification=level)
        assert set(grants.values_list("kind", flat=True)) == {"person", "unit", "duty"}, level
        duty = grants.filter(kind="duty")
        assert duty.filter(post__isnull=False).exists(), level
        assert duty.filter(programme_item__isnull=False).exists(), level
        assert set(grants.values_list("state", flat=True)) == {"active"}, level
    top = Grant.objects.filter(document__event=summit, document__classification=3)
    assert {(g.granted_by.username, g.approved_by.username) for g in top} == {
        ("demo-custodian", "demo-admin")
    }
    users = get_user_model().objects
    time_machine.move_to(summit.starts_at, tick=False)
    readable = {
        name: sorted(
            queries.documents_for(users.get(username=name), summit).values_list("classification", flat=True)
        )
        for name in ("demo-officer", "demo-unit", "demo-commander", "demo-custodian", "demo-observer")
    }
    assert readable == {
        "demo-officer": [0, 0],
        "demo-unit": [0, 0, 1],
        "demo-commander": [1, 2, 3],
        "demo-custodian": [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3],
        "demo-observer": [],
    }
    demo.seed()
    assert Document.objects.filter(event=summit).count() == 11
