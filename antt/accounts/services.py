"""Writes about accounts: passwords, two-factor devices, API tokens. Each one is audited."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.accounts.models import ApiToken, User
from antt.audit import services as audit
from antt.core.errors import Invalid, NotAllowed, NotFound

BACKUP_CODE_COUNT = 10


@transaction.atomic
def create_user(
    *,
    actor: Any,
    username: str,
    password: str | None,
    full_name: str = "",
    email: str = "",
    is_demo: bool = False,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create an account (used by the admin, the demo and imports)."""
    if actor is not None and not actor.has_perm("accounts.add_user"):
        raise NotAllowed(_("Only administrators may create accounts."))
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        is_demo=is_demo,
        is_staff=is_staff,
        is_superuser=is_superuser,
    )
    if password:
        if not is_demo:
            _validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise Invalid(" ".join(m for ms in exc.message_dict.values() for m in ms)) from exc
    user.refresh_search_text()
    user.save()
    audit.record(
        actor=actor,
        action="accounts.create_user",
        target=user,
        changes={"username": [None, username], "is_staff": [None, is_staff]},
    )
    return user


def _validate_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise Invalid(" ".join(exc.messages), field="new_password1") from exc


@transaction.atomic
def change_password(*, actor: User, user: User, new_password: str) -> None:
    """Set a new password: by the user themself, or by an administrator (a reset)."""
    if actor.pk != user.pk and not actor.has_perm("accounts.change_user"):
        raise NotAllowed(_("Only administrators may reset another person's password."))
    _validate_password(new_password, user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    action = "accounts.change_password" if actor.pk == user.pk else "accounts.reset_password"
    audit.record(actor=actor, action=action, target=user)


# --- two-factor -------------------------------------------------------------------------------------------


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@transaction.atomic
def start_totp_enrolment(*, actor: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for ``actor`` (any earlier unconfirmed one is replaced)."""
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, actor: User, device_id: int, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code from it; returns the device and new backup codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=actor, confirmed=False).first()
    if device is None:
        raise NotFound(_("This enrolment has expired. Start again."))
    if not device.verify_token(token.strip().replace(" ", "")):
        raise Invalid(
            _("That code is wrong or has expired. Enter the 6-digit code your app shows now."), field="token"
        )
    TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(actor)
    audit.record(actor=actor, action="accounts.enable_two_factor", target=actor)
    return device, codes


def _new_backup_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=_("Backup codes"), confirmed=True)
    codes = [f"{secrets.randbelow(10**8):08d}" for _i in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


@transaction.atomic
def regenerate_backup_codes(*, actor: User) -> list[str]:
    if confirmed_totp(actor) is None:
        raise Invalid(_("Set up an authenticator app first."))
    codes = _new_backup_codes(actor)
    audit.record(actor=actor, action="accounts.regenerate_backup_codes", target=actor)
    return codes


@transaction.atomic
def reset_two_factor(*, actor: User, user: User) -> None:
    """An administrator removes a person's devices (lost phone); they enrol again at next sign-in."""
    if not actor.has_perm("accounts.change_user"):
        raise NotAllowed(_("Only administrators may reset two-factor sign-in."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit.record(actor=actor, action="accounts.reset_two_factor", target=user)


# --- API tokens --------------------------------------------------------------------------------------------


@transaction.atomic
def create_token(*, actor: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal API token; the key is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Give the token a name, e.g. 'duty roster export'."), field="name")
    if expires_at is not None and expires_at <= timezone.now():
        raise Invalid(_("The expiry must be in the future."), field="expires_at")
    key, prefix, digest = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor, name=name[:100], prefix=prefix, key_hash=digest, expires_at=expires_at
    )
    audit.record(
        actor=actor, action="accounts.create_token", target=token, changes={"name": [None, token.name]}
    )
    return token, key


@transaction.atomic
def revoke_token(*, actor: User, token_id: Any) -> ApiToken:
    try:
        pk = int(token_id)
    except (TypeError, ValueError):
        raise NotFound(_("Not found, or you do not have access.")) from None
    token = ApiToken.objects.select_for_update().filter(pk=pk, user=actor).first()
    if token is None:
        raise NotFound(_("Not found, or you do not have access."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.revoke_token", target=token)
    return token
