"""The console sweep's page list (tests/browser/pages.py) names every URL pattern outside the API and admin."""

from __future__ import annotations

from tests.browser.pages import NOT_PAGES, NOT_YET_SWEPT, PAGES
from tests.test_url_sweep import _patterns


def test_the_console_sweep_knows_every_page() -> None:
    unknown = sorted(
        name
        for name, route, _pattern in _patterns()
        if not route.startswith(("api/", "admin/", "static/"))
        and name not in PAGES
        and name not in NOT_PAGES
        and name not in NOT_YET_SWEPT
    )
    assert unknown == [], f"add these to tests/browser/pages.py (PAGES or NOT_PAGES): {unknown}"


def test_the_page_list_names_only_patterns_that_exist() -> None:
    names = {name for name, _route, _pattern in _patterns()}
    assert set(PAGES) - names == set()
