"""Scenario 4, end to end: `make run` on the sample with a warm environment (the virtualenv
installed, bytecode compiled), in a fresh `DXW_HOME`, then once more in the same home.

The output lines of `make run` are time-stamped as they appear, which splits the wall time into
set-up (install check, PostgreSQL start and init, Airflow metadata, sample, dbt manifest), the
`dxw_ingest` DAG, the `dxw_transform` DAG, and the summary. Airflow's metadata then splits each
DAG: the ingest batches, the dbt tasks (Cosmos: one dbtRunner invocation per model and per test,
and the docs), the Great Expectations gates, and what is left: Airflow's own overhead (CLI
start-up, DAG parsing, task start-up, scheduling).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.harness import Sample, run_stamped, stat
from bench.modes import Mode
from bench.report import Section
from bench.warehouse import Warehouse


def _dag_tasks(wh: Warehouse, dag_id: str) -> dict[str, float]:
    rows = wh.execute(
        "select task_id, coalesce(sum(extract(epoch from end_date - start_date)), 0)"
        " from task_instance where dag_id = %s and run_id = (select run_id from dag_run"
        " where dag_id = %s order by start_date desc limit 1) group by task_id",
        (dag_id, dag_id),
        database="airflow",
    )
    return {str(task): float(seconds) for task, seconds in rows}


def _bucket(task: str) -> str:
    if "quality_gate" in task:
        return "gx"
    if task.startswith("dbt") or task in ("publish_docs", "dbt_build"):
        return "dbt"
    if task == "ingest_batch":
        return "ingest"
    return "other tasks"


def _breakdown(sample: Sample, lines: list[tuple[float, str]], wh: Warehouse) -> dict[str, Any]:
    def at(marker: str) -> float | None:
        for stamp, line in lines:
            if marker in line:
                return stamp
        return None

    ingest_end = at("DAG dxw_ingest succeeded")
    transform_end = at("DAG dxw_transform succeeded")
    # The ingest DAG starts after the last line printed before its own line.
    ingest_start = max(
        (s for s, _ in lines if ingest_end is not None and s < ingest_end), default=0.0
    )
    out: dict[str, Any] = {"wall": sample.wall}
    if ingest_end is None or transform_end is None:
        return out
    tasks = {dag: _dag_tasks(wh, dag) for dag in ("dxw_ingest", "dxw_transform")}
    buckets = {"ingest": 0.0, "dbt": 0.0, "gx": 0.0, "other tasks": 0.0}
    for dag_tasks in tasks.values():
        for task, seconds in dag_tasks.items():
            buckets[_bucket(task)] += seconds
    dag_walls = (ingest_end - ingest_start) + (transform_end - ingest_end)
    out.update(
        setup=ingest_start,
        dag_ingest=ingest_end - ingest_start,
        dag_transform=transform_end - ingest_end,
        summary=sample.wall - transform_end,
        airflow_overhead=dag_walls - sum(buckets.values()),
        tasks=tasks,
        **buckets,
    )
    return out


def run_scenario(mode: Mode, log_dir: Path) -> Section:
    first: list[dict[str, Any]] = []
    again: list[dict[str, Any]] = []
    for i in range(mode.e2e_runs):
        wh = Warehouse("e2e")  # a fresh home; `make run` starts its server itself
        try:
            for label, bucket in (("first", first), ("again", again)):
                sample, lines = run_stamped(
                    ["make", "--no-print-directory", "run"],
                    env=wh.env,
                    log=log_dir / f"e2e-{label}-{i}.log",
                )
                bucket.append(_breakdown(sample, lines, wh))
        finally:
            wh.stop()
    return _section(first, again)


def _section(first: list[dict[str, Any]], again: list[dict[str, Any]]) -> Section:
    section = Section(
        title="4. End to end (`make run` on the sample)",
        intro=(
            "`make run` with the environment installed, in a fresh `DXW_HOME` (first), then again "
            "in the same home (again: every sample file is a duplicate, the transform DAG still "
            "runs). Wall seconds; the DAG parts come from Airflow's task durations."
        ),
        header=("part", "first run in a fresh home", "again (warm home)"),
    )
    parts = (
        ("total `make run`", "wall"),
        ("set-up (install check, PostgreSQL, init, Airflow metadata, sample, dbt parse)", "setup"),
        ("DAG `dxw_ingest` (wall)", "dag_ingest"),
        ("DAG `dxw_transform` (wall)", "dag_transform"),
        ("— ingest (batch tasks)", "ingest"),
        ("— dbt (Cosmos tasks, one dbtRunner per model/test, and the docs)", "dbt"),
        ("— GX gates (raw and marts)", "gx"),
        ("— other tasks (scan, publish)", "other tasks"),
        (
            "— Airflow overhead (CLI start-up, parsing, task start-up, scheduling)",
            "airflow_overhead",
        ),
        ("summary printed at the end", "summary"),
    )
    for label, key in parts:
        section.add(
            label,
            stat([r[key] for r in first if key in r]).text("{:.1f}"),
            stat([r[key] for r in again if key in r]).text("{:.1f}"),
        )
    if first and "tasks" in first[-1]:
        dbt_tasks = first[-1]["tasks"]["dxw_transform"]
        slowest = sorted(dbt_tasks.items(), key=lambda kv: kv[1], reverse=True)[:5]
        count = sum(1 for t in dbt_tasks if t.startswith("dbt"))
        section.notes.append(
            f"`dxw_transform` ran {count} dbt tasks; the slowest (first run): "
            + ", ".join(f"`{t}` {s:.1f} s" for t, s in slowest)
            + "."
        )
    section.raw = {"first": first, "again": again}
    return section
