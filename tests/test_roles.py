"""Least privilege: each role can do its job in the real warehouse and nothing more."""

from __future__ import annotations

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.init import init_warehouse
from dxw.db.urls import warehouse_url


@pytest.fixture(scope="module")
def seeded(warehouse: Settings) -> Settings:
    """A raw table (owner-made, like the migrations) and a mart (transformer-made, like dbt)."""
    with psycopg.connect(warehouse_url("owner", warehouse), autocommit=True) as conn:
        conn.execute("create table if not exists raw.role_probe (secret text)")
        conn.execute("insert into raw.role_probe values ('raw data')")
    with psycopg.connect(warehouse_url("transformer", warehouse), autocommit=True) as conn:
        conn.execute("drop table if exists marts.role_probe")
        conn.execute("create table marts.role_probe as select secret from raw.role_probe")
    return warehouse


def _run(config: Settings, role: str, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(warehouse_url(role, config), autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def test_bi_reads_marts(seeded: Settings) -> None:
    assert _run(seeded, "bi", "select secret from marts.role_probe") == [("raw data",)]


@pytest.mark.parametrize(
    "statement",
    [
        "select * from raw.role_probe",
        "select * from audit.schema_migrations",
        "insert into marts.role_probe values ('x')",
        "create table marts.bi_made (n int)",
        "create table public.bi_made (n int)",
        "delete from marts.role_probe",
    ],
)
def test_bi_cannot_leave_marts_or_write(seeded: Settings, statement: str) -> None:
    with pytest.raises(
        (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction)
    ):
        _run(seeded, "bi", statement)


def test_loader_appends_raw_and_audit(seeded: Settings) -> None:
    _run(seeded, "loader", "insert into raw.role_probe values ('loaded')")
    assert ("loaded",) in _run(seeded, "loader", "select secret from raw.role_probe")


@pytest.mark.parametrize(
    "statement",
    [
        "select * from marts.role_probe",
        "create table raw.loader_made (n int)",
        "delete from raw.role_probe",
        "drop table raw.role_probe",
    ],
)
def test_loader_boundaries(seeded: Settings, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _run(seeded, "loader", statement)


@pytest.mark.parametrize(
    "statement",
    [
        "insert into raw.role_probe values ('x')",
        "create table raw.transformer_made (n int)",
        "insert into audit.schema_migrations values ('bogus')",
    ],
)
def test_transformer_cannot_write_raw_or_audit(seeded: Settings, statement: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        _run(seeded, "transformer", statement)


def test_transformer_builds_every_layer(seeded: Settings) -> None:
    for schema in ("staging", "intermediate", "marts"):
        _run(seeded, "transformer", f"create or replace view {schema}.probe_v as select 1 as n")
        _run(seeded, "transformer", f"drop view {schema}.probe_v")


def test_init_is_idempotent(seeded: Settings) -> None:
    assert init_warehouse(seeded) == []
    assert init_warehouse(seeded) == []
    assert _run(seeded, "bi", "select count(*) from marts.role_probe") == [(1,)]
