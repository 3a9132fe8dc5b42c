"""API tokens (finding 5): only a verified browser session creates them, they always expire, and a
password change or a second-factor reset revokes them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client

from antt.accounts import services
from antt.accounts.models import ApiToken
from antt.accounts.tests.factories import PASSWORD, UserFactory
from antt.audit.models import AuditEntry

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


@pytest.fixture
def frozen() -> Iterator[Any]:
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def _create(client: Client, **body: Any) -> Any:
    return client.post("/api/v1/tokens/", {"name": "roster export", **body}, content_type="application/json")


def _bearer(key: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def test_a_token_cannot_create_another_token(as_user: Any, planner: Any, frozen: Any) -> None:
    key = _create(as_user(planner)).json()["key"]

    refused = _create(_bearer(key), name="replacement")

    assert refused.status_code == 403
    assert refused.json()["code"] == "not_allowed"
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["roster export"]


def test_a_token_without_expiry_gets_the_default_lifetime(
    as_user: Any, planner: Any, settings: Any, frozen: Any
) -> None:
    settings.API_TOKEN_DEFAULT_DAYS = 30

    created = _create(as_user(planner), expires_at=None)

    assert created.status_code == 201
    assert ApiToken.objects.get().expires_at == T0 + timedelta(days=30)


def test_an_expiry_beyond_the_maximum_is_refused(
    as_user: Any, planner: Any, settings: Any, frozen: Any
) -> None:
    settings.API_TOKEN_MAX_DAYS = 90

    refused = _create(as_user(planner), expires_at=(T0 + timedelta(days=91)).isoformat())
    allowed = _create(as_user(planner), expires_at=(T0 + timedelta(days=90)).isoformat())

    assert refused.status_code == 400
    assert refused.json()["field"] == "expires_at"
    assert "90 days" in refused.json()["detail"]
    assert allowed.status_code == 201


def test_a_blank_or_malformed_expiry_in_a_form_post_never_means_never(
    as_user: Any, planner: Any, settings: Any, frozen: Any
) -> None:
    client = as_user(planner)
    blank = client.post("/api/v1/tokens/", {"name": "multipart", "expires_at": ""})
    malformed = client.post("/api/v1/tokens/", {"name": "multipart", "expires_at": "next tuesday"})

    assert blank.status_code == 201
    assert ApiToken.objects.get().expires_at == T0 + timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    assert malformed.status_code == 400
    assert ApiToken.objects.count() == 1


def test_the_html_form_gives_every_token_an_expiry(as_user: Any, planner: Any, frozen: Any) -> None:
    response = as_user(planner).post("/accounts/tokens/", {"name": "from the page", "expires_at": ""})

    assert response.status_code == 200
    assert ApiToken.objects.get().expires_at is not None


def test_an_old_token_without_expiry_stops_at_the_maximum_lifetime(
    as_user: Any, planner: Any, event: Any, settings: Any, frozen: Any
) -> None:
    key = _create(as_user(planner)).json()["key"]
    ApiToken.objects.update(expires_at=None)  # a row written before tokens had to expire

    frozen.move_to(T0 + timedelta(days=settings.API_TOKEN_MAX_DAYS - 1))
    assert _bearer(key).get(f"/api/v1/events/{event.code}/").status_code == 200
    frozen.move_to(T0 + timedelta(days=settings.API_TOKEN_MAX_DAYS, seconds=1))
    assert _bearer(key).get(f"/api/v1/events/{event.code}/").status_code == 401


def test_changing_the_password_revokes_the_tokens(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    key = _create(client).json()["key"]
    new = "Another-Long-Passphrase-42"

    changed = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )

    assert changed.status_code == 302
    assert _bearer(key).get(f"/api/v1/events/{event.code}/").status_code == 401
    assert AuditEntry.objects.filter(action="accounts.revoke_all_tokens", object_id=str(planner.pk)).exists()


def test_an_administrators_password_reset_revokes_the_tokens(as_user: Any, planner: Any, event: Any) -> None:
    key = _create(as_user(planner)).json()["key"]
    admin = as_user(UserFactory(username="root", is_staff=True, is_superuser=True))
    new = "Another-Long-Passphrase-42"

    reset = admin.post(f"/admin/accounts/user/{planner.pk}/password/", {"password1": new, "password2": new})

    assert reset.status_code == 302
    assert _bearer(key).get(f"/api/v1/events/{event.code}/").status_code == 401


def test_a_second_factor_reset_revokes_the_tokens(as_user: Any, planner: Any, event: Any) -> None:
    key = _create(as_user(planner)).json()["key"]
    admin: Any = UserFactory(username="root", is_staff=True, is_superuser=True)

    services.reset_two_factor(actor=admin, user=planner)

    assert _bearer(key).get(f"/api/v1/events/{event.code}/").status_code == 401
    assert ApiToken.objects.get().revoked_at is not None


def test_revoking_a_token_id_too_large_for_the_database_is_not_found(as_user: Any, planner: Any) -> None:
    client = as_user(planner)
    huge = 10**30
    api = client.delete(f"/api/v1/tokens/{huge}/")
    assert api.status_code == 404
    assert api.json()["detail"] == "Not found, or you do not have access."
    page = client.post(f"/accounts/tokens/{huge}/revoke/")
    assert page.status_code == 404


def test_revoking_a_token_on_the_account_page_asks_for_confirmation(
    as_user: Any, planner: Any, frozen: Any
) -> None:
    services.create_token(actor=planner, name="roster export")
    page = as_user(planner).get("/accounts/").content.decode()
    assert 'data-confirm="Revoke this token? Programs using it stop working at once' in page
