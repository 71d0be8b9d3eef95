"""`dxw build`: the dbt build of the warehouse outside Airflow (register with main.add_command)."""

from __future__ import annotations

import sys
import time

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
@click.option(
    "--publish/--no-publish",
    default=True,
    show_default=True,
    help="Publish what passed the marts gate into marts (--no-publish: build into marts_build "
    "only; BI reads nothing new).",
)
def build(full_refresh: bool, select: tuple[str, ...], publish: bool) -> None:
    """Freshness, then write, audit, publish: dbt build into marts_build, the marts gate, the
    marts into marts for BI, the docs."""
    from dxw.config import settings
    from dxw.transform.dbt import build as dbt_build
    from dxw.transform.dbt import docs_dir, log_dir
    from dxw.transform.freshness import check_source_freshness

    config = settings()
    started = time.perf_counter()
    for line in check_source_freshness(config).lines():
        click.echo(line, err=True)
    freshness = time.perf_counter() - started
    result = dbt_build(
        config, full_refresh=full_refresh, select=list(select) or None, publish_marts=publish
    )
    steps = {"source freshness": freshness, **result.seconds}
    click.echo("took: " + ", ".join(f"{step} {s:.1f} s" for step, s in steps.items()), err=True)
    if result.gate is not None:
        from dxw.quality.cli import print_outcome

        print_outcome(result.gate)
    if result.code == 0 and result.published:
        click.echo(f"published into marts: {', '.join(result.published)}", err=True)
        click.echo(f"dbt build succeeded; docs: {docs_dir(config) / 'index.html'}", err=True)
    elif result.code == 0:
        click.echo(f"dbt build succeeded: {result.message or 'no mart built'}", err=True)
    else:
        click.echo(f"{result.message}; logs: {log_dir(config) / 'dbt.log'}", err=True)
    sys.exit(result.code)
