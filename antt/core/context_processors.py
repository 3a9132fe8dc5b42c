from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def antt(request: HttpRequest) -> dict[str, Any]:
    return {"ANTT_DEMO": settings.DEMO, "request_id": getattr(request, "request_id", "")}
