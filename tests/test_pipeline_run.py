"""`dxw run` (what `make run` does) against a fresh home: warehouse up, DAGs run through Airflow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import psycopg
import pytest
from psycopg import sql

from dxw.config import Settings
from dxw.db.embedded import EmbeddedPostgres
from dxw.pipeline import PIPELINE_DAGS, dag_run_succeeded

from .conftest import make_home


@pytest.fixture(scope="module")
def pipeline_home():
    home = make_home("dxw-run-")
    yield home
    EmbeddedPostgres(Settings(home=home, warehouse_url=None)).stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.mark.slow
def test_dxw_run_drives_airflow_end_to_end(pipeline_home) -> None:
    env = {**os.environ, "DXW_HOME": str(pipeline_home)}
    env.pop("DXW_WAREHOUSE_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "dxw.cli", "run"],
        env=env,
        text=True,
        capture_output=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for dag_id in PIPELINE_DAGS:
        log = (pipeline_home / "logs" / f"{dag_id}.log").read_text()
        assert dag_run_succeeded(log), dag_id
    config = Settings(home=pipeline_home, warehouse_url=None)
    airflow_url = EmbeddedPostgres(config).url("airflow", "airflow")
    with psycopg.connect(airflow_url) as conn:
        states = dict(conn.execute("select dag_id, state from dag_run").fetchall())
    assert all(states.get(d) == "success" for d in PIPELINE_DAGS), states


def _raw_counts(config: Settings) -> dict[str, int]:
    from dxw.db.urls import warehouse_url

    with psycopg.connect(warehouse_url("owner", config)) as conn:
        return {
            table: conn.execute(  # type: ignore[index]
                sql.SQL("select count(*) from raw.{}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in ("submissions", "indicators", "wifi_points", "goals", "goal_summary")
        }


@pytest.mark.slow
def test_sample_went_through_the_dags(pipeline_home) -> None:
    """The ingest DAG filed every sample file away; the marts are filled from the accepted ones."""
    from dxw.pipeline import warehouse_summary
    from dxw.sample import sample_files

    config = Settings(home=pipeline_home, warehouse_url=None)
    expected = [f for f in sample_files()]
    accepted = sum(1 for f in expected if f.expect == "accepted")
    rejected = [f.name for f in expected if f.expect == "rejected"]
    assert list(config.inbox.iterdir()) == [], "the inbox is emptied"
    assert len(list(config.archive.rglob("*.*"))) == accepted
    for name in rejected:
        assert list(config.quarantine.glob(f"*-{name}")), name
        assert list(config.quarantine.glob(f"*-{name.rsplit('.', 1)[0]}*.feedback.md")), name
    summary = warehouse_summary(config)
    assert summary["load_outcomes"] == {"accepted": accepted, "rejected": len(rejected)}
    marts = summary["marts"]
    for mart in (
        "fct_wifi_points",
        "fct_mobile_coverage",
        "fct_network_links",
        "fct_goal_status",
        "fct_goal_attainment",
        "fct_plan_progress",
        "fct_locality_scorecard",
        "dim_locality",
        "dim_period",
        "dim_indicator",
    ):
        assert marts[mart][0] > 0, mart  # type: ignore[index]
    assert _raw_counts(config)["submissions"] == accepted


@pytest.mark.slow
def test_ingesting_the_sample_again_changes_nothing(pipeline_home) -> None:
    from dxw.sample import write_sample

    config = Settings(home=pipeline_home, warehouse_url=None)
    before = _raw_counts(config)
    write_sample(config.inbox)
    env = {**os.environ, "DXW_HOME": str(pipeline_home)}
    result = subprocess.run(
        [sys.executable, "-m", "dxw.cli", "airflow", "dags", "test", "dxw_ingest"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "state=success" in result.stdout + result.stderr
    assert _raw_counts(config) == before
    with psycopg.connect(EmbeddedPostgres(config).url("loader")) as conn:
        outcomes = dict(
            conn.execute(
                "select outcome, count(*) from audit.load_log where run_id like 'manual__%%'"
                " group by 1"
            ).fetchall()
        )
    assert outcomes.get("duplicate", 0) >= 26


def test_dag_run_outcome_is_read_from_the_log() -> None:
    assert dag_run_succeeded("x\nDagRun Finished: dag_id=a, state=success, run_type=manual\n")
    assert not dag_run_succeeded("DagRun Finished: dag_id=a, state=failed, run_type=manual")
    assert not dag_run_succeeded("no run at all")
