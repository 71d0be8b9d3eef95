"""`dxw db init`: roles, schemas, grants and tables of the warehouse, idempotently."""

from __future__ import annotations

from importlib import resources

import psycopg
from psycopg import sql

from dxw.config import AIRFLOW_DB, Settings, settings
from dxw.db.embedded import ROLE_NAMES
from dxw.db.urls import role_password, warehouse_url

#: Roles created in every deployment (the Airflow metadata role only in the embedded one).
WAREHOUSE_ROLES = ("loader", "transformer", "bi")
#: Serialises concurrent `dxw db init` runs on one server.
MIGRATION_LOCK = 7_203_001


def migrations() -> list[tuple[str, str]]:
    """(version, SQL) of every migration shipped with the package, in order."""
    folder = resources.files("dxw.db") / "migrations"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    return [(f.name.removesuffix(".sql"), f.read_text(encoding="utf-8")) for f in files]


def _ensure_role(conn: psycopg.Connection, role: str, password: str) -> None:
    name = ROLE_NAMES[role]
    exists = conn.execute("select 1 from pg_roles where rolname = %s", (name,)).fetchone()
    verb = "alter" if exists else "create"
    conn.execute(
        sql.SQL("{} role {} with login nosuperuser nocreatedb nocreaterole password {}").format(
            sql.SQL(verb), sql.Identifier(name), sql.Literal(password)
        )
    )


def _grant_connect(conn: psycopg.Connection) -> None:
    database = sql.Identifier(conn.info.dbname)
    conn.execute(sql.SQL("revoke all on database {} from public").format(database))
    for role in WAREHOUSE_ROLES:
        # Temporary tables for the roles that write (dbt's incremental models use them); the
        # BI role gets none, so even after `set default_transaction_read_only = off` it can
        # create nothing anywhere.
        privileges = sql.SQL("connect" if role == "bi" else "connect, temporary")
        conn.execute(
            sql.SQL("grant {} on database {} to {}").format(
                privileges, database, sql.Identifier(ROLE_NAMES[role])
            )
        )
    conn.execute(
        sql.SQL("revoke temporary on database {} from {}").format(
            database, sql.Identifier(ROLE_NAMES["bi"])
        )
    )


def _apply_migrations(conn: psycopg.Connection) -> list[str]:
    applied: list[str] = []
    with conn.transaction():
        conn.execute("select pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
        conn.execute("create schema if not exists audit")
        conn.execute(
            "create table if not exists audit.schema_migrations ("
            " version text primary key, applied_at timestamptz not null default now())"
        )
        done = {row[0] for row in conn.execute("select version from audit.schema_migrations")}
        for version, statements in migrations():
            if version in done:
                continue
            conn.execute(statements.encode())
            conn.execute("insert into audit.schema_migrations (version) values (%s)", (version,))
            applied.append(version)
    return applied


def _own_airflow_database(conn: psycopg.Connection, config: Settings) -> None:
    """Give the Airflow metadata database to its own role (embedded deployment only)."""
    _ensure_role(conn, "airflow", role_password("airflow", config))
    conn.execute(
        sql.SQL("alter database {} owner to {}").format(
            sql.Identifier(AIRFLOW_DB), sql.Identifier(ROLE_NAMES["airflow"])
        )
    )
    conn.execute(
        sql.SQL("revoke all on database {} from public").format(sql.Identifier(AIRFLOW_DB))
    )


def init_warehouse(config: Settings | None = None) -> list[str]:
    """Create roles, schemas, grants and tables; returns the migrations applied now."""
    config = config or settings()
    with psycopg.connect(warehouse_url("owner", config), autocommit=True) as conn:
        conn.execute("select pg_advisory_lock(%s)", (MIGRATION_LOCK,))
        for role in WAREHOUSE_ROLES:
            _ensure_role(conn, role, role_password(role, config))
        if config.embedded:
            _own_airflow_database(conn, config)
        _grant_connect(conn)
        return _apply_migrations(conn)
