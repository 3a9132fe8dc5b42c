"""The admin is a door too (finding 9): each write it allows leaves an audit entry, the rest is refused,
and no page shows another person's second-factor secret."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.test import Client, RequestFactory
from django_otp.plugins.otp_static.models import StaticDevice

from antt.accounts import services
from antt.accounts.tests.factories import PASSWORD, UserFactory
from antt.audit.admin import AuditedModelAdmin
from antt.audit.models import AuditEntry
from antt.core.testing import totp_device, verified_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db: Any) -> Any:
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(root: Any) -> Client:
    return verified_client(root)


def _audited(action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=action))


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_admin_model_is_audited_or_read_only(model: Any, root: Any) -> None:
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/admin/")
    request.user = root
    writes = {
        "add": model_admin.has_add_permission(request),
        "change": model_admin.has_change_permission(request),
        "delete": model_admin.has_delete_permission(request),
    }
    inline_writes = [
        inline
        for inline in model_admin.get_inline_instances(request)
        if inline.has_add_permission(request, None)
        or inline.has_change_permission(request)
        or inline.has_delete_permission(request)
    ]
    assert isinstance(model_admin, AuditedModelAdmin) or not any(writes.values()), writes
    assert inline_writes == []


def test_no_admin_page_shows_another_persons_totp_secret(admin_client: Client, planner: Any) -> None:
    device = totp_device(planner)

    page = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")

    assert page.status_code == 200
    body = page.content.decode()
    assert device.key not in body
    assert "qrcode" not in body
    assert "otpauth" not in body
    secret_b32 = base64.b32encode(device.bin_key).decode().rstrip("=")
    for view in ("config", "qrcode"):  # django-otp's own views: the secret as text and as a QR image
        response = admin_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{view}/", follow=True)
        assert response["Content-Type"].startswith("text/html")
        assert secret_b32 not in response.content.decode()


def test_devices_cannot_be_changed_or_deleted_in_the_admin(admin_client: Client, planner: Any) -> None:
    device = totp_device(planner)
    codes = services.regenerate_backup_codes(actor=planner)
    static = StaticDevice.objects.get(user=planner)

    page = admin_client.get(f"/admin/otp_static/staticdevice/{static.pk}/change/")
    assert codes[0] not in page.content.decode()
    assert (
        admin_client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert (
        admin_client.post(f"/admin/otp_static/staticdevice/{static.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert admin_client.post(
        "/admin/otp_static/staticdevice/",
        {"action": "delete_selected", "_selected_action": [static.pk], "post": "yes"},
    ).status_code in (200, 302)
    assert StaticDevice.objects.filter(pk=static.pk).exists()
    assert (
        admin_client.post(
            f"/admin/otp_totp/totpdevice/{device.pk}/change/", {"name": "x", "confirmed": "on"}
        ).status_code
        == 403
    )


def test_tokens_are_revoked_with_an_audit_entry_never_deleted(admin_client: Client, planner: Any) -> None:
    token, _key = services.create_token(actor=planner, name="theirs")

    assert (
        admin_client.post(f"/admin/accounts/apitoken/{token.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    revoked = admin_client.post(
        "/admin/accounts/apitoken/", {"action": "revoke_tokens", "_selected_action": [token.pk]}
    )

    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [e.object_id for e in _audited("accounts.revoke_token")] == [str(token.pk)]


def test_unlocking_in_the_admin_is_audited(admin_client: Client, planner: Any) -> None:
    Client().post("/accounts/login/", {"username": planner.username, "password": "wrong"})
    attempt = AccessAttempt.objects.get(username=planner.username)

    done = admin_client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})

    assert done.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert [e.object_id for e in _audited("admin.delete.axes.accessattempt")] == [str(attempt.pk)]


def test_the_sign_in_log_cannot_be_deleted(admin_client: Client, planner: Any) -> None:
    Client().post("/accounts/login/", {"username": planner.username, "password": PASSWORD})
    log = AccessLog.objects.get(username=planner.username)

    assert admin_client.post(f"/admin/axes/accesslog/{log.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=log.pk).exists()


def test_group_permissions_changed_in_the_admin_are_audited(admin_client: Client) -> None:
    permission = Permission.objects.get(codename="change_user")

    done = admin_client.post("/admin/auth/group/add/", {"name": "admins", "permissions": [permission.pk]})

    assert done.status_code == 302
    group = Group.objects.get(name="admins")
    assert _audited("admin.add.auth.group")[0].object_id == str(group.pk)
    (relations,) = _audited("admin.change_relations.auth.group")
    assert "change_user" in relations.changes or "Can change user" in relations.changes
