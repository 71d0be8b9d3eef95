"""`dxw run` / `make run`: the pipeline run the production way, through the resident scheduler.

The sample goes into the inbox, a `dxw_ingest` run is triggered through Airflow's REST API, and
the raw Asset it updates (only when it accepted something) schedules `dxw_transform`; both are
followed to the end. Services `dxw run` started itself are stopped again; services that were
already up (`make up`) stay up.
"""

from __future__ import annotations

import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console

from dxw.config import Settings, settings

#: DAGs that `make run` drives: the ingest run it triggers and the transform the Asset schedules.
PIPELINE_DAGS: tuple[str, ...] = ("dxw_ingest", "dxw_transform")
INGEST, TRANSFORM = PIPELINE_DAGS
#: How long `make run` waits for a DAG run (the transform of a national cycle takes minutes).
RUN_TIMEOUT = 1800.0


def airflow_binary() -> str:
    """The `airflow` script of this environment."""
    from dxw.service.stack import airflow_binary as binary

    return binary()


def ensure_airflow_metadata(config: Settings) -> bool:
    """Migrate Airflow's metadata database when its version changed; True if it ran."""
    from importlib.metadata import version

    from dxw.airflow_env import airflow_env

    # The installed version, without importing Airflow (seconds) to learn it.
    airflow_version = version("apache-airflow-core")
    marker = config.airflow_home / ".dxw-migrated"
    if config.embedded and marker.exists() and marker.read_text() == airflow_version:
        return False
    config.airflow_home.mkdir(parents=True, exist_ok=True)
    log = config.logs_dir / "airflow-db-migrate.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        result = subprocess.run(
            [airflow_binary(), "db", "migrate"],
            env=airflow_env(config),
            text=True,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        raise RuntimeError(f"`airflow db migrate` failed; see {log}")
    marker.write_text(airflow_version)
    return True


def dag_run_succeeded(log_text: str) -> bool:
    """Whether `airflow dags test` output ends with a successful DAG run."""
    for line in reversed(log_text.splitlines()):
        if "DagRun Finished" in line or ("Dag run" in line and "state=" in line):
            return "state=success" in line
    return False


@dataclass
class PipelineRun:
    """What one `make run` did: the runs it followed and how each file came out."""

    ingest_run: str | None = None
    ingest_state: str | None = None
    transform_runs: list[tuple[str, str]] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def succeeded(self) -> bool:
        return self.ingest_state == "success" and all(
            s == "success" for _, s in self.transform_runs
        )


def run_pipeline(
    console: Console,
    *,
    sample: bool = True,
    executor: str = "local",
    workers: int = 2,
) -> int:
    """Every step of `make run`; returns the process exit code."""
    from dxw.service.api import AirflowApiError
    from dxw.service.stack import ServiceError, down, running_plan, up

    config = settings()
    plan = running_plan(config)
    started_here = plan is None

    def progress(message: str) -> None:
        console.print(f"  [dim]{message}…[/]")

    try:
        if sample:
            from dxw.sample import write_sample

            config.inbox.mkdir(parents=True, exist_ok=True)
            written = write_sample(config.inbox)
            console.print(
                f"[green]✓[/] {len(written)} sample submissions written to {config.inbox}"
            )
        since = time.time()
        if plan is None:
            console.print(f"starting Airflow ({executor}) in {config.home}")
            plan = up(config, executor, workers, progress=progress)
            console.print(f"[green]✓[/] Airflow up on {plan.api_url} ({plan.executor_class})")
        else:
            console.print(f"[green]✓[/] using the Airflow already up on {plan.api_url}")
        result = drive(config, plan.api_url, console, since=since)
        if result.succeeded:
            _print_next_steps(console, config, result, services_up=not started_here)
    except (ServiceError, AirflowApiError, RuntimeError) as error:
        console.print(f"[red]✗[/] {error}")
        return 1
    finally:
        if started_here:
            with console.status("Stopping the services `make run` started…"):
                down(config)
    return 0 if result.succeeded else 1


