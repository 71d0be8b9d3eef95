"""Injected faults: kill -9 during a parallel batch, two ingests racing on overlapping folders,
the warehouse restarted under a running DAG, an Airflow task retried after it had loaded.

The single-file SIGKILL during a COPY is tests/test_ingest.py::test_killed_loader_leaves_nothing_
behind; here the whole process group of a two-worker `dxw ingest` is killed at several moments
of a batch. The DAG runs use `airflow dags test`, which honours retries (a failed try goes
up_for_retry and runs again after retry_delay). With the embedded deployment the Airflow
metadata lives in the same PostgreSQL as the warehouse, so restarting it also pulls the
metadata from under `dags test`; the restart test therefore keeps Airflow's metadata in SQLite
(the production topology: metadata and warehouse are separate servers), and a `reliability`
test covers the embedded topology by re-running the DAG after the crash.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.embedded import EmbeddedPostgres
from dxw.db.urls import warehouse_url
from dxw.ingest.inbox import process_batch

from .conftest import make_home, own_warehouse
from .data.warehouse_checks import CLI, raw_rows_by_submission, reliability, run_ingest
from .unit import submission_builders as b

WIFI_ROWS = 5000


def _valid(
    folder: Path, prefix: str, count: int, locality: str, year: int, rows: int = WIFI_ROWS
) -> dict[str, int]:
    """`count` valid files (all carriers) of `rows` Wi-Fi points each; {name: rows per file}."""
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for n in range(count):
        period = f"{year + n // 12}-{n % 12 + 1:02d}"
        sub = b.minimal(locality=locality, period=period, submitted_on=date(year + 5, 1, 1))
        sub["submission"]["agency"] = f"{prefix} {n}"
        sub = b.with_table(sub, "wifi_points", b.wifi_rows(rows))
        sub["indicators"] = [{"indicator_code": "wifi_points_in_service", "value": rows}]
        path = b.write_submission(sub, b.CARRIERS[n % 3], folder, f"{prefix}-{n:02d}")
        out[path.name] = rows + 1
    return out


def _broken(folder: Path, prefix: str) -> list[str]:
    (folder / f"{prefix}-garbage.xlsx").write_bytes(random.Random(1).randbytes(2048))
    (folder / f"{prefix}-bad.json").write_text('{"submission": {"period": "2040-H3"}}')
    return [f"{prefix}-garbage.xlsx", f"{prefix}-bad.json"]


def _sha_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_exactly_once(conn: psycopg.Connection, folder: Path, expected: dict[str, int]) -> None:
    """Every file is in raw once, with all its rows; every 'accepted' log entry has it."""
    shas = {name: _sha_of(folder / name) for name in expected}
    loaded = dict(
        conn.execute(
            "select file_sha256, submission_id from raw.submissions where file_sha256 = any(%s)",
            (list(shas.values()),),
        ).fetchall()
    )
    assert set(loaded) == set(shas.values()), "each file loaded"
    counts = raw_rows_by_submission(conn, list(loaded.values()))
    for name, rows in expected.items():
        assert sum(counts[loaded[shas[name]]].values()) == rows, f"{name} is complete"
    accepted = conn.execute(
        "select file_sha256, count(*) from audit.load_log where outcome = 'accepted'"
        " and file_sha256 = any(%s) group by 1",
        (list(shas.values()),),
    ).fetchall()
    assert sorted(n for _, n in accepted) == [1] * len(shas), "one accepted entry per file"


def _loader_sessions(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "select count(*) from pg_stat_activity where usename = 'dxw_loader'"
        " and pid <> pg_backend_pid()"
    ).fetchone()
    return int(row[0]) if row else 0


# -- kill -9 ------------------------------------------------------------------------------------
def _kill_rounds(
    warehouse: Settings, env: dict[str, str], folder: Path, rounds: int, seed: int
) -> list[str]:
    """Start a two-worker ingest of `folder` and SIGKILL its whole process group, `rounds`
    times: on even rounds while a load transaction is open (a loader holds its locality-period
    lock), on odd rounds once 1-4 more files have been loaded. Returns what each kill hit."""
    rng = random.Random(seed)
    killed = []
    pattern = f"{folder.name}-%"
    with psycopg.connect(warehouse_url("owner", warehouse), autocommit=True) as owner:

        def loaded() -> int:
            row = owner.execute(
                "select count(*) from raw.submissions where file_name like %s", (pattern,)
            ).fetchone()
            return int(row[0]) if row else 0

        for n in range(rounds):
            target = loaded() + rng.randint(1, 4)
            process = subprocess.Popen(
                [*CLI, "ingest", "--no-gate", "--workers", "2", str(folder)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            what = "nothing (the run had finished)"
            while process.poll() is None:
                row = owner.execute(
                    "select count(*) from pg_locks l join pg_stat_activity a using (pid)"
                    " where l.locktype = 'advisory' and a.usename = 'dxw_loader'"
                ).fetchone()
                in_load = bool(row and row[0])
                if n % 2 == 0 and in_load:
                    what = "a load in progress"
                elif n % 2 == 1 and loaded() >= target:
                    what = f"a random moment ({loaded()} files in)"
                else:
                    time.sleep(0.005)
                    continue
                os.killpg(process.pid, signal.SIGKILL)
                break
            process.wait(timeout=60)
            killed.append(what)
            # The server notices the dead clients and rolls their transactions back.
            for _ in range(200):
                if _loader_sessions(owner) == 0:
                    break
                time.sleep(0.05)
            assert _loader_sessions(owner) == 0, "killed sessions linger"
            locks = owner.execute(
                "select count(*) from pg_locks where locktype = 'advisory'"
                " and pid <> pg_backend_pid()"
            ).fetchone()
            assert locks == (0,), "an advisory lock outlived its session"
    return killed


def _kill_test(warehouse: Settings, env: dict[str, str], folder: Path, rounds: int) -> None:
    # Past periods (the raw gate holds periods far in the future), apart for each test.
    expected = _valid(folder, folder.name, 4 * rounds + 10, "Cao Bằng", 2002 + 2 * rounds)
    broken = _broken(folder, folder.name)
    killed = _kill_rounds(warehouse, env, folder, rounds, seed=rounds)
    assert killed.count("a load in progress") == (rounds + 1) // 2, killed
    assert sum(k.startswith("a random moment") for k in killed) == rounds // 2, killed
    code, lines, stderr, _ = run_ingest([folder], env, workers=2)
    assert code == 1, stderr[-2000:]
    assert "raw gate FAILED" not in stderr, stderr[-2000:]
    outcomes = {Path(str(line["file"])).name: line["outcome"] for line in lines}
    assert {outcomes[n] for n in broken} == {"rejected"}
    assert {outcomes[n] for n in expected} <= {"accepted", "duplicate"}
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        _assert_exactly_once(conn, folder, expected)
    print(f"kills interrupted: {killed}")


@pytest.mark.timeout(600)
def test_kill_9_during_a_parallel_batch_loses_and_duplicates_nothing(
    warehouse: Settings, dxw_env: dict[str, str], tmp_path: Path
) -> None:
    _kill_test(warehouse, dxw_env, tmp_path / "kill2", rounds=2)


@reliability
@pytest.mark.timeout(1800)
def test_kill_9_many_times(warehouse: Settings, dxw_env: dict[str, str], tmp_path: Path) -> None:
    _kill_test(warehouse, dxw_env, tmp_path / "kill8", rounds=8)


# -- two ingests at once --------------------------------------------------------------------------
@pytest.mark.timeout(600)
def test_two_ingests_on_overlapping_folders(
    warehouse: Settings, dxw_env: dict[str, str], tmp_path: Path
) -> None:
    """Folders A and B share half their files (same names) and a renamed copy; many files
    compete for the same locality-period lock. Both finish, nothing is loaded twice."""
    shared = tmp_path / "shared"
    shared.mkdir()
    files: dict[str, int] = {}
    for n in range(24):
        # Four periods, six reports each (different days): every load contends for a lock.
        sub = b.minimal(locality="Lai Châu", period=f"2013-Q{n % 4 + 1}")
        sub["submission"]["submitted_on"] = date(2014, 1, 1 + n)
        sub = b.with_table(sub, "wifi_points", b.wifi_rows(400))
        path = b.write_submission(sub, b.CARRIERS[n % 3], shared, f"race-{n:02d}")
        files[path.name] = 400
    a, bee = tmp_path / "a", tmp_path / "b"
    names = sorted(files)
    for folder, part in ((a, names[:16]), (bee, names[8:])):
        folder.mkdir()
        for name in part:
            shutil.copy(shared / name, folder / name)
    shutil.copy(shared / names[0], bee / f"renamed-{names[0]}")
    runs = [
        subprocess.Popen(
            [*CLI, "ingest", "--json", "--no-gate", "--workers", "2", str(folder)],
            env=dxw_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for folder in (a, bee)
    ]
    for run in runs:
        _, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-2000:]
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        _assert_exactly_once(conn, shared, files)
        shas = [_sha_of(shared / n) for n in names]
        outcomes = conn.execute(
            "select outcome, count(*) from audit.load_log where file_sha256 = any(%s) group by 1",
            (shas,),
        ).fetchall()
        # 24 distinct files, 8 sent by both runs and one sent twice under another name.
        assert dict(outcomes) == {"accepted": 24, "duplicate": 9}
        # Every supersede link points to an earlier-or-same-day report of the same unit and period.
        bad = conn.execute(
            "select l.submission_id from audit.load_log l"
            " join raw.submissions s on s.submission_id = l.submission_id"
            " join raw.submissions p on p.submission_id = l.supersedes"
            " where l.file_sha256 = any(%s) and ((p.locality_key, p.period) <> (s.locality_key,"
            " s.period) or p.submitted_on > s.submitted_on)",
            (shas,),
        ).fetchall()
        assert bad == []
        latest = conn.execute(
            "select period, max(submitted_on) from raw.submissions where file_sha256 = any(%s)"
            " group by 1 order by 1",
            (shas,),
        ).fetchall()
        assert [d.day for _, d in latest] == [21, 22, 23, 24]


# -- Airflow ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def restart_home() -> Iterator[Settings]:
    """A warehouse of its own (the test restarts it), with Airflow metadata in SQLite."""
    with own_warehouse("dxw-restart-") as config:
        yield config


def _airflow_env(config: Settings, metadata: str) -> dict[str, str]:
    from dxw.airflow_env import airflow_env

    env = airflow_env(config)
    if metadata == "sqlite":
        env["AIRFLOW_HOME"] = str(config.home / "airflow-sqlite")
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = (
            f"sqlite:///{config.home / 'airflow-sqlite' / 'airflow.db'}"
        )
    return env


def _airflow(args: list[str], env: dict[str, str], timeout: float = 600) -> str:
    from dxw.pipeline import airflow_binary

    result = subprocess.run(
        [airflow_binary(), *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    return f"exit={result.returncode}\n{result.stdout}\n{result.stderr}"


def _migrate(config: Settings, metadata: str) -> dict[str, str]:
    env = _airflow_env(config, metadata)
    Path(env["AIRFLOW_HOME"]).mkdir(parents=True, exist_ok=True)
    out = _airflow(["db", "migrate"], env)
    assert out.startswith("exit=0"), out[-3000:]
    return env


def _restart_when(config: Settings, pattern: str, loaded: int, done: dict[str, Any]) -> None:
    """Restart the warehouse once `loaded` submissions whose file matches `pattern` are in."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with psycopg.connect(warehouse_url("owner", config)) as conn:
                row = conn.execute(
                    "select count(*) from raw.submissions where file_name like %s", (pattern,)
                ).fetchone()
        except psycopg.OperationalError:
            row = None
        if row and row[0] >= loaded:
            started = time.monotonic()
            server = EmbeddedPostgres(config)
            server.stop()
            server.start()
            done.update(after=row[0], seconds=round(time.monotonic() - started, 2))
            return
        time.sleep(0.05)


