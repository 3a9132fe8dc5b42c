"""THE rule for "may read this document", used by every page, download, API call and the demo.

May read = an active member of the document's event, whose clearance is at least the document's
classification, the document in use, and either the custodian, or holding a grant in force now:
- a person grant naming them;
- a unit grant naming their officer's unit (or a unit above it, when the grant includes sub-units);
- a duty grant naming a post or programme item where the roster assigns their officer at a time that
  overlaps the grant's window — so a re-plan that moves the duty moves the access.
Everything else is "not found" to the reader (the uniform 404 of the app).

One condition text (``_holding``) serves every use: a single document is decided in one statement that reads
the membership, the reader's officer and units, the document and its grants (``decision_sql``: the page loads
the document with it, ``decide`` answers a service); the list (``readable``) and the approver check (``covers``)
bind a ``Reader`` read once per request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from antt.documents.models import Document, Grant
from antt.events.models import Membership
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


# The reader's officer and the chain of units from theirs up to the top, ending in a NULL (the top's parent).
# Each step looks the parent up by primary key (a scalar subquery: PostgreSQL would otherwise hash-join the
# whole unit table at each step); the depth bound only guards against a cycle. Read on its own by
# ``reader_for`` (once per request, for the list), and inside the one-statement decision (``decision_sql``).
_CHAIN_CTE = """
WITH RECURSIVE chain(officer_id, unit_id, depth) AS (
    SELECT o.id, o.unit_id, 0 FROM {officer} o WHERE o.event_id = %s AND o.user_id = %s
    UNION ALL
    SELECT c.officer_id, (SELECT u.parent_id FROM {unit} u WHERE u.id = c.unit_id), c.depth + 1
    FROM chain c WHERE c.unit_id IS NOT NULL AND c.depth < 64
)"""


def _chain_cte() -> str:
    return _CHAIN_CTE.format(officer=_table(Officer), unit=_table(Unit))


def reader_for(user: Any, event: Any) -> Reader | None:
    membership = event.membership_for(user)
    if membership is None or not membership.is_active:
        return None
    with connection.cursor() as cursor:
        sql = f"{_chain_cte()} SELECT officer_id, unit_id FROM chain ORDER BY depth"  # noqa: S608 - names only
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


@dataclass(frozen=True)
class _Facts:
    """Where THE condition reads who the reader is: values bound from a ``Reader`` read beforehand (``readable``,
    ``covers``, ``may_read``), or subqueries on the ``chain`` CTE of the same statement (``decide``). Each is an
    SQL fragment with its parameters; ``None`` leaves that part of the condition out (it could not hold)."""

    user: tuple[str, list[Any]]
    units: tuple[str, list[Any]] | None  # for IN (...): the officer's unit and the units above it
    own_unit: tuple[str, list[Any]] | None  # a scalar: the officer's own unit
    officer: tuple[str, list[Any]] | None  # a scalar: the reader's officer


def _bound(reader: Reader) -> _Facts:
    units = sorted(reader.unit_ids)
    return _Facts(
        user=("%s", [reader.user_id]),
        units=(", ".join(["%s"] * len(units)), units) if units else None,
        own_unit=("%s", [reader.own_unit_id]) if reader.own_unit_id is not None else None,
        officer=("%s", [reader.officer_id]) if reader.officer_id is not None else None,
    )


def _from_chain(user_id: int) -> _Facts:
    """The same facts read inside the statement (a reader with no officer has an empty chain: the unit and
    duty parts then match nothing, as they are left out for a bound reader without one)."""
    return _Facts(
        user=("%s", [user_id]),
        units=("SELECT c.unit_id FROM chain c WHERE c.unit_id IS NOT NULL", []),
        own_unit=("(SELECT c.unit_id FROM chain c WHERE c.depth = 0)", []),
        officer=("(SELECT c.officer_id FROM chain c WHERE c.depth = 0)", []),
    )


def _holding(facts: _Facts, at: datetime | None) -> tuple[str, list[Any]]:
    """THE condition, in SQL on the grant ``g``: the grants that give the reader access at ``at`` — in force
    and naming them; their officer's unit, or a unit above it when the grant includes sub-units; or a post or
    programme item where the roster assigns their officer (published duties only: whoever edits the roster
    must not grant themselves a document) at a time that overlaps the grant's window and is under way at
    ``at`` or starts within ``DUTY_LEAD`` of it. A re-plan moves the duty, and the access with it.
    ``at=None``: would hold at some time of the grant's window, whatever its state (for ``covers``).

    One text whatever the reader's facts come from (``_Facts``). Plain SQL, not the ORM: the decision runs on
    every page and download, and building this query with the ORM cost more than the database's work
    (benchmarks/documents.py)."""
    user_sql, user_params = facts.user
    named = [f"(g.kind = %s AND g.user_id = {user_sql})"]
    params: list[Any] = [Grant.Kind.PERSON.value, *user_params]
    if facts.units is not None:
        units_sql, units_params = facts.units
        named.append(f"(g.kind = %s AND g.include_subunits = %s AND g.unit_id IN ({units_sql}))")
        params += [Grant.Kind.UNIT.value, True, *units_params]
    if facts.own_unit is not None:
        own_sql, own_params = facts.own_unit
        named.append(f"(g.kind = %s AND g.include_subunits = %s AND g.unit_id = {own_sql})")
        params += [Grant.Kind.UNIT.value, False, *own_params]
    if facts.officer is not None:
        # The reader's duties first (a handful, by the officer index), then the duty grants at those posts or
        # programme items (by their foreign-key indexes, OR-ed): an uncorrelated subquery the database runs
        # once. One join with an OR, not a UNION ALL of two: PostgreSQL plans it in half the time (the planning
        # was most of the decision's time in the database; benchmarks/documents.py).
        officer_sql, officer_params = facts.officer
        now = "AND a.starts_at <= %s AND a.ends_at > %s" if at is not None else ""
        grant, requirement = _table(Grant), _table(Requirement)

        named.append(
            f"""g.id IN (SELECT d.id FROM {_table(Assignment)} a
                LEFT JOIN {requirement} r ON r.id = a.requirement_id
                JOIN {grant} d ON (d.post_id = a.post_id OR d.programme_item_id = r.programme_item_id)
                WHERE d.kind = %s AND a.officer_id = {officer_sql} AND a.status = %s
                  AND a.starts_at < d.valid_until AND a.ends_at > d.valid_from {now})"""  # noqa: S608
        )
        params += [Grant.Kind.DUTY.value, *officer_params, Assignment.Status.PUBLISHED.value]
        if at is not None:
            params += [_when(at + DUTY_LEAD), _when(at)]
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
    holding, params = _holding(_bound(reader), None)
    sql = f"SELECT 1 FROM {_table(Grant)} g WHERE g.id = %s AND {holding}"  # noqa: S608 - names, placeholders
    return _first_row(sql, [grant.pk, *params])


def _open_to(reader: Reader) -> Q:
    return Q(state=Document.State.ACTIVE, classification__lte=reader.clearance)


def may_read(reader: Reader | None, document: Document, at: datetime) -> bool:
    """One indexed query at most (the document's few grants), whatever the size of the event, for a ``Reader``
    already read (``decide`` needs none: it is the same rule in one statement)."""
    if (
        reader is None
        or document.state != Document.State.ACTIVE
        or reader.clearance < document.classification
    ):
        return False
    if document.custodian_id == reader.user_id:
        return True
    holding, params = _holding(_bound(reader), at)
    sql = f"SELECT 1 FROM {_table(Grant)} g WHERE g.document_id = %s AND {holding} LIMIT 1"  # noqa: S608
    return _first_row(sql, [document.pk, *params])


def decision_sql(user: Any, event: Any, at: datetime, document: str) -> tuple[str, list[Any]]:
    """The whole decision as one SQL expression (1 or 0) on the document row ``document`` (an alias of the
    outer query): ``user`` is an active member of ``event`` cleared for its classification, it is in use, and
    they are its custodian or hold a grant in force (THE condition above, the reader's officer and units read
    by the ``chain`` CTE inside). So a page, a download or an acknowledgement decides in the statement that
    loads the document: no round trip for the membership, the reader or the rule (benchmarks/documents.py)."""
    holding, params = _holding(_from_chain(user.pk), at)
    sql = f"""({_chain_cte()}
        SELECT COUNT(*) FROM {_table(Membership)} m
        WHERE m.event_id = %s AND m.user_id = %s AND m.is_active = %s
          AND {document}.event_id = m.event_id AND {document}.state = %s
          AND m.clearance >= {document}.classification
          AND ({document}.custodian_id = %s
               OR EXISTS (SELECT 1 FROM {_table(Grant)} g WHERE g.document_id = {document}.id AND {holding})))"""  # noqa: S608
    return sql, [event.pk, user.pk, event.pk, user.pk, True, Document.State.ACTIVE.value, user.pk, *params]


def decide_sql(user: Any, event: Any, document_id: int, at: datetime) -> tuple[str, list[Any]]:
    """The statement ``decide`` runs (the benchmark reads its plan)."""
    decision, params = decision_sql(user, event, at, "d")
    return f"SELECT {decision} FROM {_table(Document)} d WHERE d.id = %s", [*params, document_id]  # noqa: S608


def decide(user: Any, event: Any, document_id: int, at: datetime) -> bool:
    """May ``user`` read the document ``document_id`` of ``event`` at ``at``? One statement, one round trip
    (for a service that has the document already, or needs no more of it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    with connection.cursor() as cursor:
        cursor.execute(*decide_sql(user, event, document_id, at))
        row = cursor.fetchone()
    return bool(row and row[0])


def readable(reader: Reader | None, event: Any, at: datetime) -> QuerySet[Document]:
    """Every document of ``event`` that ``reader`` may read at ``at`` (the same rule as ``may_read``, as one
    query: the custodian's documents and those with a grant holding for the reader now)."""
    if reader is None:
        return Document.objects.none()
    holding, params = _holding(_bound(reader), at)
    granted = RawSQL(f"SELECT g.document_id FROM {_table(Grant)} g WHERE {holding}", params)  # noqa: S608, S611
    return Document.objects.filter(_open_to(reader), event=event).filter(
        Q(custodian_id=reader.user_id) | Q(pk__in=granted)
    )
