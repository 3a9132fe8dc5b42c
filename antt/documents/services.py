"""Every write to documents: create, add a version, grant / approve / revoke, reclassify, withdraw, destroy,
issue a marked copy (a read is a write: it is registered and audited), acknowledge reading.

Audit entries name documents by id ("TL-12"), versions by their SHA-256: never a title, never content.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Max
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from antt.audit import services as audit
from antt.audit import writes
from antt.core.errors import Conflict, Invalid, NotAllowed
from antt.core.lookups import not_found
from antt.core.permissions import Clearance, Role, require
from antt.documents import access, crypto, filetypes, marking, storage
from antt.documents.models import Acknowledgement, Copy, Document, DocumentVersion, Grant
from antt.events.models import Event
from antt.forces.models import Officer, Unit
from antt.planning.models import Post, ProgrammeItem

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "ANTT_DOCUMENTS_MAX_BYTES", DEFAULT_MAX_BYTES))


def too_large_message() -> str:
    limit = max_bytes()
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{max(1, limit // 1024)} KB"
    return _("The file is larger than %(limit)s.") % {"limit": size}


def _record(actor: Any, action: str, document: Document, **changes: Any) -> None:
    audit.record(
        actor=actor,
        action=action,
        target=document,
        event=document.event_id,
        object_repr=str(document),
        changes={key: [None, value] for key, value in changes.items()},
    )


# The owner unit and the units above it, and whether ``user`` commands one of them (through their officer): a
# handful of rows by primary key, not the event's every unit (the depth bound only guards against a cycle).
_COMMANDS_SQL = """
WITH RECURSIVE up(id, depth) AS (
    SELECT u.id, 0 FROM {unit} u WHERE u.id = %s AND u.event_id = %s
    UNION ALL
    SELECT p.parent_id, up.depth + 1 FROM up JOIN {unit} p ON p.id = up.id
    WHERE p.parent_id IS NOT NULL AND up.depth < 64
)
SELECT 1 FROM up JOIN {unit} u ON u.id = up.id JOIN {officer} o ON o.id = u.commander_id
WHERE o.user_id = %s LIMIT 1
"""


def may_manage(user: Any, document: Document) -> bool:
    """The custodian of the document, or the commander of its owner unit or of a unit above it (through
    their officer) — the same as ``document.owner_unit_id in commanded_unit_ids(user, event)``."""
    user_id = getattr(user, "pk", None)
    if user_id is None or not getattr(user, "is_authenticated", False):
        return False
    if document.custodian_id == user_id:
        return True
    if not document.owner_unit_id:
        return False
    sql = _COMMANDS_SQL.format(
        unit=connection.ops.quote_name(Unit._meta.db_table),
        officer=connection.ops.quote_name(Officer._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [document.owner_unit_id, document.event_id, user_id])
        return cursor.fetchone() is not None


def _require_manage(actor: Any, document: Document) -> None:
    require(actor, "documents.view", document.event)
    if not may_manage(actor, document):
        if not access.decide(actor, document.event, document.pk, timezone.now()):
            raise not_found()
        raise NotAllowed(_("Only the document's custodian or its owner unit's commander may do this."))


def _require_custodian(actor: Any, document: Document) -> None:
    """Reclassification, withdrawal and destruction: the custodian's alone."""
    _require_manage(actor, document)
    if document.custodian_id != getattr(actor, "pk", None):
        raise NotAllowed(
            _("Only the document's custodian may change its classification, withdraw or destroy it.")
        )


