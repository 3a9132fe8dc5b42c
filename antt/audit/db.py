"""Database triggers that make the audit table append-only, on SQLite and PostgreSQL; and the one that keeps
a chain's head row at the hash of its newest entry on PostgreSQL (so ``record()`` needs no statement for it)."""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditentry"

_REFUSE = "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;"
SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON {TABLE} {_REFUSE}",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON {TABLE} {_REFUSE}",
]
# a chain's head row follows its newest entry's hash (the head only serialises appends; verify never trusts it)
_FOLLOW = "UPDATE audit_auditchainhead SET hash = NEW.hash WHERE chain = NEW.chain AND seq = NEW.seq;"
SQLITE_INSTALL.append(
    "CREATE TRIGGER IF NOT EXISTS audit_head_follows AFTER INSERT ON audit_auditentry BEGIN "
    + _FOLLOW
    + " END;"
)
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_no_update;", "DROP TRIGGER IF EXISTS audit_no_delete;"]

POSTGRES_INSTALL = [
    (
        "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'audit entries are append-only'; END; $$ LANGUAGE plpgsql;"
    ),
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE};",
    (
        f"CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();"
    ),
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE};",
    (
        f"CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {TABLE} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();"
    ),
]
POSTGRES_INSTALL += [
    (
        "CREATE OR REPLACE FUNCTION audit_head_follows() RETURNS trigger AS $$ "
        "BEGIN " + _FOLLOW + " RETURN NULL; END; $$ LANGUAGE plpgsql;"
    ),
    f"DROP TRIGGER IF EXISTS audit_head_follows ON {TABLE};",
    (
        f"CREATE TRIGGER audit_head_follows AFTER INSERT ON {TABLE} "
        "FOR EACH ROW EXECUTE FUNCTION audit_head_follows();"
    ),
]
POSTGRES_DROP = [
    f"DROP TRIGGER IF EXISTS audit_no_update_delete ON {TABLE};",
    f"DROP TRIGGER IF EXISTS audit_no_truncate ON {TABLE};",
]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def install_triggers(connection: Any) -> None:
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_INSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_INSTALL)
    else:  # pragma: no cover - other databases are not supported
        raise NotImplementedError(f"append-only triggers are not written for {connection.vendor}")


def drop_triggers(connection: Any) -> None:
    """For tests and for a deliberate, documented maintenance step only."""
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_DROP)
    elif connection.vendor == "postgresql":
        _run(connection, POSTGRES_DROP)
