"""Proofs of presence at a post: position in the geofence, the rotating code, the time window.

The rotating code is TOTP-like (RFC 6238 over RFC 4226's truncation): step = Unix time // 30, code =
HOTP(post secret, step), 8 digits. The QR on the supervisor's device carries the post, the step and the code;
the step is what makes a scan prove *when* it was made, even if it reaches the server hours later.
Pure functions; ``PostProof`` rows are made by ``post_proof``.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import math
import secrets
import struct
from datetime import UTC, datetime, timedelta
from typing import Any

STEP_SECONDS = 30
DIGITS = 8
# How far the phone's scan time may be from the code's step and still count (clock error, slow scans).
SCAN_SKEW = timedelta(seconds=120)
EARTH_RADIUS_M = 6_371_008.8


def new_secret() -> str:
    return secrets.token_hex(20)


def hotp(secret_hex: str, counter: int, digits: int = DIGITS) -> str:
    digest = hmac.new(bytes.fromhex(secret_hex), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def step_at(when: datetime) -> int:
    return int(when.timestamp()) // STEP_SECONDS


def step_start(step: int) -> datetime:
    return datetime.fromtimestamp(step * STEP_SECONDS, tz=UTC)


def code_at(secret_hex: str, when: datetime) -> tuple[int, str]:
    step = step_at(when)
    return step, hotp(secret_hex, step)


def check_code(
    secret_hex: str, *, step: int, code: str, device_time: datetime | None, received_at: datetime
) -> datetime | None:
    """The time the scan proves (the step's start), or None when the code is wrong, from the future, or far
    from the phone's scan time."""
    if step < 0 or step > 2**40 or not hmac.compare_digest(hotp(secret_hex, step), str(code)):
        return None
    proven = step_start(step)
    if proven > received_at + timedelta(seconds=STEP_SECONDS):
        return None
    reference = device_time or received_at
    if abs(reference - proven) > SCAN_SKEW:
        return None
    return proven


# --- geometry --------------------------------------------------------------------------------------------


def _xy(lon: float, lat: float, lat0: float) -> tuple[float, float]:
    """Metres on a local equirectangular plane (good to a few metres over a few kilometres)."""
    return (
        math.radians(lon) * EARTH_RADIUS_M * math.cos(math.radians(lat0)),
        math.radians(lat) * EARTH_RADIUS_M,
    )


def _segment_distance(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    ax, ay = a
    bx, by = b
    px, py = p
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / length2))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def _inside_ring(p: tuple[float, float], ring: list[tuple[float, float]]) -> bool:
    x, y = p
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


def distance_m(geometry: dict[str, Any] | None, lat: float, lon: float) -> float | None:
    """Metres from (lat, lon) to a GeoJSON Point, LineString or Polygon (0 inside a polygon); None when the
    post has no geometry."""
    if not geometry or ("coordinates" in geometry and not geometry["coordinates"]):
        return None
    kind = geometry.get("type")
    coords: Any = geometry.get("coordinates") or []
    p = _xy(lon, lat, lat)
    if kind == "Point":
        return math.dist(p, _xy(coords[0], coords[1], lat))
    if kind == "LineString":
        line = [_xy(c[0], c[1], lat) for c in coords]
        if len(line) == 1:
            return math.dist(p, line[0])
        return min(_segment_distance(p, a, b) for a, b in itertools.pairwise(line))
    if kind == "Polygon":
        outer = [_xy(c[0], c[1], lat) for c in coords[0]]
        if _inside_ring(p, outer):
            return 0.0
        return min(_segment_distance(p, a, b) for a, b in zip(outer, outer[1:] + outer[:1], strict=True))
    return None


def within(
    geometry: dict[str, Any] | None, lat: float, lon: float, radius_m: float, accuracy_m: float
) -> bool:
    """Inside the geometry plus ``radius_m``. The phone's accuracy is stored, not added: a fix with an
    accuracy worse than the radius is not a proof."""
    distance = distance_m(geometry, lat, lon)
    return distance is not None and distance <= radius_m and accuracy_m <= radius_m


def orders_digest(text: str) -> str:
    """The version of a post's orders: the SHA-256 of the text as written."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
