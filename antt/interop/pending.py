"""Uploaded files between the preview and the confirmation of a forces import.

The preview keeps the files here and gives the page a random token; the session holds only that token.
Confirming needs the same user, the same event and a token younger than :data:`LIFETIME`; the files are
removed when the import is written, a person's new preview replaces their previous one in that event, and
every expired upload is removed whenever a new one is kept (so the files held stay bounded).
Working data, not a change of the plan: nothing here is audited (the import itself is).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils import timezone

from antt.core.permissions import require
from antt.interop.models import PendingUpload, PendingUploadFile

if TYPE_CHECKING:
    from antt.accounts.actors import Actor
    from antt.accounts.models import User
    from antt.events.models import Event

LIFETIME = timedelta(hours=1)


@transaction.atomic
def keep(*, user: Actor, event: Event, files: list[tuple[str, bytes]]) -> str:
    """Store ``files`` for ``user`` in ``event``; return the token that fetches them back."""
    require(user, "forces.change", event)
    person = cast("User", user)  # require() refused anyone signed out
    now = timezone.now()
    purge_expired(now=now)
    PendingUpload.objects.filter(user=person, event=event).delete()  # one preview at a time per person
    upload = PendingUpload.objects.create(
        token=secrets.token_urlsafe(32), user=person, event=event, created_at=now
    )
    PendingUploadFile.objects.bulk_create(
        PendingUploadFile(upload=upload, position=n, name=name[:255], content=content)
        for n, (name, content) in enumerate(files)
    )
    return upload.token


def files_for(*, token: str, user: Actor, event: Event) -> list[tuple[str, bytes]] | None:
    """The files kept under ``token`` by this user for this event, or None (unknown, someone else's, expired)."""
    upload = PendingUpload.objects.filter(
        token=token, user=cast("User", user), event=event, created_at__gt=timezone.now() - LIFETIME
    ).first()
    if upload is None or not token:
        return None
    return [(f.name, bytes(f.content)) for f in upload.files.all()]


def discard(*, token: str, user: Actor) -> None:
    """Remove the upload (after the import was written)."""
    PendingUpload.objects.filter(token=token, user=cast("User", user)).delete()


def purge_expired(*, now: datetime | None = None) -> int:
    """Remove every upload older than :data:`LIFETIME`; return how many."""
    cutoff = (now or timezone.now()) - LIFETIME
    _total, by_model = PendingUpload.objects.filter(created_at__lte=cutoff).delete()
    return by_model.get(PendingUpload._meta.label, 0)
