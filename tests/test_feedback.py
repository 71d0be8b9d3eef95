"""Feedback for every file against the real warehouse: accepted, accepted with warnings,
duplicate, held and rejected, through `dxw ingest` and through the `dxw_ingest` DAG; and the
commands for the people who run it (`dxw loads`, `dxw quarantine`, `dxw feedback`)."""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.ingest.audit import run_summary
from dxw.ingest.service import ingest_file

from .conftest import own_warehouse
from .unit import submission_builders as b

CLI = [sys.executable, "-m", "dxw.cli"]
FAR = date.today().year + 6


def _sha8(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:8]


def _cli(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], env=env, text=True, capture_output=True, timeout=timeout)


def _files(folder: Path, marker: str) -> dict[str, Path]:
    """One file per outcome (names sort in the order they must be ingested)."""
    clean = b.minimal(locality="Bắc Ninh", period="2011-H1", submitted_on=date(2011, 7, 9))
    clean["submission"]["agency"] = f"UBND tỉnh Bắc Ninh {marker}"
    warned = b.quang_ninh_2024_q1()  # four reported percentages that disagree with the counts
    warned["submission"].update(
        locality="Bắc Ninh", period="2011-Q1", submitted_on=date(2011, 3, 19), agency=marker
    )
    rejected = b.ha_long_2022_h1()
    rejected["submission"]["period"] = "2022-H3"
    rejected["indicators"].append({"indicator_code": "bts_4g_in_service", "value": "1,000"})
    held = b.minimal(locality="22", period=str(FAR), submitted_on=date(FAR + 1, 1, 15))
    held["submission"]["agency"] = marker
    files = {
        "clean": b.write_submission(clean, "json", folder, "a_clean"),
        "warned": b.write_submission(warned, "zip", folder, "b_warned"),
        "rejected": b.write_submission(rejected, "xlsx", folder, "d_rejected"),
        "held": b.write_submission(held, "json", folder, "e_held"),
    }
    files["duplicate"] = folder / "c_duplicate.json"
    shutil.copy(files["clean"], files["duplicate"])
    files["xls"] = folder / "f_old.xls"  # the bytes of a file loaded before, as an .xls
    shutil.copy(files["clean"], files["xls"])
    return files


