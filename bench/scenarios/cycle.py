"""Scenario 2, a national cycle: one submission per 2025 province and commune, ingested by
`dxw ingest` and by the `dxw_ingest` DAG (`dxw airflow dags test dxw_ingest`).

Each run, on an emptied warehouse: `dxw ingest <folder>` (a process pool of one worker per
core, then the raw data-quality gate on what it accepted: the same work as the DAG), `dxw ingest
--no-gate` (the load alone, for its CPU utilisation), then the same files copied into
`$DXW_HOME/inbox` and the DAG run with `airflow dags test` (mapped batch tasks one after another
in one process, each batch with its own process pool, then the raw gate task). All are timed as
processes: wall, CPU of the process and its reaped children, and the server's CPU meanwhile;
CPU utilisation = (client + server CPU seconds) / wall seconds. The DAG's task durations come
from Airflow's metadata database; its CPU is sampled every 0.25 s to measure the utilisation
while its batch tasks run.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

from bench import generate
from bench.harness import VENV_BIN, CommandFailed, Sample, busy_cores, paired_ratio, run, stat
from bench.modes import Mode
from bench.report import Section
from bench.warehouse import Warehouse

TARGET_RATIO = 1.5
PERIOD = "2026-H1"


def _outcomes(wh: Warehouse) -> dict[str, int]:
    rows = wh.execute("select outcome, count(*) from audit.load_log group by 1")
    return {str(k): int(v) for k, v in rows}


def _raw_rows(wh: Warehouse) -> int:
    total = 0
    for table in ("indicators", "wifi_points", "network_links", "goals", "goal_summary"):
        total += int(wh.execute(f"select count(*) from raw.{table}")[0][0])  # noqa: S608 - fixed names
    return total


def _task_times(wh: Warehouse) -> dict[str, Any]:
    """Durations of the last dxw_ingest run's tasks (mapped tasks summed), and its state."""
    run_row = wh.execute(
        "select run_id, state, start_date, end_date from dag_run where dag_id = 'dxw_ingest'"
        " order by start_date desc limit 1",
        database="airflow",
    )
    if not run_row:
        return {}
    run_id, state, start, end = run_row[0]
    windows = wh.execute(
        "select extract(epoch from start_date), extract(epoch from end_date) from task_instance"
        " where dag_id = 'dxw_ingest' and run_id = %s and task_id = 'ingest_batch'"
        " and start_date is not null and end_date is not null",
        (run_id,),
        database="airflow",
    )
    tasks = wh.execute(
        "select task_id, count(*), sum(extract(epoch from end_date - start_date)),"
        " string_agg(distinct state, ','), extract(epoch from min(start_date)),"
        " extract(epoch from max(end_date)) from task_instance"
        " where dag_id = 'dxw_ingest' and run_id = %s group by task_id",
        (run_id,),
        database="airflow",
    )
    return {
        "state": state,
        "batch_windows": [(float(a), float(b)) for a, b in windows],
        "run_seconds": (end - start).total_seconds() if start and end else None,
        "tasks": {
            str(t): {
                "count": int(n),
                "seconds": float(s or 0),
                "state": st,
                "window": (float(first or 0), float(last or 0)),
            }
            for t, n, s, st, first, last in tasks
        },
    }


def _ensure_airflow(wh: Warehouse, log_dir: Path) -> float:
    sample = run(
        [
            str(VENV_BIN / "python"),
            "-c",
            "from dxw.config import settings; from dxw.pipeline import "
            "ensure_airflow_metadata; ensure_airflow_metadata(settings())",
        ],
        env=wh.env,
        log=log_dir / "cycle-airflow-migrate.log",
    )
    return sample.wall


def _gate_seconds(log: Path) -> float | None:
    """The raw gate's own time, from the headline `dxw ingest` prints."""
    found = re.search(
        r"raw gate (?:passed|FAILED): .*?, ([0-9.]+) s;", log.read_text(errors="replace")
    )
    return float(found.group(1)) if found else None


def fill_inbox(wh: Warehouse, files: list[generate.CycleFile]) -> None:
    for folder in ("inbox", "archive", "quarantine"):
        shutil.rmtree(wh.home / folder, ignore_errors=True)
    inbox = wh.home / "inbox"
    inbox.mkdir()
    for item in files:
        shutil.copyfile(item.path, inbox / item.path.name)


