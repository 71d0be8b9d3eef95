"""Loading one validated submission into `raw` with COPY, all or nothing."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from dxw.submission.tables import DATA_TABLES, TABLES

#: Columns of each raw row table after (submission_id, source_row), in COPY order: the
#: submission format's column order, which the raw tables mirror (tests/test_ingest.py checks).
RAW_COLUMNS: dict[str, tuple[str, ...]] = {name: TABLES[name].column_names for name in DATA_TABLES}


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where a submission came from and when."""

    file_name: str
    file_sha256: str
    file_size_bytes: int
    carrier: str
    received_at: datetime
    run_id: str


@dataclass(frozen=True, slots=True)
class Header:
    """The `submission` table of a validated file, with the resolved locality."""

    locality_input: str
    locality_key: str
    locality_code: str
    locality_name: str
    locality_level: str
    locality_era: str
    period: str
    period_type: str
    period_start: object
    period_end: object
    submitted_on: object
    agency: str | None
    contact_email: str | None
    framework: str | None
    warning_count: int


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What happened to a file in the database."""

    submission_id: int | None
    duplicate_of: int | None
    supersedes: int | None
    rows_loaded: dict[str, int]


def lock_key(locality_key: str, period: str) -> int:
    """A stable 32-bit advisory-lock key for one locality and period."""
    return zlib.crc32(f"{locality_key}|{period}".encode())


def find_duplicate(conn: psycopg.Connection, sha256: str) -> int | None:
    """Submission id already loaded from a file with these exact bytes, if any."""
    row = conn.execute(
        "select submission_id from raw.submissions where file_sha256 = %s", (sha256,)
    ).fetchone()
    return int(row[0]) if row else None


def _superseded(conn: psycopg.Connection, header: Header) -> int | None:
    """The current latest submission for this locality and period, if the new one replaces it.

    Latest means greatest (submitted_on, received_at, submission_id), the rule the marts use; a
    late-arriving older report supersedes nothing.
    """
    row = conn.execute(
        "select submission_id, submitted_on from raw.submissions"
        " where locality_key = %s and period = %s"
        " order by submitted_on desc, received_at desc, submission_id desc limit 1",
        (header.locality_key, header.period),
    ).fetchone()
    if row is None or row[1] > header.submitted_on:
        return None
    return int(row[0])


def _insert_header(conn: psycopg.Connection, header: Header, lineage: Lineage) -> int:
    row = conn.execute(
        """
        insert into raw.submissions (
            file_name, file_sha256, file_size_bytes, carrier, received_at, load_run_id,
            locality_input, locality_key, locality_code, locality_name, locality_level,
            locality_era, period, period_type, period_start, period_end, submitted_on,
            agency, contact_email, framework, warning_count
        ) values (
            %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s
        ) returning submission_id
        """,
        (
            lineage.file_name,
            lineage.file_sha256,
            lineage.file_size_bytes,
            lineage.carrier,
            lineage.received_at,
            lineage.run_id,
            header.locality_input,
            header.locality_key,
            header.locality_code,
            header.locality_name,
            header.locality_level,
            header.locality_era,
            header.period,
            header.period_type,
            header.period_start,
            header.period_end,
            header.submitted_on,
            header.agency,
            header.contact_email,
            header.framework,
            header.warning_count,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


def copy_rows(
    conn: psycopg.Connection,
    table: str,
    submission_id: int,
    rows: Iterable[tuple[int, Sequence[object]]],
) -> int:
    """COPY (source_row, values…) rows of one table for one submission; returns the count."""
    columns = ("submission_id", "source_row", *RAW_COLUMNS[table])
    statement = sql.SQL("copy raw.{} ({}) from stdin").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for source_row, values in rows:
            copy.write_row((submission_id, source_row, *values))
            count += 1
    return count


def load_submission(
    conn: psycopg.Connection,
    header: Header,
    lineage: Lineage,
    tables: dict[str, Iterable[tuple[int, Sequence[object]]]],
) -> LoadResult:
    """Insert the header and COPY every table in one transaction, serialised per locality+period.

    Exact re-sends (same SHA-256) are detected under the lock and load nothing.
    """
    with conn.transaction():
        conn.execute(
            "select pg_advisory_xact_lock(%s)", (lock_key(header.locality_key, header.period),)
        )
        duplicate = find_duplicate(conn, lineage.file_sha256)
        if duplicate is not None:
            return LoadResult(None, duplicate, None, {})
        previous = _superseded(conn, header)
        submission_id = _insert_header(conn, header, lineage)
        loaded = {name: copy_rows(conn, name, submission_id, rows) for name, rows in tables.items()}
    return LoadResult(submission_id, None, previous, loaded)
