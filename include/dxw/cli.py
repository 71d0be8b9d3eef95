"""`dxw`: the command line of dx-warehouse."""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console

from dxw.config import ROLES, settings
from dxw.service.cli import executor_option, workers_option

console = Console(stderr=True)


class _Group(click.Group):
    """Turns the project's expected failures into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        from dxw.db.embedded import EmbeddedPostgresError
        from dxw.db.urls import MissingPasswordError

        try:
            return super().invoke(ctx)
        except (EmbeddedPostgresError, MissingPasswordError) as error:
            raise click.ClickException(str(error)) from error

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Each command's whole first sentence, wrapped (click cuts it at the screen width)."""
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=200)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """dx-warehouse: ingest, validate and model the digital-transformation reports of localities."""


@main.group(cls=_Group)
def db() -> None:
    """Run the embedded warehouse and prepare its schemas and roles."""


def _embedded_only() -> None:
    if not settings().embedded:
        raise click.UsageError("DXW_WAREHOUSE_URL is set: the warehouse is external, not embedded.")


@db.command("start")
def db_start() -> None:
    """Start the embedded PostgreSQL (creating it the first time)."""
    from dxw.db.embedded import EmbeddedPostgres

    _embedded_only()
    with console.status("Starting the embedded PostgreSQL…"):
        port = EmbeddedPostgres(settings()).start()
    console.print(f"[green]warehouse running[/] on 127.0.0.1:{port} ({settings().home})")


@db.command("stop")
def db_stop() -> None:
    """Stop the embedded PostgreSQL."""
    from dxw.db.embedded import EmbeddedPostgres

    _embedded_only()
    stopped = EmbeddedPostgres(settings()).stop()
    console.print("warehouse stopped" if stopped else "warehouse was not running")


@db.command("status")
def db_status() -> None:
    """Say whether the embedded PostgreSQL runs; exit 0 when it does, 3 when it does not."""
    from dxw.db.embedded import EmbeddedPostgres

    config = settings()
    if not config.embedded:
        console.print("external warehouse (DXW_WAREHOUSE_URL)")
        return
    status = EmbeddedPostgres(config).status()
    if status.running:
        click.echo(f"running on 127.0.0.1:{status.port}, data in {status.data_dir}")
        return
    click.echo("stopped" if status.initialised else f"not created yet ({status.data_dir})")
    sys.exit(3)


@db.command("url")
@click.option("--role", type=click.Choice(ROLES), default="owner", show_default=True)
def db_url(role: str) -> None:
    """Print the libpq URL of the warehouse for a role (it holds the password: keep it private)."""
    from dxw.db.embedded import EmbeddedPostgresError
    from dxw.db.urls import warehouse_url

    try:
        click.echo(warehouse_url(role))
    except EmbeddedPostgresError as error:
        raise click.ClickException(str(error)) from error


@db.command("init")
def db_init() -> None:
    """Create roles, schemas, grants and tables (idempotent)."""
    from dxw.db.init import init_warehouse

    applied = init_warehouse()
    console.print(
        f"warehouse ready; migrations applied now: {', '.join(applied)}"
        if applied
        else "warehouse ready; schema up to date"
    )


@main.command(
    "airflow",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def airflow(args: tuple[str, ...]) -> None:
    """Run the `airflow` CLI against this DXW_HOME, for example `dxw airflow dags list`."""
    from dxw.airflow_env import airflow_env

    env = airflow_env()
    binary = os.path.join(os.path.dirname(sys.executable), "airflow")
    os.execve(binary, [binary, *args], env)  # noqa: S606 - hand the terminal to airflow


@main.command("run")
@click.option("--sample/--no-sample", default=True, help="Write the sample submissions first.")
@executor_option
@workers_option
def run(sample: bool, executor: str, workers: int) -> None:
    """Run the whole pipeline through the resident Airflow scheduler (started if needed)."""
    from dxw.pipeline import run_pipeline

    sys.exit(run_pipeline(console, sample=sample, executor=executor, workers=workers))


def _register() -> None:
    from dxw.bi.cli import bi
    from dxw.docs.cli import docs
    from dxw.ingest.cli import feedback, ingest, loads, quarantine, sample, template
    from dxw.quality.cli import holds, validate, withdraw
    from dxw.service.cli import down, status, up
    from dxw.transform.cli import build

    for command in (
        *(ingest, template, sample, loads, quarantine, feedback, holds, withdraw),
        *(build, validate, up, down, status, bi, docs),
    ):
        main.add_command(command)


_register()

if __name__ == "__main__":
    main()
