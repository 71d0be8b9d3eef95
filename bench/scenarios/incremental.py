"""Scenario 3, incremental cost: one more national cycle into warehouses holding 1, 5 and 10
years of half-yearly cycles (quick: 1, 2, 3 years of a smaller cycle).

One warehouse grows through the sizes. For each size: the history (cycles from 2025-H2 on) is
loaded with the loader's `load_submission` directly, the marts are brought up to date (a full
`dxw build` the first time, then `dbt run -s fct_wifi_points` for the only incremental model),
and the database is snapshotted. Each run then restores the snapshot, ingests the next cycle's
files with `dxw ingest` and runs `dxw build` (`dxw.transform.dbt.build`: seeds, `dbt build`
incremental, docs), both timed as processes. A full refresh (`dxw build --full-refresh`) on
the same state is timed for comparison. dbt's own per-node times (run_results.json) show which
models grow with history.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bench import generate
from bench.harness import VENV_BIN, Sample, run, stat
from bench.history import load_history
from bench.modes import Mode
from bench.report import Section
from bench.warehouse import Warehouse

TARGET_RATIO = 1.5
FIRST_PERIOD = "2025-H2"


def _node_times(wh: Warehouse) -> dict[str, float]:
    path = wh.home / "dbt" / "target" / "run_results.json"
    if not path.exists():
        return {}
    results = json.loads(path.read_text())
    out = {}
    for item in results.get("results", []):
        out[item["unique_id"]] = float(item.get("execution_time") or 0.0)
    out["(dbt elapsed)"] = float(results.get("elapsed_time") or 0.0)
    return out


def _dxw(wh: Warehouse, log: Path, *args: str, ok: tuple[int, ...] = (0,)) -> Sample:
    return run([str(VENV_BIN / "dxw"), *args], env=wh.env, log=log, ok_codes=ok, server=wh.server())


def _age_history(wh: Warehouse) -> None:
    """Make the history old: cycle k of n was received and loaded (n - k) half-years ago (the
    history is dated as it would be in a warehouse that has run for years), then
    analyse raw, as autovacuum would have long done."""
    wh.execute(
        "with periods as (select period, row_number() over (order by period) as k,"
        " count(*) over () as n from (select distinct period from raw.submissions) p)"
        " update raw.submissions s set"
        " received_at = now() - (p.n - p.k + 1) * interval '182 days'"
        " + (s.submission_id % 1440) * interval '1 minute',"
        " loaded_at = now() - (p.n - p.k + 1) * interval '182 days'"
        " + (s.submission_id % 1440) * interval '1 minute' + interval '2 seconds'"
        " from periods p where s.period = p.period"
    )
    wh.execute(
        "vacuum analyze raw.submissions, raw.indicators, raw.wifi_points,"
        " raw.network_links, raw.goals, raw.goal_summary"
    )


def _catch_up(wh: Warehouse, log: Path) -> Sample:
    """Rebuild the incremental models on the grown (and re-aged) history."""
    code = (
        "import sys; from dxw.config import settings; from dxw.db.urls import warehouse_url;"
        "from dxw.transform.dbt import dbt_env, run_dbt; c = settings();"
        "r = run_dbt(['run', '--select', 'config.materialized:incremental', '--full-refresh'],"
        " c, dbt_env(warehouse_url('transformer', c))); sys.exit(0 if r.success else 1)"
    )
    return run([str(VENV_BIN / "python"), "-c", code], env=wh.env, log=log)


def _sizes(wh: Warehouse) -> dict[str, int]:
    counts = {}
    for table in ("submissions", "wifi_points", "indicators"):
        counts[table] = int(wh.execute(f"select count(*) from raw.{table}")[0][0])  # noqa: S608 - fixed names
    return counts


def run_scenario(mode: Mode, log_dir: Path) -> Section:
    results: dict[int, dict[str, Any]] = {}
    small = mode.history_files is not None
    with Warehouse("incremental") as wh:
        loader_url = wh.url("loader")
        loaded_cycles = 0
        built = False
        for years in sorted(mode.years):
            cycles = 2 * years
            periods = generate.half_periods(FIRST_PERIOD, cycles + 1)
            history, new_period = periods[:cycles], periods[cycles]
            started = Sample(wall=0.0)
            if loaded_cycles < cycles:
                from bench.harness import timed

                with timed() as started:
                    load_history(
                        loader_url,
                        history[loaded_cycles:],
                        mode.history_files,
                        mode.seed,
                        small=small,
                    )
                loaded_cycles = cycles
                _age_history(wh)
            if not built:
                prep = _dxw(wh, log_dir / f"incr-{years}y-initial-build.log", "build")
                built = True
            else:
                prep = _catch_up(wh, log_dir / f"incr-{years}y-catch-up.log")
            wh.snapshot(f"snap_{years}y")
            sizes = _sizes(wh)
            folder = generate.cycle_folder(new_period, mode.history_files, mode.seed)
            files = generate.write_cycle(folder, new_period, mode.history_files, mode.seed)
            ingests, builds, nodes, refreshes = [], [], [], []
            for i in range(mode.incremental_runs):
                if i:
                    wh.restore(f"snap_{years}y")
                ingests.append(
                    _dxw(
                        wh,
                        log_dir / f"incr-{years}y-ingest-{i}.log",
                        "ingest",
                        str(folder),
                        ok=(0, 1),
                    )
                )
                builds.append(_dxw(wh, log_dir / f"incr-{years}y-build-{i}.log", "build"))
                nodes.append(_node_times(wh))
            refresh_runs = (
                mode.full_refresh_runs
                if (years == max(mode.years) or mode.refresh_every_size)
                else 0
            )
            for i in range(refresh_runs):
                refreshes.append(
                    _dxw(wh, log_dir / f"incr-{years}y-refresh-{i}.log", "build", "--full-refresh")
                )
                nodes.append({f"refresh:{k}": v for k, v in _node_times(wh).items()})
            wh.restore(f"snap_{years}y")  # history without the measured cycle
            results[years] = {
                "history_cycles": cycles,
                "new_period": new_period,
                "new_files": len(files),
                "history_load_s": started.wall,
                "prepare_s": prep.wall,
                "raw_before": sizes,
                "ingest": ingests,
                "build": builds,
                "refresh": refreshes,
                "nodes": nodes,
            }
    return _section(mode, results)


def _node_growth(results: dict[int, dict[str, Any]]) -> list[tuple[str, float, float]]:
    """Per dbt node: median time at the smallest and at the largest size (incremental builds)."""
    sizes = sorted(results)
    low, high = sizes[0], sizes[-1]

    def medians(years: int) -> dict[str, float]:
        per: dict[str, list[float]] = {}
        for run_nodes in results[years]["nodes"]:
            for node, seconds in run_nodes.items():
                if not node.startswith("refresh:"):
                    per.setdefault(node, []).append(seconds)
        return {k: stat(v).median for k, v in per.items()}

    a, b = medians(low), medians(high)
    rows = [(node, a.get(node, 0.0), b[node]) for node in b]
    rows.sort(key=lambda r: r[2] - r[1], reverse=True)
    return rows


def _section(mode: Mode, results: dict[int, dict[str, Any]]) -> Section:
    sizes = sorted(results)
    files = results[sizes[0]]["new_files"]
    section = Section(
        title="3. Incremental cost",
        intro=(
            f"Warehouses holding {', '.join(str(y) for y in sizes)} year(s) of half-yearly "
            f"national cycles from {FIRST_PERIOD} ("
            + (
                "every 2025 province and commune"
                if mode.history_files is None
                else f"{mode.history_files} units a cycle, smaller submissions"
            )
            + "), then one more cycle of "
            f"{files:,} files: `dxw ingest` of its files plus `dxw build` (seeds, `dbt build` "
            "incremental, docs). History is loaded with `load_submission` directly; each run "
            "restores the same snapshot."
        ),
        header=("figure", *[f"{y} year(s)" for y in sizes]),
    )

    def row(label: str, values: list[str]) -> None:
        section.add(label, *values)

    row(
        "history: submissions in raw",
        [f"{results[y]['raw_before']['submissions']:,}" for y in sizes],
    )
    row(
        "history: Wi-Fi point rows in raw",
        [f"{results[y]['raw_before']['wifi_points']:,}" for y in sizes],
    )
    row("new cycle", [results[y]["new_period"] for y in sizes])
    total = {
        y: [i.wall + b.wall for i, b in zip(results[y]["ingest"], results[y]["build"], strict=True)]
        for y in sizes
    }
    row("ingest + build: wall s", [stat(total[y]).text() for y in sizes])
    row(
        "`dxw ingest`: wall s", [stat([s.wall for s in results[y]["ingest"]]).text() for y in sizes]
    )
    row(
        "`dxw build` (incremental): wall s",
        [stat([s.wall for s in results[y]["build"]]).text() for y in sizes],
    )
    row(
        "of which `dbt build` elapsed (run_results): s",
        [
            stat(
                [n.get("(dbt elapsed)", 0.0) for n in results[y]["nodes"] if "(dbt elapsed)" in n]
            ).text()
            for y in sizes
        ],
    )
    row(
        "`dxw build --full-refresh`: wall s",
        [stat([s.wall for s in results[y]["refresh"]]).text() for y in sizes],
    )
    row(
        "server CPU s during the incremental build",
        [stat([s.server_cpu for s in results[y]["build"]]).text() for y in sizes],
    )
    base, top = stat(total[sizes[0]]).median, stat(total[sizes[-1]]).median
    ratio = top / base if base else float("nan")
    section.target(
        f"{sizes[-1]}-year figure ≤ {TARGET_RATIO} × the {sizes[0]}-year figure (ingest + build)",
        f"{ratio:.2f} ({top:.1f} s / {base:.1f} s)",
        ratio <= TARGET_RATIO,
    )
    growth = _node_growth(results)[:8]
    section.notes.append(
        "dbt nodes whose time grows most from the smallest to the largest warehouse "
        "(median s, incremental build): "
        + "; ".join(
            f"`{n.split('.')[-1] if n.startswith('model.') else n}` {a:.2f} → {b:.2f}"
            for n, a, b in growth
        )
    )
    section.notes.append(
        "Preparation per size (not in the figures): history load "
        + ", ".join(f"{y}y {results[y]['history_load_s']:.0f} s" for y in sizes)
        + "; first full build / catch-up "
        + ", ".join(f"{y}y {results[y]['prepare_s']:.0f} s" for y in sizes)
        + "."
    )
    section.raw = {
        str(y): {
            **{k: v for k, v in results[y].items() if k not in ("ingest", "build", "refresh")},
            "ingest": [vars(s) for s in results[y]["ingest"]],
            "build": [vars(s) for s in results[y]["build"]],
            "refresh": [vars(s) for s in results[y]["refresh"]],
        }
        for y in sizes
    }
    return section
