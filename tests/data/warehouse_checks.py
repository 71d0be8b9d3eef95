"""Checks shared by the reliability and security tests (imported by them; not a test module)."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from psycopg import sql

REPO = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "dxw.cli"]
#: Raw row tables and the raw.submissions column holding each one's row count in load_log.
RAW_TABLES = ("indicators", "wifi_points", "network_links", "goals", "goal_summary")
#: Cells Excel would run as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


# -- marts ----------------------------------------------------------------------------------------
def mart_tables(conn: psycopg.Connection) -> list[str]:
    """Base tables of the marts schema."""
    rows = conn.execute(
        "select table_name from information_schema.tables"
        " where table_schema = 'marts' and table_type = 'BASE TABLE' order by 1"
    ).fetchall()
    return [str(r[0]) for r in rows]


def mart_checksums(url: str) -> dict[str, tuple[int, str]]:
    """(rows, md5 of every row as text in a stable order) per mart table."""
    out: dict[str, tuple[int, str]] = {}
    with psycopg.connect(url) as conn:
        for table in mart_tables(conn):
            row = conn.execute(
                sql.SQL(
                    "select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
                    " from marts.{} t"
                ).format(sql.Identifier(table))
            ).fetchone()
            assert row is not None
            out[table] = (int(row[0]), str(row[1]))
    return out


# -- privileges -----------------------------------------------------------------------------------
def readable_relations(owner_url: str, role: str) -> list[tuple[str, str, str]]:
    """(schema, relation, kind) of every relation outside the system catalogs that `role` can
    select from, directly or through a column grant."""
    with psycopg.connect(owner_url) as conn:
        rows = conn.execute(
            """
            select n.nspname, c.relname, c.relkind::text
            from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where c.relkind in ('r', 'v', 'm', 'p', 'f')
              and n.nspname not in ('pg_catalog', 'information_schema')
              and n.nspname not like 'pg_toast%%'
              and (has_table_privilege(%(role)s, c.oid, 'select')
                   or has_any_column_privilege(%(role)s, c.oid, 'select'))
            order by 1, 2
            """,
            {"role": role},
        ).fetchall()
    return [(str(a), str(b), str(c)) for a, b, c in rows]


def columns_of(owner_url: str, relations: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Column names of each relation, as `schema.relation`."""
    out: dict[str, list[str]] = {}
    with psycopg.connect(owner_url) as conn:
        for schema, name in relations:
            rows = conn.execute(
                "select column_name from information_schema.columns"
                " where table_schema = %s and table_name = %s order by ordinal_position",
                (schema, name),
            ).fetchall()
            out[f"{schema}.{name}"] = [str(r[0]) for r in rows]
    return out


# -- secrets --------------------------------------------------------------------------------------
def secret_forms(passwords: dict[str, str]) -> dict[str, str]:
    """Every way a role password could be written down: raw, URL-quoted, JSON-escaped."""
    forms: dict[str, str] = {}
    for role, password in passwords.items():
        for form in {password, quote(password, safe=""), json.dumps(password)[1:-1]}:
            forms[form] = role
    return forms


#: A libpq URL that carries a password for one of the warehouse roles (dxw, dxw_loader, ...).
URL_WITH_PASSWORD = re.compile(rb"postgres(?:ql)?(?:\+\w+)?://dxw\w*:([^\s@'\"/]+)@")


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            yield from (p for p in sorted(root.rglob("*")) if p.is_file() and not p.is_symlink())


def scan_for_secrets(roots: Iterable[Path], passwords: dict[str, str]) -> list[str]:
    """Files under `roots` that hold a role password or a URL with a password in it."""
    forms = {form.encode(): role for form, role in secret_forms(passwords).items()}
    found = []
    for path in files_under(*roots):
        data = path.read_bytes()
        for form, role in forms.items():
            if form in data:
                found.append(f"{path}: the {role} password")
        for match in URL_WITH_PASSWORD.finditer(data):
            if match.group(1).strip(b"*") and match.group(1) != b"%2A%2A%2A":
                found.append(f"{path}: a URL with a password ({match.group(0)[:40]!r}…)")
    return found


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- ingest ---------------------------------------------------------------------------------------
#: Runs a command in a child it forks (so the child starts small) and writes that child's peak
#: RSS (KiB, from wait4) to a file. A process started directly by pytest would not do: on Linux
#: the peak RSS of a process counts the image it was exec'ed from, here the whole pytest process.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
with open(sys.argv[1], "w") as out:
    out.write(str(usage.ru_maxrss))
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_ingest(
    paths: Iterable[Path], env: dict[str, str], *, workers: int = 2, timeout: float = 900
) -> tuple[int, list[dict[str, object]], str, float]:
    """`dxw ingest --json`: (exit code, one dict per file, stderr, peak RSS in MiB of the command
    and of the worker processes it reaped)."""
    command = [*CLI, "ingest", "--json", "--no-gate", "--workers", str(workers), *map(str, paths)]
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.NamedTemporaryFile("r") as rss,
    ):
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, rss.name, *command],
            env=env,
            stdout=out,
            stderr=err,
            text=True,
            start_new_session=True,
        )
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            raise
        out.seek(0)
        err.seek(0)
        lines = [json.loads(line) for line in out.read().splitlines() if line.strip()]
        stderr = err.read()
        peak_kib = int(rss.read() or 0)
    return process.returncode, lines, stderr, peak_kib / 1024


def feedback_cells(path: Path) -> list[list[str]]:
    """The rows of a .feedback.csv (UTF-8 with BOM)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def raw_rows_by_submission(conn: psycopg.Connection, ids: list[int]) -> dict[int, dict[str, int]]:
    """Rows per raw table for each submission id."""
    out: dict[int, dict[str, int]] = {i: {} for i in ids}
    for table in RAW_TABLES:
        rows = conn.execute(
            sql.SQL(
                "select submission_id, count(*) from raw.{}"
                " where submission_id = any(%s) group by 1"
            ).format(sql.Identifier(table)),
            (ids,),
        ).fetchall()
        for submission_id, count in rows:
            out[int(submission_id)][table] = int(count)
    return out


# -- the `reliability` marker ---------------------------------------------------------------------
def reliability(function: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a heavy test `reliability`: it runs only when selected (`pytest -m reliability`),
    and is skipped before any of its fixtures is set up otherwise."""
    marked = pytest.mark.reliability(function)
    return pytest.mark.skipif(
        "'reliability' not in (config.getoption('markexpr') or '')",
        reason="heavy reliability test: run it with `pytest -m reliability`",
    )(marked)


def dxw_build(home: Path, *, full_refresh: bool = False, timeout: float = 900) -> int:
    """`dxw build [--full-refresh]` in its own process (dbt's memory stays out of pytest's)."""
    env = dict(os.environ)
    env["DXW_HOME"] = str(home)
    env.pop("DXW_WAREHOUSE_URL", None)
    args = [*CLI, "build", *(["--full-refresh"] if full_refresh else [])]
    try:
        return subprocess.run(args, env=env, capture_output=True, timeout=timeout).returncode
    except subprocess.TimeoutExpired as stuck:
        # Liveness only; say which models were still running, not just that time ran out.
        tail = (stuck.stdout or b"")[-4000:].decode(errors="replace")
        raise AssertionError(f"dxw build still running after {timeout:.0f} s:\n{tail}") from None
