"""`python -m bench --quick | --full [--only bulk,cycle,incremental,e2e]`: run, write the report.

`make bench` is the quick run (under 5 minutes after `make run`), `make bench-full` the full
sizes. The report goes to bench/results/latest-<mode>.md (and .json), a timestamped copy to
bench/results/history/; generated inputs are cached under bench/work/.
"""

from __future__ import annotations

import argparse
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench.harness import machine
from bench.modes import MODES, Mode
from bench.report import Report, Section

SCENARIOS = ("bulk", "cycle", "incremental", "e2e", "resident")


def _scenario(name: str) -> Callable[[Mode, Path], Section]:
    if name == "bulk":
        from bench.scenarios.bulk import run_scenario
    elif name == "cycle":
        from bench.scenarios.cycle import run_scenario
    elif name == "incremental":
        from bench.scenarios.incremental import run_scenario
    elif name == "e2e":
        from bench.scenarios.e2e import run_scenario
    else:
        from bench.scenarios.resident import run_scenario
    return run_scenario


def _server_version() -> str:
    import subprocess

    found = subprocess.run(
        [
            "bash",
            "-c",
            "pg_ctl --version || $(ls /usr/lib/postgresql/*/bin/pg_ctl | tail -1) --version",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return found.strip().replace("pg_ctl (PostgreSQL) ", "") or "unknown"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--quick", action="store_const", const="quick", dest="mode")
    group.add_argument("--full", action="store_const", const="full", dest="mode")
    parser.add_argument(
        "--only",
        default=",".join(SCENARIOS),
        help="comma-separated scenarios (default: all of the mode)",
    )
    parser.add_argument("--runs", type=int, help="runs per figure (overrides the mode)")
    parser.add_argument("--e2e-runs", type=int, help="runs of scenario 4 (quick: 0 = skipped)")
    parser.add_argument(
        "--resident-runs", type=int, help="pairs per executor in scenario 5 (quick: 0 = skipped)"
    )
    parser.add_argument(
        "--layouts", help="DAG layouts of scenario 5, comma-separated, the default first"
    )
    parser.add_argument("--csv-rows", type=int)
    parser.add_argument("--xlsx-rows", type=int)
    parser.add_argument("--cycle-files", type=int, help="files of the national cycle")
    parser.add_argument("--years", help="comma-separated years of history, e.g. 1,5,10")
    parser.add_argument(
        "--baseline-code",
        type=Path,
        help="an `include/` folder of other code to ingest with, side by side",
    )
    parser.add_argument("--name", help="report name (default: latest-<mode>)")
    args = parser.parse_args(argv)
    mode = MODES[args.mode or "quick"]
    changes: dict[str, object] = {}
    if args.runs:
        changes.update(bulk_runs=args.runs, cycle_runs=args.runs, incremental_runs=args.runs)
    if args.e2e_runs is not None:
        changes["e2e_runs"] = args.e2e_runs
    for key in ("csv_rows", "xlsx_rows", "cycle_files", "baseline_code"):
        if getattr(args, key) is not None:
            changes[key] = getattr(args, key)
    if args.resident_runs is not None:
        changes["resident_runs"] = args.resident_runs
    if args.layouts:
        changes["resident_layouts"] = tuple(s.strip() for s in args.layouts.split(","))
    if args.years:
        changes["years"] = tuple(int(y) for y in args.years.split(","))
    mode = mode.with_(**changes)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    command = "python -m bench " + " ".join(shlex.quote(a) for a in (argv or sys.argv[1:]))
    report = Report(mode.name, machine(_server_version()), command.strip())
    log_dir = Path(__file__).resolve().parent / "work" / "logs" / time.strftime("%Y%m%dT%H%M%S")
    failed = False
    for name in SCENARIOS:
        if name not in only:
            continue
        if name == "e2e" and mode.e2e_runs == 0:
            section = Section(title="4. End to end (`make run` on the sample)")
            section.notes.append(
                "Skipped in the quick run (`make run` twice in a fresh home); `make bench-full` "
                "runs it, or `python -m bench --quick --only e2e --e2e-runs 1`."
            )
            report.sections.append(section)
            continue
        if name == "resident" and mode.resident_runs == 0:
            section = Section(title="5. The resident service: `dxw_transform` against `dxw build`")
            section.notes.append(
                "Skipped in the quick run (several minutes: a service per executor and layout); "
                "`make bench-full` runs it, or `python -m bench --quick --only resident "
                "--resident-runs 1`."
            )
            report.sections.append(section)
            continue
        print(f"[bench] {name} ({mode.name})…", flush=True)
        started = time.perf_counter()
        try:
            section = _scenario(name)(mode, log_dir)
        except Exception as error:  # report what ran, and why the rest did not
            failed = True
            traceback.print_exc()
            section = Section(title=f"{name}: failed")
            section.notes.append(f"`{type(error).__name__}: {str(error)[:2000]}`")
        shown = log_dir.relative_to(Path.cwd()) if log_dir.is_relative_to(Path.cwd()) else log_dir
        section.notes.append(
            f"Scenario time: {time.perf_counter() - started:.0f} s; logs in `{shown}`."
        )
        report.sections.append(section)
        print(f"[bench] {name}: {time.perf_counter() - started:.0f} s", flush=True)
    for path in report.write(args.name):
        print(f"[bench] report: {path}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
