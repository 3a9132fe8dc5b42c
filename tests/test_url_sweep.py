"""Every URL pattern in the project denies by default.

Anonymous → a redirect to sign-in (pages) or 401 (API); a member of *another* event → 404 for anything
under an event; nobody ever gets a 500. New apps are covered automatically: a pattern whose keyword
arguments this sweep does not know how to fill makes the test fail until ``FILLERS`` learns them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

LOGINS = ("/accounts/login/?", "/admin/login/?")  # the site's door, and the admin's own

pytestmark = pytest.mark.django_db

# Pages that anyone may open (the door itself, health, language, static API docs assets).
PUBLIC = {"accounts:login", "healthz", "set_language", "javascript-catalog", "favicon"}
# The public doors of reports: the Atom feed and CAP XML of *published* alerts, and an iCal feed behind its
# secret (antt/reports/tests/test_views.py shows they give nothing else away).
PUBLIC |= {"reports:public-alerts", "reports:public-alert", "reports:ical"}
# Pages a signed-in person reaches before passing a second factor (they redirect when not signed in).
PRE_VERIFICATION = {"accounts:otp-verify", "accounts:otp-enrol", "accounts:logout"}
# Signing out is harmless for someone who is not signed in.
SIGN_OUT = {"accounts:logout", "admin:logout"}


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str, Any]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from _walk(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield name, prefix + str(entry.pattern), entry


def _patterns() -> list[tuple[str, str, Any]]:
    return list(_walk(get_resolver()))


class Objects:
    """The objects of the *other* event that the sweep's URLs point at."""

    def __init__(self, event: Any, outsider_membership: Any) -> None:
        from antt.planning.tests.factories import (
            AssignmentFactory,
            RequirementFactory,
            RequirementRuleFactory,
        )

        self.event = event
        self.membership = outsider_membership
        self.assignment = AssignmentFactory(event=event)
        self.rule = RequirementRuleFactory(programme_item__event=event)
        self.requirement = RequirementFactory(event=event)
        from antt.rostering.tests.factories import SolverRunFactory

        self.run = SolverRunFactory(event=event)
        from antt.plans.tests.factories import make_plan

        self.plan = make_plan(outsider_membership.user, event)
        from antt.reports.tests.factories import sweep_objects

        self.reports = sweep_objects(event, outsider_membership.user)
        from antt.operations.tests.factories import sweep_objects as ops_sweep_objects

        self.ops = ops_sweep_objects(event, self.assignment)


def _document_grant(o: Objects) -> Any:
    """A document of the other event with one grant (made once per sweep)."""
    if not hasattr(o, "grant"):
        from antt.documents.models import Document, Grant

        document = Document.objects.create(event=o.event, title_vi="Tài liệu", custodian=o.membership.user)
        o.grant = Grant.objects.create(
            document=document,
            kind="person",
            user=o.membership.user,
            granted_by=o.membership.user,
            valid_from=o.event.starts_at,
            valid_until=o.event.ends_at,
        )
    return o.grant


def _nfc_tag(o: Objects) -> Any:
    """An NFC tag at the other event's post (made once per sweep)."""
    if not hasattr(o, "nfc_tag"):
        from antt.operations.models import NfcTag

        o.nfc_tag = NfcTag.objects.create(
            event=o.event, post=o.assignment.post, uid="04965A2A4F6E80", meta_key="0" * 32, file_key="1" * 32
        )
    return o.nfc_tag


FILLERS: dict[str, Callable[[Objects], str]] = {
    "code": lambda o: o.event.code,
    "membership_id": lambda o: str(o.membership.pk),
    "token_id": lambda o: "999999",
    "site_id": lambda o: str(o.assignment.post.site_id),
    "post_id": lambda o: str(o.assignment.post_id),
    "unit_id": lambda o: str(o.assignment.officer.unit_id),
    "officer_id": lambda o: str(o.assignment.officer_id),
    "assignment_id": lambda o: str(o.assignment.pk),
    "requirement_id": lambda o: str(o.requirement.pk),
    "item_id": lambda o: str(o.rule.programme_item_id),
    "rule_id": lambda o: str(o.rule.pk),
    "run_id": lambda o: str(o.run.pk),
    "plan_id": lambda o: str(o.plan.pk),
    "number": lambda o: "1",
    "iap_id": lambda o: str(o.reports["iap"]),
    "sitrep_id": lambda o: str(o.reports["sitrep"]),
    "alert_id": lambda o: str(o.reports["alert"]),
    "channel_id": lambda o: str(o.reports["channel"]),
    "feed_id": lambda o: str(o.reports["feed"]),
    "subject_id": lambda o: str(o.assignment.officer.unit_id),
    "event_code": lambda o: o.event.code,
    "secret": lambda o: "not-a-secret",
    "document_id": lambda o: str(_document_grant(o).document_id),
    "grant_id": lambda o: str(_document_grant(o).pk),
    "client_id": lambda o: "6f1c2a9e-4b7d-4c3e-9a51-2d8f0b7e4c11",
    "sos_id": lambda o: "1",
    "photo_id": lambda o: "1",
    "incident_id": lambda o: str(o.ops.incident.pk),
    "responder_id": lambda o: str(o.ops.responder.pk),
    "gap_id": lambda o: str(o.ops.gap.pk),
    "escalation_id": lambda o: str(o.ops.escalation.pk),
    "tag_id": lambda o: str(_nfc_tag(o).pk),
    # Django admin
    "app_label": lambda o: "events",
    "object_id": lambda o: str(o.event.pk),
    "content_type_id": lambda o: "1",
    "url": lambda o: "x",
    "uidb64": lambda o: "MQ",
    "token": lambda o: "x",
    "id": lambda o: "1",
    "pk": lambda o: "1",
    "path": lambda o: "x",
    "format": lambda o: "json",
}


