"""Write, audit, publish: only marts that passed the marts gate reach what BI reads.

dbt builds the marts into `marts_build`, which the BI role cannot read (write); the marts gate
checks them there (audit); `publish` then moves each built table into `marts`, in one
transaction (publish):

1. the published table moves out, into `marts_previous`;
2. the built table moves in, its indexes renamed after it (`<table>_pkey`, no `__dbt_tmp`
   leftovers), and the BI role may select from it;
3. the table it replaced moves back into `marts_build`, where the next build starts from it
   (an incremental model catches up on what changed since; a table model is rebuilt), unless
   its columns differ from the new one's (a new version of the model): then it is dropped.

A BI query sees the whole previous publication or the whole new one, never a half-built
table, and a build that failed the gate changes nothing BI reads. Moving a table needs no
copy, whatever its size; it waits for queries still reading the published table (up to a lock
timeout, then tries again). Each publication is recorded in `audit.publications` (BI:
`marts.publications`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

PUBLISHED = "marts"
BUILD = "marts_build"
PREVIOUS = "marts_previous"
BI_ROLE = "dxw_bi"
#: How long one attempt waits for BI queries holding a table, and how many attempts.
LOCK_TIMEOUT_SECONDS = 10
ATTEMPTS = 6


class PublishError(RuntimeError):
    """The marts could not be published; what BI reads is unchanged."""


@dataclass(frozen=True, slots=True)
class Publication:
    """What one publication moved into `marts`."""

    tables: list[str]
    seconds: float


def mart_tables(manifest: Path) -> list[str]:
    """The tables dbt builds into `marts_build`, by name, from a manifest."""
    nodes = json.loads(manifest.read_text())["nodes"].values()
    return sorted(
        node["alias"]
        for node in nodes
        if node["resource_type"] == "model"
        and node["schema"] == BUILD
        and node["config"]["materialized"] in ("table", "incremental")
    )


def built_tables(run_results: Path, manifest: Path) -> list[str]:
    """The mart tables a dbt invocation built successfully (for a selection: only those)."""
    marts = set(mart_tables(manifest))
    results = json.loads(run_results.read_text())["results"]
    return sorted(
        name
        for result in results
        if result["status"] == "success"
        and (name := result["unique_id"].rsplit(".", 1)[-1]) in marts
        and result["unique_id"].startswith("model.")
    )


def publish(url: str, tables: Sequence[str]) -> Publication:
    """Move the built `tables` into `marts` in one transaction (the transformer's `url`)."""
    started = time.monotonic()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with psycopg.connect(url) as conn, conn.transaction():
                conn.execute(
                    sql.SQL("set local lock_timeout = {}").format(
                        sql.Literal(f"{LOCK_TIMEOUT_SECONDS}s")
                    )
                )
                for table in tables:
                    _exchange(conn, table)
            break
        except psycopg.errors.LockNotAvailable as error:
            if attempt == ATTEMPTS:
                raise PublishError(
                    f"queries kept the published marts locked for {ATTEMPTS} attempts of "
                    f"{LOCK_TIMEOUT_SECONDS} s: nothing was published ({error})"
                ) from error
            log.warning("a query holds a published mart; trying again (%s)", error)
    return Publication(list(tables), time.monotonic() - started)


def _exists(conn: psycopg.Connection, schema: str, table: str) -> bool:
    row = conn.execute(
        "select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = %s and c.relkind in ('r', 'p')",
        (schema, table),
    ).fetchone()
    return row is not None


def _exchange(conn: psycopg.Connection, table: str) -> None:
    """Published `table` out to marts_previous, built one in, replaced one back to build."""
    if not _exists(conn, BUILD, table):
        raise PublishError(f"{BUILD}.{table} does not exist: build it before publishing")
    replaced = _exists(conn, PUBLISHED, table)
    if replaced:
        _move(conn, PUBLISHED, table, PREVIOUS)
    _name_indexes(conn, BUILD, table)
    _move(conn, BUILD, table, PUBLISHED)
    conn.execute(
        sql.SQL("grant select on {} to {}").format(
            sql.Identifier(PUBLISHED, table), sql.Identifier(BI_ROLE)
        )
    )
    if replaced and _columns(conn, PREVIOUS, table) != _columns(conn, PUBLISHED, table):
        # The model's columns changed (a new version of the project): a build could not
        # start from the old table (an incremental model fails on a schema change), so it
        # goes, and the next build creates it whole.
        conn.execute(sql.SQL("drop table {}").format(sql.Identifier(PREVIOUS, table)))
    elif replaced:
        conn.execute(
            sql.SQL("revoke all on {} from {}").format(
                sql.Identifier(PREVIOUS, table), sql.Identifier(BI_ROLE)
            )
        )
        _move(conn, PREVIOUS, table, BUILD)


def _columns(conn: psycopg.Connection, schema: str, table: str) -> list[tuple[str, str]]:
    """(name, type) of a table's columns, in order."""
    rows = conn.execute(
        "select a.attname, format_type(a.atttypid, a.atttypmod) from pg_attribute a"
        " join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace"
        " where n.nspname = %s and c.relname = %s and a.attnum > 0 and not a.attisdropped"
        " order by a.attnum",
        (schema, table),
    ).fetchall()
    return [(str(name), str(kind)) for name, kind in rows]


def _move(conn: psycopg.Connection, schema: str, table: str, to: str) -> None:
    conn.execute(
        sql.SQL("alter table {} set schema {}").format(
            sql.Identifier(schema, table), sql.Identifier(to)
        )
    )


def _name_indexes(conn: psycopg.Connection, schema: str, table: str) -> None:
    """Name a table's indexes after it: dbt builds `<table>__dbt_tmp` and renames the table,
    so its primary key would keep the temporary name (`<table>__dbt_tmp_pkey`)."""
    rows = conn.execute(
        "select i.relname, x.indisprimary from pg_index x"
        " join pg_class i on i.oid = x.indexrelid"
        " join pg_class t on t.oid = x.indrelid"
        " join pg_namespace n on n.oid = t.relnamespace"
        " where n.nspname = %s and t.relname = %s order by i.relname",
        (schema, table),
    ).fetchall()
    others = 0
    for name, primary in rows:
        if primary:
            wanted = f"{table}_pkey"
        else:
            others += 1
            wanted = f"{table}_idx{others}"
        if name != wanted:
            conn.execute(
                sql.SQL("alter index {} rename to {}").format(
                    sql.Identifier(schema, name), sql.Identifier(wanted)
                )
            )


def record(url: str, run_id: str, publication: Publication) -> None:
    """Append the publication to `audit.publications` (the loader's `url`)."""
    with psycopg.connect(url) as conn:
        conn.execute(
            "insert into audit.publications (run_id, tables, seconds) values (%s, %s, %s)",
            (run_id, publication.tables, round(publication.seconds, 3)),
        )