def _locked(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("event").get(pk=document.pk)


# --- documents and versions ------------------------------------------------------------------------------


@transaction.atomic
def create_document(
    *,
    actor: Any,
    event: Event,
    title_vi: str,
    title_en: str = "",
    classification: int = Clearance.CONFIDENTIAL,
    owner_unit: Unit | None = None,
    require_acknowledgement: bool = False,
) -> Document:
    """A new document held by ``actor`` (who must be a document custodian cleared for its level)."""
    require(actor, "documents.manage", event)
    membership = event.membership_for(actor)
    if membership is None or membership.clearance < int(classification):
        raise Invalid(_("Your clearance is below this classification."), field="classification")
    document = Document(
        event=event,
        title_vi=title_vi.strip(),
        title_en=title_en.strip(),
        classification=classification,
        owner_unit=owner_unit,
        custodian=actor,
        require_acknowledgement=require_acknowledgement,
    )
    writes.same_event(event, owner_unit=owner_unit)
    writes.full_clean(document)
    writes.save(document)
    _record(actor, "documents.create", document, classification=int(classification))
    return document


def add_version(*, actor: Any, document: Document, upload: Any, filename: str) -> DocumentVersion:
    """Encrypt ``upload`` (a file object: read in chunks, never whole) as the document's next version.

    The type comes from the content (``filetypes.sniff``); the size is checked while it streams; if anything
    fails half way, the stored ciphertext is removed and no row is written."""
    with transaction.atomic():
        document = _locked(document)
        _require_manage(actor, document)
        if document.state != Document.State.ACTIVE:
            raise Conflict(_("This document is withdrawn or destroyed; it takes no new version."))
    filename = (filename or "").strip()[:200]
    if not filename:
        raise Invalid(_("Choose a file."), field="file")
    kind = filetypes.sniff(upload, filename)
    upload.seek(0)
    version = DocumentVersion(
        document=document, number=0, filename=filename, content_type=kind, size=0, sha256=""
    )
    chunks = iter(lambda: upload.read(64 * 1024), b"")
    try:
        sealed = storage.seal(
            chunks,
            uid=version.uid.bytes,
            name=f"{document.event_id}/{version.uid.hex}.bin",
            max_size=max_bytes(),
        )
    except storage.OversizeError as exc:
        raise Invalid(too_large_message(), field="file") from exc
    try:
        with transaction.atomic():
            document = _locked(document)  # again: a long upload may have raced a withdrawal or destruction
            _require_manage(actor, document)
            if document.state != Document.State.ACTIVE:
                raise Conflict(_("This document is withdrawn or destroyed; it takes no new version."))
            number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
            version.number = number
            version.size = sealed.size
            version.sha256 = sealed.sha256
            version.storage_name = sealed.storage_name
            version.key_id = sealed.key_id
            version.wrapped_key = sealed.wrapped_key
            version.uploaded_by = actor
            version.uploaded_at = timezone.now()
            version.save()
            _record(
                actor,
                "documents.add_version",
                document,
                version=number,
                sha256=sealed.sha256,
                size=sealed.size,
            )
    except BaseException:
        storage.delete(sealed.storage_name)
        raise
    return version


# --- grants ----------------------------------------------------------------------------------------------


@transaction.atomic
def grant(
    *,
    actor: Any,
    document: Document,
    kind: str,
    valid_from: datetime,
    valid_until: datetime,
    user: Any = None,
    unit: Unit | None = None,
    include_subunits: bool = True,
    post: Post | None = None,
    programme_item: ProgrammeItem | None = None,
) -> Grant:
    """Need-to-know for a person, a unit or a duty. A Tuyệt mật grant waits for a second approver."""
    document = _locked(document)
    _require_manage(actor, document)
    if document.state != Document.State.ACTIVE:
        raise Conflict(_("This document is withdrawn or destroyed; it cannot be granted."))
    event = document.event
    writes.same_event(event, unit=unit, post=post, programme_item=programme_item)
    if user is not None and event.membership_for(user) is None:
        raise Invalid(_("This person is not a member of the event."), field="user")
    top_secret = document.classification == Clearance.TOP_SECRET
    row = Grant(
        document=document,
        kind=kind,
        user=user if kind == Grant.Kind.PERSON else None,
        unit=unit if kind == Grant.Kind.UNIT else None,
        include_subunits=include_subunits,
        post=post if kind == Grant.Kind.DUTY else None,
        programme_item=programme_item if kind == Grant.Kind.DUTY else None,
        valid_from=valid_from,
        valid_until=valid_until,
        granted_by=actor,
        state=Grant.State.PENDING if top_secret else Grant.State.ACTIVE,
    )
    writes.full_clean(row)
    writes.save(row)
    _record(
        actor,
        "documents.grant",
        document,
        grant=row.pk,
        kind=kind,
        state=row.state,
        user=row.user_id,
        unit=row.unit_id,
        post=row.post_id,
        programme_item=row.programme_item_id,
        valid=[row.valid_from.isoformat(), row.valid_until.isoformat()],
    )
    return row


@transaction.atomic
def approve_grant(*, actor: Any, grant: Grant) -> Grant:
    """The second approval of a Tuyệt mật grant: by a custodian or commander of the event cleared Tuyệt mật,
    or the owner unit's commander; never by the person who gave the grant."""
    row = Grant.objects.select_for_update().select_related("document__event").get(pk=grant.pk)
    document = row.document
    require(actor, "documents.view", document.event)
    membership = document.event.membership_for(actor)
    cleared = bool(
        membership
        and membership.role in (Role.COMMANDER, Role.DOCUMENT_CUSTODIAN)
        and membership.clearance >= Clearance.TOP_SECRET
    )
    if not (may_manage(actor, document) or cleared):
        raise NotAllowed(
            _(
                "Only a custodian or a commander cleared Tuyệt mật, or the owner unit's commander, may approve."
            )
        )
    if row.granted_by_id == actor.pk:
        raise NotAllowed(_("A grant needs a second person: you gave this one, so you cannot approve it."))
    if row.user_id == actor.pk or access.covers(row, access.reader_for(actor, document.event)):
        raise NotAllowed(_("You cannot approve a grant that gives you access."))
    if row.state != Grant.State.PENDING:
        raise Conflict(_("This grant is not waiting for approval."))
    row.state = Grant.State.ACTIVE
    row.approved_by = actor
    row.save(update_fields=["state", "approved_by", "updated_at"])
    _record(actor, "documents.approve_grant", document, grant=row.pk)
    return row


@transaction.atomic
def revoke_grant(*, actor: Any, grant: Grant) -> Grant:
    row = Grant.objects.select_for_update().select_related("document__event").get(pk=grant.pk)
    _require_manage(actor, row.document)
    if row.state == Grant.State.REVOKED:
        raise Conflict(_("This grant is already revoked."))
    row.state = Grant.State.REVOKED
    row.save(update_fields=["state", "updated_at"])
    _record(actor, "documents.revoke_grant", row.document, grant=row.pk)
    return row


@transaction.atomic
def attach_plans(*, actor: Any, document: Document, plans: Iterable[Any]) -> Document:
    """Set the plans and contingency plans ``document`` belongs to (plans of its own event only)."""
    document = _locked(document)
    _require_manage(actor, document)
    chosen = list(plans)
    for plan in chosen:
        writes.same_event(document.event, plan=plan)
    before = sorted(document.plans.values_list("pk", flat=True))
    document.plans.set(chosen)
    after = sorted(p.pk for p in chosen)
    if before != after:
        audit.record(
            actor=actor,
            action="documents.attach_plans",
            target=document,
            event=document.event_id,
            object_repr=str(document),
            changes={"plans": [before, after]},
        )
    return document


# --- the document's life ----------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give the reason (it is kept in the register)."), field="reason")
    return reason[:2000]


@transaction.atomic
def reclassify(*, actor: Any, document: Document, classification: int, reason: str) -> Document:
    document = _locked(document)
    _require_custodian(actor, document)
    why = _reason(reason)
    if int(classification) not in Clearance.values:
        raise Invalid(_("Choose a classification."), field="classification")
    membership = document.event.membership_for(actor)
    if membership is None or membership.clearance < int(classification):
        raise Invalid(_("Your clearance is below this classification."), field="classification")
    before = document.classification
    document.classification = int(classification)
    document.state_reason = why
    document.save(update_fields=["classification", "state_reason", "updated_at"])
    if document.classification == Clearance.TOP_SECRET and before != Clearance.TOP_SECRET:
        # Raised to Tuyệt mật: grants given with one signature wait for a second person again.
        document.grants.filter(state=Grant.State.ACTIVE, approved_by__isnull=True).update(
            state=Grant.State.PENDING
        )
    audit.record(
        actor=actor,
        action="documents.reclassify",
        target=document,
        event=document.event_id,
        object_repr=str(document),
        changes={"classification": [before, document.classification], "reason": [None, why]},
    )
    return document


@transaction.atomic
def withdraw(*, actor: Any, document: Document, reason: str) -> Document:
    document = _locked(document)
    _require_custodian(actor, document)
    if document.state != Document.State.ACTIVE:
        raise Conflict(_("This document is already withdrawn or destroyed."))
    document.state = Document.State.WITHDRAWN
    document.state_reason = _reason(reason)
    document.save(update_fields=["state", "state_reason", "updated_at"])
    _record(actor, "documents.withdraw", document, state=document.state, reason=document.state_reason)
    return document


def destroy(*, actor: Any, document: Document, reason: str) -> Document:
    """Destroy the content for good: the data keys are forgotten (the ciphertext alone opens to no one, even
    with the database and the master key), then the ciphertext is deleted from storage."""
    with transaction.atomic():
        document = _locked(document)
        _require_custodian(actor, document)
        if document.state == Document.State.DESTROYED:
            raise Conflict(_("This document is already destroyed."))
        why = _reason(reason)
        names = list(document.versions.values_list("storage_name", flat=True))
        document.versions.update(wrapped_key=b"", key_id="")
        document.state = Document.State.DESTROYED
        document.state_reason = why
        document.save(update_fields=["state", "state_reason", "updated_at"])
        _record(actor, "documents.destroy", document, versions=len(names), reason=why)
    for name in names:
        storage.delete(name)
    return document


# --- reading ----------------------------------------------------------------------------------------------


def _officer_code(event: Event, user: Any) -> str:
    return Officer.objects.filter(event=event, user=user).values_list("code", flat=True).first() or ""


def issue_copy(
    *, actor: Any, event: Event, document_id: Any, version_number: Any = None, at: datetime | None = None
) -> tuple[DocumentVersion, Copy, IO[bytes]]:
    """A marked copy for ``actor``: checks the access rule (``NotFound`` otherwise), registers the copy,
    audits the read, and returns the marked file (seekable, rewound)."""
    from antt.core.lookups import id_or_not_found

    at = at or timezone.now()
    require(actor, "documents.view", event)
    with transaction.atomic():
        table = connection.ops.quote_name(Document._meta.db_table)
        decision, params = access.decision_sql(actor, event, at, table)
        document = (
            Document.objects.select_for_update()
            .filter(event=event, pk=id_or_not_found(document_id))
            .annotate(antt_reads=RawSQL(decision, params))  # noqa: S611 - names and placeholders only
            .first()
        )
        if document is None or not document.antt_reads:
            raise not_found()
        versions = document.versions.all()
        if version_number not in (None, ""):
            versions = versions.filter(number=id_or_not_found(version_number))
        version = versions.order_by("-number").first()
        if version is None:
            raise not_found()
        Document.objects.filter(pk=document.pk).update(copies_issued=F("copies_issued") + 1)
        document.refresh_from_db(fields=["copies_issued"])
        copy = Copy.objects.create(
            document=document, version=version, number=document.copies_issued, reader=actor, issued_at=at
        )
        _record(
            actor, "documents.read", document, version=version.number, sha256=version.sha256, copy=copy.number
        )
    plain = storage.open_plain(
        storage_name=version.storage_name,
        key_id=version.key_id,
        wrapped_key=bytes(version.wrapped_key),
        uid=version.uid.bytes,
        size=version.size,
    )
    mark = marking.Mark(
        reader=actor.get_full_name() or actor.get_username(),
        service_number=_officer_code(event, actor),
        issued_at=timezone.localtime(at, event.tz).strftime("%d/%m/%Y %H:%M %Z"),
        copy_number=copy.number,
        classification=str(Clearance(document.classification).label).upper(),
        document_ref=str(document),
    )
    if version.content_type == filetypes.PDF:
        with contextlib.closing(plain):
            copy_id = f"{document}-{copy.number}"
            return version, copy, storage.scratch(lambda out: marking.mark_pdf(plain, mark, copy_id, out))
    if version.content_type in (filetypes.PNG, filetypes.JPEG):
        with contextlib.closing(plain):
            return version, copy, marking.mark_image(plain, mark, version.content_type)
    return version, copy, plain


@transaction.atomic
def acknowledge(*, actor: Any, event: Event, document: Document, version: DocumentVersion) -> Acknowledgement:
    if document.event_id != event.pk or version.document_id != document.pk:
        raise not_found()
    if not access.decide(actor, event, document.pk, timezone.now()):
        raise not_found()
    ack, created = Acknowledgement.objects.get_or_create(
        version=version, reader=actor, defaults={"at": timezone.now()}
    )
    if created:
        _record(actor, "documents.acknowledge", document, version=version.number)
    return ack


# --- keys -------------------------------------------------------------------------------------------------


def rotate_keys(*, batch: int = 500) -> int:
    """Re-wrap every data key not under the current master key (files are not re-encrypted). Returns how many."""
    keys = crypto.master_keys()
    done = 0
    while True:
        rows: Iterable[DocumentVersion] = list(
            DocumentVersion.objects.exclude(key_id__in=["", keys.current_id]).exclude(wrapped_key=b"")[:batch]
        )
        if not rows:
            return done
        for version in rows:
            data_key = crypto.unwrap(version.key_id, bytes(version.wrapped_key), version.uid.bytes, keys)
            key_id, wrapped = crypto.wrap(data_key, version.uid.bytes, keys)
            # Only if nothing changed meanwhile: a destruction in between must not get its key back.
            done += DocumentVersion.objects.filter(
                pk=version.pk, key_id=version.key_id, wrapped_key=bytes(version.wrapped_key)
            ).update(key_id=key_id, wrapped_key=wrapped)
