"""THE rule for "may read this document", used by every page, download, API call and the demo.

May read = an active member of the document's event, whose clearance is at least the document's
classification, the document in use, and either the custodian, or holding a grant in force now:
- a person grant naming them;
- a unit grant naming their officer's unit (or a unit above it, when the grant includes sub-units);
- a duty grant naming a post or programme item where the roster assigns their officer at a time that
  overlaps the grant's window — so a re-plan that moves the duty moves the access.
Everything else is "not found" to the reader (the uniform 404 of the app).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from antt.documents.models import Document, Grant
from antt.forces.models import Officer, Unit
from antt.planning.models import Assignment


@dataclass(frozen=True)
class Reader:
    """What the rule needs to know about one reader in one event (read once per request)."""

    user_id: int
    clearance: int
    officer_id: int | None = None
    unit_ids: frozenset[int] = field(default_factory=frozenset)  # the officer's unit and the units above it
    own_unit_id: int | None = None


def reader_for(user: Any, event: Any) -> Reader | None:
    membership = event.membership_for(user)
    if membership is None or not membership.is_active:
        return None
    officer = Officer.objects.filter(event=event, user=user).values("pk", "unit_id").first()
    if officer is None:
        return Reader(user.pk, membership.clearance)
    parents = dict(Unit.objects.filter(event=event).values_list("pk", "parent_id"))
    chain: list[int] = []
    unit: int | None = officer["unit_id"]
    while unit is not None and unit not in chain:
        chain.append(unit)
        unit = parents.get(unit)
    return Reader(user.pk, membership.clearance, officer["pk"], frozenset(chain), officer["unit_id"])


def grants_in_force(at: datetime) -> Q:
    return Q(state=Grant.State.ACTIVE, valid_from__lte=at, valid_until__gt=at)


@dataclass(frozen=True)
class Duty:
    post_id: int
    programme_item_id: int | None
    starts_at: datetime
    ends_at: datetime


# A duty opens a duty grant's document from this long before the duty starts until it ends (the briefing).
DUTY_LEAD = timedelta(hours=24)


def duties_of(reader: Reader) -> list[Duty]:
    """The reader's officer's published duties (one indexed query: an officer has a handful). Planned,
    unpublished assignments give no access: whoever edits the roster must not grant themselves a document."""
    if reader.officer_id is None:
        return []
    rows = Assignment.objects.filter(
        officer_id=reader.officer_id, status=Assignment.Status.PUBLISHED
    ).values_list("post_id", "requirement__programme_item_id", "starts_at", "ends_at")
    return [Duty(*row) for row in rows]


def _naming(reader: Reader, duties: list[Duty]) -> Q:
    """Grants whose grantee could be this reader (the duty windows are checked after, in ``_holds``)."""
    naming = Q(kind=Grant.Kind.PERSON, user_id=reader.user_id)
    if reader.unit_ids:
        naming |= Q(kind=Grant.Kind.UNIT, include_subunits=True, unit_id__in=sorted(reader.unit_ids))
        naming |= Q(kind=Grant.Kind.UNIT, include_subunits=False, unit_id=reader.own_unit_id)
    posts = sorted({d.post_id for d in duties})
    items = sorted({d.programme_item_id for d in duties if d.programme_item_id})
    if posts:
        naming |= Q(kind=Grant.Kind.DUTY, post_id__in=posts)
    if items:
        naming |= Q(kind=Grant.Kind.DUTY, programme_item_id__in=items)
    return naming


def _holds(grant: Grant, duties: list[Duty], at: datetime | None) -> bool:
    """A person or unit grant found by ``_naming`` holds; a duty grant holds while one of the reader's duties
    at its post or programme item is under way or starts within ``DUTY_LEAD``, inside the grant's window (a
    re-plan moves the duty, and the access with it)."""
    if grant.kind != Grant.Kind.DUTY:
        return True
    return any(
        (
            d.post_id == grant.post_id
            or (grant.programme_item_id and d.programme_item_id == grant.programme_item_id)
        )
        and d.starts_at < grant.valid_until
        and d.ends_at > grant.valid_from
        and (at is None or d.starts_at - DUTY_LEAD <= at < d.ends_at)
        for d in duties
    )


def covers(grant: Grant, reader: Reader | None) -> bool:
    """Would ``grant`` give ``reader`` access at some time of its window? (A Tuyệt mật approver must not
    approve a grant that covers themselves: their person, their unit or a unit above it, or their duty.)"""
    if reader is None:
        return False
    duties = duties_of(reader)
    named = Grant.objects.filter(pk=grant.pk).filter(_naming(reader, duties)).exists()
    return named and _holds(grant, duties, None)


GRANT_FIELDS = ("pk", "document_id", "kind", "post_id", "programme_item_id", "valid_from", "valid_until")


def may_read(reader: Reader | None, document: Document, at: datetime) -> bool:
    if (
        reader is None
        or document.state != Document.State.ACTIVE
        or reader.clearance < document.classification
    ):
        return False
    if document.custodian_id == reader.user_id:
        return True
    duties = duties_of(reader)
    grants = document.grants.filter(grants_in_force(at), _naming(reader, duties)).only(*GRANT_FIELDS)
    return any(_holds(g, duties, at) for g in grants)


def readable(reader: Reader | None, event: Any, at: datetime) -> QuerySet[Document]:
    """Every document of ``event`` that ``reader`` may read at ``at`` (three small queries, whatever the size
    of the event: the grants are looked up by their grantee, never scanned)."""
    if reader is None:
        return Document.objects.none()
    base = Document.objects.filter(
        event=event, state=Document.State.ACTIVE, classification__lte=reader.clearance
    )
    duties = duties_of(reader)
    grants = Grant.objects.filter(
        grants_in_force(at),
        _naming(reader, duties),
        document__event=event,
        document__state=Document.State.ACTIVE,
        document__classification__lte=reader.clearance,
    ).only(*GRANT_FIELDS)
    ids = {g.document_id for g in grants if _holds(g, duties, at)}
    return base.filter(Q(pk__in=ids) | Q(custodian_id=reader.user_id))
