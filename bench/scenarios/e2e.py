"""Scenario 4, end to end: `make run` on the sample with a warm environment (the virtualenv
installed, bytecode compiled), in a fresh `DXW_HOME`, then once more in the same home.

`make run` goes through the resident scheduler (`dxw run`). Its output lines are time-stamped as
they appear, which splits the wall time into set-up (install check, sample, PostgreSQL, Airflow
metadata, `dxw up`), the `dxw_ingest` run, the `dxw_transform` run the raw Asset schedules, and
the summary with the services stopped. Airflow's metadata then splits each DAG: the ingest
batches, the dbt tasks, the Great Expectations gates, and what is left: Airflow's own overhead
(scheduling, task start-up).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bench.harness import Sample, run_stamped, stat
from bench.modes import Mode
from bench.report import Section
from bench.warehouse import Warehouse

#: Targets of `make run` on the sample with the environment installed, on a quiet machine.
FIRST_TARGET, AGAIN_TARGET = 90.0, 30.0


def _dag_tasks(wh: Warehouse, dag_id: str) -> dict[str, tuple[float, float]]:
    """(first start, last end) in epoch seconds of each task of the DAG's latest run."""
    rows = wh.execute(
        "select task_id, extract(epoch from min(start_date)), extract(epoch from max(end_date))"
        " from task_instance where dag_id = %s and run_id = (select run_id from dag_run"
        " where dag_id = %s order by start_date desc limit 1) and start_date is not null"
        " and end_date is not null group by task_id",
        (dag_id, dag_id),
        database="airflow",
    )
    return {str(task): (float(start), float(end)) for task, start, end in rows}


def _bucket(task: str) -> str:
    if "quality_gate" in task:
        return "gx"
    if task.startswith("dbt") or task == "dbt_build":
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

    # `dxw run` prints a line when the service is up, and one when each DAG run has ended.
    up_end = at("Airflow up on") or at("using the Airflow already up")
    ingest_end = at("dxw_ingest (")
    transform_end = at("dxw_transform success") or ingest_end
    out: dict[str, Any] = {"wall": sample.wall}
    if up_end is None or ingest_end is None or transform_end is None:
        return out
    ingest_start = up_end
    tasks = {dag: _dag_tasks(wh, dag) for dag in ("dxw_ingest", "dxw_transform")}
    if transform_end == ingest_end:  # no transform ran: its latest run is an earlier one
        tasks["dxw_transform"] = {}
    # A phase's time is its span (first start to last end): the ingest batches and the dbt
    # watchers run side by side, so their durations would add up to more than the wall.
    spans: dict[tuple[str, str], tuple[float, float]] = {}
    for dag, dag_tasks in tasks.items():
        for task, (start, end) in dag_tasks.items():
            key = (dag, _bucket(task))
            low, high = spans.get(key, (start, end))
            spans[key] = (min(low, start), max(high, end))
    buckets = {b: 0.0 for b in ("ingest", "dbt", "gx", "other tasks")}
    for (_, bucket), (low, high) in spans.items():
        buckets[bucket] += high - low
    dag_walls = transform_end - ingest_start
    # Airflow's own time: the part of the DAG runs' wall during which none of their tasks ran.
    busy = 0.0
    for dag_tasks in tasks.values():
        reach = float("-inf")
        for start, end in sorted(dag_tasks.values()):
            busy += max(0.0, end - max(start, reach))
            reach = max(reach, end)
    out.update(
        setup=ingest_start,
        dag_ingest=ingest_end - ingest_start,
        dag_transform=transform_end - ingest_end,
        summary=sample.wall - transform_end,
        airflow_overhead=dag_walls - busy,
        tasks={dag: {t: e - s for t, (s, e) in ts.items()} for dag, ts in tasks.items()},
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
                # `make run` stops the PostgreSQL it started; Airflow's metadata is read after.
                wh.dxw("db", "start", log=f"db-start-{label}-{i}.log")
                bucket.append(_breakdown(sample, lines, wh))
        finally:
            wh.stop()
    return _section(first, again)


def _section(first: list[dict[str, Any]], again: list[dict[str, Any]]) -> Section:
    section = Section(
        title="4. End to end (`make run` on the sample)",
        intro=(
            "`make run` with the environment installed, in a fresh `DXW_HOME` (first): it starts "
            "PostgreSQL and the resident Airflow service, follows the scheduled `dxw_ingest` run "
            "and the `dxw_transform` run the raw Asset schedules, and stops what it started. Then "
            "again in the same home (again: every sample file is a duplicate, the ingest run "
            "updates no Asset and no transform runs). Wall seconds from the time-stamped output; "
            "the DAG parts come from Airflow's task durations."
        ),
        header=("part", "first run in a fresh home", "again (warm home)"),
    )
    parts = (
        ("total `make run`", "wall"),
        ("set-up (install check, sample, PostgreSQL, init, Airflow metadata, `dxw up`)", "setup"),
        ("DAG `dxw_ingest` (wall)", "dag_ingest"),
        ("DAG `dxw_transform` (wall)", "dag_transform"),
        ("— ingest (batch tasks)", "ingest"),
        ("— dbt tasks (the producer's `dbt build` and its watchers)", "dbt"),
        ("— GX gates (raw and marts)", "gx"),
        ("— other tasks (scan, publish, docs, freshness)", "other tasks"),
        (
            "— Airflow overhead (no task of the DAG running: scheduling, task start-up)",
            "airflow_overhead",
        ),
        ("summary, and stopping the services", "summary"),
    )
    for label, key in parts:
        section.add(
            label,
            stat([r[key] for r in first if key in r]).text("{:.1f}"),
            stat([r[key] for r in again if key in r]).text("{:.1f}"),
        )
    for label, runs, target in (("after install", first, FIRST_TARGET),
                                ("again, nothing new", again, AGAIN_TARGET)):  # fmt: skip
        walls = [r["wall"] for r in runs]
        if walls:
            median = stat(walls).median
            section.target(
                f"`make run` {label} ≤ {target:.0f} s", f"{median:.1f} s", median <= target
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
