"""`dxw validate`: run the data-quality gates outside Airflow."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from rich.console import Console

if TYPE_CHECKING:
    from dxw.quality.gates import GateOutcome

console = Console(stderr=True)

#: The raw gate's scope when none is given: the submissions of the latest ingest run.
LATEST_RUN = """
select submission_id from raw.submissions
where load_run_id = (
    select load_run_id from raw.submissions order by loaded_at desc, submission_id desc limit 1
)
"""


def raw_scope(url: str, load_run_id: str | None, every: bool) -> list[int]:
    """Submission ids the raw gate checks: one ingest run's, the latest run's, or all."""
    import psycopg

    with psycopg.connect(url) as conn:
        if every:
            rows = conn.execute("select submission_id from raw.submissions").fetchall()
        elif load_run_id:
            rows = conn.execute(
                "select submission_id from raw.submissions where load_run_id = %s", (load_run_id,)
            ).fetchall()
        else:
            rows = conn.execute(LATEST_RUN).fetchall()
    return sorted(int(row[0]) for row in rows)


def print_outcome(outcome: GateOutcome) -> None:
    """The gate's headline, then every critical failure and warning, on the console."""
    colour = "green" if outcome.passed else "red"
    console.print(f"[{colour}]{outcome.headline()}[/]", highlight=False, soft_wrap=True)
    for result in outcome.critical_failures + outcome.warnings:
        console.print(f"  {result.line()}", markup=False, highlight=False, soft_wrap=True)


@click.command("validate")
@click.option(
    "--gate",
    type=click.Choice(["raw", "marts", "all"]),
    default="all",
    show_default=True,
    help="Which gate to run.",
)
@click.option(
    "--load-run",
    "load_run_id",
    metavar="RUN_ID",
    help="Raw gate: the submissions of this ingest run (default: the latest run).",
)
@click.option(
    "--submission",
    "submission_ids",
    type=int,
    multiple=True,
    metavar="ID",
    help="Raw gate: check these submission ids (repeatable).",
)
@click.option("--all-submissions", is_flag=True, help="Raw gate: check every submission.")
@click.option(
    "--built",
    is_flag=True,
    help="Marts gate: check the marts as built (marts_build) instead of as published (marts).",
)
def validate(
    gate: str,
    load_run_id: str | None,
    submission_ids: tuple[int, ...],
    all_submissions: bool,
    built: bool,
) -> None:
    """Run the data-quality gates; exit 1 when a critical expectation failed."""
    from dxw.config import settings
    from dxw.db.urls import warehouse_url
    from dxw.quality.gates import run_gate, run_raw_gate

    config = settings()
    run_id = f"cli__{datetime.now(UTC).isoformat()}"
    loader = warehouse_url("loader", config)
    failed = False
    docs = None
    for name in ("raw", "marts") if gate == "all" else (gate,):
        if name == "raw":
            scope = list(submission_ids) or raw_scope(loader, load_run_id, all_submissions)
            if not scope:
                console.print("raw gate skipped: no submissions in scope")
                continue
            with console.status(f"raw gate on {len(scope)} submission(s)…"):
                outcome = run_raw_gate(loader, run_id, scope, config)
        else:
            with console.status("marts gate…"):
                outcome = run_gate(
                    "marts", read_url=warehouse_url("transformer", config), write_url=loader,
                    run_id=run_id, config=config, schema="marts_build" if built else None,
                )  # fmt: skip
        print_outcome(outcome)
        failed = failed or not outcome.passed
        docs = outcome.docs_index
    if docs:
        click.echo(f"Data Docs: {docs}")
    sys.exit(1 if failed else 0)


def _operator() -> str | None:
    """Who runs the command (recorded with a release or a withdrawal)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


@click.group("holds", invoke_without_command=True)
@click.option("--all", "everything", is_flag=True, help="Also released holds and withdrawals.")
@click.pass_context
def holds(ctx: click.Context, everything: bool) -> None:
    """List the submissions held out of the marts by the raw gate, with the reason."""
    if ctx.invoked_subcommand is not None:
        return
    from dxw.config import settings
    from dxw.db.urls import warehouse_url
    from dxw.quality.holds import list_holds

    rows = list_holds(warehouse_url("loader", settings()), everything)
    for row in rows:
        click.echo(row.line())
    held = sum(1 for r in rows if r.status == "held")
    console.print(f"{held} submission(s) held" + (f", {len(rows)} listed" if everything else ""))


@holds.command("release")
@click.argument("submission_id", type=int)
def holds_release(submission_id: int) -> None:
    """Release a held submission: it counts again at the next build (`dxw build`)."""
    from dxw.config import settings
    from dxw.db.urls import warehouse_url
    from dxw.quality.holds import HoldError, release

    try:
        click.echo(release(warehouse_url("loader", settings()), submission_id, _operator()))
    except HoldError as error:
        raise click.ClickException(str(error)) from error


@click.command("withdraw")
@click.argument("submission_id", type=int)
@click.option("--reason", required=True, help="Why (kept in audit.withdrawn_submissions).")
def withdraw(submission_id: int, reason: str) -> None:
    """Take a submission out of every mart from the next build; it stays in raw as history."""
    from dxw.config import settings
    from dxw.db.urls import warehouse_url
    from dxw.quality.holds import HoldError
    from dxw.quality.holds import withdraw as withdraw_submission

    try:
        line = withdraw_submission(
            warehouse_url("loader", settings()), submission_id, reason, _operator()
        )
    except HoldError as error:
        raise click.ClickException(str(error)) from error
    click.echo(line)
