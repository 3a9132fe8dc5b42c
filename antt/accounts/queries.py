"""Reads about accounts: does this person need a second factor?"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.conf import settings
from django_otp import user_has_device

from antt.core.permissions import DEFAULT_OTP_OPTIONAL_ROLES, OTP_ALWAYS_REQUIRED_ROLES

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User


def requires_two_factor(user: Actor) -> bool:
    """Whether ``user`` must pass a second factor before using ANTT.

    Anyone who has enrolled a device uses it. Otherwise it is required for staff and for every membership
    whose role the event does not list as optional (observers and field officers by default) and for
    the roles that are never optional (``OTP_ALWAYS_REQUIRED_ROLES``), whatever the event says. Demo
    accounts skip it only while ``ANTT_DEMO=1``.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if settings.DEMO and getattr(user, "is_demo", False):
        return False
    if user_has_device(user, confirmed=True):
        return True
    if user.is_staff or user.is_superuser:
        return True
    from django.apps import apps

    membership_model = apps.get_model("events", "Membership")
    for role, optional in membership_model.objects.filter(
        user=cast("User", user), is_active=True
    ).values_list("role", "event__otp_optional_roles"):
        if role in OTP_ALWAYS_REQUIRED_ROLES:  # whatever the event's setting says (old data included)
            return True
        if role not in (optional if isinstance(optional, list) else DEFAULT_OTP_OPTIONAL_ROLES):
            return True
    return False