def _dags_test_restarting(
    config: Settings, env: dict[str, str], files: str, after: int, *, join_timeout: float
) -> tuple[str, dict[str, Any]]:
    """`dags test dxw_ingest` while a watcher restarts the warehouse after `after` loads of
    `files` (a LIKE pattern); the run's output and what the watcher recorded."""
    restarted: dict[str, Any] = {}
    watcher = threading.Thread(
        target=_restart_when, args=(config, files, after, restarted), daemon=True
    )
    watcher.start()
    output = _airflow(["dags", "test", "dxw_ingest"], env)
    watcher.join(timeout=join_timeout)
    return output, restarted


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_warehouse_restart_during_a_dag_run(restart_home: Settings) -> None:
    """The ingest tasks die with the restart, go up_for_retry, run again and finish: every file
    once, complete, filed away, and the run still reports all of them."""
    config = restart_home
    env = _migrate(config, "sqlite")
    # Past periods: the raw quality gate refuses periods far in the future.
    expected = _valid(config.inbox, "restart", 40, "Cao Bằng", 2014, rows=1500)
    output, restarted = _dags_test_restarting(config, env, "restart-%", 3, join_timeout=60)
    assert restarted, "the warehouse was never restarted"
    assert output.startswith("exit=0") and "state=success" in output, output[-4000:]
    assert "up_for_retry" in output, "the restart hit a running task"
    summary = output.split("ingest summary: ", 1)[1].split("\n", 1)[0]
    assert "'accepted': 40" in summary, summary
    assert list(config.inbox.iterdir()) == []
    archived = {p.name: p for p in config.archive.rglob("restart-*") if ".feedback." not in p.name}
    assert len(archived) == 40
    assert all(p.with_name(f"{p.name}.feedback.md").exists() for p in archived.values())
    folder = config.home / "archived"
    folder.mkdir()
    for name, path in archived.items():
        shutil.copy(path, folder / name)
    with psycopg.connect(warehouse_url("owner", config)) as conn:
        _assert_exactly_once(conn, folder, expected)
    print(f"warehouse restarted after {restarted['after']} loads in {restarted['seconds']} s")


