"""Ingest against the real warehouse: lineage, idempotency, supersede, quarantine, atomicity."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.ingest.inbox import process_batch
from dxw.ingest.service import ingest_file, ingest_paths

from .conftest import make_home
from .unit import submission_builders as b

CLI = [sys.executable, "-m", "dxw.cli"]


@pytest.fixture
def conn(warehouse: Settings):
    with psycopg.connect(warehouse_url("loader", warehouse), autocommit=True) as connection:
        yield connection


@pytest.fixture
def owner(warehouse: Settings):
    with psycopg.connect(warehouse_url("owner", warehouse), autocommit=True) as connection:
        yield connection


def _unique(sub: dict, marker: str) -> dict:
    """The same submission with different bytes (agency text), so it is not a duplicate."""
    sub["submission"]["agency"] = f"{sub['submission'].get('agency')} {marker}"
    return sub


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("carrier", b.CARRIERS)
def test_accepted_file_lands_in_raw_with_lineage(
    carrier: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    sub = _unique(b.ha_long_2022_h1(), f"lineage-{carrier}")
    sub = b.with_table(sub, "wifi_points", b.wifi_rows(5))
    sub["indicators"] = [r for r in sub["indicators"]
                         if r["indicator_code"] != "wifi_points_in_service"]  # fmt: skip
    path = b.write_submission(sub, carrier, tmp_path, f"lineage_{carrier}")
    before = _digest(path)
    outcome = ingest_file(conn, path, run_id="test-lineage", quarantine=tmp_path / "q")
    assert outcome.outcome == "accepted", outcome
    assert _digest(path) == before, "inputs are never modified"
    header = conn.execute(
        "select file_name, file_sha256, carrier, locality_key, locality_input, period,"
        " received_at is not null, loaded_at >= received_at, load_run_id"
        " from raw.submissions where submission_id = %s",
        (outcome.submission_id,),
    ).fetchone()
    assert header == (path.name, before, carrier, "legacy:district:193", "193", "2022-H1",
                      True, True, "test-lineage")  # fmt: skip
    points = conn.execute(
        "select count(*), min(source_row) from raw.wifi_points where submission_id = %s",
        (outcome.submission_id,),
    ).fetchone()
    assert points == (5, 2 if carrier != "json" else 1)
    assert outcome.rows_loaded["wifi_points"] == 5


def test_same_file_twice_is_a_duplicate(conn: psycopg.Connection, tmp_path: Path) -> None:
    path = b.write_submission(_unique(b.quang_ninh_2024_q1(), "dup"), "json", tmp_path, "dup")
    first = ingest_file(conn, path, run_id="t", quarantine=tmp_path / "q")
    rows = conn.execute("select count(*) from raw.goal_summary").fetchone()
    copy = tmp_path / "renamed.json"
    shutil.copy(path, copy)
    second = ingest_file(conn, copy, run_id="t", quarantine=tmp_path / "q")
    assert (first.outcome, second.outcome) == ("accepted", "duplicate")
    assert second.duplicate_of == first.submission_id
    assert conn.execute("select count(*) from raw.goal_summary").fetchone() == rows
    logged = conn.execute(
        "select outcome, duplicate_of from audit.load_log where file_name = 'renamed.json'"
    ).fetchall()
    assert logged == [("duplicate", first.submission_id)]


def test_later_submission_supersedes_and_history_stays(
    conn: psycopg.Connection, tmp_path: Path
) -> None:
    early, late, older = (b.minimal(locality="22", period="2019-H1") for _ in range(3))
    early["submission"]["submitted_on"] = date(2019, 7, 5)
    late["submission"]["submitted_on"] = date(2019, 7, 20)
    older["submission"]["submitted_on"] = date(2019, 7, 1)
    paths = [b.write_submission(s, "json", tmp_path, n)
             for s, n in ((early, "early"), (late, "late"), (older, "older"))]  # fmt: skip
    outcomes = [ingest_file(conn, p, run_id="t", quarantine=tmp_path / "q") for p in paths]
    assert [o.outcome for o in outcomes] == ["accepted"] * 3
    assert outcomes[1].supersedes == outcomes[0].submission_id
    assert outcomes[2].supersedes is None, "a late-arriving older report replaces nothing"
    count = conn.execute(
        "select count(*) from raw.submissions where locality_key = 'legacy:province:22'"
        " and period = '2019-H1'"
    ).fetchone()
    assert count == (3,)


@pytest.mark.parametrize(
    ("period", "key"), [("2023-H2", "legacy:commune:06688"), ("2026-H1", "2025:commune:06688")]
)
def test_reused_code_resolves_with_the_period(
    period: str, key: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    sub = _unique(b.minimal(locality="06688", period=period), key)
    path = b.write_submission(sub, "zip", tmp_path, "code_reuse")
    outcome = ingest_file(conn, path, run_id="t", quarantine=tmp_path / "q")
    assert outcome.outcome == "accepted"
    row = conn.execute(
        "select locality_key, locality_name from raw.submissions where submission_id = %s",
        (outcome.submission_id,),
    ).fetchone()
    assert row is not None and row[0] == key
    assert row[1] == ("Hồng Hải" if period.startswith("2023") else "Hạ Long")


@pytest.mark.parametrize("carrier", b.CARRIERS)
def test_rejected_file_lists_every_problem_and_loads_nothing(
    carrier: str, conn: psycopg.Connection, tmp_path: Path
) -> None:
    sub = b.ha_long_2022_h1()
    sub["submission"]["period"] = "2022-H3"
    sub["indicators"].append({"indicator_code": "bogus_code", "value": 1})
    sub["indicators"].append({"indicator_code": "coverage_4g_communes_pct", "value": 130})
    path = b.write_submission(sub, carrier, tmp_path, f"bad_{carrier}")
    raw_before = conn.execute("select count(*) from raw.submissions").fetchone()
    quarantine = tmp_path / "quarantine"
    outcome = ingest_file(conn, path, run_id="t", quarantine=quarantine)
    assert outcome.outcome == "rejected"
    assert conn.execute("select count(*) from raw.submissions").fetchone() == raw_before
    problems = conn.execute(
        "select p.code, p.message_en, p.message_vi from audit.submission_problems p"
        " join audit.load_log l using (load_id) where l.file_name = %s and p.severity = 'error'",
        (path.name,),
    ).fetchall()
    codes = {p[0] for p in problems}
    assert {"invalid_period", "unknown_indicator", "out_of_range"} <= codes
    assert all(en and vi and en != vi for _, en, vi in problems)
    quarantined = sorted(p.name for p in quarantine.iterdir())
    assert any(n.endswith(f"bad_{carrier}.{carrier}") for n in quarantined)
    assert any(n.endswith(".feedback.csv") for n in quarantined)
    assert any(n.endswith(".feedback.md") for n in quarantined)
    assert path.exists(), "the CLI path never deletes inputs"


def test_bad_file_does_not_stop_the_batch(warehouse: Settings, tmp_path: Path) -> None:
    good = b.write_submission(_unique(b.minimal(period="2018"), "batch"), "xlsx", tmp_path, "good")
    garbage = tmp_path / "garbage.xlsx"
    garbage.write_bytes(os.urandom(4096))
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"")
    outcomes = {o.path.name: o.outcome for o in ingest_paths(
        [garbage, good, empty], warehouse_url("loader", warehouse), run_id="t",
        quarantine=tmp_path / "q", workers=2)}  # fmt: skip
    assert outcomes == {"garbage.xlsx": "rejected", "good.xlsx": "accepted",
                        "empty.zip": "rejected"}  # fmt: skip


def test_batch_retry_after_load_duplicates_nothing(warehouse: Settings, tmp_path: Path) -> None:
    config = Settings(home=make_home(), warehouse_url=None)
    inbox = config.inbox
    inbox.mkdir(parents=True)
    sub = _unique(b.minimal(locality="Hải Dương", period="2017-H2"), "retry")
    path = b.write_submission(sub, "json", inbox, "retry")
    url = warehouse_url("loader", warehouse)
    # A first try that loaded but died before filing the file away: simulate with a copy.
    shutil.copy(path, tmp_path / "retry.json")
    first = ingest_file(psycopg.connect(url, autocommit=True), tmp_path / "retry.json",
                        run_id="try-1", quarantine=config.quarantine)  # fmt: skip
    results = process_batch([str(path)], url, run_id="try-2", config=config, workers=1)
    again = process_batch([str(path)], url, run_id="try-3", config=config, workers=1)
    assert first.outcome == "accepted"
    assert [r["outcome"] for r in results] == ["duplicate"]
    assert again == [], "a file already filed away is skipped"
    assert not path.exists() and list(config.archive.rglob("retry.json"))


def test_cli_exit_codes_and_lines(dxw_env: dict[str, str], tmp_path: Path) -> None:
    good = b.write_submission(_unique(b.minimal(period="2016"), "cli"), "zip", tmp_path, "ok")
    result = subprocess.run([*CLI, "ingest", str(good)], env=dxw_env, text=True,
                            capture_output=True, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "accepted  ok.zip" in result.stderr
    again = subprocess.run([*CLI, "ingest", "--json", str(tmp_path)], env=dxw_env, text=True,
                           capture_output=True, timeout=120)  # fmt: skip
    assert again.returncode == 0
    assert json.loads(again.stdout.splitlines()[0])["outcome"] == "duplicate"
    (tmp_path / "broken.json").write_text("{not json")
    rejected = subprocess.run([*CLI, "ingest", str(tmp_path)], env=dxw_env, text=True,
                              capture_output=True, timeout=120)  # fmt: skip
    assert rejected.returncode == 1 and "rejected  broken.json" in rejected.stderr
    usage = subprocess.run([*CLI, "ingest", str(tmp_path / "missing")], env=dxw_env,
                           capture_output=True, text=True, timeout=60)  # fmt: skip
    assert usage.returncode == 2


def test_cli_runs_the_raw_gate_and_holds_a_critical_defect(
    dxw_env: dict[str, str], conn: psycopg.Connection, tmp_path: Path
) -> None:
    """`dxw ingest` gates what it accepted as the DAG does; `--no-gate` leaves it to later."""
    year = date.today().year + 3
    gated, ungated = tmp_path / "gated", tmp_path / "ungated"

    def far_future(period_year: int, folder: Path) -> Path:
        sub = b.minimal(period=str(period_year), submitted_on=date(period_year + 1, 1, 15))
        return b.write_submission(_unique(sub, f"gate {period_year}"), "json", folder, "future")

    def held(period: str) -> int:
        query = (
            "select count(*) from audit.held_submissions h"
            " join raw.submissions s using (submission_id) where s.period = %s"
        )
        row = conn.execute(query, (period,)).fetchone()
        return int(row[0]) if row else 0

    gated.mkdir()
    ungated.mkdir()
    far_future(year, gated)
    result = subprocess.run([*CLI, "ingest", str(gated)], env=dxw_env, text=True,
                            capture_output=True, timeout=300)  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "accepted  future.json" in result.stderr
    assert "raw gate FAILED" in result.stderr and "period_not_far_in_future" in result.stderr
    assert held(str(year)) == 1, "kept in raw, held out of the marts"

    far_future(year + 1, ungated)
    skipped = subprocess.run([*CLI, "ingest", "--no-gate", str(ungated)], env=dxw_env,
                             text=True, capture_output=True, timeout=300)  # fmt: skip
    assert skipped.returncode == 0, skipped.stderr
    assert "raw gate" not in skipped.stderr
    assert held(str(year + 1)) == 0


def test_killed_loader_leaves_nothing_behind(
    warehouse: Settings, owner: psycopg.Connection, tmp_path: Path, dxw_env: dict[str, str]
) -> None:
    """SIGKILL during the COPY of a 300,000-row file: the submission is all out."""
    sub = _unique(b.minimal(locality="Hải Phòng", period="2015-H1"), "kill")
    rows = b.wifi_rows(300_000)
    for n, row in enumerate(rows):
        row["latitude"], row["longitude"] = 20.9 + (n % 1000) * 1e-4, 107.0 + (n // 1000) * 1e-4
    sub = b.with_table(sub, "wifi_points", rows)
    path = b.write_submission(sub, "zip", tmp_path, "big")
    sha = _digest(path)
    rows_before = owner.execute("select count(*) from raw.wifi_points").fetchone()
    process = subprocess.Popen([*CLI, "ingest", "--workers", "1", str(path)], env=dxw_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    copying = False
    while time.monotonic() < deadline and process.poll() is None:
        progress = owner.execute(
            "select tuples_processed from pg_stat_progress_copy p"
            " join pg_stat_activity a using (pid) where a.usename = 'dxw_loader'"
        ).fetchone()
        if progress and progress[0] > 1000:
            copying = True
            process.send_signal(signal.SIGKILL)
            break
        time.sleep(0.05)
    process.wait(timeout=30)
    assert copying, "the COPY was never observed in progress"
    time.sleep(0.5)
    assert owner.execute("select count(*) from raw.submissions where file_sha256 = %s",
                         (sha,)).fetchone() == (0,)  # fmt: skip
    assert owner.execute("select count(*) from raw.wifi_points").fetchone() == rows_before
    # And the same file loads completely afterwards (no gate: 300,000 points are beyond what
    # the raw gate lets through for one province).
    done = subprocess.run([*CLI, "ingest", "--no-gate", str(path)], env=dxw_env,
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert owner.execute(
        "select count(*) from raw.wifi_points w join raw.submissions s using (submission_id)"
        " where s.file_sha256 = %s", (sha,)).fetchone() == (300_000,)  # fmt: skip


def test_concurrent_ingests_of_one_folder_do_not_duplicate(
    owner: psycopg.Connection, tmp_path: Path, dxw_env: dict[str, str]
) -> None:
    for n in range(6):
        sub = _unique(b.minimal(locality="Ninh Thuận", period=f"2014-Q{n % 4 + 1}"), f"cc{n}")
        b.write_submission(sub, b.CARRIERS[n % 3], tmp_path, f"cc{n}")
    runs = [
        subprocess.Popen(
            [*CLI, "ingest", str(tmp_path)],
            env=dxw_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for run in runs:
        run.wait(timeout=300)
        assert run.returncode == 0
    count = owner.execute(
        "select count(*) from raw.submissions where file_name like 'cc%'"
    ).fetchone()
    assert count == (6,)


def test_template_and_sample_commands(tmp_path: Path) -> None:
    env = {**os.environ, "DXW_HOME": str(tmp_path / "home")}
    for fmt in b.CARRIERS:
        out = tmp_path / f"template.{fmt}"
        assert subprocess.run([*CLI, "template", "--format", fmt, str(out)], env=env,
                              capture_output=True).returncode == 0  # fmt: skip
        assert out.stat().st_size > 0
    clash = subprocess.run([*CLI, "template", "--format", "json", str(tmp_path / "template.json")],
                           env=env, capture_output=True)  # fmt: skip
    assert clash.returncode == 2, "never overwrite a file"
    first, second = tmp_path / "s1", tmp_path / "s2"
    for out in (first, second):
        assert subprocess.run([*CLI, "sample", str(out)], env=env).returncode == 0
    names = sorted(p.name for p in first.iterdir())
    assert {p.rsplit(".", 1)[1] for p in names} == {"xlsx", "json", "zip"}
    assert all((first / n).read_bytes() == (second / n).read_bytes() for n in names), (
        "the sample is byte-for-byte deterministic, so a rewritten sample is a duplicate"
    )


def test_raw_tables_mirror_the_submission_format(owner: psycopg.Connection) -> None:
    from dxw.ingest.loader import RAW_COLUMNS

    for table, columns in RAW_COLUMNS.items():
        actual = [r[0] for r in owner.execute(
            "select column_name from information_schema.columns where table_schema = 'raw'"
            " and table_name = %s order by ordinal_position", (table,)).fetchall()]  # fmt: skip
        assert actual == ["submission_id", "source_row", *columns], table
