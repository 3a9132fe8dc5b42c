# mypy: disable-error-code="arg-type, attr-defined"
"""A planner registers a post's NFC tags on its check-in proof page: keys typed in or made here and shown
once, never in the trail; a tap with those keys checks in; a retired tag no longer counts; bad input is
refused clearly and writes nothing; nobody else can do it."""

from __future__ import annotations

import json
from typing import Any

import pytest

from antt.audit.models import AuditEntry
from antt.core.errors import Invalid
from antt.operations import field_services as fs
from antt.operations import ntag
from antt.operations.models import CheckIn, NfcTag
from antt.operations.tests.field_setup import at, on_duty
from antt.planning.tests.factories import PostFactory

pytestmark = pytest.mark.django_db
UID = bytes.fromhex("04A1B2C3D4E5F6")


@pytest.fixture
def duty(event: Any, field_officer: Any, time_machine: Any) -> Any:
    d = on_duty(event, field_officer)
    time_machine.move_to(at(d, 5), tick=False)
    return d


def _url(event: Any, post: Any, tail: str = "") -> str:
    return f"/events/{event.code}/posts/{post.pk}/proof/{tail}"


def _tap(meta_key: str, file_key: str, counter: int) -> fs.Proof:
    return fs.Proof(
        nfc_e=ntag.encrypt_picc(bytes.fromhex(meta_key), UID, counter).hex(),
        nfc_c=ntag.sdm_mac(bytes.fromhex(file_key), UID, counter).hex(),
    )


def test_keys_made_here_are_shown_once_kept_out_of_the_trail_and_a_tap_with_them_checks_in(
    as_user: Any, planner: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    client = as_user(planner)
    answer = client.post(_url(event, duty.post, "tags/"), {"uid": "04:a1:b2:c3:d4:e5:f6"})
    assert answer.status_code == 201
    assert "no-store" in answer["Cache-Control"]
    tag = NfcTag.objects.get(post=duty.post)
    assert tag.uid == "04A1B2C3D4E5F6"
    assert len(tag.meta_key) == len(tag.file_key) == 32
    assert tag.meta_key != tag.file_key
    page = answer.content.decode()
    assert tag.meta_key in page
    assert tag.file_key in page  # shown once, to be written to the tag …
    later = client.get(_url(event, duty.post)).content.decode()
    assert "04A1B2C3D4E5F6" in later
    assert tag.meta_key not in later  # … and never again
    entry = AuditEntry.objects.get(action="operations.register_tag")
    assert json.loads(entry.changes)["uid"] == [None, "04A1B2C3D4E5F6"]
    assert tag.meta_key not in entry.changes
    assert tag.file_key not in entry.changes

    row = fs.check_in(
        actor=field_officer,
        event=event,
        post=duty.post,
        proof=_tap(tag.meta_key, tag.file_key, 1),
        orders_digest=duty.digest,
    )
    assert row.proofs["nfc"] is True


def test_typed_keys_are_kept_and_bad_input_is_refused_clearly_writing_nothing(
    as_user: Any, planner: Any, event: Any, duty: Any
) -> None:
    client = as_user(planner)
    url = _url(event, duty.post, "tags/")
    key_a, key_b = "00112233445566778899aabbccddeeff", "ffeeddccbbaa99887766554433221100"
    bad = [
        ({"uid": "04A1B2C3"}, "uid", "14 hexadecimal digits"),
        ({"uid": "04A1B2C3D4E5ZZ"}, "uid", "14 hexadecimal digits"),
        ({"uid": "04A1B2C3D4E5F6", "meta_key": key_a}, "file_key", "32 hexadecimal digits"),
        ({"uid": "04A1B2C3D4E5F6", "meta_key": key_a, "file_key": "1234"}, "file_key", "32 hexadecimal"),
    ]
    for form, field, words in bad:
        refused = client.post(url, form)
        assert refused.status_code == 400, form
        assert words in " ".join(refused.context["tag_form"].errors[field])
    vi = client.post(url, {"uid": "x"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert vi.status_code == 400
    assert "14 chữ số thập lục phân" in " ".join(vi.context["tag_form"].errors["uid"])
    assert not NfcTag.objects.exists()
    assert not AuditEntry.objects.filter(action="operations.register_tag").exists()

    done = client.post(url, {"uid": "04a1b2c3d4e5f6", "meta_key": key_a, "file_key": key_b})
    assert done.status_code == 201
    assert key_a.upper() not in done.content.decode()  # typed keys are not echoed back
    tag = NfcTag.objects.get()
    assert (tag.meta_key, tag.file_key) == (key_a.upper(), key_b.upper())

    # The same UID again, even at another post of the event: 409, naming where it is.
    other = PostFactory(event=event, site=duty.post.site)
    again = client.post(_url(event, other, "tags/"), {"uid": "04A1B2C3D4E5F6"})
    assert again.status_code == 409
    assert duty.post.code in " ".join(again.context["tag_form"].non_field_errors())
    assert NfcTag.objects.count() == 1


def test_a_retired_tag_stops_counting_at_once(
    as_user: Any, planner: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    key = "00112233445566778899AABBCCDDEEFF"
    as_user(planner).post(
        _url(event, duty.post, "tags/"), {"uid": UID.hex(), "meta_key": key, "file_key": key}
    )
    tag = NfcTag.objects.get()
    gone = as_user(planner).post(_url(event, duty.post, f"tags/{tag.pk}/retire/"))
    assert gone.status_code == 302
    tag.refresh_from_db()
    assert not tag.is_active
    assert AuditEntry.objects.filter(action="operations.retire_tag").count() == 1
    with pytest.raises(Invalid, match="not valid"):
        fs.check_in(
            actor=field_officer,
            event=event,
            post=duty.post,
            proof=_tap(key, key, 1),
            orders_digest=duty.digest,
        )
    assert not CheckIn.objects.exists()


def test_only_planners_register_or_retire_tags(
    as_user: Any, planner: Any, dispatcher: Any, field_officer: Any, event: Any, duty: Any
) -> None:
    tag = NfcTag.objects.create(
        event=event, post=duty.post, uid=UID.hex().upper(), meta_key="0" * 32, file_key="1" * 32
    )
    for user in (dispatcher, field_officer):
        assert as_user(user).post(_url(event, duty.post, "tags/"), {"uid": "04A1B2C3D4E5F7"}).status_code in (
            403,
            404,
        )
        assert as_user(user).post(_url(event, duty.post, f"tags/{tag.pk}/retire/")).status_code in (403, 404)
    # A tag named under another post's URL is not found either.
    other = PostFactory(event=event, site=duty.post.site)
    assert as_user(planner).post(_url(event, other, f"tags/{tag.pk}/retire/")).status_code == 404
    assert NfcTag.objects.get().is_active
    assert NfcTag.objects.count() == 1
