"""Ingest one file or many: the code path shared by `dxw ingest` and the `dxw_ingest` DAG."""

from __future__ import annotations

import logging
import os
import shutil
import time
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from dxw.ingest.audit import LogEntry, record
from dxw.ingest.convert import header_of
from dxw.ingest.files import arrival_time, display_name, sha256_file
from dxw.ingest.loader import Lineage, find_duplicate, load_submission
from dxw.submission import Problem, Resolver, read_submission, write_feedback
from dxw.submission.catalog import load_catalog
from dxw.submission.model import Row
from dxw.submission.problems import error as problem_error
from dxw.submission.validate import Validation

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
        name = display_name(self.path.name)
        where = f" {self.locality} {self.period}" if self.locality else ""
        if self.outcome == "accepted" and self.duplicate_of == self.submission_id:
            return f"accepted  {name}: submission #{self.submission_id}, by an earlier try"
        if self.outcome == "accepted":
            rows = sum(self.rows_loaded.values())
            extra = f", supersedes #{self.supersedes}" if self.supersedes else ""
            warn = f", {self.warnings} warning(s)" if self.warnings else ""
            return (
                f"accepted  {name}{where}: submission #{self.submission_id}, "
                f"{rows} rows{warn}{extra}"
            )
        if self.outcome == "duplicate":
            return f"duplicate {name}: same bytes as submission #{self.duplicate_of}"
        return (
            f"rejected  {name}{where}: {self.errors} problem(s), feedback in "
            f"{display_name(str(self.feedback[0])) if self.feedback else '-'}"
        )

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form (XCom, reports)."""
        return {
            "file": display_name(str(self.path)),
            "outcome": self.outcome,
            "submission_id": self.submission_id,
            "duplicate_of": self.duplicate_of,
            "supersedes": self.supersedes,
            "locality": self.locality,
            "period": self.period,
            "errors": self.errors,
            "warnings": self.warnings,
            "rows_loaded": self.rows_loaded,
            "feedback": [display_name(str(p)) for p in self.feedback],
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
    """Validate and load one file; every outcome is recorded in `audit.load_log`.

    `received_at` is when the file arrived (default: its modification time, see
    `arrival_time`); with `submitted_on` it decides which report of a period counts.
    """
    started = datetime.now(UTC)
    clock = time.monotonic()
    sha256 = sha256_file(path)
    size = path.stat().st_size
    carrier = display_name(path.suffix.lower().lstrip(".")) or None
    entry = LogEntry(
        run_id=run_id,
        file_name=display_name(path.name),
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

    validation, problems = _start(path)
    if validation is None or validation.has_errors:
        if validation is not None:
            problems = _finish_unloaded(validation, path)
        return _reject(conn, path, entry, problems, quarantine, clock)

    # The header is valid: load while validating. The rows are COPYed as they are read and
    # checked (one row in memory at a time, the server inserting while this process parses);
    # an error anywhere in the file rolls the whole load back and rejects the file.
    header = header_of(validation.header)
    arrived = received_at or arrival_time(path)
    lineage = Lineage(entry.file_name, sha256, size, validation.raw.carrier, arrived, run_id)
    guard = _Guard(path)
    found: list[Problem] = []

    def finish() -> int:
        if guard.failure is not None:
            raise _Rejected([internal_error(guard.failure)])
        try:
            found.extend(validation.finish())
        except Exception as error:
            logger.exception("internal error while validating %s", path)
            raise _Rejected([internal_error(error)]) from error
        if validation.has_errors:
            raise _Rejected(found)
        return sum(1 for p in found if p.severity == "warning")

    streams = {name: guard.wrap(stream) for name, stream in validation.streams().items()}
    try:
        with conn.transaction():
            result = load_submission(conn, header, lineage, streams, finish)
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
                found if outcome == "accepted" else [],
            )
    except _Rejected as rejected:
        return _reject(conn, path, entry, rejected.problems, quarantine, clock)
    return FileOutcome(
        path,
        outcome,
        submission_id=result.submission_id,
        duplicate_of=result.duplicate_of,
        supersedes=result.supersedes,
        locality=f"{header.locality_name} ({header.locality_code})",
        period=header.period,
        warnings=sum(1 for p in found if p.severity == "warning") if outcome == "accepted" else 0,
        rows_loaded=result.rows_loaded,
        seconds=time.monotonic() - clock,
    )


def _reject(
    conn: psycopg.Connection,
    path: Path,
    entry: LogEntry,
    problems: list[Problem],
    quarantine: Path,
    clock: float,
) -> FileOutcome:
    """Record a rejected file with its problems and copy it into the quarantine."""
    warnings = sum(1 for p in problems if p.severity == "warning")
    with conn.transaction():
        record(conn, _replace(entry, outcome="rejected"), problems)
    assert entry.file_sha256 is not None
    feedback = quarantine_file(path, entry.file_sha256, problems, quarantine)
    return FileOutcome(
        path,
        "rejected",
        errors=len(problems) - warnings,
        warnings=warnings,
        feedback=feedback[1:],
        seconds=time.monotonic() - clock,
    )


class _Rejected(Exception):
    """Raised in the load transaction to roll back a file found faulty while it was loaded."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


