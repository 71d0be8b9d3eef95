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


def _print_next_steps(console: Console, config: Settings) -> None:
    console.print("\n[bold]Where to look next[/]")
    console.print('  warehouse:  psql "$(.venv/bin/dxw db url)"   (BI role: --role bi)')
    console.print(f"  inbox:      {config.inbox}")
    console.print(f"  quarantine: {config.quarantine}")
    console.print(f"  Airflow logs: {config.logs_dir}   UI: make airflow")
