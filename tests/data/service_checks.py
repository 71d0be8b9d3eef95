"""What the tests of the resident service look at: its processes, new files, DAG runs."""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil

from dxw.config import Settings
from dxw.service.api import AirflowApi, DagRun
from dxw.service.plan import load_plan


def home_processes(home: Path) -> list[psutil.Process]:
    """Live processes of this home but its PostgreSQL: started with DXW_HOME=home, or naming
    the home on their command line (Redis)."""
    found = []
    for process in psutil.process_iter(["pid", "name", "cmdline"]):
        if process.pid == os.getpid():
            continue
        with contextlib.suppress(psutil.Error):
            if process.info["name"] in ("postgres", "pg_ctl"):
                continue
            cmdline = " ".join(process.info["cmdline"] or [])
            environ = process.environ()
            ours = environ.get("DXW_HOME") == str(home) or str(home) in cmdline
            if ours and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
    return found


def write_submission(folder: Path, name: str, period: str, wifi: int) -> Path:
    """A valid JSON submission of Quảng Ninh (province 22) for `period`, new bytes each time."""
    year, half = period.split("-")
    end = f"{year}-06-30" if half == "H1" else f"{year}-12-31"
    document = {
        "submission": {
            "locality": "Tỉnh Quảng Ninh",
            "period": period,
            "submitted_on": end,
            "agency": "Sở Khoa học và Công nghệ",
            "contact_email": "chuyendoiso@example.gov.vn",
            "framework": "09-NQ/TU",
        },
        "indicators": [
            {"indicator_code": "wifi_points_in_service", "value": wifi},
            {"indicator_code": "network_units_connected", "value": 251},
            {"indicator_code": "network_units_total", "value": 253},
        ],
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@contextlib.contextmanager
def api_of(config: Settings) -> Iterator[AirflowApi]:
    """The REST API of the service running in this home."""
    plan = load_plan(config)
    assert plan is not None, "no service runs in this home"
    with AirflowApi(plan.api_url, config) as api:
        yield api


def run_ingest(api: AirflowApi, timeout: float = 600) -> tuple[DagRun, list[DagRun]]:
    """Trigger `dxw_ingest`, wait for it and for the transform runs its Asset events created."""
    from dxw.pipeline import scheduled_transforms

    for dag_id in ("dxw_ingest", "dxw_transform"):
        api.wait_for_dag(dag_id)
    for earlier in api.dag_runs("dxw_ingest"):
        if not earlier.finished:
            api.wait_for_run("dxw_ingest", earlier.run_id, timeout)
    ingest = api.wait_for_run("dxw_ingest", api.trigger("dxw_ingest").run_id, timeout)
    transforms = [
        api.wait_for_run("dxw_transform", run_id, timeout)
        for run_id in scheduled_transforms(api, ingest.run_id)
    ]
    return ingest, transforms


def task_states(api: AirflowApi, dag_id: str, run_id: str) -> dict[str, Any]:
    """State of every task instance of a run, by task id (mapped ones: `task[i]`)."""
    states = {}
    for ti in api.task_instances(dag_id, run_id):
        index = ti.get("map_index", -1)
        key = ti["task_id"] if index in (-1, None) else f"{ti['task_id']}[{index}]"
        states[key] = ti["state"]
    return states
