"""Scenario 1, bulk load: one submission with N Wi-Fi points, `dxw ingest` against `psql \\copy`.

Each run, on an emptied warehouse (raw and audit truncated, then a checkpoint):

1. `psql \\copy` of the same rows, already typed (canonical CSV), into `bench.wifi_points`, a
   table equivalent to `raw.wifi_points` (same columns, types, check, primary key, and the
   foreign key to `raw.submissions`);
2. `dxw ingest --json` of the zipped CSV (Vietnamese formats), as a process of its own: wall
   time from start to exit (interpreter start, reading, validating, COPY, commit), its CPU and
   peak RSS (`wait4`), and the server's CPU meanwhile;
3. the same file again (a duplicate: the fixed cost of the command);
4. `dxw ingest --json` of the xlsx.

Optionally the same ingests with another copy of the code (`--baseline-code`), side by side.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from bench import generate
from bench.harness import VENV_BIN, Sample, paired_ratio, run, stat
from bench.modes import Mode
from bench.report import Section
from bench.warehouse import Warehouse

COPY_COLUMNS = "source_row, point_id, name, commune, latitude, longitude, status, commissioned_on"
TARGET_RATIO = 0.5
TARGET_RSS_MIB = 1024


def _prepare_copy_table(wh: Warehouse) -> None:
    wh.execute("create schema if not exists bench")
    wh.execute("drop table if exists bench.wifi_points")
    wh.execute("create table bench.wifi_points (like raw.wifi_points including all)")
    wh.execute(
        "alter table bench.wifi_points add foreign key (submission_id) references raw.submissions"
    )


def _copy_header(wh: Warehouse) -> None:
    """A submission for the COPY's rows to reference (the foreign key is checked per row)."""
    row = wh.execute(
        "insert into raw.submissions (file_name, file_sha256, file_size_bytes, carrier,"
        " received_at, load_run_id, locality_input, locality_key, locality_code, locality_name,"
        " locality_level, locality_era, period, period_type, period_start, period_end,"
        " submitted_on) values ('copy.csv', repeat('0', 64), 0, 'zip', now(), 'bench', '01',"
        " '2025:province:01', '01', 'Hà Nội', 'province', '2025', '2025-H2', 'half',"
        " '2025-07-01', '2025-12-31', '2026-01-10') returning submission_id"
    )
    wh.execute(f"alter table bench.wifi_points alter submission_id set default {row[0][0]}")


def _psql_copy(wh: Warehouse, csv_path: Path, log: Path) -> Sample:
    command = (
        f"\\copy bench.wifi_points ({COPY_COLUMNS}) from '{csv_path}' with (format csv, header)"
    )
    return run(["psql", "-X", "-q", wh.url("owner"), "-c", command], log=log, server=wh.server())


def _ingest(wh: Warehouse, path: Path, log: Path, code: Path | None = None) -> Sample:
    env = dict(wh.env)
    if code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(code), env.get("PYTHONPATH", "")]).rstrip(":")
    sample = run(
        [str(VENV_BIN / "dxw"), "ingest", "--json", "--no-gate", str(path)],
        env=env,
        log=log,
        server=wh.server(),
    )
    outcome = _outcome(log)
    sample.extra.update(outcome)
    return sample


def _outcome(log: Path) -> dict[str, Any]:
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"no JSON outcome in {log}")


def _check_loaded(sample: Sample, rows: int) -> None:
    loaded = sample.extra.get("rows_loaded", {}).get("wifi_points")
    if sample.extra.get("outcome") != "accepted" or loaded != rows:
        raise RuntimeError(f"bulk ingest did not load {rows} rows: {sample.extra}")


def run_scenario(mode: Mode, log_dir: Path) -> Section:
    csv_rows, xlsx_rows = mode.csv_rows, mode.xlsx_rows
    zip_path = generate.bulk_files(csv_rows, "zip", mode.seed)
    csv_path = generate.bulk_files(csv_rows, "csv", mode.seed)
    xlsx_path = generate.bulk_files(xlsx_rows, "xlsx", mode.seed)
    codes: dict[str, Path | None] = {"current": None}
    if mode.baseline_code is not None:
        codes["baseline"] = mode.baseline_code
    samples: dict[str, list[Sample]] = {}

    def add(key: str, sample: Sample) -> None:
        samples.setdefault(key, []).append(sample)

    with Warehouse("bulk") as wh:
        wh.keep = False
        _prepare_copy_table(wh)
        server_version = wh.server_version()
        for i in range(mode.bulk_runs):
            wh.reset_raw()
            _copy_header(wh)
            add("copy", _psql_copy(wh, csv_path, log_dir / f"bulk-copy-{i}.log"))
            for label, code in codes.items():
                wh.reset_raw()
                sample = _ingest(wh, zip_path, log_dir / f"bulk-zip-{label}-{i}.log", code)
                _check_loaded(sample, csv_rows)
                add(f"zip/{label}", sample)
                add(
                    f"dup/{label}",
                    _ingest(wh, zip_path, log_dir / f"bulk-dup-{label}-{i}.log", code),
                )
                wh.reset_raw()
                sample = _ingest(wh, xlsx_path, log_dir / f"bulk-xlsx-{label}-{i}.log", code)
                _check_loaded(sample, xlsx_rows)
                add(f"xlsx/{label}", sample)
    return _section(mode, samples, zip_path, xlsx_path, server_version, list(codes))


