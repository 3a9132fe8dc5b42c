"""Sign-ins and second-factor attempts go into the audit trail (finding 11), in the global chain (they
belong to no event), without the password or the code."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from antt.accounts.tests.factories import PASSWORD
from antt.audit.models import AuditEntry
from antt.core.testing import current_code, totp_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
WRONG = "Wrong-Password-123"


def _entries(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action).order_by("seq"))


def _stored_text(entry: AuditEntry) -> str:
    return " ".join([entry.object_repr, entry.object_id, entry.changes, entry.actor_name])


def test_a_successful_sign_in_is_audited_without_the_password(client: Client, planner: Any) -> None:
    client.post(LOGIN, {"username": planner.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.4")

    (entry,) = _entries("accounts.sign_in")
    assert (entry.actor_id, entry.event_id, entry.chain) == (planner.pk, None, 0)
    assert entry.ip == "198.51.100.4"
    assert PASSWORD not in _stored_text(entry)


def test_a_failed_sign_in_is_audited_with_the_username_not_the_password(client: Client, planner: Any) -> None:
    client.post(LOGIN, {"username": planner.username, "password": WRONG})

    (entry,) = _entries("accounts.sign_in_failed")
    assert entry.actor_id is None
    assert planner.username in entry.changes
    assert WRONG not in _stored_text(entry)


def test_a_lockout_is_audited(client: Client, planner: Any) -> None:
    for _ in range(6):
        client.post(LOGIN, {"username": planner.username, "password": WRONG})

    assert len(_entries("accounts.sign_in_failed")) == 4
    assert len(_entries("accounts.sign_in_locked_out")) == 2  # the fifth failure locks, the sixth is refused


def test_second_factor_failures_and_success_are_audited_without_the_code(
    client: Client, planner: Any
) -> None:
    device = totp_device(planner)
    client.post(LOGIN, {"username": planner.username, "password": PASSWORD})
    wrong = "000000" if current_code(device) != "000000" else "111111"

    client.post(reverse("accounts:otp-verify"), {"token": wrong})
    device.refresh_from_db()
    device.throttle_reset()
    code = current_code(device)
    client.post(reverse("accounts:otp-verify"), {"token": code})

    (failed,) = _entries("accounts.two_factor_failed")
    (passed,) = _entries("accounts.two_factor_passed")
    assert failed.actor_id == passed.actor_id == planner.pk
    assert wrong not in _stored_text(failed)
    assert code not in _stored_text(passed)
