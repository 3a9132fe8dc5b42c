"""Every page (tests/browser/pages.py), as every demo role, in Vietnamese and English, at 360 and 1366 px:

- no page scrolls sideways (the document is never wider than the window), and on a phone no table
  scrolls inside its box (tables become cards);
- no raw msgid (an English catalogue string shown untranslated on a Vietnamese page) and no raw code
  (a role, finding kind, audit action, status or skill code) in the visible text;
- an accessibility scan (axe-core, vendored from npm, injected by Playwright) finds nothing serious or
  critical.

Each (role, page) is loaded twice (vi at 360 px, then widened to 1366 px; en at 1366 px, then narrowed to
360 px) in one browser with one tab per language and role; axe (the slow part) scans every page once per
language, as the first role (in ``ROLES`` order) that may open it. Screenshots of the key pages go to
``var/screenshots/`` (kept by CI as artifacts), with ``sweep.txt``, the list of what was checked.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from tests.browser.conftest import CHROMIUM, FLAGS
from tests.browser.pages import PAGES, Objects

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "var" / "screenshots"
AXE = ROOT / "antt" / "core" / "static" / "vendor" / "axe-core" / "axe.min.js"
PHONE, DESKTOP = {"width": 360, "height": 780}, {"width": 1366, "height": 900}
ROLES = (
    "demo-admin",
    "demo-commander",
    "demo-planner",
    "demo-dispatcher",
    "demo-unit",
    "demo-officer",
    "demo-observer",
    "demo-custodian",
)
KEY_PAGES = {  # screenshots: (page, width) as the planner in Vietnamese
    ("events:home", "desktop"): "home_desktop",
    ("planning:gap-board", "desktop"): "gap_board_desktop",
    ("planning:map", "desktop"): "map_desktop",
    ("planning:gap-board", "phone"): "gap_board_phone",
    ("forces:officer-list", "phone"): "officers_phone",
    ("events:home", "phone"): "home_phone",
}
AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
    .map(v => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | ")}`);
}"""
TEXT = "() => document.body.innerText"
WIDE = "() => document.documentElement.scrollWidth - window.innerWidth"
# Two animation frames after a viewport change: the media queries of the new width have been applied.
SETTLED = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# A table that scrolls inside its box hides columns on a phone (the gap board's "Fix" column): cards instead.
CLIPPED = """() => Array.from(document.querySelectorAll(".table-wrap"))
  .filter(el => el.scrollWidth - el.clientWidth > 1).map(el => (el.querySelector("table") || el).id || el.className)"""
CODE_TOKEN = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:[._][a-z0-9]+)+(?![\w/-])")


def _objects() -> Objects:
    from antt.accounts.models import User
    from antt.documents.models import Document
    from antt.events.models import Event, Membership
    from antt.operations.opening import ensure_categories, open_incident
    from antt.planning.models import Assignment, Post, ProgrammeItem, Requirement, Site
    from antt.plans.models import Plan
    from antt.reports.models import Alert, Iap, SitRep
    from antt.rostering.tests.factories import SolverRunFactory

    event = Event.objects.get(code="demo-summit")
    assignment = Assignment.objects.filter(event=event).order_by("pk").first()
    assert assignment is not None
    run = SolverRunFactory(event=event, summary={"status": "feasible"})
    post = Post.objects.filter(event=event).order_by("pk").select_related("site").first()
    assert post is not None
    incident = open_incident(
        actor=User.objects.get(username="demo-dispatcher"),
        event=event,
        category=ensure_categories(event)[0],
        summary="Đám đông tụ tập trước cổng / A crowd gathers at the gate",
        post=post,
        site=post.site,
    )

    def first(model: Any) -> int:
        return int(model.objects.filter(event=event).order_by("pk").values_list("pk", flat=True)[0])

    return Objects(
        code=event.code,
        site_id=Site.objects.filter(event=event).order_by("pk").values_list("pk", flat=True)[0],
        officer_id=assignment.officer_id,
        requirement_id=Requirement.objects.filter(event=event).order_by("pk").values_list("pk", flat=True)[0],
        assignment_id=assignment.pk,
        plan_id=Plan.objects.filter(event=event).order_by("pk").values_list("pk", flat=True)[0],
        run_id=run.pk,
        membership_id=Membership.objects.filter(event=event, user__username="demo-observer").get().pk,
        post_id=post.pk,
        item_id=first(ProgrammeItem),
        iap_id=first(Iap),
        sitrep_id=first(SitRep),
        alert_id=first(Alert),
        document_id=first(Document),
        incident_id=incident.pk,
    )


def _untranslated() -> set[str]:
    """English msgids with a different Vietnamese translation: seen verbatim on a vi page, they are raw."""
    from django.conf import settings
    from django.utils.translation import get_language_info, trans_real

    catalog = trans_real.translation("vi")._catalog  # type: ignore[attr-defined]
    own_names = {get_language_info(code)["name_local"] for code, _name in settings.LANGUAGES}  # the switcher
    return {
        key
        for key in catalog.keys()  # noqa: SIM118 - a TranslationCatalog is no dict
        if isinstance(key, str) and "\x04" not in key and len(key) > 3 and catalog[key] not in ("", key)
    } - own_names


