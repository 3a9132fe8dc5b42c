"""An API token's sign-in is kept a few seconds per process (``core.shortcache``): a token revoked or a
membership ended **in another process** (here: an ``update``, which sends no signal, as another server process's
write looks to this one) stops working once those seconds have passed; saved through the services in this
process, at once."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from antt.accounts import services as account_services
from antt.accounts.models import ApiToken
from antt.events import services as event_services
from antt.events.models import Membership

pytestmark = pytest.mark.django_db

KEPT = timedelta(seconds=settings.SIGNIN_CACHE_SECONDS)


@pytest.fixture
def phone(event: Any, field_officer: Any, time_machine: Any) -> tuple[Client, str, ApiToken]:
    time_machine.move_to("2026-06-01T08:00:00+07:00", tick=False)
    token, key = account_services.create_token(actor=field_officer, name="phone")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}"), f"/api/v1/events/{event.code}/field/today/", token


def test_the_sign_in_is_kept_for_seconds_only_so_a_token_revoked_elsewhere_stops_working(
    phone: Any, time_machine: Any
) -> None:
    assert (
        0 < settings.SIGNIN_CACHE_SECONDS <= 10
    )  # "within seconds": a setting of minutes breaks the promise
    client, url, token = phone
    assert client.get(url).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(revoked_at=token.created_at)  # another process revoked it
    assert client.get(url).status_code == 200  # kept here a little longer
    time_machine.shift(KEPT + timedelta(seconds=1))
    assert client.get(url).status_code == 401


def test_a_membership_ended_elsewhere_stops_working_within_the_seconds(
    phone: Any, field_officer: Any, event: Any, time_machine: Any
) -> None:
    client, url, _token = phone
    assert client.get(url).status_code == 200
    Membership.objects.filter(event=event, user=field_officer).update(is_active=False)
    time_machine.shift(KEPT + timedelta(seconds=1))
    assert client.get(url).status_code == 404


def test_revoked_or_ended_in_this_process_stops_at_once(
    phone: Any, field_officer: Any, event: Any, commander: Any
) -> None:
    client, url, token = phone
    assert client.get(url).status_code == 200
    event_services.change_member(
        actor=commander, membership=Membership.objects.get(event=event, user=field_officer), is_active=False
    )
    assert client.get(url).status_code == 404
    event_services.change_member(
        actor=commander, membership=Membership.objects.get(event=event, user=field_officer), is_active=True
    )
    assert client.get(url).status_code == 200
    account_services.revoke_token(actor=field_officer, token_id=token.pk)
    assert client.get(url).status_code == 401


def test_revoking_all_of_a_users_tokens_stops_them_at_once(
    phone: Any, field_officer: Any, commander: Any
) -> None:
    client, url, _token = phone
    assert client.get(url).status_code == 200
    account_services.revoke_all_tokens(actor=commander, user=field_officer, reason="phone lost")
    assert client.get(url).status_code == 401


def test_last_used_is_written_once_in_five_minutes_not_on_every_request(
    phone: Any, time_machine: Any
) -> None:
    from antt.core import shortcache

    client, url, token = phone
    assert client.get(url).status_code == 200
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    for _ in range(9):  # a phone every 30 s, for 4.5 minutes, its sign-in forgotten each time (5,000 phones)
        time_machine.shift(timedelta(seconds=30))
        shortcache.clear_all()
        assert client.get(url).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first
    time_machine.shift(timedelta(seconds=30))
    shortcache.clear_all()
    assert client.get(url).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first + timedelta(minutes=5)
