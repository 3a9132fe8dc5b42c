"""In Debian's Chromium: the demo summit's map draws its sites and posts (SVG paths) with no tile server
configured, a popup names a site and links to its gap board; the programme timeline shows items as bars,
stacked on a phone and on an hour axis on a desktop; the duty timeline shows who is where. Screenshots land
in test-results/."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import SHOTS, sign_in

pytestmark = pytest.mark.browser


def test_demo_map_renders_features_without_tiles_and_timelines_show_items(
    page: Any, live_server: Any, settings: Any
) -> None:
    from playwright.sync_api import expect

    from antt.demo import seed as demo

    settings.MAP_TILE_URL = ""
    demo.seed()
    SHOTS.mkdir(exist_ok=True)
    errors: list[str] = []
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    sign_in(page, live_server.url, "demo-planner")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/events/demo-summit/map/")
    expect(page.locator("h1")).to_have_text("Map of sites and posts")
    page.wait_for_selector("#map[data-features-loaded]")
    assert page.get_attribute("#map", "data-features-loaded") not in {"error", "0"}
    paths = page.locator("#map .leaflet-overlay-pane path")
    assert paths.count() > 100  # 21 sites (points, lines, polygons) and 120 posts
    assert page.locator("#map .leaflet-tile-pane img").count() == 0  # no tile server: a grid, no images
    assert page.locator("#map .map-grid-tile").count() > 0
    colours = set(
        page.eval_on_selector_all(
            "#map .leaflet-overlay-pane path", "ps => ps.map(p => p.getAttribute('fill'))"
        )
    )
    assert "#c62828" in colours  # the demo plan has gaps: red
    page.screenshot(path=str(SHOTS / "map-no-tiles.png"), full_page=True)

    # a popup: open the first red site from the page's own data
    page.evaluate(
        """() => {
          const map = document.getElementById('map');
          const path = [...map.querySelectorAll('.leaflet-overlay-pane path')].find(p => p.getAttribute('fill') === '#c62828');
          const r = path.getBoundingClientRect();
          path.dispatchEvent(new MouseEvent('click', {bubbles: true, clientX: r.x + r.width / 2, clientY: r.y + r.height / 2}));
        }"""
    )
    popup = page.locator(".leaflet-popup-content .map-popup")
    expect(popup).to_be_visible()
    expect(popup.get_by_role("link", name="Gap board")).to_have_attribute(
        "href", re.compile(r"^/events/demo-summit/gaps/\?site=\d+$")
    )
    expect(popup).to_contain_text("Uncovered demand")
    page.screenshot(path=str(SHOTS / "map-popup.png"))

    page.goto(f"{live_server.url}/events/demo-summit/timeline/")
    expect(page.locator("h1")).to_have_text("Programme timeline")
    bars = page.locator("#timeline .tl-bar")
    assert bars.count() >= 60  # 60 items, motorcades on several sites' rows
    box = bars.first.bounding_box()
    assert box is not None
    assert box["width"] < 1280 / 2  # positioned on the hour axis, not stretched
    page.screenshot(path=str(SHOTS / "timeline-desktop.png"), full_page=True)

    page.select_option("#f-kind", "motorcade")  # htmx swaps the timeline in place
    expect(page).to_have_url(re.compile(r"kind=motorcade"))
    expect(page.locator("#timeline .tl-k-session")).to_have_count(0)
    assert page.locator("#timeline .tl-k-motorcade").count() > 0

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/events/demo-summit/timeline/?day=")
    first = page.locator("#timeline .tl-bar").first
    expect(first).to_be_visible()
    stacked = first.bounding_box()
    assert stacked is not None
    assert stacked["width"] > 300  # on a phone the bars stack as a list, full width
    page.screenshot(path=str(SHOTS / "timeline-phone.png"), full_page=True)

    page.goto(f"{live_server.url}/events/demo-summit/duties/")
    expect(page.locator("h1")).to_have_text("Duty timeline")
    assert page.locator("#timeline .tl-row").count() > 0
    page.screenshot(path=str(SHOTS / "duties-phone.png"), full_page=True)
    page.locator("#timeline .tl-label a").first.click()  # the first officer's page: skills and duties by day
    expect(page.locator("h2").first).to_have_text("Skills")
    assert page.locator(".tl-bar").count() > 0
    page.screenshot(path=str(SHOTS / "officer-phone.png"), full_page=True)

    # live search on the site list, diacritics ignored, without a reload
    page.goto(f"{live_server.url}/events/demo-summit/sites/")
    expect(page.locator("#results")).to_contain_text("Đà Nẵng International Airport")
    page.get_by_label("Search sites").press_sequentially("hoi an", delay=20)
    expect(page.locator("#results")).not_to_contain_text("Đà Nẵng International Airport")
    expect(page.locator("#results")).to_contain_text("Hội An Ancient Town")
    expect(page).to_have_url(re.compile(r"q=hoi(\+|%20)an"))
    page.screenshot(path=str(SHOTS / "sites-search-phone.png"), full_page=True)

    assert errors == []
