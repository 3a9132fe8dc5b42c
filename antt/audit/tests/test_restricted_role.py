"""The documented deployment: the app's PostgreSQL role does not own the audit table (docs/operations.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from antt.audit import services as audit
from antt.audit.models import AuditEntry

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

ROLE = "antt_app_restricted_test"
# The grants of docs/operations.md, for the two audit tables.
GRANTS = [
    f"CREATE ROLE {ROLE} NOLOGIN",
    f"GRANT USAGE ON SCHEMA public TO {ROLE}",
    f"GRANT SELECT, INSERT ON audit_auditentry TO {ROLE}",
    f"GRANT USAGE ON SEQUENCE audit_auditentry_id_seq TO {ROLE}",
    f"GRANT SELECT, INSERT, UPDATE ON audit_auditchainhead TO {ROLE}",
]


def _try(sql: str, params: list[Any] | None = None) -> str:
    """Run ``sql`` as the restricted role in a savepoint; the error's text, or "" when it worked."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL ROLE {ROLE}")
            cursor.execute(sql, params or [])
    except DatabaseError as exc:
        return str(exc)
    return ""


def test_the_app_role_may_insert_and_select_but_never_change_or_disable_the_trail(
    event: Any, commander: Any
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's (ANTT_DATABASE_URL)")
    entry = audit.record(actor=commander, action="test.write", event=event)
    with connection.cursor() as cursor:  # inside the test's transaction: the role goes with its rollback
        for sql in GRANTS:
            cursor.execute(sql)
    assert _try("SELECT count(*) FROM audit_auditentry") == ""
    assert (
        _try(
            "INSERT INTO audit_auditentry (chain, seq, created_at, actor_name, action, object_type, object_id, "
            "object_repr, changes, ip, request_id, prev_hash, hash, alg) "
            "VALUES (%s, %s, now(), '', 'test.insert', '', '', '', '', '', '', %s, %s, 1)",
            [entry.chain, entry.seq + 1, entry.hash, "f" * 64],
        )
        == ""
    )
    assert "permission denied" in _try("UPDATE audit_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    assert "permission denied" in _try("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert "permission denied" in _try("TRUNCATE audit_auditentry")
    assert "must be owner" in _try("ALTER TABLE audit_auditentry DISABLE TRIGGER ALL")
    assert "must be owner" in _try("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update_delete")
    assert "must be owner" in _try("DROP TABLE audit_auditentry")
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.write"


def test_the_app_role_appends_through_audit_append(event: Any, commander: Any) -> None:
    """``record()``'s one-call append (the PL/pgSQL function ``audit_append``, SECURITY INVOKER) works with
    the app role's grants alone."""
    if connection.vendor != "postgresql":
        pytest.skip("roles and grants are PostgreSQL's (ANTT_DATABASE_URL)")
    first = audit.record(actor=commander, action="test.write", event=event)
    with connection.cursor() as cursor:
        for sql in GRANTS:
            cursor.execute(sql)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        second = audit.record(actor=commander, action="test.write", event=event)
        third = audit.record(actor=commander, action="test.write", event=event)
    assert [(e.chain, e.seq) for e in (first, second, third)] == [(event.pk, 1), (event.pk, 2), (event.pk, 3)]
    assert (second.prev_hash, third.prev_hash) == (first.hash, second.hash)
