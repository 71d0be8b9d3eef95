"""The audit trail: one `audit.load_log` row per file, its problems beside it; read back for
the feedback, `dxw loads` and a run's summary."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg

from dxw.submission import Feedback, Hold, Problem, Severity, write_feedback
from dxw.submission.feedback import OUTCOMES

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


# -- reading the audit trail back: feedback, recent loads, holds, one run ------------------------
_LOAD_COLUMNS = """
    l.load_id, l.run_id, l.file_name, l.file_sha256, l.outcome, l.submission_id,
    l.duplicate_of, l.supersedes, l.locality_code, l.period, l.error_count, l.warning_count,
    l.rows_loaded, l.started_at, coalesce(s.locality_name, d.locality_name)
"""
_LOAD_FROM = """
    from audit.load_log l
    left join raw.submissions s on s.submission_id = l.submission_id
    left join raw.submissions d on d.submission_id = l.duplicate_of
"""


@dataclass(frozen=True, slots=True)
class LoadRecord:
    """One `audit.load_log` row, with the locality's name where the submission is known."""

    load_id: int
    run_id: str
    file_name: str
    file_sha256: str | None
    outcome: str
    submission_id: int | None
    duplicate_of: int | None
    supersedes: int | None
    locality_code: str | None
    period: str | None
    error_count: int
    warning_count: int
    rows_loaded: dict[str, int]
    started_at: datetime
    locality_name: str | None

    @property
    def locality(self) -> str | None:
        """The locality as "Hạ Long (193)", or its code alone, or None."""
        if self.locality_code is None or not self.locality_name:
            return self.locality_code
        return f"{self.locality_name} ({self.locality_code})"


def _records(rows: Sequence[Sequence[Any]]) -> list[LoadRecord]:
    """Load records of `_LOAD_COLUMNS` rows."""
    out = []
    for row in rows:
        values = list(row)
        values[12] = dict(values[12] or {})
        out.append(LoadRecord(*values))
    return out


def _latest(conn: psycopg.Connection, where: str, args: tuple[object, ...]) -> LoadRecord | None:
    """The latest load matching a fixed condition (parameters passed separately)."""
    query = f"select {_LOAD_COLUMNS} {_LOAD_FROM} where {where} order by l.load_id desc limit 1"
    found = _records(conn.execute(query, args).fetchall())
    return found[0] if found else None


def find_load(
    conn: psycopg.Connection,
    *,
    sha256: str | None = None,
    submission_id: int | None = None,
    file_name: str | None = None,
) -> LoadRecord | None:
    """The load that accepted a submission, or the latest load of a file: by content and name
    when both are given (the same bytes may have come under other names), else by either."""
    if submission_id is not None:
        return _latest(conn, "l.submission_id = %s and l.outcome = 'accepted'", (submission_id,))
    if sha256 is not None and file_name is not None:
        named = _latest(conn, "l.file_sha256 = %s and l.file_name = %s", (sha256, file_name))
        return named or _latest(conn, "l.file_sha256 = %s", (sha256,))
    if sha256 is not None:
        return _latest(conn, "l.file_sha256 = %s", (sha256,))
    if file_name is not None:
        return _latest(conn, "l.file_name = %s", (file_name,))
    raise ValueError("give a sha256, a submission id or a file name")


def recent_loads(
    conn: psycopg.Connection, *, limit: int = 20, run_id: str | None = None
) -> list[LoadRecord]:
    """The latest loads, newest first (of one run when given)."""
    where, args = ("where l.run_id = %s", (run_id, limit)) if run_id else ("", (limit,))
    rows = conn.execute(
        f"select {_LOAD_COLUMNS} {_LOAD_FROM} {where} order by l.load_id desc limit %s",
        args,
    ).fetchall()
    return _records(rows)


def problems_of(conn: psycopg.Connection, load_id: int) -> list[Problem]:
    """The problems recorded with a load, in the order they were written (the table is only
    ever appended to by COPY, so its physical order is the order of the feedback)."""
    rows = conn.execute(
        "select severity, table_name, row_number, column_name, value, code, message_en,"
        " message_vi from audit.submission_problems where load_id = %s order by ctid",
        (load_id,),
    ).fetchall()
    return [Problem(Severity(r[0]), *r[1:]) for r in rows]