def test_retry_after_load_reports_what_the_earlier_try_loaded(
    warehouse: Settings, tmp_path: Path
) -> None:
    """The try that loaded died before filing the files away (here: the archive is blocked).
    The retry (same run id) loads nothing again and still reports every file as accepted, so
    the run checks them and triggers the transform; without that, a retried run reported only
    duplicates and the new submissions never reached the marts."""
    config = Settings(home=make_home(), warehouse_url=None)
    expected = _valid(config.inbox, "retried", 5, "Cao Bằng", 2010)
    files = sorted(str(p) for p in config.inbox.iterdir())
    url = warehouse_url("loader", warehouse)
    config.archive.mkdir(parents=True)
    blocker = config.archive / f"{datetime.now(UTC):%Y-%m-%d}"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        process_batch(files, url, run_id="run-retried", config=config, workers=1)
    blocker.unlink()
    retry = process_batch(files, url, run_id="run-retried", config=config, workers=1)
    assert [r["outcome"] for r in retry] == ["accepted"] * 5
    by_earlier_try = [r["file"] for r in retry if r["duplicate_of"] == r["submission_id"]]
    assert by_earlier_try == files[:1], "the first file was loaded by the try that died"
    again = process_batch(files, url, run_id="run-retried", config=config, workers=1)
    assert [r["outcome"] for r in again] == ["accepted"] * 5, "files already filed away"
    assert {r["submission_id"] for r in again} == {r["submission_id"] for r in retry}
    other = process_batch(files, url, run_id="another-run", config=config, workers=1)
    assert other == [], "another run neither sees nor reports them"
    folder = tmp_path / "copies"
    folder.mkdir()
    for path in config.archive.rglob("retried-*"):
        shutil.copy(path, folder / path.name)
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        _assert_exactly_once(conn, folder, expected)
    shutil.rmtree(config.home, ignore_errors=True)


