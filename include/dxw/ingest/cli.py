"""The ingest side of the command line: `dxw ingest`, `template`, `sample`, and for the people
who run it `dxw loads`, `dxw quarantine` and `dxw feedback`."""

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


@click.command("ingest", short_help="Validate and load submission files or folders.")
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

    Inputs are never modified or deleted. Every file gets feedback in English and Vietnamese
    (`<name>.feedback.md` and `.feedback.csv`): a rejected file beside its copy in
    $DXW_HOME/quarantine, any other in $DXW_HOME/feedback (named `<sha256[:8]>-<name>`).
    Submissions that fail a critical expectation of the gate stay in `raw` but are held out of
    the marts; their feedback then says why and what to do.
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
    results: list[dict[str, object]] = []
    columns = (
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        bar = progress.add_task("files", total=len(files))
        for outcome in ingest_paths(
            files,
            url,
            run_id=run_id,
            quarantine=settings().quarantine,
            workers=workers,
            feedback_dir=settings().feedback,
        ):
            counts[outcome.outcome] += 1
            results.append(outcome.as_dict())
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
    held = _raw_gate(url, run_id, accepted, results) if gate and accepted else False
    sys.exit(1 if counts["rejected"] or held else 0)


def _raw_gate(
    url: str, run_id: str, submission_ids: list[int], results: list[dict[str, object]]
) -> bool:
    """The raw gate on this run's accepted submissions; True when it held any of them (their
    feedback, and that of submissions it warned about, is rewritten to say so)."""
    from dxw.config import settings
    from dxw.ingest.audit import refresh_gated_feedback
    from dxw.quality.cli import print_outcome
    from dxw.quality.gates import run_raw_gate

    with console.status(f"raw gate on {len(submission_ids)} submission(s)…"):
        outcome = run_raw_gate(url, run_id, submission_ids, settings())
    print_outcome(outcome)
    for path in refresh_gated_feedback(url, results, outcome.warned):
        if path.suffix == ".md":
            console.print(f"gate: feedback in {path}", markup=False, highlight=False)
    return not outcome.passed


@click.command("template", short_help="Write an empty, documented submission template.")
@click.option("--format", "fmt", type=click.Choice(["xlsx", "json", "zip"]), required=True)
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(fmt: str, out: Path) -> None:
    """Write an empty, documented submission template that a locality can fill in."""
    from dxw.submission import write_template

    if out.exists():
        raise click.UsageError(f"{out} exists; choose another name")
    write_template(fmt, out)  # type: ignore[arg-type]
    console.print(f"template written: {out}")


@click.command("sample", short_help="Write the sample submissions into a folder.")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--seed", default=2025, show_default=True, help="Random seed (same seed, same files)."
)
def sample(out: Path, seed: int) -> None:
    """Write the sample submissions (valid and faulty, all three carriers) into OUT."""
    from dxw.sample import write_sample

    written = write_sample(out, seed)
    console.print(f"{len(written)} sample submission(s) written to {out}")


# -- for the people who run it: recent loads, the quarantine, one file's feedback ---------------
def _loader_connection() -> object:
    """A connection to the warehouse as the loader (starting the embedded one when needed)."""
    import psycopg

    return psycopg.connect(ensure_warehouse(), autocommit=True)


