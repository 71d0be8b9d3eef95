"""`dxw bi up | down | status | export | import`: Superset on the marts (see docs/bi.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

console = Console(stderr=True)


def _fail(error: Exception) -> click.ClickException:
    return click.ClickException(str(error))


@click.group("bi")
def bi() -> None:
    """Apache Superset on the marts, with the dashboards of bi/dashboards."""


@bi.command("up")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None,
    help="Port on 127.0.0.1 (default $DXW_SUPERSET_PORT, else 8088).",
)  # fmt: skip
@click.option("--timeout", type=float, default=None, help="Seconds to wait for it to be healthy.")
def bi_up(port: int | None, timeout: float | None) -> None:
    """Start Superset in the background; returns once it answers."""
    from dxw.bi import superset
    from dxw.config import settings

    config = settings()
    try:
        with console.status("Starting Superset…") as spinner:
            state = superset.up(
                config,
                port=port,
                timeout=timeout or superset.DEFAULT_TIMEOUT,
                progress=lambda step: spinner.update(f"Superset: {step}…"),
            )
    except superset.SupersetError as error:
        raise _fail(error) from error
    paths = superset.SupersetPaths.of(config)
    for line in (
        f"[green]✓[/] Superset running on {state.url} (PID {state.pid})",
        f"  dashboards:  {state.url}dashboard/list/",
        f"  log in as:   admin, password in {paths.secrets_file} (key admin_password)",
        f"  log:         {paths.log_file}",
        "  stop it:     .venv/bin/dxw bi down",
    ):
        console.print(line, soft_wrap=True)


@bi.command("down")
def bi_down() -> None:
    """Stop Superset (and every process it started)."""
    from dxw.bi import superset
    from dxw.config import settings

    stopped = superset.down(settings())
    console.print("Superset stopped" if stopped else "Superset was not running")


@bi.command("status")
def bi_status() -> None:
    """Say whether Superset runs; exit 0 when healthy, 3 when not running, 1 when unhealthy."""
    from dxw.bi import superset
    from dxw.config import settings

    state = superset.status(settings())
    if not state.running:
        click.echo("stopped")
        sys.exit(3)
    click.echo(f"{'healthy' if state.healthy else 'NOT healthy'}: {state.url} (PID {state.pid})")
    sys.exit(0 if state.healthy else 1)


@bi.command("export")
@click.option(
    "--to", "target", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder to write (default: the repository's bi/dashboards).",
)  # fmt: skip
def bi_export(target: Path | None) -> None:
    """Write Superset's dashboards into bi/dashboards (stable names, no password)."""
    from dxw.bi import superset
    from dxw.bi.assets import ASSETS_DIR
    from dxw.config import settings

    try:
        changed = superset.export_dashboards(settings(), target or ASSETS_DIR)
    except superset.SupersetError as error:
        raise _fail(error) from error
    where = target or ASSETS_DIR
    if not changed:
        console.print(f"{where}: no change")
        return
    for path in changed:
        console.print(f"  {'removed' if not (where / path).exists() else 'wrote'} {path}")
    console.print(f"{len(changed)} file(s) changed in {where}: review with `git diff`, then commit")


@bi.command("import")
def bi_import() -> None:
    """Load bi/dashboards into Superset now, overwriting changes made in the UI."""
    from dxw.bi import superset
    from dxw.config import settings

    try:
        with console.status("Importing the dashboards…"):
            superset.import_dashboards(settings())
    except superset.SupersetError as error:
        raise _fail(error) from error
    console.print("[green]✓[/] dashboards loaded from bi/dashboards")
