"""`dxw run` / `make run`: start the warehouse and run the pipeline DAGs through Airflow."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from dxw.config import Settings, settings

#: DAGs that `make run` drives, in order, with `airflow dags test`.
PIPELINE_DAGS: tuple[str, ...] = ("dxw_ingest", "dxw_transform")


def airflow_binary() -> str:
    """The `airflow` script of this environment."""
    return str(Path(sys.executable).with_name("airflow"))


def _airflow(args: Sequence[str], config: Settings, log: Path) -> subprocess.CompletedProcess[str]:
    from dxw.airflow_env import airflow_env

    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as handle:
        return subprocess.run(
            [airflow_binary(), *args],
            env=airflow_env(config),
            text=True,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )


def ensure_airflow_metadata(config: Settings) -> bool:
    """Migrate Airflow's metadata database when its version changed; True if it ran."""
    import airflow

    marker = config.airflow_home / ".dxw-migrated"
    if config.embedded and marker.exists() and marker.read_text() == airflow.__version__:
        return False
    config.airflow_home.mkdir(parents=True, exist_ok=True)
    result = _airflow(["db", "migrate"], config, config.logs_dir / "airflow-db-migrate.log")
    if result.returncode != 0:
        raise RuntimeError(
            f"`airflow db migrate` failed; see {config.logs_dir / 'airflow-db-migrate.log'}"
        )
    marker.write_text(airflow.__version__)
    return True


def dag_run_succeeded(log_text: str) -> bool:
    """Whether `airflow dags test` output ends with a successful DAG run."""
    for line in reversed(log_text.splitlines()):
        if "DagRun Finished" in line or ("Dag run" in line and "state=" in line):
            return "state=success" in line
    return False


def test_dag(dag_id: str, config: Settings) -> tuple[bool, Path, float]:
    """Run one DAG in-process with `airflow dags test`; (succeeded, log file, seconds)."""
    log = config.logs_dir / f"{dag_id}.log"
    started = time.monotonic()
    result = _airflow(["dags", "test", dag_id], config, log)
    succeeded = result.returncode == 0 and dag_run_succeeded(log.read_text(errors="replace"))
    return succeeded, log, time.monotonic() - started


def run_pipeline(console: Console, *, sample: bool = True) -> int:
    """Every step of `make run`; returns the process exit code."""
    from dxw.db.embedded import EmbeddedPostgres
    from dxw.db.init import init_warehouse

    config = settings()
    if config.embedded:
        with console.status("Starting the embedded PostgreSQL…"):
            port = EmbeddedPostgres(config).start()
        console.print(f"[green]✓[/] warehouse on 127.0.0.1:{port} (DXW_HOME={config.home})")
    applied = init_warehouse(config)
    console.print(f"[green]✓[/] schemas and roles ready ({len(applied)} migrations applied now)")
    with console.status("Preparing Airflow's metadata database…"):
        migrated = ensure_airflow_metadata(config)
    console.print(f"[green]✓[/] Airflow metadata {'migrated' if migrated else 'up to date'}")
    for folder in (config.inbox, config.archive, config.quarantine, config.docs_dir):
        folder.mkdir(parents=True, exist_ok=True)
    if sample:
        from dxw.sample import write_sample

        written = write_sample(config.inbox)
        console.print(f"[green]✓[/] {len(written)} sample submissions written to {config.inbox}")
    with console.status("Parsing the dbt project (manifest for Cosmos)…"):
        from dxw.transform.dbt import ensure_manifest

        ensure_manifest(config)
    for dag_id in PIPELINE_DAGS:
        with console.status(f"Running DAG {dag_id} through Airflow…"):
            ok, log, seconds = test_dag(dag_id, config)
        if not ok:
            console.print(f"[red]✗[/] DAG {dag_id} failed after {seconds:.0f} s; log: {log}")
            tail = log.read_text(errors="replace").splitlines()[-25:]
            console.print("\n".join(tail), markup=False, highlight=False)
            return 1
        console.print(f"[green]✓[/] DAG {dag_id} succeeded in {seconds:.0f} s (log: {log})")
    _print_next_steps(console, config)
    return 0


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


def _print_next_steps(console: Console, config: Settings) -> None:
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
    console.print(f"files processed so far: {summary['load_outcomes']}")
    console.print("\n[bold]Where to look next[/]")
    console.print(
        '  warehouse:     psql "$(.venv/bin/dxw db url)"   (read-only BI role: --role bi)'
    )
    console.print(f"  dbt docs:      {config.docs_dir / 'dbt' / 'index.html'}")
    console.print(f"  GX Data Docs:  {data_docs_index(config)}")
    console.print("  data quality:  select * from marts.dq_results  (audit.dq_results as owner)")
    console.print(f"  archive:       {config.archive}")
    console.print(f"  quarantine:    {config.quarantine}  (rejected files + .feedback.md/.csv)")
    console.print(f"  pipeline logs: {config.logs_dir}   Airflow UI: make airflow")
