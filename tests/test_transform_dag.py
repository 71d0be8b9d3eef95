"""The dxw_transform DAG: rendered by Cosmos from the prebuilt manifest, and run for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.pipeline import dag_run_succeeded
from dxw.transform.dbt import ensure_manifest

from .conftest import make_home, own_warehouse
from .data.examples import insert_reference_submissions

REPO = Path(__file__).resolve().parents[1]
_PROBE = """
import json, time
started = time.monotonic()
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={path!r})
dag = bag.dags.get("dxw_transform")
print(json.dumps({{
    "errors": {{k: str(v) for k, v in bag.import_errors.items()}},
    "seconds": time.monotonic() - started,
    "tasks": sorted(t.task_id for t in dag.tasks) if dag else [],
    "retries": sorted({{t.retries for t in dag.tasks}}) if dag else [],
    "tags": sorted(dag.tags) if dag else [],
    "schedule": [a.uri for a in dag.timetable.asset_condition.objects] if dag else [],
}}))
"""


def _parse(home: Path, tmp_path: Path) -> dict:
    env = {
        **os.environ,
        "DXW_HOME": str(home),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
    }
    env.pop("DXW_WAREHOUSE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(path=str(REPO / "dags" / "dxw_transform.py"))],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_dag_renders_every_model_and_its_tests_from_the_manifest(tmp_path: Path) -> None:
    home = make_home("dxw-dag-parse-")
    try:
        ensure_manifest(Settings(home=home, warehouse_url=None))
        parsed = _parse(home, tmp_path)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert parsed["errors"] == {}
    tasks = set(parsed["tasks"])
    for model in (
        "stg_raw__submissions",
        "int_submissions__latest",
        "fct_wifi_points",
        "fct_locality_scorecard",
        "dim_locality",
    ):
        assert f"dbt.{model}.run" in tasks and f"dbt.{model}.test" in tasks, model
    assert "dbt.seed_localities.seed" in tasks
    assert "publish_docs" in tasks
    assert parsed["retries"] and max(parsed["retries"]) >= 1
    assert "dx-warehouse" in parsed["tags"]
    assert parsed["schedule"] == ["dxw://warehouse/raw"]


def test_dag_without_manifest_falls_back_to_one_build_task(tmp_path: Path) -> None:
    home = make_home("dxw-dag-nomanifest-")
    try:
        parsed = _parse(home, tmp_path)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert parsed["errors"] == {}
    assert parsed["tasks"] == [
        "dbt_build",
        "marts_quality_gate",
        "publish_docs",
        "publish_marts",
        "source_freshness",
    ]


@pytest.fixture(scope="module")
def dag_home() -> Iterator[Settings]:
    with own_warehouse("dxw-dag-run-") as config:
        yield config


@pytest.mark.slow
def test_airflow_runs_dxw_transform(dag_home: Settings) -> None:
    config = dag_home
    insert_reference_submissions(warehouse_url("loader", config))
    ensure_manifest(config)
    env = {**os.environ, "DXW_HOME": str(config.home)}
    env.pop("DXW_WAREHOUSE_URL", None)
    dxw = [sys.executable, "-m", "dxw.cli", "airflow"]
    subprocess.run([*dxw, "db", "migrate"], env=env, capture_output=True, check=True, timeout=600)
    result = subprocess.run(
        [*dxw, "dags", "test", "dxw_transform"],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    log = result.stdout + result.stderr
    problems = "\n".join(
        line for line in log.splitlines() if "rror" in line or "failed" in line or "state=" in line
    )
    assert result.returncode == 0, problems[-5000:]
    assert dag_run_succeeded(log), problems[-5000:]
    with psycopg.connect(warehouse_url("bi", config)) as conn:
        wifi = conn.execute(
            "select wifi_points_in_service from marts.fct_locality_scorecard"
            " where locality_code = '22' and period = '2022-H1'"
        ).fetchone()
    assert wifi == (123,)
    assert (config.docs_dir / "dbt" / "index.html").exists()
    assert list((config.home / "dbt" / "cosmos").iterdir()), "Cosmos cache not under DXW_HOME"
