"""Registering and retiring the NTAG 424 DNA tags of a post (planners, on the post's check-in proof page).

A tag is programmed with two AES-128 keys (SDMMetaReadKey, SDMFileReadKey) by the tag writer (NXP's
TagXplorer or a phone app). The planner types in the tag's UID and those keys — or leaves the keys empty,
and ANTT makes two random keys, shows them once to be written to the tag, and keeps them. The keys never
appear in the audit trail (its entry names the UID only), nor on any page after that first answer.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.core.errors import Conflict, Invalid
from antt.core.permissions import require
from antt.events.models import Event
from antt.operations.models import NfcTag
from antt.planning.models import Post
from antt.planning.services import writes

_UID = re.compile(r"[0-9A-F]{14}")
_KEY = re.compile(r"[0-9A-F]{32}")


@dataclass(frozen=True)
class Registered:
    tag: NfcTag
    generated: bool  # the keys were made here: show them once, to be written to the tag


def _hex(value: str) -> str:
    return re.sub(r"[\s:-]", "", value or "").upper()


@transaction.atomic
def register_tag(
    *, actor: Any, event: Event, post: Post, uid: str, meta_key: str = "", file_key: str = ""
) -> Registered:
    """Register a tag at ``post``. ``uid``: 7 bytes in hex (14 digits; spaces or colons allowed). Keys:
    16 bytes in hex each, or both empty to have them made here."""
    require(actor, "planning.change", event)
    writes.same_event(event, post=post)
    uid, meta_key, file_key = _hex(uid), _hex(meta_key), _hex(file_key)
    if not _UID.fullmatch(uid):
        raise Invalid(_("Enter the tag's UID: 7 bytes as 14 hexadecimal digits (0-9, A-F)."), field="uid")
    generated = not meta_key and not file_key
    if generated:
        meta_key, file_key = secrets.token_hex(16).upper(), secrets.token_hex(16).upper()
    for name, value in (("meta_key", meta_key), ("file_key", file_key)):
        if not _KEY.fullmatch(value):
            raise Invalid(
                _(
                    "Enter both keys as 32 hexadecimal digits (16 bytes), or leave both empty to have them made."
                ),
                field=name,
            )
    tag = NfcTag(event=event, post=post, uid=uid, meta_key=meta_key, file_key=file_key)
    try:
        with transaction.atomic():
            tag.save()
    except IntegrityError as exc:
        other = NfcTag.objects.filter(event=event, uid=uid).select_related("post").first()
        where = other.post.code if other is not None else "?"
        raise Conflict(
            _("A tag with this UID is already registered in this event (post %(post)s).") % {"post": where}
        ) from exc
    audit.record(
        actor=actor,
        action="operations.register_tag",
        target=tag,
        event=event,
        object_repr=f"{post.code} · {uid}",
        changes={"uid": [None, uid], "post": [None, post.pk], "keys_made_here": [None, generated]},
    )
    return Registered(tag, generated)


@transaction.atomic
def retire_tag(*, actor: Any, event: Event, tag: NfcTag) -> NfcTag:
    """A lost, broken or replaced tag stops counting as proof at once (kept, with its last counter, for the
    record; its UID cannot be registered again in this event)."""
    require(actor, "planning.change", event)
    writes.same_event(event, tag=tag)
    tag = NfcTag.objects.select_for_update().get(pk=tag.pk)
    if not tag.is_active:
        return tag
    tag.is_active = False
    tag.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="operations.retire_tag",
        target=tag,
        event=event,
        object_repr=tag.uid,
        changes={"is_active": [True, False]},
    )
    return tag
