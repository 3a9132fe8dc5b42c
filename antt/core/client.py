"""The client's address: one definition for lockout (django-axes), logs and the audit trail.

``ANTT_PROXY_COUNT`` is the number of reverse proxies in front of ANTT that each append the address they
saw to ``X-Forwarded-For``:

- ``0`` (direct): the socket address (``REMOTE_ADDR``); ``X-Forwarded-For`` is ignored, whoever sent it.
- ``N``: the N-th address from the right of ``X-Forwarded-For``, the one our nearest proxy of the chain
  of N wrote; everything to its left came from the client and is not trusted. A request with fewer
  addresses than that did not pass through all the proxies: its socket address is used.

uvicorn must agree: ``--no-proxy-headers`` when direct (otherwise it replaces the socket address with the
header from a loopback peer), ``--proxy-headers --forwarded-allow-ips=<proxy ip>`` behind proxies; see
docs/operations.md, "Security / Bảo mật".
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings


def _address(value: str) -> str | None:
    """``value`` as a normalised IP address (a port or IPv6 brackets removed), or None."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [2001:db8::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 203.0.113.9:51234
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: Any) -> str | None:
    """The address of the person making ``request``, from the configured number of trusted proxies."""
    meta = getattr(request, "META", {})
    socket_address = _address(meta.get("REMOTE_ADDR") or "")
    proxies = int(getattr(settings, "PROXY_COUNT", 0) or 0)
    if proxies <= 0:
        return socket_address
    hops = [hop for hop in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return socket_address
    return _address(hops[-proxies]) or socket_address