def _url(route: str, pattern: Any, objects: Objects) -> tuple[str, bool]:
    """Fill the route's converters; return (url, scoped to an event?)."""
    import re

    scoped = False
    if hasattr(pattern.pattern, "regex") and not pattern.pattern.converters and route.startswith("^"):
        route = route
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    for name in names:
        if name not in FILLERS:
            raise AssertionError(f"URL {route!r}: teach the sweep how to fill <{name}> (FILLERS)")
        scoped = scoped or name in {"code", "membership_id"}
        route = re.sub(rf"<(?:\w+:)?{name}>", FILLERS[name](objects), route, count=1)
    # regex-style admin patterns
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: FILLERS.get(m.group(1), lambda o: "x")(objects), route)
    route = route.replace("^", "").replace("$", "").replace("\\", "")
    return "/" + route.lstrip("/"), scoped


@pytest.fixture
def sweep(other_event: Any, outsider: Any) -> Objects:
    return Objects(other_event, other_event.memberships.get(user=outsider))


def test_every_url_denies_the_anonymous(client: Any, sweep: Objects) -> None:
    failures = []
    for name, route, pattern in _patterns():
        if name in PUBLIC | SIGN_OUT or route.startswith("static/"):
            continue
        url, _scoped = _url(route, pattern, sweep)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            is_api = url.startswith("/api/")
            ok = (
                response.status_code == 401
                if is_api
                else response.status_code == 302 and response["Location"].startswith(LOGINS)
            )
            if not ok:
                failures.append(f"{method.upper()} {url} ({name}) → {response.status_code}")
    assert failures == [], "\n".join(failures)


@pytest.mark.slow
def test_every_event_url_hides_another_events_objects(
    as_user: Any, event: Any, planner: Any, commander: Any, sweep: Objects
) -> None:
    """Members of ``event`` (even its commander) get 404 for everything of the other event."""
    clients = [as_user(planner), as_user(commander)]
    failures = []
    checked = 0
    for name, route, pattern in _patterns():
        if name in SIGN_OUT:
            continue  # it would end the sweep's own sessions
        url, scoped = _url(route, pattern, sweep)
        for client in clients:
            for method in ("get", "post", "patch", "delete"):
                response = (
                    getattr(client, method)(url, content_type="application/json")
                    if method in {"patch", "delete"}
                    else getattr(client, method)(url)
                )
                if response.status_code >= 500:
                    failures.append(f"{method.upper()} {url} ({name}) → {response.status_code}")
                if scoped and response.status_code not in {404, 405}:
                    failures.append(f"{method.upper()} {url} ({name}) → {response.status_code}, expected 404")
                checked += scoped
    assert failures == [], "\n".join(failures)
    assert checked > 0


def test_sweep_knows_every_pattern(sweep: Objects) -> None:
    names = {name for name, _route, _p in _patterns()}
    assert {
        "events:home",
        "events:members",
        "audit:list",
        "api:event-detail",
        "api:membership-detail",
        "api:site-detail",
        "api:assignment-detail",
        "api:coverage",
        "planning:gap-board",
        "interop:forces-import",
        "api:export-scenario",
        "planning:map-features",
        "planning:site-detail",
        "planning:officer-detail",
    } <= names


def test_a_role_without_the_right_never_sees_a_rule(as_user: Any, sweep: Objects) -> None:
    """Permission first, everywhere: an observer (reads only) who writes to any URL of their event gets 403
    (or 404, 405), never a rule's 400 or 409 ("still has assignments", "the body is not valid"): what a
    rule says about the event's data is for those who may change it."""
    from antt.core.permissions import Role
    from antt.events.tests.factories import MembershipFactory

    observer = MembershipFactory(event=sweep.event, role=Role.OBSERVER).user
    client = as_user(observer)
    failures = []
    checked = 0
    for name, route, pattern in _patterns():
        if name in SIGN_OUT:
            continue
        url, scoped = _url(route, pattern, sweep)
        if not scoped:
            continue
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, data={}, content_type="application/json")
            checked += 1
            if response.status_code not in {403, 404, 405}:
                failures.append(f"{method.upper()} {url} ({name}) → {response.status_code}")
    assert failures == [], "\n".join(failures)
    assert checked > 0