def drive(config: Settings, api_url: str, console: Console, *, since: float) -> PipelineRun:
    """Follow the ingest run that picks up the inbox, then the transform its Asset schedules.

    A service that has just started runs `dxw_ingest` on its schedule at once: that run is
    followed. Otherwise (or if none started by itself) a run is triggered, as a data engineer
    would from the UI.
    """
    from dxw.service.api import AirflowApi

    result = PipelineRun()
    with AirflowApi(api_url, config) as api:
        for dag_id in PIPELINE_DAGS:
            api.wait_for_dag(dag_id)
            api.set_paused(dag_id, False)
        started = time.monotonic()
        ingest = _ingest_run_since(api, since)
        if ingest is None:
            ingest = api.trigger(INGEST, note="make run")
            how = "triggered"
        else:
            how = "scheduled"
        result.ingest_run = ingest.run_id
        with console.status(f"Running {INGEST} ({how}: {ingest.run_id})…"):
            ingest = api.wait_for_run(INGEST, ingest.run_id, RUN_TIMEOUT)
        result.ingest_state = ingest.state
        result.seconds[INGEST] = time.monotonic() - started
        result.outcomes = run_outcomes(config, ingest.run_id)
        mark = "[green]✓[/]" if ingest.state == "success" else "[red]✗[/]"
        console.print(
            f"{mark} {INGEST} ({how}) {ingest.state} in {result.seconds[INGEST]:.0f} s: "
            + (_describe(result.outcomes) or "no files")
        )
        if ingest.state != "success":
            _print_failed_tasks(console, api, INGEST, ingest.run_id, config)
            return result
        transforms = scheduled_transforms(api, ingest.run_id)
        if not transforms:
            last = next(iter(api.dag_runs(TRANSFORM, limit=1)), None)
            if last is not None and last.state == "success":
                console.print(
                    f"[green]✓[/] nothing new was accepted: the raw Asset was not updated, so "
                    f"{TRANSFORM} did not run and the marts are as they were"
                )
                return result
            # The marts were never built, or the last build did not finish (a service stopped
            # mid-run): build them now rather than leave them behind the raw data.
            why = "never ran" if last is None else f"last ended {last.state}"
            console.print(f"  [dim]{TRANSFORM} {why}: triggering it…[/]")
            transforms = [api.trigger(TRANSFORM, note=f"make run: {why}").run_id]
        for run_id in transforms:
            started = time.monotonic()
            with console.status(f"Running {TRANSFORM} ({run_id}), scheduled by the raw Asset…"):
                run = api.wait_for_run(TRANSFORM, run_id, RUN_TIMEOUT)
            result.transform_runs.append((run_id, run.state))
            result.seconds[TRANSFORM] = time.monotonic() - started
            mark = "[green]✓[/]" if run.state == "success" else "[red]✗[/]"
            tasks = api.task_instances(TRANSFORM, run_id)
            console.print(
                f"{mark} {TRANSFORM} {run.state} in {result.seconds[TRANSFORM]:.0f} s "
                f"({len(tasks)} tasks, scheduled by the raw Asset)"
            )
            if run.state != "success":
                _print_failed_tasks(console, api, TRANSFORM, run_id, config)
    return result


def _ingest_run_since(api: Any, since: float) -> Any:
    """An ingest run queued after `since` (epoch seconds) that has not finished, if any."""
    from datetime import datetime

    for run in api.dag_runs(INGEST):
        queued = run.queued_at or run.start_date
        if queued is None or run.finished:
            continue
        if datetime.fromisoformat(queued.replace("Z", "+00:00")).timestamp() >= since - 1:
            return run
    return None


def scheduled_transforms(api: Any, ingest_run: str, timeout: float = 120.0) -> list[str]:
    """Transform runs the Asset events of an ingest run created (none when it emitted none)."""
    deadline = time.monotonic() + timeout
    while True:
        events = api.asset_events(INGEST, ingest_run)
        if not events:
            return []
        created = [
            run["run_id"]
            for event in events
            for run in event.get("created_dagruns") or []
            if run.get("dag_id") == TRANSFORM
        ]
        if created:
            return created
        if time.monotonic() > deadline:
            raise RuntimeError(f"the raw Asset was updated but {TRANSFORM} was not scheduled")
        time.sleep(1.0)


