"""Ingest one file or many: the code path shared by `dxw ingest` and the `dxw_ingest` DAG."""

from __future__ import annotations

import logging
import multiprocessing
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
from dxw.submission import Feedback, Problem, Resolver, read_submission, write_feedback
from dxw.submission.messages import problem
from dxw.submission.read import is_carrier, unknown_carrier
from dxw.submission.spec import load_catalog
from dxw.submission.validate import Row, Validation

logger = logging.getLogger(__name__)


def internal_error(error: Exception) -> Problem:
    """The problem reported when validation itself failed unexpectedly."""
    return problem("internal_error", detail=type(error).__name__)


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
    #: The feedback files written for the sender (.feedback.md first).
    feedback: list[Path] = field(default_factory=list)
    seconds: float = 0.0
    #: The problems found (warnings of an accepted file, every problem of a rejected one).
    problems: list[Problem] = field(default_factory=list, repr=False)
    sha256: str | None = None

    def to_feedback(self) -> Feedback:
        """What the sender is told about this file."""
        return Feedback(
            file_name=display_name(self.path.name),
            outcome=self.outcome,
            problems=self.problems,
            submission_id=self.submission_id,
            duplicate_of=self.duplicate_of,
            supersedes=self.supersedes,
            locality=self.locality,
            period=self.period,
            rows_loaded=sum(self.rows_loaded.values()),
        )

    def write_feedback(self, directory: Path, name: str) -> list[Path]:
        """Write this file's feedback into a folder under `name` (+ .feedback.md/.csv)."""
        self.feedback = write_feedback(self.to_feedback(), directory, name)
        return self.feedback

    def line(self) -> str:
        """One human line for the CLI and the task log."""
        name = display_name(self.path.name)
        where = f" {self.locality} {self.period}" if self.locality else ""
        if self.outcome == "accepted" and self.duplicate_of == self.submission_id:
            return f"accepted  {name}: submission #{self.submission_id}, by an earlier try"
        feedback = f"; feedback in {display_name(str(self.feedback[0]))}" if self.feedback else ""
        if self.outcome == "accepted":
            rows = sum(self.rows_loaded.values())
            extra = f", supersedes #{self.supersedes}" if self.supersedes else ""
            warn = f", {self.warnings} warning(s)" if self.warnings else ""
            return (
                f"accepted  {name}{where}: submission #{self.submission_id}, "
                f"{rows} rows{warn}{extra}{feedback}"
            )
        if self.outcome == "duplicate":
            return f"duplicate {name}: same bytes as submission #{self.duplicate_of}{feedback}"
        return f"rejected  {name}{where}: {self.errors} problem(s){feedback or '; no feedback'}"

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


def stored_name(path: Path, sha256: str) -> str:
    """The name a file is kept under in the quarantine and the CLI's feedback folder: the first
    8 hex digits of its SHA-256, then its own name (files of the same name never collide)."""
    return f"{sha256[:8]}-{path.name}"


def quarantine_file(path: Path, sha256: str, quarantine: Path) -> Path:
    """Copy a rejected file into quarantine; the input stays untouched."""
    quarantine.mkdir(parents=True, exist_ok=True)
    target = quarantine / stored_name(path, sha256)
    shutil.copy2(path, target)
    return target


def ingest_file(
    conn: psycopg.Connection,
    path: Path,
    *,
    run_id: str,
    quarantine: Path,
    received_at: datetime | None = None,
    feedback_dir: Path | None = None,
) -> FileOutcome:
    """Validate and load one file; every outcome is recorded in `audit.load_log`.

    `received_at` is when the file arrived (default: its modification time, see
    `arrival_time`); with `submitted_on` it decides which report of a period counts. A rejected
    file is copied into `quarantine` with its feedback beside the copy; the feedback of any
    other file is written into `feedback_dir` when given (the CLI), or by the caller beside the
    file once it is filed away (the DAG)."""
    outcome = _ingest(conn, path, run_id, quarantine, received_at)
    if feedback_dir is not None and outcome.outcome != "rejected" and outcome.sha256:
        outcome.write_feedback(feedback_dir, stored_name(path, outcome.sha256))
    return outcome


