"""Reads with access checks: a document the reader may not see does not exist for them (404)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import require
from antt.documents import access
from antt.documents.models import Copy, Document, Grant
from antt.documents.services import may_manage
from antt.events.models import Event


def documents_for(
    user: Any, event: Event, *, at: datetime | None = None, plan_id: int | None = None
) -> QuerySet[Document]:
    require(user, "documents.view", event)
    documents = access.readable(access.reader_for(user, event), event, at or timezone.now())
    if plan_id is not None:
        documents = documents.filter(plans=plan_id)
    return documents.select_related("owner_unit", "custodian")


def may_open(user: Any, document: Document, at: datetime) -> bool:
    """Read it, or manage it while cleared for its level (a custodian of a withdrawn document still sees it)."""
    reader = access.reader_for(user, document.event)
    if access.may_read(reader, document, at):
        return True
    return bool(reader and reader.clearance >= document.classification and may_manage(user, document))


def get_document_for(user: Any, event: Event, document_id: Any, *, at: datetime | None = None) -> Document:
    require(user, "documents.view", event)
    document = (
        Document.objects.select_related("event", "owner_unit", "custodian")
        .filter(event=event, pk=id_or_not_found(document_id))
        .first()
    )
    if document is None or not may_open(user, document, at or timezone.now()):
        raise not_found()
    return document


def get_grant_for(user: Any, event: Event, document: Document, grant_id: Any) -> Grant:
    grant = document.grants.filter(pk=id_or_not_found(grant_id)).first()
    if grant is None:
        raise not_found()
    return grant


def register_of(document: Document) -> QuerySet[Copy]:
    return document.copies.select_related("reader", "version").order_by("-number")
