"""Every page a person opens in a browser, with how to fill its URL from the demo data.

``tests/test_console_pages.py`` keeps this list complete: a URL pattern that is neither here nor in
``NOT_PAGES`` fails it, so a new page joins the console sweep (``test_console_sweep.py``) the day it is
added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Objects:
    """The demo objects the pages' URLs point at (the summit)."""

    code: str
    site_id: int
    officer_id: int
    requirement_id: int
    assignment_id: int
    plan_id: int
    run_id: int
    membership_id: int
    post_id: int
    item_id: int
    iap_id: int
    sitrep_id: int
    alert_id: int
    document_id: int
    incident_id: int


# name → the URL's keyword arguments (from the demo objects); the query string, if any, after "?".
PAGES: dict[str, Any] = {
    "accounts:account": lambda o: {},
    "accounts:password-change": lambda o: {},
    "events:list": lambda o: {},
    "events:home": lambda o: {"code": o.code},
    "events:members": lambda o: {"code": o.code},
    "forces:officer-list": lambda o: {"code": o.code},
    "forces:unit-list": lambda o: {"code": o.code},
    "planning:gap-board": lambda o: {"code": o.code},
    "planning:editor": lambda o: {"code": o.code},
    "planning:editor-requirement": lambda o: {"code": o.code, "requirement_id": o.requirement_id},
    "planning:editor-assignment": lambda o: {"code": o.code, "assignment_id": o.assignment_id},
    "planning:my-unit": lambda o: {"code": o.code},
    "planning:my-duties": lambda o: {"code": o.code},
    "planning:map": lambda o: {"code": o.code},
    "planning:programme-timeline": lambda o: {"code": o.code},
    "planning:duty-timeline": lambda o: {"code": o.code},
    "planning:site-list": lambda o: {"code": o.code},
    "planning:site-detail": lambda o: {"code": o.code, "site_id": o.site_id},
    "planning:officer-detail": lambda o: {"code": o.code, "officer_id": o.officer_id},
    "interop:home": lambda o: {"code": o.code},
    "interop:forces-import": lambda o: {"code": o.code},
    "plans:list": lambda o: {"code": o.code},
    "plans:create": lambda o: {"code": o.code},
    "plans:detail": lambda o: {"code": o.code, "plan_id": o.plan_id},
    "plans:edit": lambda o: {"code": o.code, "plan_id": o.plan_id},
    "plans:diff": lambda o: {"code": o.code, "plan_id": o.plan_id},
    "plans:version": lambda o: {"code": o.code, "plan_id": o.plan_id, "number": 1},
    "rostering:run-list": lambda o: {"code": o.code},
    "rostering:run-detail": lambda o: {"code": o.code, "run_id": o.run_id},
    "audit:list": lambda o: {"code": o.code},
    "events:create": lambda o: {},
    "events:edit": lambda o: {"code": o.code},
    "planning:setup": lambda o: {"code": o.code},
    "planning:site-new": lambda o: {"code": o.code},
    "planning:site-edit": lambda o: {"code": o.code, "site_id": o.site_id},
    "planning:post-new": lambda o: {"code": o.code},
    "planning:post-edit": lambda o: {"code": o.code, "post_id": o.post_id},
    "planning:item-new": lambda o: {"code": o.code},
    "planning:item-edit": lambda o: {"code": o.code, "item_id": o.item_id},
    "planning:site-delete": lambda o: {"code": o.code, "site_id": o.site_id},
    "planning:post-delete": lambda o: {"code": o.code, "post_id": o.post_id},
    "planning:item-delete": lambda o: {"code": o.code, "item_id": o.item_id},
    "planning:requirement-new": lambda o: {"code": o.code},
    "planning:rest-rules": lambda o: {"code": o.code},
    "planning:publish": lambda o: {"code": o.code},
    "reports:home": lambda o: {"code": o.code},
    "reports:periods": lambda o: {"code": o.code},
    "reports:channels": lambda o: {"code": o.code},
    "reports:iap": lambda o: {"code": o.code, "iap_id": o.iap_id},
    "reports:sitrep": lambda o: {"code": o.code, "sitrep_id": o.sitrep_id},
    "reports:alerts": lambda o: {"code": o.code},
    "reports:alert": lambda o: {"code": o.code, "alert_id": o.alert_id},
    "reports:feeds": lambda o: {"code": o.code},
    "documents:list": lambda o: {"code": o.code},
    "documents:create": lambda o: {"code": o.code},
    "documents:detail": lambda o: {"code": o.code, "document_id": o.document_id},
    "operations:field-app": lambda o: {"code": o.code},
    "operations:post-code": lambda o: {"code": o.code, "post_id": o.post_id},
    "operations:post-proof": lambda o: {"code": o.code, "post_id": o.post_id},
    "operations:coverage-now": lambda o: {"code": o.code},
    "operations:board": lambda o: {"code": o.code},
    "operations:incident-list": lambda o: {"code": o.code},
    "operations:incident-new": lambda o: {"code": o.code},
    "operations:incident": lambda o: {"code": o.code, "incident_id": o.incident_id},
    "operations:me": lambda o: {"code": o.code},
    "operations:settings": lambda o: {"code": o.code},
    "operations:log": lambda o: {"code": o.code},
}