def holds_of(conn: psycopg.Connection, submission_ids: Sequence[int]) -> dict[int, Hold]:
    """The submissions of these that the raw data-quality gate holds out of the marts, with why.

    The one place that reads holds for the feedback: today `audit.held_submissions` (rows with
    no `released_at`), the reason `suite:expectation` and its description from the gate's
    results of the same validation.
    """
    if not submission_ids:
        return {}
    rows = conn.execute(
        """
        select h.submission_id, h.reason, h.held_at,
               (select r.description from audit.dq_results r
                 where r.validation_id = h.validation_id
                   and r.suite || ':' || r.expectation = h.reason
                 limit 1)
        from audit.held_submissions h
        where h.submission_id = any(%s) and h.released_at is null
        """,
        (list(submission_ids),),
    ).fetchall()
    return {int(r[0]): Hold(reason=r[1], held_at=r[2], description=r[3]) for r in rows}


def feedback_of(conn: psycopg.Connection, load: LoadRecord) -> Feedback:
    """The feedback of a load as the audit trail records it (holds included)."""
    hold = None
    if load.outcome == "accepted" and load.submission_id is not None:
        hold = holds_of(conn, [load.submission_id]).get(load.submission_id)
    return Feedback(
        file_name=load.file_name,
        outcome=load.outcome,
        problems=problems_of(conn, load.load_id),
        submission_id=load.submission_id,
        duplicate_of=load.duplicate_of,
        supersedes=load.supersedes,
        locality=load.locality,
        period=load.period,
        rows_loaded=sum(load.rows_loaded.values()),
        hold=hold,
    )


def refresh_gated_feedback(
    url: str, results: Iterable[Mapping[str, Any]], warned: Iterable[int] = ()
) -> list[Path]:
    """Rewrite the feedback files of the submissions of an ingest run that the raw gate held
    (so that they say why and what to do) or `warned` about (an implausible change it added
    to their problems); `results` are the runs' file outcomes (`as_dict`). Returns the files
    rewritten."""
    by_id = {
        int(r["submission_id"]): r
        for r in results
        if r.get("outcome") == "accepted" and r.get("submission_id") is not None and r["feedback"]
    }
    written: list[Path] = []
    if not by_id:
        return written
    with psycopg.connect(url, autocommit=True) as conn:
        held = holds_of(conn, list(by_id))
        for submission_id in sorted(set(held) | (set(warned) & set(by_id))):
            load = find_load(conn, submission_id=submission_id)
            if load is None:
                continue
            md = Path(str(by_id[submission_id]["feedback"][0]))
            name = md.name.removesuffix(".feedback.md")
            written += write_feedback(feedback_of(conn, load), md.parent, name)
    return written


def run_summary(conn: psycopg.Connection, run_id: str) -> dict[str, Any]:
    """One ingest run's outcomes from `audit.load_log`: files, counts per outcome (a file
    retried within the run counts once, by its last outcome), held submissions, warnings, rows
    loaded and the rejected files."""
    rows = conn.execute(
        """
        select outcome, file_name, warning_count, rows_loaded, submission_id from (
            select distinct on (file_sha256, file_name) *
            from audit.load_log where run_id = %s
            order by file_sha256, file_name, load_id desc
        ) as last
        order by load_id
        """,
        (run_id,),
    ).fetchall()
    counts = {outcome: 0 for outcome in OUTCOMES}
    for outcome, *_ in rows:
        counts[outcome] = counts.get(outcome, 0) + 1
    accepted = [r for r in rows if r[0] == "accepted"]
    held = holds_of(conn, [int(r[4]) for r in accepted if r[4] is not None])
    return {
        "run_id": run_id,
        "files": len(rows),
        **counts,
        "held": len(held),
        "warnings": sum(int(r[2]) for r in accepted),
        "rows_loaded": sum(sum(dict(r[3] or {}).values()) for r in accepted),
        "rejected_files": [str(r[1]) for r in rows if r[0] == "rejected"],
    }


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
