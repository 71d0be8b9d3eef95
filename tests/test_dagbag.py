"""DAG integrity: every DAG file imports cleanly, fast, and declares tags and retries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

_PROBE = """
import json, time
from airflow.dag_processing.dagbag import DagBag
started = time.monotonic()
bag = DagBag(dag_folder={folder!r})
print(json.dumps({{
    "errors": {{k: str(v) for k, v in bag.import_errors.items()}},
    "seconds": time.monotonic() - started,
    "dags": {{d.dag_id: {{
        "tags": sorted(d.tags or []),
        "retries": [t.retries for t in d.tasks],
        "file": d.fileloc,
    }} for d in bag.dags.values()}},
}}))
"""


@pytest.fixture(scope="module")
def dagbag(tmp_path_factory: pytest.TempPathFactory) -> dict:
    home = tmp_path_factory.mktemp("airflow-home")
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
    }
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(folder=str(REPO / "dags"))],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_no_import_errors(dagbag: dict) -> None:
    assert dagbag["errors"] == {}


def test_every_dag_file_defines_a_dag(dagbag: dict) -> None:
    files = {Path(d["file"]).name for d in dagbag["dags"].values()}
    expected = {p.name for p in (REPO / "dags").glob("*.py") if not p.name.startswith("_")}
    assert files == expected


def test_dags_have_tags_and_retries(dagbag: dict) -> None:
    assert dagbag["dags"], "no DAG found"
    for dag_id, dag in dagbag["dags"].items():
        assert dag_id.startswith("dxw_"), dag_id
        assert "dx-warehouse" in dag["tags"], dag_id
        assert all(r >= 1 for r in dag["retries"]), f"{dag_id} has a task without retries"


def test_dag_files_stay_thin() -> None:
    for path in (REPO / "dags").glob("*.py"):
        text = path.read_text()
        assert len(text.splitlines()) <= 120, f"{path.name}: wire tasks only, logic in dxw"
        assert "import psycopg" not in text.split("@dag")[0], "no database client at parse time"
        assert "from airflow.sdk import" in text
