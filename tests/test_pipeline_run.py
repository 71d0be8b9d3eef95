"""`dxw run` (what `make run` does) against a fresh home: warehouse up, DAGs run through Airflow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import psycopg
import pytest

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


def test_dag_run_outcome_is_read_from_the_log() -> None:
    assert dag_run_succeeded("x\nDagRun Finished: dag_id=a, state=success, run_type=manual\n")
    assert not dag_run_succeeded("DagRun Finished: dag_id=a, state=failed, run_type=manual")
    assert not dag_run_succeeded("no run at all")