def _ingest(
    conn: psycopg.Connection,
    path: Path,
    run_id: str,
    quarantine: Path,
    received_at: datetime | None,
) -> FileOutcome:
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
    # The carrier before the duplicate check: an .xls is refused even with the bytes of a file
    # loaded before (an .xlsx renamed .xls, say).
    if not is_carrier(path):
        return _reject(conn, path, entry, unknown_carrier(path), quarantine, clock)
    duplicate = find_duplicate(conn, sha256)
    if duplicate is not None:
        with conn.transaction():
            record(conn, _replace(entry, duplicate_of=duplicate), [])
        return FileOutcome(
            path,
            "duplicate",
            duplicate_of=duplicate,
            seconds=time.monotonic() - clock,
            sha256=sha256,
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
        problems=found if outcome == "accepted" else [],
        sha256=sha256,
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
    copy = quarantine_file(path, entry.file_sha256, quarantine)
    outcome = FileOutcome(
        path,
        "rejected",
        errors=len(problems) - warnings,
        warnings=warnings,
        seconds=time.monotonic() - clock,
        problems=problems,
        sha256=entry.file_sha256,
    )
    outcome.write_feedback(quarantine, copy.name)
    return outcome


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
    url: str,
    path: str,
    run_id: str,
    quarantine: str,
    feedback_dir: str | None,
    received_at: datetime | None = None,
) -> FileOutcome:
    """Process-pool entry point: one connection per worker process, reused across files."""
    global _worker_conn
    if _worker_conn is None or _worker_conn.closed:
        _worker_conn = psycopg.connect(url, autocommit=True)
    return ingest_file(
        _worker_conn,
        Path(path),
        run_id=run_id,
        quarantine=Path(quarantine),
        feedback_dir=Path(feedback_dir) if feedback_dir else None,
        received_at=received_at,
    )


def ingest_paths(
    paths: Iterable[Path],
    url: str,
    *,
    run_id: str,
    quarantine: Path,
    workers: int | None = None,
    feedback_dir: Path | None = None,
    arrivals: Mapping[str, datetime] | None = None,
) -> Iterator[FileOutcome]:
    """Ingest files with `workers` processes (default: one per core), yielding as they finish.

    `arrivals` gives the arrival time of files (by path as given) whose modification time is
    not it; the others arrived when they were last modified. Inside a daemonic process (a task
    of a Celery prefork worker) no process may be started: the files are then ingested one
    after another in this process, and the DAG scales out by running its batches on several
    workers instead.
    """
    files = [str(p) for p in paths]
    arrived = {str(k): v for k, v in (arrivals or {}).items()}
    workers = max(1, min(workers or os.cpu_count() or 1, len(files) or 1))
    if workers > 1 and multiprocessing.current_process().daemon:
        logger.info(
            "running in a daemonic process (a Celery worker): %d files in this process", len(files)
        )
        workers = 1
    if workers == 1:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in files:
                yield ingest_file(
                    conn, Path(name), run_id=run_id, quarantine=quarantine,
                    feedback_dir=feedback_dir, received_at=arrived.get(name),
                )  # fmt: skip
        return
    # Load the locality registry and the indicator catalog here, once: the workers are forked
    # from this process and inherit them, instead of each building its own (0.3 s a worker, for
    # every batch of the DAG).
    _resolver()
    load_catalog()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        target = str(feedback_dir) if feedback_dir else None
        futures = [
            pool.submit(
                _worker_ingest, url, name, run_id, str(quarantine), target, arrived.get(name)
            )
            for name in files
        ]
        for future in as_completed(futures):
            yield future.result()