def run_scenario(mode: Mode, log_dir: Path) -> Section:
    folder = generate.cycle_folder(PERIOD, mode.cycle_files, mode.seed)
    files = generate.write_cycle(folder, PERIOD, mode.cycle_files, mode.seed)
    cli: list[Sample] = []
    load_only: list[Sample] = []
    dag: list[Sample] = []
    details: list[dict[str, Any]] = []
    with Warehouse("cycle") as wh:
        migrate = _ensure_airflow(wh, log_dir)
        for i in range(mode.cycle_runs):
            wh.reset_raw()
            sample = run(
                [str(VENV_BIN / "dxw"), "ingest", str(folder)],
                env=wh.env,
                ok_codes=(0, 1),
                server=wh.server(),
                log=log_dir / f"cycle-cli-{i}.log",
            )
            sample.extra.update(outcomes=_outcomes(wh), rows=_raw_rows(wh))
            sample.extra["gate_seconds"] = _gate_seconds(log_dir / f"cycle-cli-{i}.log")
            cli.append(sample)
            wh.reset_raw()
            load_only.append(
                run(
                    [str(VENV_BIN / "dxw"), "ingest", "--no-gate", str(folder)],
                    env=wh.env,
                    ok_codes=(0, 1),
                    server=wh.server(),
                    log=log_dir / f"cycle-cli-nogate-{i}.log",
                )
            )
            wh.reset_raw()
            fill_inbox(wh, files)
            log = log_dir / f"cycle-dag-{i}.log"
            sample = run(
                [str(VENV_BIN / "dxw"), "airflow", "dags", "test", "dxw_ingest"],
                env=wh.env,
                server=wh.server(),
                log=log,
                cpu_series=True,
            )
            sample.extra.update(outcomes=_outcomes(wh), rows=_raw_rows(wh), airflow=_task_times(wh))
            sample.extra["batch_busy_cores"] = busy_cores(
                sample.extra["cpu_series"], sample.extra["airflow"].get("batch_windows", [])
            )
            if sample.extra["airflow"].get("state") != "success":
                raise CommandFailed(f"the dxw_ingest run did not succeed: {sample.extra}; {log}")
            dag.append(sample)
            details.append({"cli": cli[-1].extra, "dag": dag[-1].extra})
    return _section(mode, files, cli, load_only, dag, migrate, details)


