"""Enrolment is open before the second factor only to a person with no confirmed device (finding 1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.accounts import services
from antt.accounts.tests.factories import PASSWORD
from antt.audit.models import AuditEntry
from antt.core.errors import NotAllowed
from antt.core.testing import current_code, totp_device

pytestmark = pytest.mark.django_db

ENROL = "/accounts/two-factor/enrol/"


def _password_only(client: Client, user: Any) -> None:
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302


def test_password_alone_cannot_replace_a_confirmed_authenticator(
    client: Client, planner: Any, event: Any
) -> None:
    device = totp_device(planner)
    services.regenerate_backup_codes(actor=planner)
    _password_only(client, planner)

    page = client.get(ENROL)

    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:otp-verify"))
    assert not TOTPDevice.objects.filter(user=planner, confirmed=False).exists()
    assert list(TOTPDevice.objects.filter(user=planner).values_list("pk", flat=True)) == [device.pk]
    assert StaticDevice.objects.filter(user=planner).count() == 1
    assert client.get(f"/events/{event.code}/")["Location"].startswith(reverse("accounts:otp-verify"))
    assert client.post("/api/v1/tokens/", {"name": "x"}, content_type="application/json").status_code == 401


def test_a_pending_enrolment_cannot_be_confirmed_with_the_password_alone(
    client: Client, planner: Any
) -> None:
    """An enrolment started before the first device was confirmed elsewhere must not replace it."""
    _password_only(client, planner)
    client.get(ENROL)
    pending = TOTPDevice.objects.get(user=planner, confirmed=False)
    original = totp_device(planner)  # meanwhile the owner enrolled in another session

    response = client.post(ENROL, {"token": current_code(pending)})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    assert list(TOTPDevice.objects.filter(user=planner, confirmed=True)) == [original]


def test_the_service_refuses_enrolment_without_the_current_second_factor(planner: Any) -> None:
    totp_device(planner)
    with pytest.raises(NotAllowed):
        services.start_totp_enrolment(actor=planner)


def test_a_verified_person_may_replace_their_authenticator(as_user: Any, planner: Any) -> None:
    client = as_user(planner)
    old = totp_device(planner)

    assert client.get(ENROL).status_code == 200
    new = TOTPDevice.objects.get(user=planner, confirmed=False)
    done = client.post(ENROL, {"token": current_code(new)})

    assert done.status_code == 200
    assert list(TOTPDevice.objects.filter(user=planner)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    entry = AuditEntry.objects.get(action="accounts.enable_two_factor", object_id=str(planner.pk))
    assert "replaced_device" in entry.changes