@reliability
@pytest.mark.timeout(900)
def test_airflow_retries_a_task_that_had_loaded(restart_home: Settings) -> None:
    """The same through Airflow: the first try of the mapped ingest task loads every file and
    fails filing them away; Airflow retries it; the run succeeds, checks and publishes them."""
    config = restart_home
    env = _migrate(config, "sqlite")
    expected = _valid(config.inbox, "afretry", 6, "Lai Châu", 2019)
    config.archive.mkdir(parents=True, exist_ok=True)
    blocker = config.archive / f"{datetime.now(UTC):%Y-%m-%d}"
    if blocker.is_dir():
        shutil.rmtree(blocker)
    blocker.write_text("not a folder")

    def unblock() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with psycopg.connect(warehouse_url("owner", config)) as conn:
                row = conn.execute(
                    "select count(*) from raw.submissions where file_name like 'afretry-%'"
                ).fetchone()
            if row and row[0] == len(expected):
                time.sleep(3)
                blocker.unlink()
                return
            time.sleep(0.1)

    thread = threading.Thread(target=unblock, daemon=True)
    thread.start()
    output = _airflow(["dags", "test", "dxw_ingest"], env)
    thread.join(timeout=60)
    assert output.startswith("exit=0") and "state=success" in output, output[-4000:]
    assert "up_for_retry" in output and "by an earlier try" in output
    summary = output.split("ingest summary: ", 1)[1].split("\n", 1)[0]
    assert "'accepted': 6" in summary, summary


@reliability
@pytest.mark.timeout(1200)
def test_restart_with_airflow_metadata_in_the_same_server(tmp_path: Path) -> None:
    """The embedded deployment: the restart also takes Airflow's metadata away, and
    `dags test` itself dies. Running the DAG again finishes the inbox: every file once."""
    with own_warehouse("dxw-restart-embedded-") as config:
        from dxw.pipeline import ensure_airflow_metadata

        ensure_airflow_metadata(config)
        env = _airflow_env(config, "embedded")
        expected = _valid(config.inbox, "embedded", 30, "Cao Bằng", 2014)
        first, restarted = _dags_test_restarting(config, env, "embedded-%", 4, join_timeout=120)
        assert restarted
        second = _airflow(["dags", "test", "dxw_ingest"], env)
        assert second.startswith("exit=0") and "state=success" in second, second[-4000:]
        assert list(config.inbox.iterdir()) == []
        folder = tmp_path / "archived"
        folder.mkdir()
        for path in config.archive.rglob("embedded-*"):
            shutil.copy(path, folder / path.name)
        with psycopg.connect(warehouse_url("owner", config)) as conn:
            _assert_exactly_once(conn, folder, expected)
        print(f"first run: {first.splitlines()[0]}; second run succeeded")
