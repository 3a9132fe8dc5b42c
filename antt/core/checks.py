"""System checks: production must not start with demo accounts or without an audit key."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.db import DatabaseError


@register("antt", deploy=True)
def check_production_values(app_configs: Any, **kwargs: Any) -> list[Any]:
    problems: list[Any] = []
    if not settings.AUDIT_KEY:
        problems.append(
            Warning(
                "ANTT_AUDIT_KEY is not set: audit checkpoints cannot be signed.",
                hint="Set ANTT_AUDIT_KEY (or ANTT_AUDIT_KEY_FILE) to a long random secret.",
                id="antt.W001",
            )
        )
    if settings.DEMO:
        problems.append(
            Error("ANTT_DEMO=1 is for the local demo only.", hint="Unset ANTT_DEMO.", id="antt.E002")
        )
    return problems


@register("database")
def check_no_demo_accounts(app_configs: Any, databases: Any = None, **kwargs: Any) -> list[Any]:
    """Outside the demo, active demo accounts (published passwords) must not exist."""
    if settings.DEMO or not databases:
        return []
    from django.contrib.auth import get_user_model

    try:
        count = get_user_model().objects.filter(is_demo=True, is_active=True).count()
    except DatabaseError:
        return []
    if count:
        return [
            Error(
                f"{count} demo account(s) with published passwords are active.",
                hint="Run 'antt demo --disable-accounts' or deactivate them before running in production.",
                id="antt.E001",
            )
        ]
    return []
