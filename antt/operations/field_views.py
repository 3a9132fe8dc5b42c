"""The field pages: the phone app (``/events/<code>/field/``, its manifest and service worker), the post's
rotating code for the supervisor's device, report photos (never from a public path) and the "now" board."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from antt.core.middleware import allow_features
from antt.events import queries as event_queries
from antt.operations import field_queries, field_services, proofs
from antt.operations.opening import ensure_categories

APP_VERSION = "field-2"
LEAFLET = ("vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css")


@login_required
@require_GET
@allow_features(geolocation=["self"], camera=["self"])
def field_app(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.report")
    now = timezone.now()
    officer, duties = field_queries.my_duties(request.user, event, now)
    radii = field_queries.proof_radii([d.assignment.post_id for d in duties])
    for d in duties:
        d.map_path = _svg_map(d.assignment.post.geometry)  # type: ignore[attr-defined]
    categories = [
        {"code": c.code, "name": c.name, "priority": c.default_priority} for c in ensure_categories(event)
    ]
    boot = {
        "event": event.code,
        "api": f"/api/v1/events/{event.code}/field/",
        "duties": [
            {
                "assignment": d.assignment.pk,
                "post": d.assignment.post_id,
                "digest": d.orders_digest,
                "acknowledged": d.acknowledged,
                "checkedIn": d.checked_in,
                "startsAt": d.assignment.starts_at.isoformat(),
                "endsAt": d.assignment.ends_at.isoformat(),
                "geometry": d.assignment.post.geometry or None,
                "radius": radii.get(d.assignment.post_id),
            }
            for d in duties
        ],
        # The map: tiles only when configured (docs/map.md); without them, or offline, a blank grid.
        "tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }
    return render(
        request,
        "operations/field/app.html",
        {
            "event": event,
            "officer": officer,
            "duties": duties,
            "now": now,
            "categories": categories,
            "boot": boot,
            "reports": field_queries.my_reports(request.user, event, limit=5),
            "leaflet_js": static(LEAFLET[0]),
            "leaflet_css": static(LEAFLET[1]),
        },
    )


def _svg_map(geometry: dict[str, Any] | None) -> str:
    """The post's geometry on a blank grid (SVG path data) — the map that needs no tiles."""
    if not geometry:
        return ""
    kind = geometry.get("type")
    coords = geometry.get("coordinates") or []
    points = [coords] if kind == "Point" else coords if kind == "LineString" else coords[0] if coords else []
    if not points:
        return ""
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    span = max(max(xs) - min(xs), max(ys) - min(ys), 0.0005) * 1.4
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2

    def xy(p: list[float]) -> str:
        return f"{50 + (p[0] - cx) / span * 100:.1f},{50 - (p[1] - cy) / span * 100:.1f}"

    if kind == "Point":
        return f"M{xy(points[0])} m-4,0 a4,4 0 1,0 8,0 a4,4 0 1,0 -8,0"
    path = " L".join(xy(p) for p in points)
    return f"M{path}{' Z' if kind == 'Polygon' else ''}"


@login_required
@require_GET
def manifest(request: HttpRequest, code: str) -> JsonResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.report")
    start = reverse("operations:field-app", args=[event.code])
    return JsonResponse(
        {
            "name": f"ANTT · {event.name}",
            "short_name": "ANTT",
            "start_url": start,
            "scope": start,
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b3d91",
            "lang": "vi",
            "icons": [
                {"src": static("field/icon-192.png"), "sizes": "192x192", "type": "image/png"},
                {"src": static("field/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            ],
        },
        content_type="application/manifest+json",
    )


@login_required
@require_GET
def service_worker(request: HttpRequest, code: str) -> HttpResponse:
    event = event_queries.get_event_for(request.user, code, action="operations.report")
    start = reverse("operations:field-app", args=[event.code])
    shell = [
        start,
        static("field/field.js"),
        static("field/field.css"),
        static("field/icon-192.png"),
        *(static(name) for name in LEAFLET),
    ]
    body = (
        f"const CACHE = {json.dumps(APP_VERSION + ':' + event.code)};\n"
        f"const SHELL = {json.dumps(shell)};\nconst START = {json.dumps(start)};\n" + _SW_SOURCE
    )
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


_SW_SOURCE = """
self.addEventListener('install', (e) => {
  e.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});
self.addEventListener('activate', (e) => { e.waitUntil(self.clients.claim()); });
self.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (e.request.method !== 'GET' || url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  if (url.pathname === START) {
    // The page: network first with a short wait (fresh duties), the cached copy when offline or slow.
    e.respondWith(
      Promise.race([
        fetch(e.request).then((r) => { if (r.ok) { const copy = r.clone(); caches.open(CACHE).then((c) => c.put(START, copy)); } return r; }),
        new Promise((resolve) => setTimeout(() => caches.match(START).then((m) => m && resolve(m)), 800)),
      ]).catch(() => caches.match(START))
    );
    return;
  }
  if (url.pathname.startsWith('/static/')) {
    e.respondWith(caches.match(e.request).then((m) => m || fetch(e.request).then((r) => {
      const copy = r.clone(); caches.open(CACHE).then((c) => c.put(e.request, copy)); return r; })));
  }
});
self.addEventListener('sync', (e) => {
  if (e.tag === 'outbox') e.waitUntil(self.clients.matchAll().then((cs) => cs.forEach((c) => c.postMessage('flush'))));
});
"""


@login_required
@require_GET
@never_cache
def post_code(request: HttpRequest, code: str, post_id: int) -> HttpResponse:
    """The post's rotating code as a QR (changes every 30 s; the page reloads itself at the next step)."""
    import segno

    event = event_queries.get_event_for(request.user, code)
    post = field_queries.get_code_post_for(request.user, event, post_id)
    secret = field_services.post_proof(post).secret
    now = timezone.now()
    step, value = proofs.code_at(secret, now)
    url = request.build_absolute_uri(reverse("operations:field-app", args=[event.code]))
    payload = f"{url}?post={post.pk}&t={step}&k={value}"
    qr = segno.make(payload, error="m")
    next_step = proofs.step_start(step + 1)
    return render(
        request,
        "operations/field/code.html",
        {
            "event": event,
            "post": post,
            "svg": qr.svg_inline(scale=6, border=4, dark="#000", light="#fff"),
            "refresh": max(1, int((next_step - now).total_seconds()) + 1),
            "valid_until": next_step,
            "payload": payload,
        },
    )


@login_required
@require_GET
def photo(request: HttpRequest, code: str, photo_id: int) -> FileResponse:
    event = event_queries.get_event_for(request.user, code)
    found = field_queries.get_photo_for(request.user, event, photo_id)
    response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def coverage_now(request: HttpRequest, code: str) -> HttpResponse:
    """The gap board's "now" view: planned vs present per post, and the live findings."""
    event = event_queries.get_event_for(request.user, code, action="operations.view")
    now = timezone.now()
    posts, findings = field_queries.live_coverage(request.user, event, now)
    return render(
        request,
        "operations/field/now.html",
        {
            "event": event,
            "now": now,
            "posts": posts,
            "findings": findings,
            "checks": list(field_queries.unit_check_ins(request.user, event, limit=50)),
            "horizon": timedelta(hours=12),
        },
    )
