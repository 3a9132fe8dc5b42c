"""The event's navigation: which pages exist, under which heading, and which action opens each.

One table for the sidebar, the breadcrumbs and the event dashboard. An entry is shown only when the
permission table (``core.permissions.can``) allows one of its actions — the same action the view asks
for — so the navigation never offers a page that answers 403. URL names are strings: ``core`` imports
no domain app.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from antt.core.permissions import can


@dataclass(frozen=True)
class Link:
    url_name: str
    label: str | Promise
    any_of: tuple[str, ...]  # the view's action(s): the link shows when one of them is allowed
    icon: str = ""


@dataclass(frozen=True)
class Section:
    label: str | Promise
    links: tuple[Link, ...]


SECTIONS: tuple[Section, ...] = (
    Section(
        pgettext_lazy("navigation", "Overview"),
        (Link("events:home", _("Dashboard"), ("event.view",), "home"),),
    ),
    Section(
        pgettext_lazy("navigation", "Plan"),
        (
            Link("planning:setup", _("Build the plan"), ("planning.change",)),
            Link("planning:gap-board", _("Gap board"), ("coverage.view",), "gaps"),
            Link("planning:editor", _("Assignment editor"), ("planning.assign", "planning.assign_own_unit")),
            Link("rostering:run-list", _("Roster solver"), ("planning.view",)),
            Link("plans:list", _("Plans and contingency plans"), ("planning.view",)),
            Link("planning:publish", _("Publish the roster"), ("planning.publish",)),
            Link("interop:home", _("Import and export"), ("planning.view",)),
        ),
    ),
    Section(
        pgettext_lazy("navigation", "Day of the event"),
        (
            Link("operations:board", _("Operations board"), ("operations.view",)),
            Link("operations:coverage-now", _("Planned vs present"), ("operations.view",)),
            Link("operations:field-app", _("Field app"), ("operations.report",)),
        ),
    ),
    Section(
        pgettext_lazy("navigation", "Briefing and documents"),
        (
            Link("reports:home", _("Briefing and reports"), ("reports.view",)),
            Link("documents:list", _("Classified documents"), ("documents.view",)),
        ),
    ),
    Section(
        pgettext_lazy("navigation", "Browse"),
        (
            Link("planning:map", _("Map"), ("planning.view",)),
            Link("planning:programme-timeline", _("Programme timeline"), ("planning.view",)),
            Link("planning:site-list", _("Sites"), ("planning.view",)),
            Link("planning:duty-timeline", _("Duty timeline"), ("forces.view",)),
            Link("forces:officer-list", _("Officers"), ("forces.view",)),
            Link("forces:unit-list", _("Units"), ("forces.view",)),
        ),
    ),
    Section(
        pgettext_lazy("navigation", "Mine"),
        (
            Link("planning:my-unit", _("My unit"), ("planning.assign_own_unit",)),
            Link("planning:my-duties", _("My duties"), ("planning.view_own",)),
            Link("reports:feeds", _("Duty calendar"), ("event.view",)),
        ),
    ),
    Section(
        pgettext_lazy("navigation", "Administration"),
        (
            Link("events:edit", _("Edit the event"), ("event.change",)),
            Link("events:members", _("Members"), ("membership.view",)),
            Link("audit:list", _("Audit trail"), ("audit.view",)),
        ),
    ),
)

# Pages below a navigation entry: their breadcrumb passes through the entry (detail → its list).
PARENTS: dict[str, str] = {
    "planning:site-detail": "planning:site-list",
    "planning:officer-detail": "forces:officer-list",
    "planning:editor-requirement": "planning:editor",
    "planning:editor-assignment": "planning:editor",
    "rostering:run-detail": "rostering:run-list",
    "plans:detail": "plans:list",
    "plans:create": "plans:list",
    "plans:edit": "plans:list",
    "plans:version": "plans:list",
    "plans:diff": "plans:list",
    "interop:forces-import": "interop:home",
    "events:member-change": "events:members",
}

_BY_NAME: dict[str, Link] = {link.url_name: link for section in SECTIONS for link in section.links}


def allowed(user: Any, event: Any, link: Link) -> bool:
    return any(can(user, action, event) for action in link.any_of)


def _url(link: Link, event: Any) -> str | None:
    try:
        return reverse(link.url_name, kwargs={"code": event.code})
    except NoReverseMatch:  # an app that is not installed
        return None


def current_entry(view_name: str) -> str:
    """The navigation entry a page belongs to (itself, or its parent page)."""
    return PARENTS.get(view_name, view_name)


def event_sections(user: Any, event: Any, view_name: str = "") -> list[dict[str, Any]]:
    """The sections with the links ``user`` may open in ``event``; the current page marked active."""
    active = current_entry(view_name)
    out = []
    for section in SECTIONS:
        links = []
        for link in section.links:
            url = _url(link, event) if allowed(user, event, link) else None
            if url is not None:
                links.append({"url": url, "label": link.label, "active": link.url_name == active})
        if links:
            out.append({"label": section.label, "links": links})
    return out


def breadcrumbs(user: Any, event: Any | None, view_name: str) -> list[dict[str, Any]]:
    """Events > the event > the page's navigation entry (when the page is below it)."""
    crumbs: list[dict[str, Any]] = [{"url": reverse("events:list"), "label": _("Events")}]
    if event is None:
        return crumbs
    crumbs.append({"url": reverse("events:home", kwargs={"code": event.code}), "label": event.name})
    entry = current_entry(view_name)
    link = _BY_NAME.get(entry)
    if link is not None and entry != "events:home" and entry != view_name and allowed(user, event, link):
        url = _url(link, event)
        if url is not None:
            crumbs.append({"url": url, "label": link.label})
    return crumbs