class _Guard:
    """Turns a failure of the validation code while streaming into a rejection of the file
    (an internal error), as for a failure before loading; database errors still propagate."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.failure: Exception | None = None

    def wrap(self, stream: Iterator[tuple[int, Row]]) -> Iterator[tuple[int, Row]]:
        if self.failure is not None:
            return
        try:
            yield from stream
        except Exception as error:
            logger.exception("internal error while validating %s", self.path)
            self.failure = error


def _start(path: Path) -> tuple[Validation | None, list[Problem]]:
    """Read a file and check its header: (validation, []) or (None, why it is unreadable).

    A bug in the parsers rejects this file instead of crashing the run.
    """
    try:
        raw = read_submission(path)
        if isinstance(raw, list):
            return None, raw
        return Validation(raw, _resolver()), []
    except Exception as error:
        logger.exception("internal error while validating %s", path)
        return None, [internal_error(error)]


def _finish_unloaded(validation: Validation, path: Path) -> list[Problem]:
    """Validate the rest of a file that is rejected anyway (every problem, nothing loaded)."""
    try:
        for stream in validation.streams().values():
            for _ in stream:
                pass
        return validation.finish()
    except Exception as error:
        logger.exception("internal error while validating %s", path)
        return [internal_error(error)]


def _replace(entry: LogEntry, **changes: object) -> LogEntry:
    from dataclasses import replace

    return replace(entry, **changes)  # type: ignore[arg-type]


# -- many files ------------------------------------------------------------------------------
_worker_conn: psycopg.Connection | None = None


def _worker_ingest(
    url: str, path: str, run_id: str, quarantine: str, received_at: datetime | None = None
) -> FileOutcome:
    """Process-pool entry point: one connection per worker process, reused across files."""
    global _worker_conn
    if _worker_conn is None or _worker_conn.closed:
        _worker_conn = psycopg.connect(url, autocommit=True)
    return ingest_file(
        _worker_conn, Path(path), run_id=run_id, quarantine=Path(quarantine),
        received_at=received_at,
    )  # fmt: skip


def ingest_paths(
    paths: Iterable[Path],
    url: str,
    *,
    run_id: str,
    quarantine: Path,
    workers: int | None = None,
    arrivals: Mapping[str, datetime] | None = None,
) -> Iterator[FileOutcome]:
    """Ingest files with `workers` processes (default: one per core), yielding as they finish.

    `arrivals` gives the arrival time of files (by path as given) whose modification time is
    not it; the others arrived when they were last modified.
    """
    files = [str(p) for p in paths]
    arrived = {str(k): v for k, v in (arrivals or {}).items()}
    workers = max(1, min(workers or os.cpu_count() or 1, len(files) or 1))
    if workers == 1:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in files:
                yield ingest_file(
                    conn, Path(name), run_id=run_id, quarantine=quarantine,
                    received_at=arrived.get(name),
                )  # fmt: skip
        return
    # Load the locality registry and the indicator catalog here, once: the workers are forked
    # from this process and inherit them, instead of each building its own (0.3 s a worker, for
    # every batch of the DAG).
    _resolver()
    load_catalog()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_worker_ingest, url, name, run_id, str(quarantine), arrived.get(name))
            for name in files
        ]
        for future in as_completed(futures):
            yield future.result()
