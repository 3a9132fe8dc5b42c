"""Who asks: the type of ``request.user`` as Django and DRF give it, for the ``actor``/``user`` of services and
queries. A signed-out visitor is an ``AnonymousUser``; the permission check (``core.permissions``) refuses them,
so a service never acts for one, but the type says what callers may pass."""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser

from antt.accounts.models import User

Actor: TypeAlias = User | AnonymousUser

__all__ = ["Actor", "AnonymousUser", "User"]
