"""The sizes of a quick and a full run."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path


@dataclass(frozen=True)
class Mode:
    name: str
    #: Scenario 1: Wi-Fi point rows of the zipped-CSV and of the xlsx bulk submission.
    csv_rows: int
    xlsx_rows: int
    bulk_runs: int
    #: Scenario 2: files of the national cycle (None: every 2025 province and commune).
    cycle_files: int | None
    cycle_runs: int
    #: Scenario 3: years of half-yearly history, files per cycle, runs per size.
    years: tuple[int, ...]
    history_files: int | None
    incremental_runs: int
    full_refresh_runs: int
    #: Time the full refresh at every size (else only at the largest).
    refresh_every_size: bool
    #: Scenario 4: `dxw run` on the sample.
    e2e_runs: int
    #: Scenario 5: pairs of (`dxw_transform`, `dxw build`) on the resident service per executor
    #: (0: skipped), and the DAG layouts measured on LocalExecutor (the first is the default).
    resident_runs: int = 0
    resident_layouts: tuple[str, ...] = ("watcher",)
    #: Also run scenario 1 with another copy of the code (e.g. the last commit), side by side.
    baseline_code: Path | None = None
    seed: int = 2025

    def with_(self, **changes: object) -> Mode:
        return replace(self, **changes)  # type: ignore[arg-type]


QUICK = Mode(
    name="quick",
    csv_rows=200_000,
    xlsx_rows=50_000,
    bulk_runs=3,
    cycle_files=300,
    cycle_runs=2,
    years=(1, 2, 3),
    history_files=300,
    incremental_runs=1,
    full_refresh_runs=1,
    refresh_every_size=False,
    e2e_runs=0,
)
FULL = Mode(
    name="full",
    csv_rows=1_000_000,
    xlsx_rows=200_000,
    bulk_runs=5,
    cycle_files=None,
    cycle_runs=3,
    years=(1, 5, 10),
    history_files=None,
    incremental_runs=3,
    full_refresh_runs=1,
    refresh_every_size=True,
    e2e_runs=2,
    resident_runs=3,
    resident_layouts=("watcher", "cosmos-watcher", "local-build", "local"),
)
MODES = {"quick": QUICK, "full": FULL}