@click.command("loads", short_help="List recent loads: outcome, problems, supersedes, held.")
@click.option("--limit", type=click.IntRange(1, 10_000), default=20, show_default=True)
@click.option("--run", "run_id", metavar="RUN_ID", help="Only the loads of this ingest run.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per load.")
def loads(limit: int, run_id: str | None, as_json: bool) -> None:
    """List the latest loads, newest first: file, locality, period, outcome, errors and
    warnings, the submission it supersedes, and whether the raw gate holds it."""
    import json

    from rich.table import Table

    from dxw.ingest.audit import holds_of, recent_loads

    with _loader_connection() as conn:  # type: ignore[attr-defined]
        found = recent_loads(conn, limit=limit, run_id=run_id)
        held = holds_of(conn, [r.submission_id for r in found if r.submission_id is not None])
    if as_json:
        for r in found:
            hold = held.get(r.submission_id) if r.submission_id is not None else None
            click.echo(json.dumps({
                "load_id": r.load_id, "run_id": r.run_id, "file": r.file_name,
                "locality": r.locality, "period": r.period, "outcome": r.outcome,
                "submission_id": r.submission_id, "duplicate_of": r.duplicate_of,
                "errors": r.error_count, "warnings": r.warning_count,
                "supersedes": r.supersedes, "held": hold.reason if hold else None,
                "started_at": r.started_at.isoformat(),
            }, ensure_ascii=False))  # fmt: skip
        return
    if not found:
        console.print("no loads yet")
        return
    table = Table("when", "file", "locality", "period", "outcome", "problems", "supersedes",
                  "held", title=f"latest {len(found)} load(s)")  # fmt: skip
    for r in found:
        hold = held.get(r.submission_id) if r.submission_id is not None else None
        outcome = r.outcome if r.outcome != "accepted" else f"accepted #{r.submission_id}"
        if r.outcome == "duplicate":
            outcome = f"duplicate of #{r.duplicate_of}"
        table.add_row(
            f"{r.started_at:%Y-%m-%d %H:%M}", r.file_name, r.locality or "", r.period or "",
            outcome, f"{r.error_count} error(s), {r.warning_count} warning(s)"
            if r.error_count or r.warning_count else "",
            f"#{r.supersedes}" if r.supersedes else "", hold.reason if hold else "",
        )  # fmt: skip
    Console().print(table)


@click.command("quarantine", short_help="List the rejected files waiting, with their feedback.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
def quarantine(as_json: bool) -> None:
    """List the rejected files waiting in $DXW_HOME/quarantine: when, file, problems, and the
    feedback to send back. A file stays there until someone deletes it (`rm`)."""
    import json

    from rich.table import Table

    from dxw.config import settings
    from dxw.ingest.audit import find_load
    from dxw.ingest.files import sha256_file

    folder = settings().quarantine
    copies = sorted(
        (p for p in folder.glob("*") if p.is_file() and ".feedback." not in p.name),
        key=lambda p: p.stat().st_mtime,
    ) if folder.is_dir() else []  # fmt: skip
    if not copies:
        if not as_json:
            console.print(f"the quarantine is empty ({folder})")
        return
    rows = []
    with _loader_connection() as conn:  # type: ignore[attr-defined]
        for copy in copies:
            load = find_load(conn, sha256=sha256_file(copy))
            feedback = copy.with_name(f"{copy.name}.feedback.md")
            rows.append({
                "file": load.file_name if load else copy.name.split("-", 1)[-1],
                "copy": str(copy),
                "rejected_at": load.started_at.isoformat() if load else None,
                "errors": load.error_count if load else None,
                "warnings": load.warning_count if load else None,
                "feedback": str(feedback) if feedback.exists() else None,
            })  # fmt: skip
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table("rejected at", "file", "errors", "feedback", title=f"quarantine: {folder}")
    for row in rows:
        table.add_row(
            str(row["rejected_at"] or "")[:16].replace("T", " "), str(row["file"]),
            str(row["errors"] if row["errors"] is not None else "?"), str(row["feedback"] or "-"),
        )  # fmt: skip
    Console().print(table)


@click.command("feedback", short_help="Print the feedback of a file or a submission.")
@click.argument("what", metavar="FILE|SUBMISSION_ID")
@click.option("--csv", "as_csv", is_flag=True, help="Print the CSV instead of the Markdown.")
def feedback(what: str, as_csv: bool) -> None:
    """Print the feedback of a file (by its content, or by its name when it is not here) or
    of a submission id, as the warehouse records it now (a hold placed after the file was
    loaded included). Exit 1 when the warehouse has never seen it."""
    from dxw.ingest.audit import feedback_of, find_load
    from dxw.ingest.files import display_name, sha256_file
    from dxw.submission.feedback import feedback_csv, feedback_markdown

    path = Path(what)
    with _loader_connection() as conn:  # type: ignore[attr-defined]
        if path.is_file():
            load = find_load(conn, sha256=sha256_file(path), file_name=display_name(path.name))
        elif what.isdecimal():
            load = find_load(conn, submission_id=int(what))
        else:
            load = find_load(conn, file_name=display_name(path.name))
        if load is None:
            console.print(f"no load of {what} in the warehouse")
            sys.exit(1)
        found = feedback_of(conn, load)
    click.echo(feedback_csv(found) if as_csv else feedback_markdown(found), nl=False)
