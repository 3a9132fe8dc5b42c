"""The two languages ANTT speaks: Vietnamese (the default) and English."""

from __future__ import annotations

from django.utils.translation import get_language


def current_language() -> str:
    """``"en"`` when the active language is English, else ``"vi"`` (what the vi/en message tables take)."""
    return "en" if (get_language() or "vi").startswith("en") else "vi"
