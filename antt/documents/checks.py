"""Deploy checks: production needs its own documents master key and a font with Vietnamese letters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


@checks.register(checks.Tags.security, deploy=True)
def documents_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    problems: list[checks.CheckMessage] = []
    if not getattr(settings, "ANTT_DOCUMENTS_KEYS", ""):
        problems.append(
            checks.Warning(
                "ANTT_DOCUMENTS_KEYS is not set: classified documents would be refused.",
                hint="Run `antt documents new-key` and set ANTT_DOCUMENTS_KEYS=<id>:<key> (docs/documents.md).",
                id="antt.documents.W001",
            )
        )
    else:
        from antt.documents import crypto

        crypto.master_keys.cache_clear()
        try:
            crypto.master_keys()
        except ImproperlyConfigured as exc:
            problems.append(checks.Error(str(exc), id="antt.documents.E001"))
    from antt.documents import marking

    try:
        marking.font_path()
    except ImproperlyConfigured as exc:
        problems.append(checks.Warning(str(exc), id="antt.documents.W002"))
    return problems