def _codes() -> tuple[set[str], set[str]]:
    """(codes with a dot or underscore: never in text, any language; one-word codes: never on a vi page)."""
    from django.apps import apps

    from antt.audit.models import AuditEntry
    from antt.core.permissions import ALL_ACTIONS
    from antt.forces.models import Skill
    from antt.planning.coverage import FindingKind

    values: set[str] = set(ALL_ACTIONS) | {kind.value for kind in FindingKind}
    values |= set(AuditEntry.objects.values_list("action", flat=True).distinct())
    for model in apps.get_models():
        if model.__module__.startswith("antt."):
            for field in model._meta.get_fields():
                for value, _label in getattr(field, "flatchoices", None) or ():
                    if isinstance(value, str):
                        values.add(value)
    skills = set(Skill.objects.values_list("code", flat=True))
    solver_words = {"feasible", "optimal", "infeasible"}
    joined = {v for v in values | skills if re.fullmatch(r"[a-z][a-z0-9]*(?:[._][a-z0-9]+)+", v)}
    single = {v for v in skills if v.isalpha()} | solver_words
    return joined, single


def _segments(text: str) -> set[str]:
    parts: set[str] = set()
    for line in text.splitlines():
        for piece in re.split(r" · |: | — | \| ", line):
            piece = piece.strip(" .:·→←*()")
            if piece:
                parts.add(piece)
    return parts


def _login(context: Any, live_server: Any, username: str, lang: str) -> None:
    from django.conf import settings

    from antt.accounts.models import User
    from antt.core.testing import verified_client

    client = verified_client(User.objects.get(username=username))
    host = live_server.url.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "domain": host,
                "path": "/",
            },
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": lang, "domain": host, "path": "/"},
        ]
    )


def test_every_page_as_every_role_reads_right_fits_a_phone_and_passes_axe(
    audit_flushable: None, live_server: Any, settings: Any
) -> None:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Debian's chromium is needed at {CHROMIUM}: `make test` installs it.")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    from antt.demo import seed as demo

    settings.DEMO = False
    settings.MAP_TILE_URL = ""
    demo.seed()
    objects = _objects()
    raw_msgids = _untranslated()
    joined_codes, single_codes = _codes()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    checked: list[str] = []
    scanned: set[tuple[str, str]] = set()
    # ANTT_SWEEP_PAGES="planning:,reports:home" sweeps only the pages whose name starts with one of these
    # (a slice while fixing a page; CI sweeps them all).
    only = tuple(p for p in os.environ.get("ANTT_SWEEP_PAGES", "").split(",") if p)
    urls = {
        name: reverse(name, kwargs=fill(objects))
        for name, fill in PAGES.items()
        if not only or name.startswith(only)
    }

    def text_problems(text: str, lang: str) -> list[str]:
        found = [f"code {t!r}" for t in CODE_TOKEN.findall(text) if t in joined_codes]
        if lang == "vi":
            found += [f"untranslated {s!r}" for s in _segments(text) if s in raw_msgids]
            # one-word codes (skills, solver states) where a name belongs: alone, or after "vai trò", "kỹ
            # năng", "bộ giải" (free text such as a plan's English body may use the same English words)
            named = set(re.findall(r"(?:vai trò|kỹ năng|bộ giải:?)\s+([a-z_]+)", text))
            found += [f"code {w!r}" for w in sorted((named | _segments(text)) & single_codes)]
        return found

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            for username in ROLES:
                tabs = {}
                for lang in ("vi", "en"):
                    context = browser.new_context(locale="vi-VN" if lang == "vi" else "en-GB")
                    context.add_init_script(path=str(AXE))
                    _login(context, live_server, username, lang)
                    tabs[lang] = context.new_page()
                    tabs[lang].set_default_timeout(20_000)
                for name, url in urls.items():
                    for lang, first, then in (("vi", PHONE, DESKTOP), ("en", DESKTOP, PHONE)):
                        tab = tabs[lang]
                        tab.set_viewport_size(first)
                        try:
                            response = tab.goto(live_server.url + url, wait_until="load")
                        except PlaywrightError as exc:
                            failures.append(f"{username} {lang} {name}: {exc.message.splitlines()[0]}")
                            # a fresh tab: the failed navigation would interrupt the next page's
                            tabs[lang].close()
                            tabs[lang] = tab.context.new_page()
                            tabs[lang].set_default_timeout(20_000)
                            break
                        status = response.status if response is not None else 0
                        if status in (403, 404):
                            break  # not this role's page (the navigation does not offer it)
                        where = f"{username} {lang} {name} ({url})"
                        if status != 200:
                            failures.append(f"{where}: HTTP {status}")
                            break
                        for size in (first, then):
                            tab.set_viewport_size(size)
                            tab.evaluate(
                                SETTLED
                            )  # the resize reaches the page's layout (slow on a busy machine)
                            overflow = tab.evaluate(WIDE)
                            if overflow > 0:
                                failures.append(f"{where} at {size['width']} px: {overflow} px too wide")
                            if size is PHONE:
                                failures += [
                                    f"{where} at 360 px: table scrolls sideways ({t})"
                                    for t in tab.evaluate(CLIPPED)
                                ]
                            label = "phone" if size is PHONE else "desktop"
                            shot = KEY_PAGES.get((name, label))
                            if shot and username == "demo-planner" and lang == "vi":
                                tab.screenshot(
                                    path=str(SCREENSHOTS / f"{shot}.png"), full_page=label == "desktop"
                                )
                        failures += [f"{where}: {p}" for p in text_problems(tab.evaluate(TEXT), lang)]
                        if (name, lang) not in scanned:  # axe once per page and language (the slow part)
                            scanned.add((name, lang))
                            failures += [f"{where}: axe {v}" for v in tab.evaluate(AXE_RUN)]
                        checked.append(where)
                for tab in tabs.values():
                    tab.context.close()
        finally:
            browser.close()
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    (SCREENSHOTS / "sweep.txt").write_text(
        "checked:\n" + "\n".join(checked) + "\n\nproblems:\n" + "\n".join(failures) + "\n", encoding="utf-8"
    )
    assert len(checked) > (10 if only else 100)  # every role opens its own pages: the sweep is not vacuous
    assert failures == [], "\n".join(failures)
