"""Sign-in: password, lockout, second factor (enrolment, codes, backup codes), session limits, tokens."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.accounts import services
from antt.accounts.middleware import SESSION_AUTH_AT, SESSION_SEEN_AT
from antt.accounts.tests.factories import PASSWORD, UserFactory
from antt.audit.models import AuditEntry
from antt.core.testing import current_code, totp_device

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
SIGNED_IN_AT = datetime(2026, 11, 10, 1, 0, tzinfo=UTC)  # the session tests run on a frozen clock


def _sign_in(client: Client, username: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_wrong_password_gets_a_clear_message_and_no_session(client: Client, planner: Any) -> None:
    response = _sign_in(client, planner.username, "wrong-password")
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_role_that_needs_two_factor_is_sent_to_enrol_then_can_use_the_app(
    client: Client, planner: Any, event: Any
) -> None:
    response = _sign_in(client, planner.username)
    assert response.status_code == 302
    response = client.get(f"/events/{event.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:otp-enrol"))
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b"data:image/svg+xml;base64," in page.content
    device = TOTPDevice.objects.get(user=planner, confirmed=False)
    wrong = client.post(
        reverse("accounts:otp-enrol"), {"token": "000000" if current_code(device) != "000000" else "111111"}
    )
    assert wrong.status_code == 400
    done = client.post(reverse("accounts:otp-enrol"), {"token": current_code(device)})
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get(f"/events/{event.code}/").status_code == 200
    assert AuditEntry.objects.filter(action="accounts.enable_two_factor", object_id=str(planner.pk)).exists()


def test_enrolled_user_must_enter_a_current_code(client: Client, planner: Any, event: Any) -> None:
    device = totp_device(planner)
    _sign_in(client, planner.username)
    response = client.get(f"/events/{event.code}/")
    assert response["Location"].startswith(reverse("accounts:otp-verify"))
    expired = current_code(device, drift=-5)
    bad = client.post(reverse("accounts:otp-verify"), {"token": expired, "next": f"/events/{event.code}/"})
    assert bad.status_code == 400
    assert "wrong or has expired" in bad.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes the person wait after a failure; skip the wait here
    good = client.post(
        reverse("accounts:otp-verify"), {"token": current_code(device), "next": f"/events/{event.code}/"}
    )
    assert good.status_code == 302
    assert good["Location"] == f"/events/{event.code}/"
    assert client.get(f"/events/{event.code}/").status_code == 200


def test_backup_code_works_once(client: Client, planner: Any, event: Any) -> None:
    device = totp_device(planner)
    assert device.confirmed
    codes = services.regenerate_backup_codes(actor=planner)
    _sign_in(client, planner.username)
    assert client.post(reverse("accounts:otp-verify"), {"token": codes[0]}).status_code == 302
    client.post(reverse("accounts:logout"))
    _sign_in(client, planner.username)
    assert client.post(reverse("accounts:otp-verify"), {"token": codes[0]}).status_code == 400


def test_field_officer_and_observer_may_sign_in_without_second_factor(
    client: Client, field_officer: Any, event: Any
) -> None:
    _sign_in(client, field_officer.username)
    assert client.get(f"/events/{event.code}/").status_code == 200


def test_event_can_require_second_factor_for_field_officers(
    client: Client, field_officer: Any, event: Any
) -> None:
    event.otp_optional_roles = ["observer"]
    event.save()
    _sign_in(client, field_officer.username)
    assert client.get(f"/events/{event.code}/").status_code == 302


def test_unverified_session_cannot_use_the_api(client: Client, planner: Any) -> None:
    _sign_in(client, planner.username)
    response = client.get("/api/v1/events/")
    assert response.status_code == 401
    assert response.json()["code"] == "two_factor_required"


def test_demo_accounts_skip_two_factor_only_in_demo_mode(client: Client, settings: Any, event: Any) -> None:
    from antt.events.tests.factories import MembershipFactory

    user = UserFactory(username="demo-x", is_demo=True)
    MembershipFactory(event=event, user=user, role="commander")
    settings.DEMO = True
    _sign_in(client, "demo-x")
    assert client.get(f"/events/{event.code}/").status_code == 200
    settings.DEMO = False
    assert client.get(f"/events/{event.code}/").status_code == 302


def test_five_failures_lock_the_account_with_a_clear_message(client: Client, planner: Any) -> None:
    for _ in range(5):
        _sign_in(client, planner.username, "wrong-password")
    response = _sign_in(client, planner.username)  # even the right password now
    assert response.status_code == 429
    assert "locked for 10 minutes" in response.content.decode()


def test_five_failures_from_one_address_lock_that_address(
    client: Client, planner: Any, dispatcher: Any
) -> None:
    for i in range(5):
        _sign_in(client, f"nobody{i}", "wrong-password", REMOTE_ADDR="198.51.100.7")
    assert _sign_in(client, dispatcher.username, REMOTE_ADDR="198.51.100.7").status_code == 429
    assert _sign_in(Client(), dispatcher.username, REMOTE_ADDR="198.51.100.8").status_code == 302


def test_session_ends_after_idle_time(
    as_user: Any, planner: Any, event: Any, settings: Any, time_machine: Any
) -> None:
    time_machine.move_to(SIGNED_IN_AT, tick=False)
    client = as_user(planner)
    assert client.get(f"/events/{event.code}/").status_code == 200
    assert client.session[SESSION_SEEN_AT] == int(SIGNED_IN_AT.timestamp())
    time_machine.shift(settings.SESSION_IDLE_SECONDS + 5)
    response = client.get(f"/events/{event.code}/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session


def test_a_request_saves_the_session_only_when_its_times_change(
    as_user: Any, planner: Any, event: Any, time_machine: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    time_machine.move_to(SIGNED_IN_AT, tick=False)
    client = as_user(planner)
    assert client.get(f"/events/{event.code}/").status_code == 200
    auth_at = client.session[SESSION_AUTH_AT]

    def session_writes() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/events/{event.code}/").status_code == 200
        return sum('UPDATE "django_session"' in q["sql"] for q in queries.captured_queries)

    time_machine.shift(10)
    assert session_writes() == 0  # within 30 s nothing of the session changed: no UPDATE
    time_machine.shift(31)
    assert session_writes() == 1  # the last-seen time moved on
    assert client.session[SESSION_SEEN_AT] == int(SIGNED_IN_AT.timestamp()) + 41
    assert client.session[SESSION_AUTH_AT] == auth_at  # the sign-in time never moves


def test_session_ends_after_absolute_limit_even_when_active(
    as_user: Any, planner: Any, event: Any, settings: Any, time_machine: Any
) -> None:
    time_machine.move_to(SIGNED_IN_AT, tick=False)
    client = as_user(planner)
    client.get(f"/events/{event.code}/")
    session = client.session
    session[SESSION_AUTH_AT] = int(SIGNED_IN_AT.timestamp()) - settings.SESSION_ABSOLUTE_SECONDS - 5
    session.save()
    assert client.get(f"/events/{event.code}/").status_code == 302


def test_password_change_is_validated_and_audited(as_user: Any, planner: Any) -> None:
    client = as_user(planner)
    weak = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": "123", "new_password2": "123"}
    )
    assert weak.status_code == 400
    new = "Another-Long-Passphrase-42"
    ok = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert ok.status_code == 302
    planner.refresh_from_db()
    assert planner.check_password(new)
    assert planner.password.startswith("argon2")
    assert AuditEntry.objects.filter(action="accounts.change_password", object_id=str(planner.pk)).exists()


def test_api_tokens_are_shown_once_listed_and_revocable(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    created = client.post("/api/v1/tokens/", {"name": "roster export"}, content_type="application/json")
    assert created.status_code == 201
    key = created.json()["key"]
    listed = client.get("/api/v1/tokens/").json()["results"]
    assert [t["name"] for t in listed] == ["roster export"]
    assert "key" not in listed[0]
    api = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert api.get(f"/api/v1/events/{event.code}/").status_code == 200
    assert client.delete(f"/api/v1/tokens/{created.json()['id']}/").status_code == 204
    refused = api.get(f"/api/v1/events/{event.code}/")
    assert refused.status_code == 401
    assert "revoked" in refused.json()["detail"]


def test_bad_token_headers_are_refused_with_reasons(db: Any) -> None:
    assert Client(HTTP_AUTHORIZATION="Bearer").get("/api/v1/events/").status_code == 401
    response = Client(HTTP_AUTHORIZATION="Bearer antt_deadbeef_nope").get("/api/v1/events/")
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_someone_elses_token_cannot_be_revoked(as_user: Any, planner: Any, dispatcher: Any) -> None:
    token, _key = services.create_token(actor=dispatcher, name="theirs")
    assert as_user(planner).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