def _md(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def _assert_feedback(md: str, rows: list[list[str]], outcome: str) -> None:
    """The verdict of an outcome, in both languages, in the Markdown and in the CSV."""
    verdicts = {
        "clean": ("**Báo cáo được chấp nhận** (mã #", "**Accepted** as submission #",
                  "Không phát hiện vấn đề nào.", "No problem was found."),
        "warned": ("**Báo cáo được chấp nhận**", "**Accepted**",
                   "Có 4 cảnh báo dưới đây", "4 warning(s) below"),
        "duplicate": ("**Tệp trùng lặp**", "**Duplicate**: the same bytes were already loaded"),
        "rejected": ("**Báo cáo bị từ chối**", "**Rejected**:"),
        "xls": ("**Báo cáo bị từ chối**: 1 lỗi", "**Rejected**: 1 error(s)",
                "Excel 97-2003 (.xls)", "save it as Excel Workbook (.xlsx)"),
        "held": ("**Báo cáo bị tạm giữ**", "**Held**: submission #",
                 "raw.submissions:period_not_far_in_future", "Cần làm gì",
                 "send a corrected report for the same locality and period"),
    }  # fmt: skip
    for text in verdicts[outcome]:
        assert text in md, (outcome, text, md)
    assert rows[0][:6] == ["severity", "table", "row", "column", "value", "code"]
    severities = [row[0] for row in rows[1:]]
    if outcome == "warned":
        assert severities == ["warning"] * 4
        assert all(row[5] == "percent_disagrees" and row[6] and row[7] for row in rows[1:])
        assert "báo cáo 40% nhưng" in md and "reported 40% but" in md
    elif outcome in ("rejected", "xls"):
        assert severities and set(severities) <= {"error", "warning"}
    elif outcome == "held":
        assert severities == ["held"]
    else:
        assert severities == []


# -- `dxw ingest` --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def cli_run(warehouse: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every outcome through one `dxw ingest` (with the raw gate), on the session warehouse."""
    import os

    env = {**os.environ, "DXW_HOME": str(warehouse.home)}
    env.pop("DXW_WAREHOUSE_URL", None)
    folder = tmp_path_factory.mktemp("feedback-cli")
    files = _files(folder, f"cli {datetime.now(UTC).isoformat()}")
    result = _cli(env, "ingest", "--workers", "1", "--json", str(folder))
    lines = {Path(d["file"]).name: d for d in map(json.loads, result.stdout.splitlines())}
    run = re.search(r"\(run (cli-[^)]+)\)", result.stderr)
    assert run, result.stderr
    return {"env": env, "files": files, "result": result, "lines": lines, "run": run[1],
            "config": warehouse}  # fmt: skip


def _cli_feedback(run: dict[str, Any], outcome: str) -> tuple[Path, Path]:
    """Where `dxw ingest` put a file's feedback: the quarantine or $DXW_HOME/feedback."""
    config: Settings = run["config"]
    path: Path = run["files"][outcome]
    folder = config.quarantine if outcome in ("rejected", "xls") else config.feedback
    stem = folder / f"{_sha8(path)}-{path.name}"
    return Path(f"{stem}.feedback.md"), Path(f"{stem}.feedback.csv")


def test_dxw_ingest_gives_feedback_for_every_outcome(cli_run: dict[str, Any]) -> None:
    result, lines, files = cli_run["result"], cli_run["lines"], cli_run["files"]
    assert result.returncode == 1, result.stderr  # a rejected file and a held submission
    outcomes = {name: lines[path.name]["outcome"] for name, path in files.items()}
    assert outcomes == {
        "clean": "accepted", "warned": "accepted", "duplicate": "duplicate",
        "rejected": "rejected", "held": "accepted", "xls": "rejected",
    }  # fmt: skip
    assert "gate: feedback in" in result.stderr
    for outcome in files:
        md, csv_path = _cli_feedback(cli_run, outcome)
        assert [str(md), str(csv_path)] == lines[files[outcome].name]["feedback"], outcome
        _assert_feedback(_md(md), _csv_rows(csv_path), outcome)


def test_a_thousand_typed_with_a_comma_is_quoted_in_the_feedback(cli_run: dict[str, Any]) -> None:
    md, _ = _cli_feedback(cli_run, "rejected")
    text = _md(md)
    assert "'1,000' có thể hiểu là 1.000 (dấu ngăn cách hàng nghìn) hoặc 1" in text
    assert "'1,000' can be read as 1,000 (thousands separator) or as 1" in text


def test_dxw_feedback_prints_what_the_warehouse_records(cli_run: dict[str, Any]) -> None:
    env, files, lines = cli_run["env"], cli_run["files"], cli_run["lines"]
    for outcome in ("warned", "duplicate", "rejected", "held"):
        printed = _cli(env, "feedback", str(files[outcome]))
        assert printed.returncode == 0, printed.stderr
        assert printed.stdout == _md(_cli_feedback(cli_run, outcome)[0]), outcome
    held_id = lines[files["held"].name]["submission_id"]
    by_id = _cli(env, "feedback", str(held_id))
    assert "**Held**: submission #" in by_id.stdout and "Cần làm gì" in by_id.stdout
    as_csv = _cli(env, "feedback", "--csv", str(files["warned"]))
    rows = list(csv.reader(as_csv.stdout.splitlines()))
    assert rows[0][0] == "severity" and len(rows) == 5
    by_name = _cli(env, "feedback", files["rejected"].name)
    assert "**Rejected**" in by_name.stdout
    unknown = _cli(env, "feedback", "never-sent.json")
    assert unknown.returncode == 1 and "no load of never-sent.json" in unknown.stderr


def test_dxw_loads_lists_outcomes_problems_supersedes_and_holds(cli_run: dict[str, Any]) -> None:
    listed = _cli(cli_run["env"], "loads", "--json", "--run", cli_run["run"])
    assert listed.returncode == 0, listed.stderr
    loads = {Path(d["file"]).name: d for d in map(json.loads, listed.stdout.splitlines())}
    files = cli_run["files"]
    assert len(loads) == len(files)
    warned = loads[files["warned"].name]
    assert (warned["outcome"], warned["errors"], warned["warnings"]) == ("accepted", 0, 4)
    assert warned["locality"] == "Bắc Ninh (27)" and warned["period"] == "2011-Q1"
    assert loads[files["held"].name]["held"] == "raw.submissions:period_not_far_in_future"
    assert loads[files["clean"].name]["held"] is None
    assert (
        loads[files["duplicate"].name]["duplicate_of"]
        == loads[files["clean"].name]["submission_id"]
    )
    rejected = loads[files["rejected"].name]
    assert rejected["outcome"] == "rejected" and rejected["errors"] == 2
    table = _cli(cli_run["env"], "loads", "--limit", "3")
    assert table.returncode == 0 and "outcome" in table.stdout and "held" in table.stdout


def test_dxw_quarantine_lists_what_waits_with_its_feedback(cli_run: dict[str, Any]) -> None:
    listed = _cli(cli_run["env"], "quarantine", "--json")
    assert listed.returncode == 0, listed.stderr
    waiting = {d["file"]: d for d in map(json.loads, listed.stdout.splitlines())}
    for outcome in ("rejected", "xls"):
        entry = waiting[cli_run["files"][outcome].name]
        assert entry["errors"] >= 1 and entry["rejected_at"]
        assert entry["feedback"] == str(_cli_feedback(cli_run, outcome)[0])
        assert Path(entry["copy"]).exists()
    table = _cli(cli_run["env"], "quarantine")
    assert "quarantine" in table.stdout and "d_rejected.xlsx" in table.stdout


def test_the_summary_of_one_run(cli_run: dict[str, Any]) -> None:
    with psycopg.connect(warehouse_url("loader", cli_run["config"])) as conn:
        summary = run_summary(conn, cli_run["run"])
    assert summary == {
        "run_id": cli_run["run"], "files": 6, "accepted": 3, "duplicate": 1, "rejected": 2,
        "held": 1, "warnings": 4, "rows_loaded": 4,
        "rejected_files": ["d_rejected.xlsx", "f_old.xls"],
    }  # fmt: skip


def test_help_is_whole(dxw_env: dict[str, str]) -> None:
    shown = _cli(dxw_env, "--help", timeout=120).stdout
    commands = shown.split("Commands:", 1)[1]
    assert "..." not in commands and "…" not in commands, commands
    for command in ("airflow", "loads", "quarantine", "feedback", "ingest", "template"):
        assert re.search(rf"^  {command}\s+\S", shown, re.M), command
    assert "for example `dxw airflow dags list`." in " ".join(shown.split())


# -- the dxw_ingest DAG --------------------------------------------------------------------------
@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_the_dag_gives_feedback_beside_archived_and_quarantined_files() -> None:
    import os

    from dxw.pipeline import dag_run_succeeded

    with own_warehouse("dxw-feedback-dag-") as config:
        config.inbox.mkdir(parents=True)
        staging = config.home / "staging"
        staging.mkdir()
        files = _files(staging, "dag")
        with psycopg.connect(warehouse_url("loader", config), autocommit=True) as conn:
            loaded = ingest_file(
                conn, files["clean"], run_id="earlier", quarantine=config.quarantine
            )
        assert loaded.outcome == "accepted"
        for outcome in ("warned", "duplicate", "rejected", "held", "xls"):
            shutil.copy(files[outcome], config.inbox / files[outcome].name)
        env = {**os.environ, "DXW_HOME": str(config.home)}
        env.pop("DXW_WAREHOUSE_URL", None)
        migrated = _cli(env, "airflow", "db", "migrate", timeout=600)
        assert migrated.returncode == 0, migrated.stdout[-3000:]
        run = _cli(env, "airflow", "dags", "test", "dxw_ingest", timeout=900)
        text = run.stdout + run.stderr
        assert not dag_run_succeeded(text), "the raw gate holds the far-future report: it fails"
        assert "feedback rewritten after the raw gate:" in text, text[-3000:]
        assert list(config.inbox.iterdir()) == [], "every file is filed away"
        (day,) = list(config.archive.iterdir())
        for outcome in ("warned", "duplicate", "held"):
            name = files[outcome].name
            assert (day / name).exists(), outcome
            md = day / f"{name}.feedback.md"
            _assert_feedback(_md(md), _csv_rows(day / f"{name}.feedback.csv"), outcome)
        assert sorted(p.name for p in day.iterdir() if ".feedback." not in p.name) == sorted(
            files[o].name for o in ("warned", "duplicate", "held")
        )
        for outcome in ("rejected", "xls"):
            path = files[outcome]
            stem = config.quarantine / f"{_sha8(path)}-{path.name}"
            assert stem.exists(), outcome
            md, rows = Path(f"{stem}.feedback.md"), _csv_rows(Path(f"{stem}.feedback.csv"))
            _assert_feedback(_md(md), rows, outcome)
