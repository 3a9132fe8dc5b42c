"""Reads with access checks: a document the reader may not see does not exist for them (404)."""

from __future__ import annotations

import functools
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from antt.core.lookups import id_or_not_found, not_found
from antt.core.permissions import require
from antt.documents import access
from antt.documents.models import Copy, Document, Grant
from antt.documents.services import may_manage
from antt.events.models import Event
from antt.forces.models import Unit


def documents_for(
    user: Any, event: Event, *, at: datetime | None = None, plan_id: int | None = None
) -> QuerySet[Document]:
    require(user, "documents.view", event)
    documents = access.readable(access.reader_for(user, event), event, at or timezone.now())
    if plan_id is not None:
        documents = documents.filter(plans=plan_id)
    return documents.select_related("owner_unit", "custodian")


def _cleared_manager(user: Any, document: Document) -> bool:
    """Manages the document while cleared for its level (a custodian of a withdrawn document still sees it)."""
    membership = document.event.membership_for(user)  # loaded by the permission check already
    return bool(
        membership
        and membership.is_active
        and membership.clearance >= document.classification
        and may_manage(user, document)
    )


def _columns(model: Any, alias: str) -> list[tuple[str, Any, list[Any]]]:
    return _columns_for(model, alias, connection.vendor)


@functools.cache
def _columns_for(model: Any, alias: str, vendor: str) -> list[tuple[str, Any, list[Any]]]:
    """Each concrete field of ``model`` as (the column under ``alias``, the field, its converters): what the ORM
    would select and how it would turn the database's values into Python's (SQLite gives text for dates)."""
    out = []
    for field in model._meta.concrete_fields:
        column = field.get_col(alias)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        out.append((f"{alias}.{connection.ops.quote_name(field.column)}", column, converters))
    return out


def _build(model: Any, columns: list[tuple[str, Any, list[Any]]], values: Any) -> Any:
    converted = []
    for (_sql, column, converters), value in zip(columns, values, strict=True):
        for converter in converters:
            value = converter(value, column, connection)
        converted.append(value)
    return model.from_db(connection.alias, [column.target.attname for _sql, column, _c in columns], converted)


def get_document_for(user: Any, event: Event, document_id: Any, *, at: datetime | None = None) -> Document:
    """The document, if ``user`` may read it or manage it while cleared for its level; else not found.

    One statement loads the document, its owner unit and custodian (shown on its page) and the reading decision
    (``access.decision_sql``); plain SQL, as the ORM's building of this select cost more than the database's
    work (benchmarks/documents.py)."""
    require(user, "documents.view", event)
    pk = id_or_not_found(document_id)
    User = get_user_model()
    document_columns, unit_columns, user_columns = (
        _columns(Document, "d"),
        _columns(Unit, "u"),
        _columns(User, "c"),
    )
    decision, params = access.decision_sql(user, event, at or timezone.now(), "d")
    selected = ", ".join(sql for sql, _column, _c in [*document_columns, *unit_columns, *user_columns])
    qn = connection.ops.quote_name
    sql = f"""SELECT {selected}, {decision} FROM {qn(Document._meta.db_table)} d
        LEFT JOIN {qn(Unit._meta.db_table)} u ON u.id = d.owner_unit_id
        JOIN {qn(User._meta.db_table)} c ON c.id = d.custodian_id
        WHERE d.id = %s AND d.event_id = %s"""  # noqa: S608 - names and placeholders only
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, pk, event.pk])
        row = cursor.fetchone()
    if row is None:
        raise not_found()
    split = (len(document_columns), len(document_columns) + len(unit_columns), len(row) - 1)
    document = _build(Document, document_columns, row[: split[0]])
    fields = Document._meta
    fields.get_field("event").set_cached_value(document, event)
    owner = (
        _build(Unit, unit_columns, row[split[0] : split[1]]) if document.owner_unit_id is not None else None
    )
    fields.get_field("owner_unit").set_cached_value(document, owner)
    fields.get_field("custodian").set_cached_value(
        document, _build(User, user_columns, row[split[1] : split[2]])
    )
    if not (row[-1] or _cleared_manager(user, document)):
        raise not_found()
    return document


def get_grant_for(user: Any, event: Event, document: Document, grant_id: Any) -> Grant:
    grant = document.grants.filter(pk=id_or_not_found(grant_id)).first()
    if grant is None:
        raise not_found()
    return grant


def register_of(document: Document) -> QuerySet[Copy]:
    return document.copies.select_related("reader", "version").order_by("-number")
