"""Writes about accounts: passwords, two-factor devices, API tokens. Each one is audited."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from antt.accounts.models import ApiToken, User
from antt.audit import services as audit
from antt.core import shortcache
from antt.core.errors import Invalid, NotAllowed, NotFound
from antt.core.lookups import id_or_not_found, not_found

if TYPE_CHECKING:
    from antt.accounts.actors import Actor

BACKUP_CODE_COUNT = 10


@transaction.atomic
def create_user(
    *,
    actor: Actor | None,
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
    revoke_all_tokens(actor=actor, user=user, reason=action)


# --- two-factor -------------------------------------------------------------------------------------------


def confirmed_totp(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def is_verified(user: Actor) -> bool:
    """Whether this request's ``user`` has passed a second factor (django-otp's middleware tells)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def _require_may_enrol(actor: User) -> None:
    """Enrolment before the second factor is only for a person with no confirmed device; replacing a
    device needs the current second factor (or an administrator's reset)."""
    if user_has_device(actor, confirmed=True) and not is_verified(actor):
        raise NotAllowed(
            _(
                "You already have two-factor sign-in. Enter a code from your authenticator app (or a backup "
                "code) first; if you lost them, ask an administrator to reset your two-factor sign-in."
            ),
            code="two_factor_required",
        )


@transaction.atomic
def start_totp_enrolment(*, actor: User) -> TOTPDevice:
    """A fresh, unconfirmed authenticator for ``actor`` (any earlier unconfirmed one is replaced)."""
    _require_may_enrol(actor)
    TOTPDevice.objects.filter(user=actor, confirmed=False).delete()
    return TOTPDevice.objects.create(user=actor, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_totp_enrolment(*, actor: User, device_id: int, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with a code from it; returns the device and new backup codes (shown once).

    A device already confirmed is replaced only in a session that passed the second factor."""
    User.objects.select_for_update().filter(pk=actor.pk).first()  # one enrolment at a time per person
    _require_may_enrol(actor)
    device = TOTPDevice.objects.select_for_update().filter(pk=device_id, user=actor, confirmed=False).first()
    if device is None:
        raise NotFound(_("This enrolment has expired. Start again."))
    if not device.verify_token(token.strip().replace(" ", "")):
        raise Invalid(
            _("That code is wrong or has expired. Enter the 6-digit code your app shows now."), field="token"
        )
    replaced, _count = TOTPDevice.objects.filter(user=actor, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_backup_codes(actor)
    audit.record(
        actor=actor,
        action="accounts.enable_two_factor",
        target=actor,
        changes={"replaced_device": [False, True]} if replaced else None,
    )
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
    revoke_all_tokens(actor=actor, user=user, reason="accounts.reset_two_factor")


# --- API tokens --------------------------------------------------------------------------------------------


def token_lifetimes() -> tuple[timedelta, timedelta]:
    """(default, maximum) lifetime of a personal API token (``ANTT_API_TOKEN_DEFAULT_DAYS``/``_MAX_DAYS``)."""
    return timedelta(days=settings.API_TOKEN_DEFAULT_DAYS), timedelta(days=settings.API_TOKEN_MAX_DAYS)


def signed_in_with_token(user: Actor) -> ApiToken | None:
    """The API token this request's ``user`` was authenticated with, if any (see ``authentication``)."""
    token = getattr(user, "antt_api_token", None)
    return token if isinstance(token, ApiToken) else None


@transaction.atomic
def create_token(*, actor: User, name: str, expires_at: datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal API token; the key is returned once and never stored.

    Only a person signed in through the browser creates tokens (a token cannot mint its successor);
    without an expiry the token gets the default lifetime, and none lives longer than the maximum."""
    if signed_in_with_token(actor) is not None:
        raise NotAllowed(
            _(
                "An API token cannot create tokens. Sign in on the website with your second factor to create one."
            )
        )
    name = (name or "").strip()
    if not name:
        raise Invalid(_("Give the token a name, e.g. 'duty roster export'."), field="name")
    now = timezone.now()
    default, maximum = token_lifetimes()
    if expires_at is None:
        expires_at = now + default
    if expires_at <= now:
        raise Invalid(_("The expiry must be in the future."), field="expires_at")
    if expires_at > now + maximum:
        raise Invalid(
            _("A token may live at most %(days)d days: choose an expiry before %(latest)s.")
            % {"days": maximum.days, "latest": (now + maximum).date().isoformat()},
            field="expires_at",
        )
    key, prefix, digest = ApiToken.generate()
    token = ApiToken.objects.create(
        user=actor, name=name[:100], prefix=prefix, key_hash=digest, expires_at=expires_at
    )
    audit.record(
        actor=actor,
        action="accounts.create_token",
        target=token,
        changes={"name": [None, token.name], "expires_at": [None, expires_at]},
    )
    return token, key


@transaction.atomic
def revoke_all_tokens(*, actor: Actor, user: User, reason: str) -> int:
    """Revoke every usable token of ``user`` (after a password change or a second-factor reset)."""
    tokens = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    if not tokens:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in tokens]).update(revoked_at=timezone.now())
    shortcache.forget()  # (``update`` sends no signal) the sign-ins this process keeps; other processes: within seconds
    audit.record(
        actor=actor,
        action="accounts.revoke_all_tokens",
        target=user,
        changes={"tokens": [[t.pk for t in tokens], None], "reason": [None, reason]},
    )
    return len(tokens)


@transaction.atomic
def admin_revoke_tokens(*, actor: Actor, tokens: Any) -> int:
    """An administrator revokes tokens (the admin's only write on tokens), each one audited."""
    if not actor.has_perm("accounts.change_user"):
        raise NotAllowed(_("Only administrators may revoke another person's tokens."))
    count = 0
    for token in ApiToken.objects.select_for_update().filter(
        pk__in=[t.pk for t in tokens], revoked_at__isnull=True
    ):
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.revoke_token", target=token)
        count += 1
    return count


@transaction.atomic
def revoke_token(*, actor: User, token_id: Any) -> ApiToken:
    pk = id_or_not_found(token_id)  # bounded to the database's range: 10**30 is "not found", never a 500
    token = ApiToken.objects.select_for_update().filter(pk=pk, user=actor).first()
    if token is None:
        raise not_found()
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="accounts.revoke_token", target=token)
    return token


# --- sign-in events (the audit trail keeps them in the global chain: they belong to no event) ------------


def _username(value: Any) -> str:
    return str(value or "")[:150]


@transaction.atomic
def record_sign_in(*, user: User) -> None:
    """The password was right (the second factor, when required, comes next)."""
    audit.record(actor=user, action="accounts.sign_in", target=user)


@transaction.atomic
def record_sign_in_failure(*, username: Any, locked_out: bool) -> None:
    """A refused sign-in: the username as typed, never the password."""
    audit.record(
        actor=None,
        action="accounts.sign_in_locked_out" if locked_out else "accounts.sign_in_failed",
        object_type="accounts.user",
        object_repr=_username(username),
        changes={"username": [None, _username(username)]},
    )


@transaction.atomic
def record_two_factor(*, user: User, passed: bool, method: str = "") -> None:
    """A second-factor attempt: passed or failed, and with what kind of device; never the code."""
    audit.record(
        actor=user,
        action="accounts.two_factor_passed" if passed else "accounts.two_factor_failed",
        target=user,
        changes={"method": [None, method]} if method else None,
    )