def _section(
    mode: Mode,
    files: list[generate.CycleFile],
    cli: list[Sample],
    load_only: list[Sample],
    dag: list[Sample],
    migrate: float,
    details: list[dict[str, Any]],
) -> Section:
    carriers: dict[str, int] = {}
    for item in files:
        carriers[item.carrier] = carriers.get(item.carrier, 0) + 1
    rows = sum(f.rows for f in files)
    section = Section(
        title="2. National cycle",
        intro=(
            f"{len(files):,} submission files for {PERIOD} ("
            + ", ".join(f"{n:,} {c}" for c, n in sorted(carriers.items()))
            + f"; {rows:,} table rows, {sum(f.path.stat().st_size for f in files) / 2**20:.1f} "
            "MiB), one per 2025 province and commune"
            + ("" if mode.cycle_files is None else " (an evenly spaced subset)")
            + ". Each run on an emptied warehouse: `dxw ingest <folder>`, then `dxw airflow dags "
            "test dxw_ingest` on the same files in the inbox."
        ),
    )
    section.add("`dxw ingest` (load + raw gate): wall s", stat([s.wall for s in cli]).text())
    gate = [s.extra["gate_seconds"] for s in cli if s.extra.get("gate_seconds") is not None]
    if gate:
        section.add("`dxw ingest`: of which the raw gate (GX): s", stat(gate).text())
    section.add("`dxw ingest`: files/s", stat([len(files) / s.wall for s in cli]).text("{:,.1f}"))
    section.add("`dxw ingest`: client CPU s (process + workers)", stat([s.cpu for s in cli]).text())
    section.add("`dxw ingest`: server CPU s", stat([s.server_cpu for s in cli]).text())
    section.add(
        "`dxw ingest`: CPU utilisation, whole run (cores busy)",
        stat([s.utilisation for s in cli]).text(),
    )
    section.add(
        "`dxw ingest --no-gate` (load only): wall s", stat([s.wall for s in load_only]).text()
    )
    section.add(
        "`dxw ingest --no-gate`: CPU utilisation (cores busy)",
        stat([s.utilisation for s in load_only]).text(),
    )
    section.add(
        "`dxw ingest`: machine-wide cores busy meanwhile (all tenants)",
        stat([s.machine_busy for s in cli]).text(),
    )
    section.add("DAG `dxw_ingest` (`dags test`): wall s", stat([s.wall for s in dag]).text())
    section.add("DAG: client CPU s (Airflow + pools)", stat([s.cpu for s in dag]).text())
    section.add("DAG: server CPU s", stat([s.server_cpu for s in dag]).text())
    section.add(
        "DAG: CPU utilisation, whole run (cores busy)", stat([s.utilisation for s in dag]).text()
    )
    batch_busy = [s.extra["batch_busy_cores"] for s in dag if s.extra.get("batch_busy_cores")]
    if batch_busy:
        section.add(
            "DAG: CPU utilisation inside the `ingest_batch` tasks (cores busy)",
            stat(batch_busy).text(),
        )
    section.add(
        "DAG: machine-wide cores busy meanwhile (all tenants)",
        stat([s.machine_busy for s in dag]).text(),
    )
    ratio = paired_ratio([s.wall for s in dag], [s.wall for s in cli])
    section.add("DAG wall ÷ `dxw ingest` wall", ratio.text())
    tasks: dict[str, list[float]] = {}
    for sample in dag:
        for task, info in sample.extra.get("airflow", {}).get("tasks", {}).items():
            tasks.setdefault(task, []).append(info["seconds"])
    for task, seconds in sorted(tasks.items()):
        count = dag[-1].extra["airflow"]["tasks"][task]["count"]
        label = f"DAG task `{task}`" + (f" ({count} mapped, summed)" if count > 1 else "")
        section.add(f"{label}: s", stat(seconds).text())
    in_tasks = [sum(t["seconds"] for t in s.extra["airflow"]["tasks"].values()) for s in dag]
    outside = [s.wall - t for s, t in zip(dag, in_tasks, strict=True)]
    section.add(
        "DAG wall − all task durations (Airflow CLI start-up, DAG parsing, run creation): s",
        stat(outside).text(),
    )
    work = paired_ratio(in_tasks, [s.wall for s in cli])
    section.add("DAG task durations summed ÷ `dxw ingest` wall", work.text())
    section.add(
        "Airflow metadata migration in the fresh home (once, not in the DAG figure): s",
        f"{migrate:.1f}",
    )
    section.target(
        f"DAG ≤ {TARGET_RATIO} × `dxw ingest` on the same files",
        f"{ratio.median:.2f}",
        ratio.median <= TARGET_RATIO,
    )
    cli_util = stat([s.utilisation for s in load_only])
    dag_util = stat(batch_busy or [s.utilisation for s in dag])
    section.target(
        "both use the two cores while loading (CPU utilisation, 2.0 = both busy)",
        f"`dxw ingest --no-gate` {cli_util.median:.2f}, DAG batch tasks {dag_util.median:.2f}",
        cli_util.median >= 1.5 and dag_util.median >= 1.5,
    )
    same = all(
        d["cli"]["outcomes"] == d["dag"]["outcomes"] and d["cli"]["rows"] == d["dag"]["rows"]
        for d in details
    )
    section.notes.append(
        f"Outcomes per run (CLI / DAG): {details[-1]['cli']['outcomes']} / "
        f"{details[-1]['dag']['outcomes']}; raw rows {details[-1]['cli']['rows']:,} / "
        f"{details[-1]['dag']['rows']:,}"
        + ("" if same else " — **the two paths loaded different data**")
        + f". DAG run state: {dag[-1].extra.get('airflow', {}).get('state')}."
    )
    section.raw = {
        "files": len(files),
        "rows": rows,
        "carriers": carriers,
        "cli": [vars(s) for s in cli],
        "cli_no_gate": [vars(s) for s in load_only],
        "dag": [vars(s) for s in dag],
    }
    return section