def _rate(rows: int, samples: list[Sample]) -> list[float]:
    return [rows / s.wall for s in samples]


def _section(
    mode: Mode,
    samples: dict[str, list[Sample]],
    zip_path: Path,
    xlsx_path: Path,
    server_version: str,
    labels: list[str],
) -> Section:
    csv_rows, xlsx_rows = mode.csv_rows, mode.xlsx_rows
    section = Section(
        title="1. Bulk load",
        intro=(
            f"One submission (Hà Nội, 2025-H2) listing {csv_rows:,} Wi-Fi points as zipped CSV "
            f"({zip_path.stat().st_size / 2**20:.1f} MiB zip) and {xlsx_rows:,} as xlsx "
            f"({xlsx_path.stat().st_size / 2**20:.1f} MiB). `dxw ingest --no-gate` (the load; "
            "the raw gate's fixed cost is in scenario 2) is timed as a process from start to "
            "exit; `psql \\copy` loads the same rows, already typed, into a table "
            "equivalent to `raw.wifi_points` (same types, check, primary key and foreign key), "
            "in the same run, on an emptied warehouse each time."
        ),
        header=("figure", "median (min–max, n)"),
    )
    copy = samples["copy"]
    copy_rate = stat(_rate(csv_rows, copy))
    section.add(f"`psql \\copy` {csv_rows:,} rows: rows/s", copy_rate.text("{:,.0f}"))
    section.add("`psql \\copy`: wall s", stat([s.wall for s in copy]).text())
    for label in labels:
        suffix = "" if label == "current" else f" ({label} code)"
        zips, xlsxs, dups = (samples[f"{k}/{label}"] for k in ("zip", "xlsx", "dup"))
        section.add(
            f"`dxw ingest` zipped CSV{suffix}: rows/s", stat(_rate(csv_rows, zips)).text("{:,.0f}")
        )
        section.add(f"`dxw ingest` zipped CSV{suffix}: wall s", stat([s.wall for s in zips]).text())
        section.add(
            f"`dxw ingest` zipped CSV{suffix}: time inside the command (`seconds`)",
            stat([float(s.extra["seconds"]) for s in zips]).text(),
        )
        section.add(
            f"`dxw ingest` zipped CSV{suffix}: peak RSS MiB",
            stat([s.max_rss_mib for s in zips]).text("{:,.0f}"),
        )
        section.add(
            f"`dxw ingest` zipped CSV{suffix}: client CPU s (user+sys)",
            stat([s.cpu for s in zips]).text(),
        )
        section.add(
            f"`dxw ingest` zipped CSV{suffix}: server CPU s",
            stat([s.server_cpu for s in zips]).text(),
        )
        section.add(
            f"`dxw ingest` zipped CSV{suffix}: ratio to `psql \\copy` rows/s",
            paired_ratio([s.wall for s in copy], [s.wall for s in zips]).text(),
        )
        section.add(
            f"`dxw ingest` of a duplicate{suffix} (fixed cost): wall s",
            stat([s.wall for s in dups]).text(),
        )
        section.add(
            f"`dxw ingest` xlsx{suffix}: rows/s", stat(_rate(xlsx_rows, xlsxs)).text("{:,.0f}")
        )
        section.add(f"`dxw ingest` xlsx{suffix}: wall s", stat([s.wall for s in xlsxs]).text())
        section.add(
            f"`dxw ingest` xlsx{suffix}: peak RSS MiB",
            stat([s.max_rss_mib for s in xlsxs]).text("{:,.0f}"),
        )
        section.add(
            f"xlsx rows/s ÷ zipped CSV rows/s{suffix}",
            paired_ratio(_rate(xlsx_rows, xlsxs), _rate(csv_rows, zips)).text(),
        )
    if "baseline" in labels:
        section.add(
            "current ÷ baseline code, zipped CSV wall (lower is faster)",
            paired_ratio(
                [s.wall for s in samples["zip/current"]], [s.wall for s in samples["zip/baseline"]]
            ).text(),
        )
        section.add(
            "current ÷ baseline code, xlsx wall",
            paired_ratio(
                [s.wall for s in samples["xlsx/current"]],
                [s.wall for s in samples["xlsx/baseline"]],
            ).text(),
        )
    zips = samples["zip/current"]
    ratio = paired_ratio([s.wall for s in copy], [s.wall for s in zips])
    rss = stat([s.max_rss_mib for s in zips])
    section.target(
        f"zipped CSV ≥ {TARGET_RATIO} × raw COPY rows/s ({csv_rows:,} rows)",
        f"{ratio.median:.2f}",
        ratio.median >= TARGET_RATIO,
    )
    section.target(
        f"peak RSS of the ingest < {TARGET_RSS_MIB} MiB ({csv_rows:,} rows)",
        f"{rss.high:,.0f} MiB (highest run)",
        rss.high < TARGET_RSS_MIB,
    )
    xr = paired_ratio(_rate(xlsx_rows, samples["xlsx/current"]), _rate(csv_rows, zips))
    section.target(
        "xlsx rows/s, and its ratio to zipped CSV (reported)",
        f"{stat(_rate(xlsx_rows, samples['xlsx/current'])).median:,.0f} rows/s, "
        f"{xr.median:.2f} × CSV",
        None,
    )
    section.raw = {
        "server_version": server_version,
        "rows": {"csv": csv_rows, "xlsx": xlsx_rows},
        "samples": {k: [vars(s) for s in v] for k, v in samples.items()},
    }
    return section
