"""The IAP's content (JSON) turned into printable rows in one language, then into a PDF."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from antt.reports import printing


def _pick(row: dict[str, Any], name: str, language: str) -> str:
    vi, en = row.get(f"{name}_vi") or "", row.get(f"{name}_en") or ""
    return (en or vi) if language == "en" else (vi or en)


def _svg(points: list[dict[str, Any]], posts: list[dict[str, Any]], language: str) -> str:
    """A plain map: sites (labelled) and posts on a lon/lat frame; no tiles (nothing fetched)."""
    every = points + posts
    if not every:
        return ""
    lons = [p["lon"] for p in every]
    lats = [p["lat"] for p in every]
    w, h, pad = 760.0, 900.0, 40.0
    span = max(max(lons) - min(lons), max(lats) - min(lats), 1e-4)

    def xy(p: dict[str, Any]) -> tuple[float, float]:
        return (
            pad + (p["lon"] - min(lons)) / span * (w - 2 * pad),
            h - pad - (p["lat"] - min(lats)) / span * (h - 2 * pad),
        )

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0f} {h:.0f}" width="180mm">']
    parts.append(f'<rect x="0" y="0" width="{w:.0f}" height="{h:.0f}" fill="#f7f7f2" stroke="#888"/>')
    for p in posts:
        x, y = xy(p)
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#1f5fbf"/>')
    from django.utils.html import escape

    for p in points:
        x, y = xy(p)
        colour = "#c00" if p["kind"] == "hospital" else "#222"
        parts.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="{colour}"/>')
        label = escape(f"{p['code']} {_pick(p, 'name', language)}")
        parts.append(
            f'<text x="{x + 8:.1f}" y="{y + 4:.1f}" font-size="13" font-family="DejaVu Sans">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def document(content: dict[str, Any], language: str) -> dict[str, Any]:
    """Rows ready to print, in ``language``."""
    tz = content["event"]["time_zone"]

    def t(value: str) -> str:
        return printing.local(value, tz)

    def hm(value: str) -> str:
        return printing.local(value, tz, "%H:%M %d/%m")

    c = content
    return {
        "event": _pick(c["event"], "name", language),
        "period": _pick(c["period"], "name", language),
        "window": f"{t(c['period']['starts_at'])} - {t(c['period']['ends_at'])}",
        "objectives": [
            {
                "code": p["code"],
                "version": p["version"],
                "title": _pick(p, "title", language),
                "text": _pick(p, "text", language),
                "tasks": p["tasks"],
            }
            for p in c["ics202"]["objectives"]
        ],
        "emphasis": [
            {
                "code": p["code"],
                "version": p["version"],
                "title": _pick(p, "title", language),
                "trigger": _pick(p, "trigger", language),
            }
            for p in c["ics202"]["emphasis"]
        ],
        "activities": [
            {
                "code": a["code"],
                "name": _pick(a, "name", language),
                "when": f"{hm(a['starts_at'])} - {hm(a['ends_at'])}",
            }
            for a in c["ics202"]["activities"]
        ],
        "units": [{**u, "name": _pick(u, "name", language)} for u in c["ics203"]["units"]],
        "assignments": [
            {
                "code": u["code"],
                "name": _pick(u, "name", language),
                "rows": [
                    {
                        "post": r[0],
                        "post_name": r[2] if language == "en" else r[1],
                        "site": r[3],
                        "when": f"{hm(r[4])} - {hm(r[5])}",
                        "officer": f"{r[7]} ({r[6]})",
                        "call_sign": r[8],
                    }
                    for r in u["rows"]
                ],
            }
            for u in c["ics204"]["units"]
        ],
        "orders": [
            {"code": o["code"], "name": _pick(o, "name", language), "orders": o["orders"]}
            for o in c["ics204"]["orders"]
        ],
        "channels": c["ics205"]["channels"],
        "medical_posts": [{**p, "name": _pick(p, "name", language)} for p in c["ics206"]["posts"]],
        "hospitals": [{**h, "name": _pick(h, "name", language)} for h in c["ics206"]["hospitals"]],
        "standby": [
            {"post": r[0], "when": f"{hm(r[1])} - {hm(r[2])}", "officer": r[3], "call_sign": r[4]}
            for r in c["ics206"]["standby"]
        ],
        "map_svg": _svg(c["map"]["sites"], c["map"]["posts"], language),
        "sites": [{**s, "name": _pick(s, "name", language)} for s in c["map"]["sites"]],
    }


def render(
    content: dict[str, Any], *, language: str, number: int, content_hash: str, approved: bool
) -> bytes:
    with translation.override(language):
        doc = document(content, language)
        title = _("Incident Action Plan · %(event)s · %(period)s") % {
            "event": doc["event"],
            "period": doc["window"],
        }
        version_label = _("Version %(n)d") % {"n": number} + (
            "" if approved else " · " + _("DRAFT, not approved")
        )
    return printing.render_pdf(
        "reports/print/iap.html",
        {"doc": doc, "number": number, "approved": approved},
        language=language,
        classification=content["classification"],
        version_label=version_label,
        content_hash=content_hash,
        title=title,
    )
