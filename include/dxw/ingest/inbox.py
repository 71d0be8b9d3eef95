"""The inbox under `$DXW_HOME`: plan batches of new files, process them, file them away."""

from __future__ import annotations

import os
import shutil
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import psycopg

from dxw.config import Settings
from dxw.ingest.files import batches, discover, display_name
from dxw.ingest.service import FileOutcome, ingest_paths

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


def _file_away(outcome: FileOutcome, config: Settings, today: str) -> None:
    """Move a processed file to the archive; a rejected one already has its quarantine copy."""
    source = outcome.path
    if not source.exists():
        return
    if outcome.outcome == "rejected":
        source.unlink()
        return
    target_dir = config.archive / today
    target_dir.mkdir(parents=True, exist_ok=True)
    shutil.move(
        source,
        target_dir / source.name
        if not (target_dir / source.name).exists()
        else target_dir / f"{datetime.now(UTC):%H%M%S%f}-{source.name}",
    )


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
        _file_away(outcome, config, today)
        if outcome.outcome == "duplicate" and outcome.duplicate_of == earlier.get(
            display_name(outcome.path.name)
        ):
            outcome.outcome, outcome.submission_id = "accepted", outcome.duplicate_of
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
