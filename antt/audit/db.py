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


# --- PostgreSQL: the append in one server call ------------------------------------------------------------

# ``record()``'s append when this process has a guess of the chain's head (``services._append_at_guess``):
# claim the first of ``p_chains`` that no other transaction holds (the guessed chain first, then in order;
# its row lock is kept to the end of the transaction) and, only if its head is exactly the guessed one
# (chain, seq and hash, read under the lock), insert the entry sealed for it and move the head onto it.
# Otherwise insert nothing and only move the head's seq on: the claimed head is returned for the INSERT
# that follows (``services._append``). No row found (all held): every OUT value null.
# One call instead of the CTE it replaces: PL/pgSQL keeps the plans of its statements per server connection
# (also behind PgBouncer, unlike a named prepared statement), and the head row gets one new version per entry
# instead of two (the INSERT comes before the head's UPDATE, so audit_head_follows matches no row).
# SECURITY INVOKER (the default): it runs with the caller's grants, INSERT on the trail and UPDATE on heads.
APPEND_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_append(
    p_chains bigint[], p_chain bigint, p_seq bigint, p_prev text, p_hash text, p_alg integer,
    p_created_at timestamptz, p_actor_id bigint, p_actor_name text, p_event_id bigint, p_action text,
    p_object_type text, p_object_id text, p_object_repr text, p_changes text, p_ip text, p_request_id text,
    OUT o_chain bigint, OUT o_seq bigint, OUT o_hash text, OUT o_id bigint
) LANGUAGE plpgsql AS $$
BEGIN
    SELECT h.chain, h.seq + 1, h.hash INTO o_chain, o_seq, o_hash FROM audit_auditchainhead h
        WHERE h.chain = ANY(p_chains) ORDER BY h.chain <> p_chain, h.chain LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF o_chain IS NULL THEN
        RETURN;
    END IF;
    IF o_chain = p_chain AND o_seq = p_seq AND o_hash = p_prev THEN
        INSERT INTO audit_auditentry (prev_hash, hash, alg, chain, seq, created_at, actor_id, actor_name, event_id,
                action, object_type, object_id, object_repr, changes, ip, request_id)
            VALUES (p_prev, p_hash, p_alg, p_chain, p_seq, p_created_at, p_actor_id, p_actor_name, p_event_id,
                p_action, p_object_type, p_object_id, p_object_repr, p_changes, p_ip, p_request_id)
            RETURNING id INTO o_id;
        UPDATE audit_auditchainhead SET seq = p_seq, hash = p_hash WHERE chain = p_chain;
    ELSE
        UPDATE audit_auditchainhead SET seq = o_seq WHERE chain = o_chain;
    END IF;
END; $$;
"""
APPEND_FUNCTION_DROP = "DROP FUNCTION IF EXISTS audit_append;"
