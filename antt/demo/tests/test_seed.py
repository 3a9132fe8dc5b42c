"""`antt demo` seeds the two demo events and one account per role, idempotently."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from antt.accounts.models import User
from antt.audit.models import AuditEntry
from antt.audit.verification import verify
from antt.demo import seed as demo
from antt.events.models import Event, Membership

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_demo_seeds_summit_and_congress_once(settings: Any, capsys: Any) -> None:
    settings.DEMO = True
    call_command("demo", "--no-serve")
    out = capsys.readouterr().out
    assert "demo-commander" in out
    assert demo.DEMO_PASSWORD in out
    counts = (
        Event.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    )
    call_command("demo", "--no-serve")
    assert (
        Event.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        AuditEntry.objects.count(),
    ) == counts
    summit = Event.objects.get(code="demo-summit")
    congress = Event.objects.get(code="demo-congress")
    assert (summit.ends_at - summit.starts_at).days == 4
    assert (congress.starts_at.date() - summit.starts_at.date()).days == 10
    assert "Hội An" in summit.name_vi
    assert "Nam Định" in congress.name_vi
    roles = set(Membership.objects.filter(event=summit).values_list("role", flat=True))
    assert roles == {
        "commander",
        "planner",
        "dispatcher",
        "unit_commander",
        "field_officer",
        "observer",
        "document_custodian",
    }
    assert verify().ok


def test_demo_refuses_to_run_outside_demo_mode(settings: Any) -> None:
    settings.DEMO = False
    with pytest.raises(CommandError, match="ANTT_DEMO=1"):
        call_command("demo", "--no-serve")


def test_demo_accounts_can_be_disabled(settings: Any) -> None:
    settings.DEMO = True
    demo.seed()
    call_command("demo", "--disable-accounts")
    assert not User.objects.filter(is_demo=True, is_active=True).exists()
