"""Scenario 5, the resident service: `dxw_transform` on a resident scheduler against `dxw build`.

Per executor (LocalExecutor; CeleryExecutor with a loopback Redis and 2 workers), in a fresh
home: `dxw up`, `dxw run` on the sample (fills the warehouse through the scheduler), then pairs
of one `dxw_transform` run triggered through the REST API and one `dxw build`, side by side on
the same warehouse with nothing new (incremental models, seeds unchanged on both sides). The
transform's dbt part is the span from the first start to the last end of its dbt tasks (every
layout: the producer and its watchers, or one task per model); `dxw build`'s is the wall time
of its dbt build (dbtRunner: start-up, parse, build), which it prints. Other DAG layouts
(`DXW_TRANSFORM_LAYOUT`) are measured the same way on LocalExecutor, the service restarted
under each.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench import generate
from bench.harness import VENV_BIN, Sample, paired_ratio, run, run_stamped, stat
from bench.modes import Mode
from bench.report import Section
from bench.scenarios.cycle import PERIOD as CYCLE_PERIOD
from bench.scenarios.cycle import fill_inbox
from bench.warehouse import Warehouse

#: The layout the DAG uses by default, and the others `DXW_TRANSFORM_LAYOUT` selects.
DEFAULT_LAYOUT = "watcher"
TRANSFORM, INGEST = "dxw_transform", "dxw_ingest"


def _seconds(stamp: str | None) -> float | None:
    if not stamp:
        return None
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def _transform_once(wh: Warehouse) -> dict[str, Any]:
    """Trigger one `dxw_transform` run through the REST API, wait, and split its time."""
    from dxw.config import Settings
    from dxw.service.api import AirflowApi
    from dxw.service.stack import running_plan

    config = Settings(home=wh.home, warehouse_url=None)
    plan = running_plan(config)
    if plan is None:
        raise RuntimeError("the service is not up")
    with AirflowApi(plan.api_url, config) as api:
        queued = api.trigger(TRANSFORM, note="bench")
        started = time.perf_counter()
        done = api.wait_for_run(TRANSFORM, queued.run_id, timeout=3600)
        wall = time.perf_counter() - started
        tasks = api.task_instances(TRANSFORM, queued.run_id)
    if done.state != "success":
        raise RuntimeError(f"{TRANSFORM} {queued.run_id} ended {done.state}")
    dbt = [t for t in tasks if t["task_id"].startswith("dbt")]
    starts = [s for t in dbt if (s := _seconds(t.get("start_date"))) is not None]
    ends = [e for t in dbt if (e := _seconds(t.get("end_date"))) is not None]
    run_start, run_end = _seconds(done.start_date), _seconds(done.end_date)
    return {
        "wall": wall,
        "run": (run_end - run_start) if run_start and run_end else wall,
        "dbt": max(ends) - min(starts) if starts and ends else 0.0,
        "tasks": len(tasks),
        "dbt_tasks": len(dbt),
        "hostnames": sorted({t.get("hostname") or "" for t in tasks} - {""}),
    }


def _build_once(wh: Warehouse, log: Path) -> dict[str, Any]:
    """`dxw build` on the same warehouse: wall, its dbt build's wall (the `took:` line it prints)
    and dbt's own `elapsed_time` (run_results.json; without dbt's start-up and parse)."""
    sample = run([str(VENV_BIN / "dxw"), "build"], env=wh.env, log=log)
    took = next(line for line in log.read_text().splitlines() if line.startswith("took: "))
    dbt = float(re.search(r"dbt build ([0-9.]+) s", took).group(1))  # type: ignore[union-attr]
    results = json.loads((wh.home / "dbt" / "target" / "run_results.json").read_text())
    return {"wall": sample.wall, "dbt": dbt, "dbt_elapsed": float(results["elapsed_time"])}


def _up(wh: Warehouse, executor: str, layout: str, log: Path) -> Sample:
    env = {**wh.env, "DXW_TRANSFORM_LAYOUT": layout}
    wh.env = env  # tasks inherit the service's environment; `dxw build` ignores the layout
    return run(
        [str(VENV_BIN / "dxw"), "up", "--executor", executor, "--workers", "2"],
        env=env,
        log=log,
        timeout=900,
    )


def _down(wh: Warehouse, log: Path) -> None:
    run([str(VENV_BIN / "dxw"), "down"], env=wh.env, log=log, ok_codes=(0, 1), timeout=300)


def _cycle_through_scheduler(wh: Warehouse, mode: Mode, log_dir: Path) -> dict[str, list[float]]:
    """The national cycle: `dxw ingest <folder>` against a `dxw_ingest` run of the resident
    scheduler on the same files, each on an emptied raw schema (the transform paused)."""
    from dxw.config import Settings
    from dxw.service.api import AirflowApi
    from dxw.service.stack import running_plan

    folder = generate.cycle_folder(CYCLE_PERIOD, mode.cycle_files, mode.seed)
    files = generate.write_cycle(folder, CYCLE_PERIOD, mode.cycle_files, mode.seed)
    config = Settings(home=wh.home, warehouse_url=None)
    plan = running_plan(config)
    if plan is None:
        raise RuntimeError("the service is not up")
    out: dict[str, list[float]] = {"cli": [], "dag": [], "files": [float(len(files))]}
    with AirflowApi(plan.api_url, config) as api:
        api.set_paused(TRANSFORM, True)
        for i in range(mode.cycle_runs):
            print(f"[bench] resident: national cycle {i + 1}/{mode.cycle_runs}", flush=True)
            wh.reset_raw()
            cli = run(
                [str(VENV_BIN / "dxw"), "ingest", str(folder)],
                env=wh.env,
                ok_codes=(0, 1),
                log=log_dir / f"resident-cycle-cli-{i}.log",
            )
            out["cli"].append(cli.wall)
            wh.reset_raw()
            fill_inbox(wh, files)
            queued = api.trigger(INGEST, note="bench")
            done = api.wait_for_run(INGEST, queued.run_id, timeout=3600)
            if done.state != "success":
                raise RuntimeError(f"{INGEST} {queued.run_id} ended {done.state}")
            start, end = _seconds(done.start_date), _seconds(done.end_date)
            out["dag"].append((end or 0.0) - (start or 0.0))
        api.set_paused(TRANSFORM, False)
    return out


def _measure(
    executor: str, layouts: tuple[str, ...], mode: Mode, log_dir: Path
) -> dict[str, dict[str, Any]]:
    wh = Warehouse(f"resident-{executor}")
    out: dict[str, dict[str, Any]] = {}
    runs = mode.resident_runs
    try:
        for layout in layouts:
            tag = f"{executor}-{layout}"
            up = _up(wh, executor, layout, log_dir / f"resident-up-{tag}.log")
            try:
                entry: dict[str, Any] = {"up": up.wall, "transform": [], "build": []}
                if not out:  # the first layout fills the warehouse through the scheduler
                    sample, _ = run_stamped(
                        [str(VENV_BIN / "dxw"), "run"],
                        env=wh.env,
                        log=log_dir / f"resident-run-{tag}.log",
                    )
                    entry["run"] = sample.wall
                pairs = runs if layout == DEFAULT_LAYOUT else 1
                for i in range(pairs):
                    print(f"[bench] resident {tag}: pair {i + 1}/{pairs}", flush=True)
                    entry["transform"].append(_transform_once(wh))
                    build_log = log_dir / f"resident-build-{tag}-{i}.log"
                    entry["build"].append(_build_once(wh, build_log))
                out[layout] = entry
                if executor == "local" and layout == layouts[-1]:
                    # Last: it empties raw, which the transforms above read.
                    entry["cycle"] = _cycle_through_scheduler(wh, mode, log_dir)
            finally:
                _down(wh, log_dir / f"resident-down-{tag}.log")
    finally:
        wh.stop()
    return out


def run_scenario(mode: Mode, log_dir: Path) -> Section:
    measured = {
        "local": _measure("local", mode.resident_layouts, mode, log_dir),
        "celery": _measure("celery", (DEFAULT_LAYOUT,), mode, log_dir),
    }
    return _section(measured)


def _ratio(entry: dict[str, Any], part: str) -> Any:
    """Paired ratio of the DAG to `dxw build`: the dbt parts ("dbt") or the whole ("run")."""
    build_key = "dbt" if part == "dbt" else "wall"
    return paired_ratio(
        [t[part] for t in entry["transform"]], [b[build_key] for b in entry["build"]]
    )


def _section(measured: dict[str, dict[str, dict[str, Any]]]) -> Section:
    section = Section(
        title="5. The resident service: `dxw_transform` against `dxw build`",
        intro=(
            "A fresh home per executor: `dxw up` (LocalExecutor; CeleryExecutor with a loopback "
            "Redis and 2 workers), `dxw run` on the sample through the scheduler, then pairs of "
            "one `dxw_transform` run triggered through the REST API and one `dxw build` on the "
            "same warehouse with nothing new. dbt part: from the first start to the last end of "
            "the DAG's dbt tasks, against the wall time of `dxw build`'s dbt build (dbtRunner: "
            "start-up, parse and build; dbt's own `elapsed_time`, without start-up and parse, "
            "beside it). Whole: "
            "the DAG run (dbt, marts gate, publication, docs, freshness) against `dxw build` "
            "(freshness, dbt, marts gate, publication, docs) as a process. Layouts other than "
            f"`{DEFAULT_LAYOUT}` (the default) once each, on LocalExecutor "
            "(`DXW_TRANSFORM_LAYOUT`, the service restarted under each)."
        ),
        header=("executor / layout", "tasks (dbt)", "dbt part s", "`dxw build` dbt s (elapsed)",
                "ratio dbt part", "DAG run s", "`dxw build` s", "ratio whole", "`dxw up` s"),
    )  # fmt: skip
    for executor, layouts in measured.items():
        for layout, entry in layouts.items():
            transforms = entry["transform"]
            section.add(
                f"{executor} / `{layout}`",
                f"{transforms[-1]['tasks']} ({transforms[-1]['dbt_tasks']})",
                stat([t["dbt"] for t in transforms]).text("{:.1f}"),
                stat([b["dbt"] for b in entry["build"]]).text("{:.1f}")
                + f" ({stat([b['dbt_elapsed'] for b in entry['build']]).median:.1f})",
                _ratio(entry, "dbt").text(),
                stat([t["run"] for t in transforms]).text("{:.1f}"),
                stat([b["wall"] for b in entry["build"]]).text("{:.1f}"),
                _ratio(entry, "run").text(),
                f"{entry['up']:.1f}",
            )
    for executor, layouts in measured.items():
        entry = layouts[DEFAULT_LAYOUT]
        whole, dbt_only = _ratio(entry, "run"), _ratio(entry, "dbt")
        section.target(
            f"{executor}: `dxw_transform` ≤ 1.5 × `dxw build`, the same work (goal 1.2)",
            f"{whole.median:.2f}",
            whole.median <= 1.5,
        )
        section.target(
            f"{executor}: the transform's dbt part ≤ 1.5 × the dbt build inside `dxw build`",
            f"{dbt_only.median:.2f}",
            dbt_only.median <= 1.5,
        )
    cycle = next(e["cycle"] for e in measured["local"].values() if "cycle" in e)
    cycle_ratio = paired_ratio(cycle["dag"], cycle["cli"])
    section.add(
        f"national cycle ({int(cycle['files'][0]):,} files): `dxw ingest` s / scheduled "
        "`dxw_ingest` run s / ratio",
        "",
        stat(cycle["cli"]).text("{:.1f}"),
        "",
        "",
        stat(cycle["dag"]).text("{:.1f}"),
        "",
        cycle_ratio.text(),
        "",
    )
    section.target(
        "a national cycle through the scheduled DAG (LocalExecutor) ≤ 1.5 × `dxw ingest`",
        f"{cycle_ratio.median:.2f}",
        cycle_ratio.median <= 1.5,
    )
    workers = measured["celery"][DEFAULT_LAYOUT]["transform"][-1]["hostnames"]
    section.notes.append(
        f"Celery: the last transform's tasks ran on {len(workers)} hosts ({', '.join(workers)})."
    )
    for executor, layouts in measured.items():
        run_s = layouts[next(iter(layouts))].get("run")
        if run_s is not None:
            section.notes.append(
                f"{executor}: `dxw run` on the sample with the service up (ingest, then the "
                f"Asset-scheduled transform, first build of the marts) took {run_s:.1f} s."
            )
    section.raw = {"measured": measured, "load": os.getloadavg()}
    return section
