"""`dxw up`, `dxw status`, `dxw down`: the resident Airflow service of this home."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from dxw.config import Settings, settings
from dxw.service.plan import EXECUTORS
from dxw.service.stack import ComponentStatus

console = Console(stderr=True)


def _progress(message: str) -> None:
    console.print(f"  [dim]{message}…[/]")


#: The executor options of `dxw up` and `dxw run`.
executor_option = click.option(
    "--executor",
    type=click.Choice(sorted(EXECUTORS)),
    default="local",
    show_default=True,
    help="local: LocalExecutor on this machine; celery: CeleryExecutor, a loopback Redis broker "
    "and --workers worker processes.",
)
workers_option = click.option(
    "--workers",
    type=click.IntRange(1, 16),
    default=2,
    show_default=True,
    help="Celery workers (with --executor celery).",
)


@click.command("up")
@executor_option
@workers_option
@click.option(
    "--port",
    type=int,
    default=None,
    help="API server port (default: $DXW_AIRFLOW_PORT, 8080 if free, else a free port).",
)
@click.option(
    "--timeout",
    type=float,
    default=180.0,
    show_default=True,
    help="Seconds to wait for every component to report healthy.",
)
def up(executor: str, workers: int, port: int | None, timeout: float) -> None:
    """Start Airflow (API server, scheduler, DAG processor, triggerer) in the background."""
    from dxw.service.stack import ServiceError
    from dxw.service.stack import up as start

    config = settings()
    console.print(f"starting Airflow ({EXECUTORS[executor]}) in {config.home}")
    try:
        plan = start(config, executor, workers, port, timeout, _progress)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    _print_status(config)
    console.print(
        f"\n[green]Airflow is up[/]: {plan.api_url}  (user admin, password in "
        f"{config.airflow_home / 'simple_auth_manager_passwords.json.generated'})"
    )
    console.print("stop it with `dxw down` (make down)")


@click.command("down")
def down() -> None:
    """Stop every component `dxw up` started, leaving no process behind."""
    from dxw.service.stack import down as stop

    stopped = stop(settings(), _progress)
    console.print(f"stopped: {', '.join(stopped)}" if stopped else "nothing was running")


@click.command("status")
def status() -> None:
    """List every component with its state; exit 0 when all are up, 3 otherwise."""
    config = settings()
    rows = _print_status(config)
    airflow = [r for r in rows if r.name != "warehouse"]
    if not airflow or any(r.state in ("stopped", "unhealthy", "unknown") for r in rows):
        sys.exit(3)


def _print_status(config: Settings) -> list[ComponentStatus]:
    from dxw.service.stack import status as read_status

    rows = read_status(config)
    table = Table(title=f"services of {config.home}", title_justify="left")
    for column in ("component", "state", "pid", "detail", "log"):
        table.add_column(column)
    colours = {"healthy": "green", "running": "green", "stopped": "dim", "unhealthy": "red"}
    for row in rows:
        colour = colours.get(row.state, "yellow")
        table.add_row(
            row.name, f"[{colour}]{row.state}[/]", str(row.pid or "-"), row.detail, row.log
        )
    Console().print(table)
    if len(rows) <= 1:
        console.print("Airflow is not running here: `dxw up` (make up) starts it")
    return rows
