"""`dxw build`: the dbt build of the warehouse outside Airflow (register with main.add_command)."""

from __future__ import annotations

import sys

import click


@click.command("build")
@click.option("--full-refresh", is_flag=True, help="Rebuild incremental models from scratch.")
@click.option(
    "--select",
    "-s",
    "select",
    multiple=True,
    help="dbt node selection (repeatable), e.g. -s fct_wifi_points+ ; default: everything.",
)
def build(full_refresh: bool, select: tuple[str, ...]) -> None:
    """Source freshness (recorded in audit.dq_results), seeds, `dbt build` as the transformer
    role, then the docs under $DXW_HOME/docs/dbt."""
    from dxw.config import settings
    from dxw.transform.dbt import build as dbt_build
    from dxw.transform.dbt import docs_dir, log_dir
    from dxw.transform.freshness import check_source_freshness

    config = settings()
    for line in check_source_freshness(config).lines():
        click.echo(line, err=True)
    code = dbt_build(config, full_refresh=full_refresh, select=list(select) or None)
    if code == 0:
        click.echo(f"dbt build succeeded; docs: {docs_dir(config) / 'index.html'}", err=True)
    else:
        click.echo(f"dbt build failed; logs: {log_dir(config) / 'dbt.log'}", err=True)
    sys.exit(code)
