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
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from antt.documents.models import Document, Grant
from antt.forces.models import Officer, Unit
from antt.planning.models import Assignment, Requirement


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


# A duty opens a duty grant's document from this long before the duty starts until it ends (the briefing).
DUTY_LEAD = timedelta(hours=24)


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _when(value: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _holding(reader: Reader, at: datetime | None) -> tuple[str, list[Any]]:
    """THE condition, in SQL on the grant ``g``: the grants that give ``reader`` access at ``at`` — in force
    and naming them; their officer's unit, or a unit above it when the grant includes sub-units; or a post or
    programme item where the roster assigns their officer (published duties only: whoever edits the roster
    must not grant themselves a document) at a time that overlaps the grant's window and is under way at
    ``at`` or starts within ``DUTY_LEAD`` of it. A re-plan moves the duty, and the access with it.
    ``at=None``: would hold at some time of the grant's window, whatever its state (for ``covers``).

    Plain SQL, not the ORM: the decision runs on every page and download, and building this query with the
    ORM cost more than the database's work (benchmarks/documents.py)."""
    named = ["(g.kind = %s AND g.user_id = %s)"]
    params: list[Any] = [Grant.Kind.PERSON.value, reader.user_id]
    if reader.unit_ids:
        units = sorted(reader.unit_ids)
        named.append(
            f"(g.kind = %s AND g.include_subunits = %s AND g.unit_id IN ({', '.join(['%s'] * len(units))}))"
        )
        params += [Grant.Kind.UNIT.value, True, *units]
        named.append("(g.kind = %s AND g.include_subunits = %s AND g.unit_id = %s)")
        params += [Grant.Kind.UNIT.value, False, reader.own_unit_id]
    if reader.officer_id is not None:
        # The reader's duties first (a handful, by the officer index), then the duty grants at those posts or
        # programme items (by their foreign-key indexes): an uncorrelated subquery the database runs once.
        now = "AND a.starts_at <= %s AND a.ends_at > %s" if at is not None else ""
        grant, requirement = _table(Grant), _table(Requirement)

        def duty(join: str) -> str:
            return f"""SELECT d.id FROM {_table(Assignment)} a {join}
                WHERE d.kind = %s AND a.officer_id = %s AND a.status = %s
                  AND a.starts_at < d.valid_until AND a.ends_at > d.valid_from {now}"""  # noqa: S608

        at_post = f"JOIN {grant} d ON d.post_id = a.post_id"
        on_item = f"JOIN {requirement} r ON r.id = a.requirement_id JOIN {grant} d ON d.programme_item_id = r.programme_item_id"
        named.append(f"g.id IN ({duty(at_post)} UNION ALL {duty(on_item)})")
        one = [Grant.Kind.DUTY.value, reader.officer_id, Assignment.Status.PUBLISHED.value]
        if at is not None:
            one += [_when(at + DUTY_LEAD), _when(at)]
        params += one + one
    sql = f"({' OR '.join(named)})"
    if at is not None:
        sql = f"g.state = %s AND g.valid_from <= %s AND g.valid_until > %s AND {sql}"
        params = [Grant.State.ACTIVE.value, _when(at), _when(at), *params]
    return sql, params


def _first_row(sql: str, params: list[Any]) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone() is not None


def covers(grant: Grant, reader: Reader | None) -> bool:
    """Would ``grant`` give ``reader`` access at some time of its window? (A Tuyệt mật approver must not
    approve a grant that covers themselves: their person, their unit or a unit above it, or their duty.)"""
    if reader is None:
        return False
    holding, params = _holding(reader, None)
    sql = f"SELECT 1 FROM {_table(Grant)} g WHERE g.id = %s AND {holding}"  # noqa: S608 - names, placeholders
    return _first_row(sql, [grant.pk, *params])


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
    holding, params = _holding(reader, at)
    sql = f"SELECT 1 FROM {_table(Grant)} g WHERE g.document_id = %s AND {holding} LIMIT 1"  # noqa: S608
    return _first_row(sql, [document.pk, *params])


def readable(reader: Reader | None, event: Any, at: datetime) -> QuerySet[Document]:
    """Every document of ``event`` that ``reader`` may read at ``at`` (the same rule as ``may_read``, as one
    query: the custodian's documents and those with a grant holding for the reader now)."""
    if reader is None:
        return Document.objects.none()
    holding, params = _holding(reader, at)
    granted = RawSQL(f"SELECT g.document_id FROM {_table(Grant)} g WHERE {holding}", params)  # noqa: S608, S611
    return Document.objects.filter(_open_to(reader), event=event).filter(
        Q(custodian_id=reader.user_id) | Q(pk__in=granted)
    )
