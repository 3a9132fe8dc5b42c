# mypy: disable-error-code="arg-type"
"""The audit trail page a commander reads: actions and values in words, before/after, links, filters, and
a formula-safe CSV export that is access-checked and recorded in the trail itself."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest

from antt.accounts.tests.factories import UserFactory
from antt.audit.models import AuditEntry
from antt.core.permissions import Role
from antt.events import services

pytestmark = pytest.mark.django_db


def _page(client: Any, event: Any, query: str = "") -> str:
    response = client.get(f"/events/{event.code}/audit/{query}")
    assert response.status_code == 200
    return response.content.decode().split('id="entries"')[1]  # the entries, not the filters' options


def test_actions_and_values_read_as_words_with_before_and_after(
    as_user: Any, commander: Any, event: Any
) -> None:
    member = services.add_member(actor=commander, event=event, user=UserFactory(), role=Role.OBSERVER)
    services.change_member(actor=commander, membership=member, role=Role.FIELD_OFFICER)
    page = _page(as_user(commander), event)
    assert "Added a member" in page
    assert "Changed a member&#x27;s role" in page
    assert "<td>Observer</td><td>Field officer</td>" in page  # before → after, by their names
    assert "field_officer" not in page
    assert "observer" not in page  # the role recorded with "Added a member" too
    assert "events.change_member" not in page


def test_filters_by_who_what_and_when(as_user: Any, commander: Any, event: Any, time_machine: Any) -> None:
    time_machine.move_to(datetime(2026, 11, 1, 3, 0, tzinfo=UTC))  # 10:00 in Hồ Chí Minh City
    services.change_event_status(actor=commander, event=event, status="active")
    services.add_member(actor=commander, event=event, user=UserFactory(), role=Role.OBSERVER)
    client = as_user(commander)
    only_status = _page(client, event, "?action=events.change_status")
    assert "Changed the event&#x27;s status" in only_status
    assert "Added a member" not in only_status
    nobody = _page(client, event, "?actor=someone-else")
    assert "No entries." in nobody
    assert "No entries." in _page(client, event, "?since=2026-11-02")
    assert "Added a member" in _page(client, event, "?since=2026-11-01&until=2026-11-01")


def test_a_site_entry_links_to_the_sites_page(as_user: Any, commander: Any, event: Any) -> None:
    from antt.planning.tests.factories import SiteFactory

    site: Any = SiteFactory(event=event)
    from antt.audit import services as audit

    audit.record(
        actor=commander,
        action="planning.update_site",
        target=site,
        event=event,
        changes={"name_vi": ["A", "B"]},
    )
    page = _page(as_user(commander), event)
    assert f'href="/events/{event.code}/sites/{site.pk}/"' in page
    assert "Edited a site" in page


def test_a_grant_recorded_on_its_document_names_the_grants_fields(
    as_user: Any, commander: Any, event: Any
) -> None:
    from antt.audit import services as audit

    audit.record(
        actor=commander,
        action="documents.grant",
        target=event,
        object_type="documents.document",  # as documents.services records it: on the document
        event=event,
        changes={
            "grant": [None, 7],
            "kind": [None, "person"],
            "user": [None, commander.pk],
            "valid": [None, ["2026-11-01T00:00:00+00:00", "2026-12-01T00:00:00+00:00"]],
        },
    )
    page = _page(as_user(commander), event)
    assert "Granted access to a document" in page
    assert (
        '<th scope="row">kind</th><td>—</td><td>Person</td>' in page
    )  # the grant's field and choice in words
    assert '<th scope="row">person</th>' in page  # the grant's ``user`` field is named "person"
    assert '<th scope="row">grant no.</th>' in page
    assert '<th scope="row">valid from, until</th>' in page
    assert '<th scope="row">user</th>' not in page


def test_the_csv_export_is_formula_safe_filtered_and_recorded(
    as_user: Any, commander: Any, event: Any
) -> None:
    user = UserFactory(username="=cmd|calc")
    services.add_member(actor=commander, event=event, user=user, role=Role.OBSERVER)
    response = as_user(commander).get(f"/events/{event.code}/audit/export.csv?action=events.add_member")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "No."
    assert [row[5] for row in rows[1:]] == ["events.add_member"]
    assert rows[1][4] == "Added a member"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    exported = AuditEntry.objects.filter(chain=event.pk, action="events.export_audit").get()
    assert exported.actor_name == commander.username
    assert '"rows":1' in exported.changes


def test_the_export_is_for_those_who_may_read_the_trail(
    as_user: Any, planner: Any, outsider: Any, event: Any
) -> None:
    assert as_user(planner).get(f"/events/{event.code}/audit/export.csv").status_code == 403
    assert as_user(outsider).get(f"/events/{event.code}/audit/export.csv").status_code == 404
    assert not AuditEntry.objects.filter(action="events.export_audit").exists()
