"""The event dashboard's figures, contributed by the apps above ``events``.

``events`` sits below planning, plans and rostering, so it cannot ask them; each of them registers a
provider in its ``AppConfig.ready()``. A provider gets ``(user, event)``, checks what the user may open
(``core.permissions.can``) and returns tiles (a figure with a link to where it is fixed) and panels (short
lists). The event home renders whatever the installed apps contribute, in ``order``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Tile:
    order: int
    label: str | Promise  # what the figure counts
    value: str  # the figure, already formatted
    url: str  # where it is looked at or fixed
    link: str | Promise  # the link's words
    detail: str | Promise = ""
    tone: str = ""  # "bad", "warn", "good" or "" (the left border's colour; the words say it too)


@dataclass(frozen=True)
class Panel:
    order: int
    title: str | Promise
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (text, url or "", aside)
    empty: str | Promise = ""
    url: str = ""
    link: str | Promise = ""


Provider = Callable[[Any, Any], list[Tile | Panel]]
_PROVIDERS: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


def collect(user: Any, event: Any) -> tuple[list[Tile], list[Panel]]:
    parts = [part for provider in _PROVIDERS for part in provider(user, event)]
    tiles = sorted((p for p in parts if isinstance(p, Tile)), key=lambda t: t.order)
    panels = sorted((p for p in parts if isinstance(p, Panel)), key=lambda p: p.order)
    return tiles, panels
