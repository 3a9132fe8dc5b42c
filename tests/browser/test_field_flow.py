"""In headless Chromium at phone size, the field officer's day: open today's duty, acknowledge the orders,
check in with the post's rotating code (the QR on a second page, read with the vendored jsQR decoder), report
an incident with a photo; then 100 reports filed offline reach the server once each when the network is back.
And the field page's first and repeat load under a slow-3G-like profile (figures printed)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.browser.conftest import CHROMIUM, FLAGS, SHOTS, sign_in

pytestmark = pytest.mark.browser

EVENT = "demo-summit"
ICON = Path(__file__).resolve().parents[2] / "antt" / "operations" / "static" / "field" / "icon-512.png"
JSQR = "/static/vendor/jsqr/jsQR.js"


def _inside(geometry: dict[str, Any]) -> tuple[float, float]:
    coords = geometry["coordinates"]
    if geometry["type"] == "Point":
        return coords[1], coords[0]
    ring = coords[0] if geometry["type"] == "Polygon" else coords
    return sum(c[1] for c in ring) / len(ring), sum(c[0] for c in ring) / len(ring)


def _seed_duty_now() -> Any:
    from antt.accounts.models import User
    from antt.demo import seed as demo
    from antt.demo.now import shift_to_now
    from antt.planning.models import Assignment

    demo.seed()
    shift_to_now(actor=User.objects.get(username=demo.ADMIN.username), event_code=EVENT)
    return (
        Assignment.objects.filter(event__code=EVENT, officer__user__username="demo-officer")
        .order_by("starts_at")
        .first()
    )


def _warm(base: str) -> None:
    """The live server's first request loads the whole URL configuration (seconds on a busy machine)."""
    import urllib.request

    urllib.request.urlopen(base + "/accounts/login/", timeout=120).close()  # noqa: S310 (the live server)


def _decode_qr(page: Any, png: bytes, base_url: str) -> str:
    """Read the QR with jsQR (vendored, same origin) inside a page: no network, no Python decoder needed."""
    import base64

    page.add_script_tag(url=base_url + JSQR)
    return str(
        page.evaluate(
            """async (src) => {
                const img = new Image(); img.src = src; await img.decode();
                const c = document.createElement('canvas'); c.width = img.width; c.height = img.height;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0);
                const found = jsQR(g.getImageData(0, 0, c.width, c.height).data, c.width, c.height);
                return found ? found.data : '';
            }""",
            "data:image/png;base64," + base64.b64encode(png).decode(),
        )
    )


