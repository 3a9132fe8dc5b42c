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

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet

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


# The reader's officer and the chain of units from theirs up to the top, in one query (a unit's parents are a
# handful of rows found by primary key; the depth bound only guards against a cycle).
_CHAIN_SQL = """
WITH RECURSIVE chain(officer_id, unit_id, depth) AS (
    SELECT o.id, o.unit_id, 0 FROM {officer} o WHERE o.event_id = %s AND o.user_id = %s
    UNION ALL
    SELECT c.officer_id, u.parent_id, c.depth + 1 FROM chain c JOIN {unit} u ON u.id = c.unit_id
    WHERE u.parent_id IS NOT NULL AND c.depth < 64
)
SELECT officer_id, unit_id FROM chain ORDER BY depth
"""


def reader_for(user: Any, event: Any) -> Reader | None:
    membership = event.membership_for(user)
    if membership is None or not membership.is_active:
        return None
    sql = _CHAIN_SQL.format(
        officer=connection.ops.quote_name(Officer._meta.db_table),
        unit=connection.ops.quote_name(Unit._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [event.pk, user.pk])
        rows = cursor.fetchall()
    if not rows:
        return Reader(user.pk, membership.clearance)
    chain = [unit for _officer, unit in rows if unit is not None]
    own = chain[0] if chain else None
    return Reader(user.pk, membership.clearance, rows[0][0], frozenset(chain), own)


def grants_in_force(at: datetime) -> Q:
    return Q(state=Grant.State.ACTIVE, valid_from__lte=at, valid_until__gt=at)


# A duty opens a duty grant's document from this long before the duty starts until it ends (the briefing).
DUTY_LEAD = timedelta(hours=24)


def _holding(reader: Reader, at: datetime | None) -> Q:
    """The grants (of any document, in force or not) that give ``reader`` access: naming them; their officer's
    unit, or a unit above it when the grant includes sub-units; or a post or programme item where the roster
    assigns their officer (published duties only: whoever edits the roster must not grant themselves a
    document) at a time that overlaps the grant's window and — when ``at`` is given — is under way at ``at`` or
    starts within ``DUTY_LEAD`` of it. A re-plan moves the duty, and the access with it."""
    holding = Q(kind=Grant.Kind.PERSON, user_id=reader.user_id)
    if reader.unit_ids:
        holding |= Q(kind=Grant.Kind.UNIT, include_subunits=True, unit_id__in=sorted(reader.unit_ids))
        holding |= Q(kind=Grant.Kind.UNIT, include_subunits=False, unit_id=reader.own_unit_id)
    if reader.officer_id is not None:
        duties = Assignment.objects.filter(
            Q(post_id=OuterRef("post_id")) | Q(requirement__programme_item_id=OuterRef("programme_item_id")),
            officer_id=reader.officer_id,
            status=Assignment.Status.PUBLISHED,
            starts_at__lt=OuterRef("valid_until"),
            ends_at__gt=OuterRef("valid_from"),
        )
        if at is not None:
            duties = duties.filter(starts_at__lte=at + DUTY_LEAD, ends_at__gt=at)
        holding |= Q(Exists(duties), kind=Grant.Kind.DUTY)
    return holding


def covers(grant: Grant, reader: Reader | None) -> bool:
    """Would ``grant`` give ``reader`` access at some time of its window? (A Tuyệt mật approver must not
    approve a grant that covers themselves: their person, their unit or a unit above it, or their duty.)"""
    if reader is None:
        return False
    return Grant.objects.filter(_holding(reader, None), pk=grant.pk).exists()


def _open_to(reader: Reader) -> Q:
    return Q(state=Document.State.ACTIVE, classification__lte=reader.clearance)


def may_read(reader: Reader | None, document: Document, at: datetime) -> bool:
    """One indexed query at most (the document's few grants), whatever the size of the event."""
    if (
        reader is None
        or document.state != Document.State.ACTIVE
        or reader.clearance < document.classification
    ):
        return False
    if document.custodian_id == reader.user_id:
        return True
    return document.grants.filter(grants_in_force(at), _holding(reader, at)).exists()


def readable(reader: Reader | None, event: Any, at: datetime) -> QuerySet[Document]:
    """Every document of ``event`` that ``reader`` may read at ``at`` (the same rule as ``may_read``, as one
    query: the custodian's documents and those with a grant holding for the reader now)."""
    if reader is None:
        return Document.objects.none()
    holding = Grant.objects.filter(grants_in_force(at), _holding(reader, at), document=OuterRef("pk"))
    return Document.objects.filter(_open_to(reader), event=event).filter(
        Q(custodian_id=reader.user_id) | Exists(holding)
    )
