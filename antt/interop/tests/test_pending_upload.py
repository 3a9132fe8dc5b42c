"""Between preview and confirmation the uploaded files stay on the server, bound to one user and event.

The session holds only a random token (it used to carry up to 2 x 10 MB of base64); another user, another
event or an hour's wait makes the token worthless.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from antt.forces.models import Unit
from antt.interop import pending
from antt.interop.models import PendingUpload
from antt.interop.tests.conftest import UNITS_HEADER
from antt.interop.views import SESSION_KEY

pytestmark = pytest.mark.django_db

CSV_UNITS = ",".join(UNITS_HEADER) + "\nCAT-QN,Công an tỉnh Quảng Nam,Quảng Nam Police,,\n"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def url(event: Any) -> str:
    return f"/events/{event.code}/interop/import-forces/"


def preview(client: Any, event: Any) -> str:
    upload = SimpleUploadedFile("units.csv", CSV_UNITS.encode(), content_type="text/csv")
    response = client.post(url(event), {"file": upload})
    assert response.status_code == 200
    return str(response.context["token"])


def test_the_session_holds_only_the_token_not_the_file(as_user: Any, planner: Any, event: Any) -> None:
    client = as_user(planner)
    token = preview(client, event)
    assert client.session[SESSION_KEY] == {"token": token, "event": event.code}
    assert "Quảng Nam" not in str(dict(client.session.items()))
    assert pending.files_for(token=token, user=planner, event=event) == [("units.csv", CSV_UNITS.encode())]
    again = preview(client, event)  # a new preview replaces the previous one
    assert list(PendingUpload.objects.values_list("token", flat=True)) == [again]
    token = again
    assert client.post(url(event), {"confirm": "1", "token": token}).context["done"]
    assert Unit.objects.filter(event=event, code="CAT-QN").exists()
    assert not PendingUpload.objects.exists()  # removed once the import is written


def test_another_user_cannot_use_the_token(as_user: Any, planner: Any, commander: Any, event: Any) -> None:
    token = preview(as_user(planner), event)
    assert pending.files_for(token=token, user=commander, event=event) is None
    thief = as_user(commander)
    session = thief.session
    session[SESSION_KEY] = {"token": token, "event": event.code}
    session.save()
    response = thief.post(url(event), {"confirm": "1", "token": token})
    assert response.status_code == 400
    assert response.context["expired"]
    assert not Unit.objects.filter(event=event).exists()


def test_the_token_is_bound_to_its_event(planner: Any, event: Any, other_event: Any) -> None:
    token = pending.keep(user=planner, event=event, files=[("units.csv", b"x")])
    assert pending.files_for(token=token, user=planner, event=other_event) is None
    assert pending.files_for(token="", user=planner, event=event) is None


def test_an_upload_expires_after_an_hour_and_is_cleaned_up(
    as_user: Any, planner: Any, commander: Any, event: Any
) -> None:
    client = as_user(planner)
    token = preview(client, event)
    PendingUpload.objects.filter(token=token).update(created_at=LONG_AGO)
    response = client.post(url(event), {"confirm": "1", "token": token})
    assert response.status_code == 400
    assert response.context["expired"]
    assert not Unit.objects.filter(event=event).exists()
    fresh = pending.keep(user=commander, event=event, files=[("units.csv", b"x")])
    assert list(PendingUpload.objects.values_list("token", flat=True)) == [fresh]  # the expired one is gone
    PendingUpload.objects.update(created_at=LONG_AGO)
    assert pending.purge_expired() == 1
    assert not PendingUpload.objects.exists()