def _wait_outbox_empty(page: Any, timeout: float = 60, *, until: Any = None) -> None:
    """Wait until the outbox is empty and, when given, `until` (a queryset) finds the row the click sends.

    The outbox is also empty *before* a click's handler has queued anything (the check-in first asks the
    phone for its position, up to 5 s): an empty outbox alone proves nothing was lost, not that it arrived.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if page.evaluate("() => window.anttOutbox.count()") == 0 and (until is None or until.exists()):
            return
        page.wait_for_timeout(200)
    raise AssertionError(
        f"outbox holds {page.evaluate('() => window.anttOutbox.count()')}; "
        f"{'arrived' if until is None or until.exists() else 'nothing arrived'}"
    )


def test_field_officer_checks_in_with_the_rotating_code_reports_and_files_100_reports_offline(
    page: Any, live_server: Any
) -> None:
    from playwright.sync_api import expect

    from antt.operations.models import CheckIn, FieldReport, OrdersAcknowledgement, ReportPhoto

    duty = _seed_duty_now()
    assert duty is not None
    lat, lon = _inside(duty.post.geometry)
    SHOTS.mkdir(exist_ok=True)
    base = live_server.url
    _warm(base)
    page.context.grant_permissions(["geolocation"], origin=base)
    page.context.set_geolocation({"latitude": lat, "longitude": lon, "accuracy": 8})
    sign_in(page, base, "demo-officer")

    page.goto(f"{base}/events/{EVENT}/field/")
    section = page.locator(f'.duty[data-post="{duty.post_id}"]').first
    expect(section).to_contain_text(duty.post.code)
    expect(section.locator(".orders")).to_contain_text(duty.post.orders[:20])
    page.screenshot(path=str(SHOTS / "field-today.png"), full_page=True)
    section.get_by_role("button", name="I have read the orders").click()
    acks = OrdersAcknowledgement.objects.filter(post=duty.post, officer=duty.officer)
    _wait_outbox_empty(page, until=acks)
    assert acks.count() == 1

    # The supervisor's device shows the rotating code; the test reads its QR like a camera would.
    supervisor = page.context.browser.new_context(locale="en-US", viewport={"width": 800, "height": 900})
    code_page = supervisor.new_page()
    sign_in(code_page, base, "demo-dispatcher")
    code_page.goto(f"{base}/events/{EVENT}/posts/{duty.post_id}/code/")
    shot = code_page.locator("#post-code svg").screenshot()
    (SHOTS / "post-code.png").write_bytes(shot)
    scanned = _decode_qr(code_page, shot, base)
    supervisor.close()
    assert f"post={duty.post_id}&t=" in scanned

    section.locator("input[name=code]").fill(scanned)
    section.get_by_role("button", name="Check in").click()
    _wait_outbox_empty(page, until=CheckIn.objects.filter(officer=duty.officer, kind="in"))
    check = CheckIn.objects.get(officer=duty.officer, kind="in")
    assert check.proofs["code"] is True
    assert check.proofs["position"] is True
    assert check.is_strong

    report = page.locator("#report")
    report.locator("select[name=category]").select_option("suspicious_object")
    report.locator("textarea[name=text]").fill("Ba lô không người trông giữ cạnh cổng")
    report.locator("input[name=photos]").set_input_files(str(ICON))
    report.get_by_role("button", name="Send report").click()
    _wait_outbox_empty(page, until=ReportPhoto.objects.filter(report__text__startswith="Ba lô"))
    sent = FieldReport.objects.get(text__startswith="Ba lô")
    assert sent.post_id == duty.post_id
    assert sent.incident.category.code == "suspicious_object"
    photo = ReportPhoto.objects.get(report=sent)
    with photo.file.open("rb") as f:
        assert f.read(2) == b"\xff\xd8"  # resized to a JPEG on the phone

    # Offline: 100 reports wait in the outbox, then arrive once each.
    before = FieldReport.objects.count()
    page.context.set_offline(True)
    for n in range(100):
        report.locator("textarea[name=text]").fill(f"Báo cáo ngoại tuyến {n:03d}")
        report.get_by_role("button", name="Send report").click()
    expect(page.locator("#outbox-status")).to_have_text("100 waiting to send")
    page.screenshot(path=str(SHOTS / "field-offline-100.png"))
    assert FieldReport.objects.count() == before
    page.context.set_offline(False)
    _wait_outbox_empty(page, timeout=120)
    texts = list(
        FieldReport.objects.filter(text__startswith="Báo cáo ngoại tuyến").values_list("text", flat=True)
    )
    assert sorted(texts) == [f"Báo cáo ngoại tuyến {n:03d}" for n in range(100)]
    assert FieldReport.objects.count() == before + 100
    assert page.evaluate("() => window.anttOutbox.failed()") == []

    # The map of the post: Leaflet draws the post's geometry on the blank grid, also with no network
    # (Leaflet comes from the service worker's cache; no tiles are configured or reachable).
    page.context.set_offline(True)
    page.reload()
    mapped = page.locator(f'.duty[data-post="{duty.post_id}"] .postmap.live')
    expect(mapped.locator(".leaflet-overlay-pane path").first).to_be_visible()
    expect(mapped.locator(".grid-tile").first).to_be_visible()
    mapped.screenshot(path=str(SHOTS / "field-map-offline.png"))
    page.context.set_offline(False)


def test_field_page_under_a_slow_3g_profile_loads_within_3_s_and_from_the_service_worker_within_1_s(
    live_server: Any, audit_flushable: None, settings: Any
) -> None:
    import os

    from playwright.sync_api import sync_playwright

    _seed_duty_now()
    settings.DEMO = False
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    base = live_server.url
    _warm(base)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        context = browser.new_context(locale="en-US", viewport={"width": 390, "height": 844})
        tab = context.new_page()
        sign_in(tab, base, "demo-officer")
        tab.goto(f"{base}/events/")
        cdp = context.new_cdp_session(tab)
        cdp.send("Network.enable")
        cdp.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": 400,
                "downloadThroughput": 400_000 / 8,
                "uploadThroughput": 400_000 / 8,
            },
        )
        sizes: list[int] = []
        cdp.on("Network.loadingFinished", lambda e: sizes.append(int(e["encodedDataLength"])))
        started = time.monotonic()
        tab.goto(f"{base}/events/{EVENT}/field/", wait_until="load")
        first = time.monotonic() - started
        first_bytes = sum(sizes)
        tab.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)
        started = time.monotonic()
        tab.reload(wait_until="load")
        repeat = time.monotonic() - started
        print(
            f"\nfield page, slow 3G (400 kbit/s, 400 ms RTT): first load {first:.2f} s "
            f"({first_bytes / 1024:.1f} KB on the wire), repeat load from the service worker {repeat:.2f} s"
        )
        context.close()
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    assert first <= 3.0
    assert repeat <= 1.0
