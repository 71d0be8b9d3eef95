"""The audit trail: one `audit.load_log` row per file, its problems beside it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg

from dxw.submission import Problem

_PROBLEM_COLUMNS = (
    "load_id",
    "severity",
    "code",
    "table_name",
    "row_number",
    "column_name",
    "value",
    "message_en",
    "message_vi",
)


@dataclass(frozen=True, slots=True)
class LogEntry:
    """One file's outcome as `audit.load_log` stores it."""

    run_id: str
    file_name: str
    file_sha256: str | None
    file_size_bytes: int | None
    carrier: str | None
    outcome: str
    started_at: datetime
    submission_id: int | None = None
    duplicate_of: int | None = None
    supersedes: int | None = None
    locality_code: str | None = None
    period: str | None = None
    rows_loaded: dict[str, int] | None = None


def record(conn: psycopg.Connection, entry: LogEntry, problems: Sequence[Problem]) -> int:
    """Insert the log row and COPY its problems; returns the load id (caller holds the txn)."""
    errors = sum(1 for p in problems if p.severity == "error")
    row = conn.execute(
        """
        insert into audit.load_log (
            run_id, file_name, file_sha256, file_size_bytes, carrier, outcome, submission_id,
            duplicate_of, supersedes, locality_code, period, error_count, warning_count,
            rows_loaded, started_at
        ) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        returning load_id
        """,
        (
            entry.run_id,
            entry.file_name,
            entry.file_sha256,
            entry.file_size_bytes,
            entry.carrier,
            entry.outcome,
            entry.submission_id,
            entry.duplicate_of,
            entry.supersedes,
            entry.locality_code,
            entry.period,
            errors,
            len(problems) - errors,
            json.dumps(entry.rows_loaded or {}),
            entry.started_at,
        ),
    ).fetchone()
    assert row is not None
    load_id = int(row[0])
    add_problems(conn, load_id, problems)
    return load_id


def add_problems(conn: psycopg.Connection, load_id: int, problems: Sequence[Problem]) -> None:
    """COPY problems into `audit.submission_problems` under a load (caller holds the txn)."""
    if not problems:
        return
    with (
        conn.cursor() as cursor,
        cursor.copy(
            f"copy audit.submission_problems ({', '.join(_PROBLEM_COLUMNS)}) from stdin"
        ) as copy,
    ):
        for p in problems:
            copy.write_row(
                (
                    load_id,
                    str(p.severity),
                    p.code,
                    p.table,
                    p.row,
                    p.column,
                    p.value,
                    p.message_en,
                    p.message_vi,
                )
            )
