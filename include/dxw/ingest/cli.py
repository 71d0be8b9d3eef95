"""`dxw ingest`, `dxw template`, `dxw sample`: the ingest side of the command line."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

console = Console(stderr=True)
_STYLE = {"accepted": "green", "duplicate": "yellow", "rejected": "red"}


def ensure_warehouse() -> str:
    """The loader URL, starting and initialising the embedded warehouse when needed."""
    from dxw.config import settings
    from dxw.db.embedded import EmbeddedPostgres
    from dxw.db.init import init_warehouse
    from dxw.db.urls import warehouse_url

    config = settings()
    if config.embedded and not EmbeddedPostgres(config).status().running:
        with console.status("Starting the embedded warehouse…"):
            EmbeddedPostgres(config).start()
    init_warehouse(config)
    return warehouse_url("loader", config)


@click.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Parallel processes (default: one per core).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.option(
    "--gate/--no-gate",
    default=True,
    show_default=True,
    help="Run the raw data-quality gate on the accepted submissions, as the DAG does.",
)
def ingest(paths: tuple[Path, ...], workers: int | None, as_json: bool, gate: bool) -> None:
    """Validate and load submission files or folders, then run the raw data-quality gate on
    what was accepted; exit 1 if any file was rejected or the gate held a submission.

    Inputs are never modified or deleted: rejected files are copied to the quarantine folder
    with a feedback file (English and Vietnamese) listing every problem. Submissions that fail
    a critical expectation of the gate stay in `raw` but are held out of the marts.
    """
    import json

    from dxw.config import settings
    from dxw.ingest.files import discover
    from dxw.ingest.service import ingest_paths

    files = list(discover(paths))
    if not files:
        raise click.UsageError("no submission files (.xlsx, .json, .zip) under the given paths")
    url = ensure_warehouse()
    run_id = f"cli-{datetime.now(UTC):%Y%m%dT%H%M%S.%fZ}"
    counts = {"accepted": 0, "duplicate": 0, "rejected": 0}
    accepted: list[int] = []
    columns = (
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("files", total=len(files))
        for outcome in ingest_paths(
            files, url, run_id=run_id, quarantine=settings().quarantine, workers=workers
        ):
            counts[outcome.outcome] += 1
            if outcome.outcome == "accepted" and outcome.submission_id is not None:
                accepted.append(outcome.submission_id)
            progress.advance(bar)
            if as_json:
                click.echo(json.dumps(outcome.as_dict(), ensure_ascii=False))
            else:
                progress.console.print(
                    outcome.line(),
                    style=_STYLE[outcome.outcome],
                    markup=False,
                    highlight=False,
                    soft_wrap=True,
                )
    console.print(
        f"{len(files)} file(s): {counts['accepted']} accepted, {counts['duplicate']} duplicate, "
        f"{counts['rejected']} rejected (run {run_id})"
    )
    held = _raw_gate(url, run_id, accepted) if gate and accepted else False
    sys.exit(1 if counts["rejected"] or held else 0)


def _raw_gate(url: str, run_id: str, submission_ids: list[int]) -> bool:
    """The raw gate on this run's accepted submissions; True when it held any of them."""
    from dxw.config import settings
    from dxw.quality.cli import print_outcome
    from dxw.quality.gates import run_raw_gate

    with console.status(f"raw gate on {len(submission_ids)} submission(s)…"):
        outcome = run_raw_gate(url, run_id, submission_ids, settings())
    print_outcome(outcome)
    return not outcome.passed


@click.command("template")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json", "zip"]), required=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(fmt: str, out: Path) -> None:
    """Write an empty, documented submission template that a locality can fill in."""
    from dxw.submission import write_template

    if out.exists():
        raise click.UsageError(f"{out} exists; choose another name")
    write_template(fmt, out)  # type: ignore[arg-type]
    console.print(f"template written: {out}")


@click.command("sample")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seed", default=2025, show_default=True, help="Random seed (same seed, same files)."
)
def sample(out: Path, seed: int) -> None:
    """Write the sample submissions (valid and faulty, all three carriers) into OUT."""
    from dxw.sample import write_sample

    written = write_sample(out, seed)
    console.print(f"{len(written)} sample submission(s) written to {out}")
