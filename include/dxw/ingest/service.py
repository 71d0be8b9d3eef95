"""Ingest one file or many: the code path shared by `dxw ingest` and the `dxw_ingest` DAG."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from dxw.ingest.audit import LogEntry, record
from dxw.ingest.convert import header_of, rows_of
from dxw.ingest.files import sha256_file
from dxw.ingest.loader import Lineage, find_duplicate, load_submission
from dxw.submission import (
    Problem,
    Resolver,
    ValidatedSubmission,
    read_submission,
    validate,
    write_feedback,
)
from dxw.submission.problems import error as problem_error

logger = logging.getLogger(__name__)


def internal_error(error: Exception) -> Problem:
    """The problem reported when validation itself failed unexpectedly."""
    return problem_error(
        "internal_error",
        f"The file could not be checked because of an internal error ({type(error).__name__}); "
        "the operators have been notified. Please keep the file and try again later.",
        f"Không thể kiểm tra tệp do lỗi nội bộ ({type(error).__name__}); bộ phận vận hành "
        "đã được thông báo. Vui lòng giữ tệp và gửi lại sau.",
    )


OUTCOMES = ("accepted", "duplicate", "rejected")


@dataclass(slots=True)
class FileOutcome:
    """What happened to one file."""

    path: Path
    outcome: str
    submission_id: int | None = None
    duplicate_of: int | None = None
    supersedes: int | None = None
    locality: str | None = None
    period: str | None = None
    errors: int = 0
    warnings: int = 0
    rows_loaded: dict[str, int] = field(default_factory=dict)
    feedback: list[Path] = field(default_factory=list)
    seconds: float = 0.0

    def line(self) -> str:
        """One human line for the CLI and the task log."""
        where = f" {self.locality} {self.period}" if self.locality else ""
        if self.outcome == "accepted":
            rows = sum(self.rows_loaded.values())
            extra = f", supersedes #{self.supersedes}" if self.supersedes else ""
            warn = f", {self.warnings} warning(s)" if self.warnings else ""
            return (
                f"accepted  {self.path.name}{where}: submission #{self.submission_id}, "
                f"{rows} rows{warn}{extra}"
            )
        if self.outcome == "duplicate":
            return f"duplicate {self.path.name}: same bytes as submission #{self.duplicate_of}"
        return (
            f"rejected  {self.path.name}{where}: {self.errors} problem(s), feedback in "
            f"{self.feedback[0] if self.feedback else '-'}"
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (XCom, reports)."""
        return {
            "file": str(self.path),
            "outcome": self.outcome,
            "submission_id": self.submission_id,
            "duplicate_of": self.duplicate_of,
            "supersedes": self.supersedes,
            "locality": self.locality,
            "period": self.period,
            "errors": self.errors,
            "warnings": self.warnings,
            "rows_loaded": self.rows_loaded,
            "feedback": [str(p) for p in self.feedback],
            "seconds": round(self.seconds, 3),
        }


def _resolver() -> Resolver:
    from dxw.localities import registry

    return registry().resolve


def quarantine_file(
    path: Path, sha256: str, problems: list[Problem], quarantine: Path
) -> list[Path]:
    """Copy a rejected file into quarantine with its feedback; the input stays untouched."""
    quarantine.mkdir(parents=True, exist_ok=True)
    target = quarantine / f"{sha256[:8]}-{path.name}"
    shutil.copy2(path, target)
    return [target, *write_feedback(problems, quarantine, target.name)]


def ingest_file(
    conn: psycopg.Connection,
    path: Path,
    *,
    run_id: str,
    quarantine: Path,
    received_at: datetime | None = None,
) -> FileOutcome:
    """Validate and load one file; every outcome is recorded in `audit.load_log`."""
    started = datetime.now(UTC)
    clock = time.monotonic()
    sha256 = sha256_file(path)
    size = path.stat().st_size
    carrier = path.suffix.lower().lstrip(".") or None
    entry = LogEntry(
        run_id=run_id,
        file_name=path.name,
        file_sha256=sha256,
        file_size_bytes=size,
        carrier=carrier,
        outcome="duplicate",
        started_at=started,
    )
    duplicate = find_duplicate(conn, sha256)
    if duplicate is not None:
        with conn.transaction():
            record(conn, _replace(entry, duplicate_of=duplicate), [])
        return FileOutcome(
            path, "duplicate", duplicate_of=duplicate, seconds=time.monotonic() - clock
        )

    validated, problems = _check(path)
    warnings = sum(1 for p in problems if p.severity == "warning")
    if validated is None:
        errors = len(problems) - warnings
        with conn.transaction():
            record(conn, _replace(entry, outcome="rejected"), problems)
        feedback = quarantine_file(path, sha256, problems, quarantine)
        return FileOutcome(
            path,
            "rejected",
            errors=errors,
            warnings=warnings,
            feedback=feedback[1:],
            seconds=time.monotonic() - clock,
        )

    header = header_of(validated, warnings)
    lineage = Lineage(path.name, sha256, size, validated.carrier, received_at or started, run_id)
    with conn.transaction():
        result = load_submission(conn, header, lineage, rows_of(validated))
        outcome = "accepted" if result.submission_id is not None else "duplicate"
        record(
            conn,
            _replace(
                entry,
                outcome=outcome,
                submission_id=result.submission_id,
                duplicate_of=result.duplicate_of,
                supersedes=result.supersedes,
                locality_code=header.locality_code,
                period=header.period,
                rows_loaded=result.rows_loaded,
            ),
            problems if outcome == "accepted" else [],
        )
    return FileOutcome(
        path,
        outcome,
        submission_id=result.submission_id,
        duplicate_of=result.duplicate_of,
        supersedes=result.supersedes,
        locality=f"{header.locality_name} ({header.locality_code})",
        period=header.period,
        warnings=warnings,
        rows_loaded=result.rows_loaded,
        seconds=time.monotonic() - clock,
    )


def _check(path: Path) -> tuple[ValidatedSubmission | None, list[Problem]]:
    """Read and validate; a bug in the parsers rejects this file instead of crashing the run."""
    try:
        raw = read_submission(path)
        if isinstance(raw, list):
            return None, raw
        return validate(raw, _resolver())
    except Exception as error:
        logger.exception("internal error while validating %s", path)
        return None, [internal_error(error)]


def _replace(entry: LogEntry, **changes: object) -> LogEntry:
    from dataclasses import replace

    return replace(entry, **changes)  # type: ignore[arg-type]


# -- many files ------------------------------------------------------------------------------
_worker_conn: psycopg.Connection | None = None


def _worker_ingest(url: str, path: str, run_id: str, quarantine: str) -> FileOutcome:
    """Process-pool entry point: one connection per worker process, reused across files."""
    global _worker_conn
    if _worker_conn is None or _worker_conn.closed:
        _worker_conn = psycopg.connect(url, autocommit=True)
    return ingest_file(_worker_conn, Path(path), run_id=run_id, quarantine=Path(quarantine))


def ingest_paths(
    paths: Iterable[Path],
    url: str,
    *,
    run_id: str,
    quarantine: Path,
    workers: int | None = None,
) -> Iterator[FileOutcome]:
    """Ingest files with `workers` processes (default: one per core), yielding as they finish."""
    files = [str(p) for p in paths]
    workers = max(1, min(workers or os.cpu_count() or 1, len(files) or 1))
    if workers == 1:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in files:
                yield ingest_file(conn, Path(name), run_id=run_id, quarantine=quarantine)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_worker_ingest, url, name, run_id, str(quarantine)) for name in files
        ]
        for future in as_completed(futures):
            yield future.result()