def _print_failed_tasks(
    console: Console, api: Any, dag_id: str, run_id: str, config: Settings
) -> None:
    failed = [
        ti
        for ti in api.task_instances(dag_id, run_id)
        if ti["state"] in ("failed", "upstream_failed")
    ]
    for ti in failed:
        console.print(f"    {ti['task_id']}: {ti['state']}")
    console.print(f"  task logs: {config.airflow_home / 'logs' / f'dag_id={dag_id}'}")


def run_outcomes(config: Settings, run_id: str) -> dict[str, int]:
    """How the files of one ingest run came out: counts per outcome, held, warnings, rows."""
    import psycopg

    from dxw.db.urls import warehouse_url
    from dxw.ingest.audit import run_summary

    with psycopg.connect(warehouse_url("loader", config)) as conn:
        summary = run_summary(conn, run_id)
    counts = ("accepted", "duplicate", "rejected", "held", "warnings", "rows_loaded")
    return {name: int(summary[name]) for name in counts if summary.get(name)}


def _describe(outcomes: dict[str, int]) -> str:
    names = {"rows_loaded": "rows loaded", "warnings": "warning(s)", "held": "held"}
    return ", ".join(f"{n:,} {names.get(o, o)}" for o, n in outcomes.items())


def warehouse_summary(config: Settings) -> dict[str, object]:
    """Rows and latest period per mart (as the BI role sees them) and file outcomes so far."""
    import psycopg
    from psycopg import sql

    from dxw.db.urls import warehouse_url

    marts: dict[str, tuple[int, str | None]] = {}
    with psycopg.connect(warehouse_url("bi", config)) as conn:
        tables = conn.execute(
            "select c.table_name, bool_or(c.column_name = 'period')"
            " from information_schema.columns c"
            " join information_schema.tables t using (table_schema, table_name)"
            " where c.table_schema = 'marts' and t.table_type = 'BASE TABLE'"
            " group by 1 order by 1"
        ).fetchall()
        for table, has_period in tables:
            is_fact = has_period and table.startswith("fct_")
            latest = sql.SQL("max(period)") if is_fact else sql.SQL("null")
            row = conn.execute(
                sql.SQL("select count(*), {} from marts.{}").format(latest, sql.Identifier(table))
            ).fetchone()
            assert row is not None
            marts[table] = (int(row[0]), row[1])
    with psycopg.connect(warehouse_url("loader", config)) as conn:
        outcomes: dict[str, int] = dict(
            conn.execute("select outcome, count(*) from audit.load_log group by 1").fetchall()
        )
    return {"marts": marts, "load_outcomes": outcomes}


def _print_next_steps(
    console: Console, config: Settings, result: PipelineRun, *, services_up: bool
) -> None:
    from rich.table import Table

    from dxw.quality.config import data_docs_index

    summary = warehouse_summary(config)
    marts: dict[str, tuple[int, str | None]] = summary["marts"]  # type: ignore[assignment]
    table = Table(title="marts (what BI reads)", title_justify="left")
    for column in ("mart", "rows", "latest period"):
        table.add_column(column)
    for name, (rows, latest) in marts.items():
        table.add_row(f"marts.{name}", str(rows), latest or "-")
    console.print(table)
    this_run = _describe(result.outcomes) or "no files"
    console.print(f"this run's files: {this_run}")
    console.print("\n[bold]Where to look next[/]")
    console.print(
        '  warehouse:     psql "$(.venv/bin/dxw db url)"   (read-only BI role: --role bi)'
    )
    console.print(f"  dbt docs:      {config.docs_dir / 'dbt' / 'index.html'}")
    console.print(f"  GX Data Docs:  {data_docs_index(config)}")
    console.print("  data quality:  select * from marts.dq_results  (audit.dq_results as owner)")
    console.print(f"  archive:       {config.archive}")
    console.print(f"  quarantine:    {config.quarantine}  (rejected files + .feedback.md/.csv)")
    console.print(f"  task logs:     {config.airflow_home / 'logs'}")
    if services_up:
        console.print("  Airflow UI:    still up (`dxw status`; `make down` stops it)")
    else:
        console.print("  Airflow UI:    `make up`, then the address it prints")