# Patterns that are not pages a person reads: redirects, POST-only actions, files, data, the API, the
# admin (Django's own), the sign-in steps (the sign-in browser test walks them).
NOT_PAGES: set[str] = {
    "home",
    "healthz",
    "favicon",
    "set_language",
    "javascript-catalog",
    "accounts:login",
    "accounts:logout",
    "accounts:otp-verify",
    "accounts:otp-enrol",
    "accounts:token-revoke",
    "accounts:token-create",
    "accounts:backup-codes",
    "events:switch",
    "events:status",
    "events:member-remove",
    "events:member-change",
    "planning:editor-assign",
    "planning:editor-check",
    "planning:editor-bulk",
    "planning:editor-unassign",
    "planning:editor-move",
    "planning:map-features",
    "planning:basemap",
    "interop:forces-template",
    "interop:export-geojson",
    "interop:export-roster",
    "interop:export-scenario",
    "interop:export-audit",
    "audit:export",
    "plans:submit",
    "plans:return",
    "plans:approve",
    "rostering:replan",
    "rostering:run-cancel",
    "rostering:run-apply",
    "api-schema",
    "api-docs",
    "documents:acknowledge",
    "documents:destroy",
    "documents:download",
    "documents:grant",
    "documents:grant-approve",
    "documents:grant-revoke",
    "documents:plans",
    "documents:reclassify",
    "documents:upload",
    "documents:withdraw",
    "forces:officer-account",
    "operations:board-live",
    "operations:board-map",
    "operations:board-updates",
    "operations:escalation-ack",
    "operations:field-manifest",
    "operations:field-photo",
    "operations:field-sw",
    "operations:gap-accept",
    "operations:incident-act",
    "operations:incident-dispatch",
    "operations:incidents-csv",
    "operations:incidents-geojson",
    "operations:log-add",
    "operations:log-csv",
    "operations:nfc-tag-add",
    "operations:nfc-tag-retire",
    "operations:responder-move",
    "planning:requirement-delete",
    "planning:rule-add",
    "planning:rule-delete",
    "plans:withdraw",
    "reports:alert-approve",
    "reports:channel-edit",
    "reports:alert-publish",
    "reports:feed-revoke",
    "reports:iap-approve",
    "reports:iap-generate",
    "reports:iap-pdf",
    "reports:ical",
    "reports:public-alert",
    "reports:public-alerts",
    "reports:roster-post",
    "reports:roster-unit",
    "reports:sitrep-approve",
    "reports:sitrep-draft",
    "reports:sitrep-pdf",
    "reports:sitrep-xml",
    "rostering:officer-search",
    "rostering:run-undo",
}

# Pages the console sweep does not open yet. This set only shrinks: move a page to PAGES with its URL filler.
NOT_YET_SWEPT: set[str] = set()
