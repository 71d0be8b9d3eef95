"""The inbox under `$DXW_HOME`: plan batches of new files, process them, file them away.

Accepted and duplicate files move to `archive/<day>/` with their feedback beside them
(`<name>.feedback.md|.csv`); rejected ones are copied to the quarantine with theirs."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from dxw.config import Settings
from dxw.ingest.audit import feedback_of, find_load
from dxw.ingest.files import batches, discover, display_name
from dxw.ingest.service import FileOutcome, ingest_paths
from dxw.submission import write_feedback

#: Files per mapped task at the least, so a national cycle does not become thousands of tasks.
MIN_BATCH_FILES = 20


def plan_batches(config: Settings, max_batches: int | None = None) -> list[list[str]]:
    """New submission files in the inbox, split into batches for dynamic task mapping.

    Uploaders should write a file under a hidden name (`.name.xlsx`) or a non-carrier suffix
    (`name.xlsx.part`) and rename it when complete: such files are never picked up half-written.
    """
    config.inbox.mkdir(parents=True, exist_ok=True)
    files = [str(p) for p in discover([config.inbox])]
    default = 2 * (os.cpu_count() or 1)
    limit = max_batches or int(os.environ.get("DXW_INGEST_MAX_BATCHES", default))
    return batches(files, limit, MIN_BATCH_FILES)


def _file_away(outcome: FileOutcome, config: Settings, today: str) -> Path | None:
    """Move a processed file to the archive (returns where); a rejected one already has its
    quarantine copy and is only removed from the inbox."""
    source = outcome.path
    if not source.exists():
        return None
    if outcome.outcome == "rejected":
        source.unlink()
        return None
    target_dir = config.archive / today
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / source.name
    if target.exists():
        target = target_dir / f"{datetime.now(UTC):%H%M%S%f}-{source.name}"
    shutil.move(source, target)
    return target


def _feedback_beside(outcome: FileOutcome, archived: Path, url: str) -> None:
    """The feedback of an archived file, beside it; for a file an earlier try of this run
    loaded (now a duplicate of itself), the accepted load's feedback from the audit trail."""
    if outcome.outcome == "accepted" and outcome.duplicate_of == outcome.submission_id:
        with psycopg.connect(url, autocommit=True) as conn:
            load = find_load(conn, submission_id=outcome.submission_id)
            if load is not None:
                outcome.feedback = write_feedback(feedback_of(conn, load), archived.parent,
                                                  archived.name)  # fmt: skip
                return
    outcome.write_feedback(archived.parent, archived.name)


def _accepted_earlier(url: str, run_id: str, files: Sequence[str]) -> dict[str, int]:
    """Submission ids this run already accepted from these files, by file name (a retry)."""
    names = [display_name(Path(f).name) for f in files]
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "select file_name, submission_id from audit.load_log"
            " where run_id = %s and outcome = 'accepted' and file_name = any(%s)",
            (run_id, names),
        ).fetchall()
    return {str(name): int(submission_id) for name, submission_id in rows}


def process_batch(
    files: Sequence[str], url: str, *, run_id: str, config: Settings, workers: int | None = None
) -> list[dict[str, object]]:
    """Ingest one batch and file every input away; safe to retry: files loaded by an earlier try
    of the same run come back as duplicates, files it already filed away are skipped, and both
    are still reported as accepted by this run (so the run checks them and triggers the
    transform even when the try that loaded them died)."""
    earlier = _accepted_earlier(url, run_id, files)
    present = [Path(f) for f in files if Path(f).exists()]
    today = f"{datetime.now(UTC):%Y-%m-%d}"
    results: list[dict[str, object]] = []
    for name in files:
        loaded = earlier.get(display_name(Path(name).name))
        if loaded is not None and not Path(name).exists():
            done = FileOutcome(Path(name), "accepted", submission_id=loaded, duplicate_of=loaded)
            print(done.line())
            results.append(done.as_dict())
    for outcome in ingest_paths(
        present, url, run_id=run_id, quarantine=config.quarantine, workers=workers
    ):
        archived = _file_away(outcome, config, today)
        if outcome.outcome == "duplicate" and outcome.duplicate_of == earlier.get(
            display_name(outcome.path.name)
        ):
            outcome.outcome, outcome.submission_id = "accepted", outcome.duplicate_of
        if archived is not None:
            _feedback_beside(outcome, archived, url)
        print(outcome.line())
        results.append(outcome.as_dict())
    return results


def summarise(results: Sequence[Sequence[dict[str, object]]]) -> dict[str, object]:
    """Counts per outcome over all batches, and the rejected files."""
    flat = [r for batch in results for r in batch]
    counts = Counter(str(r["outcome"]) for r in flat)
    return {
        "files": len(flat),
        **{name: counts.get(name, 0) for name in ("accepted", "duplicate", "rejected")},
        "rejected_files": sorted(str(r["file"]) for r in flat if r["outcome"] == "rejected"),
        "submission_ids": sorted(
            int(str(r["submission_id"])) for r in flat if r["submission_id"] is not None
        ),
    }
