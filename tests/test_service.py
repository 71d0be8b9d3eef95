"""The pipeline as it is operated: `make run`, then a resident Airflow (`dxw up`) on
LocalExecutor, then on CeleryExecutor with a loopback Redis and two workers, all in one home.

Order matters and is the module's order: `make run` (the session's `pipeline_home`) starts and
stops its own services; `dxw up` starts a LocalExecutor service that the next tests use and
`dxw down` stops; then the same home runs on Celery.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url

from .conftest import dxw
from .data.service_checks import (
    api_of,
    home_processes,
    run_ingest,
    task_states,
    write_submission,
)

pytestmark = pytest.mark.slow


def _scorecard_wifi(config: Settings, period: str) -> int | None:
    with psycopg.connect(warehouse_url("bi", config)) as conn:
        row = conn.execute(
            "select sum(wifi_points_in_service) from marts.fct_locality_scorecard"
            " where locality_code = '22' and period = %s",
            (period,),
        ).fetchone()
    return None if row is None or row[0] is None else int(row[0])


# -- make run -------------------------------------------------------------------------------
def test_make_run_went_through_the_resident_scheduler_and_stopped_it(
    pipeline_home: Settings,
) -> None:
    out = (pipeline_home.home / "make-run.out").read_text()
    assert "Airflow up on http://127.0.0.1:" in out
    assert "dxw_ingest (scheduled) success" in out or "dxw_ingest (triggered) success" in out
    assert "dxw_transform success" in out and "scheduled by the raw Asset" in out
    assert "Traceback" not in out, out[-3000:]
    assert home_processes(pipeline_home.home) == [], "make run left processes behind"
    assert not list(pipeline_home.run_dir.glob("*.json")), "service records left behind"


# -- LocalExecutor ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def local_service(pipeline_home: Settings) -> Iterator[Settings]:
    result = dxw(pipeline_home.home, "up", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    yield pipeline_home
    dxw(pipeline_home.home, "down", timeout=120)


def test_up_starts_every_component_healthy_without_a_traceback(local_service: Settings) -> None:
    result = dxw(local_service.home, "status", timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for component in ("api-server", "dag-processor", "triggerer", "scheduler"):
        line = next(li for li in result.stdout.splitlines() if component in li)
        assert "healthy" in line and "unhealthy" not in line, line
    logs = local_service.logs_dir / "service"
    for name in ("api-server", "dag-processor", "triggerer", "scheduler"):
        text = (logs / f"{name}.log").read_text()
        assert "Traceback" not in text, f"{name}: {text[-2000:]}"
        assert "Connection refused" not in text, name


def test_a_new_file_runs_ingest_then_the_asset_triggered_transform(
    local_service: Settings,
) -> None:
    config = local_service
    write_submission(config.inbox, "quang_ninh_2021-H1.json", "2021-H1", wifi=777)
    with api_of(config) as api:
        ingest, transforms = run_ingest(api)
        assert ingest.state == "success", task_states(api, "dxw_ingest", ingest.run_id)
        assert len(transforms) == 1
        (transform,) = transforms
        states = task_states(api, "dxw_transform", transform.run_id)
        assert transform.state == "success", {k: v for k, v in states.items() if v != "success"}
        assert transform.run_type == "asset_triggered"
        # Every model and its tests are tasks of their own, finished in the triggerer.
        assert states["dbt.fct_wifi_points.run"] == "success"
        assert states["dbt.fct_wifi_points.test"] == "success"
        assert states["dbt.seed_localities.seed"] == "success"
        assert sum(1 for task in states if task.startswith("dbt.")) > 50
    assert _scorecard_wifi(config, "2021-H1") == 777
    assert list(config.inbox.iterdir()) == []


def test_an_ingest_that_accepted_nothing_schedules_no_transform(local_service: Settings) -> None:
    config = local_service
    write_submission(config.inbox, "quang_ninh_2021-H1.json", "2021-H1", wifi=777)  # same bytes
    with api_of(config) as api:
        before = len(api.dag_runs("dxw_transform", limit=100))
        ingest, transforms = run_ingest(api)
        assert ingest.state == "success"
        assert transforms == []
        assert api.asset_events("dxw_ingest", ingest.run_id) == []
        assert len(api.dag_runs("dxw_transform", limit=100)) == before


def test_make_run_uses_a_service_already_up_and_leaves_it_up(local_service: Settings) -> None:
    result = dxw(local_service.home, "run", "--no-sample", timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "using the Airflow already up" in result.stderr
    assert "nothing new was accepted" in result.stderr
    status = dxw(local_service.home, "status", timeout=60)
    assert status.returncode == 0, status.stdout


def test_the_transform_leaves_worker_slots_to_ingest(local_service: Settings) -> None:
    """dbt nodes take no slot (they end in the triggerer); the one producer task has a lower
    priority than every ingest task, so queued ingest work is picked first."""
    with api_of(local_service) as api:
        (transform,) = api.dag_runs("dxw_transform", limit=1)
        ingest = api.dag_runs("dxw_ingest", limit=1)[0]
        transform_tis = api.task_instances("dxw_transform", transform.run_id)
        ingest_tis = api.task_instances("dxw_ingest", ingest.run_id)
    on_workers = [ti for ti in transform_tis if ti.get("hostname")]
    assert {ti["task_id"] for ti in on_workers} <= {
        "dbt.dbt_producer_watcher",
        "marts_quality_gate",
        "publish_marts",
        "publish_docs",
        "source_freshness",
    }, [ti["task_id"] for ti in on_workers]
    assert min(ti["priority_weight"] for ti in ingest_tis) > max(
        ti["priority_weight"] for ti in on_workers
    )


def test_down_stops_everything_it_started(local_service: Settings) -> None:
    config = local_service
    assert home_processes(config.home), "the service should be running before down"
    result = dxw(config.home, "down", timeout=120)
    assert result.returncode == 0, result.stderr
    assert home_processes(config.home) == []
    assert dxw(config.home, "status", timeout=60).returncode == 3


# -- CeleryExecutor ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def celery_service(pipeline_home: Settings) -> Iterator[Settings]:
    result = dxw(pipeline_home.home, "up", "--executor", "celery", "--workers", "2", timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    yield pipeline_home
    dxw(pipeline_home.home, "down", timeout=120)


def test_celery_runs_both_dags_on_two_workers(celery_service: Settings) -> None:
    config = celery_service
    status = dxw(config.home, "status", timeout=60)
    assert status.returncode == 0, status.stdout
    for component in ("redis", "worker-1", "worker-2", "scheduler", "triggerer"):
        assert any(component in li and "healthy" in li for li in status.stdout.splitlines())
    plan = json.loads((config.run_dir / "service.json").read_text())
    assert plan["executor"] == "celery" and plan["redis_port"]
    assert len({plan["log_ports"]["worker-1"], plan["log_ports"]["worker-2"]}) == 2
    # 40 files make two batches of 20 (`dxw.ingest.inbox.MIN_BATCH_FILES`), queued together:
    # a worker runs one task at a time, so each worker takes one.
    from dxw.sample import write_sample

    write_sample(config.inbox)
    for year in range(2016, 2021):
        for half in ("H1", "H2"):
            period = f"{year}-{half}"
            write_submission(config.inbox, f"quang_ninh_{period}.json", period, wifi=500 + year)
    assert len(list(config.inbox.iterdir())) == 40
    with api_of(config) as api:
        ingest, transforms = run_ingest(api)
        assert ingest.state == "success", task_states(api, "dxw_ingest", ingest.run_id)
        assert [t.state for t in transforms] == ["success"]
        hosts = {
            str(ti.get("hostname") or "").split("@")[0]
            for dag_id, run_id in (
                ("dxw_ingest", ingest.run_id),
                ("dxw_transform", transforms[0].run_id),
            )
            for ti in api.task_instances(dag_id, run_id)
        }
        batches = [
            ti
            for ti in api.task_instances("dxw_ingest", ingest.run_id)
            if ti["task_id"] == "ingest_batch"
        ]
    assert len(batches) == 2
    assert _scorecard_wifi(config, "2020-H2") == 2520
    # Daemonic Celery workers ingest in their own process (no process pool).
    assert {"worker-1", "worker-2"} <= hosts, hosts


def test_celery_down_stops_redis_and_the_workers(celery_service: Settings) -> None:
    from .data.warehouse_checks import mode, scan_for_secrets

    home = celery_service.home
    result = dxw(home, "down", timeout=120)
    assert result.returncode == 0, result.stderr
    assert home_processes(home) == []
    # The broker's password lives in private files only, never in a log or a command line.
    password = json.loads((home / "secrets" / "redis.json").read_text())["password"]
    assert mode(home / "secrets" / "redis.json") == 0o600
    assert mode(home / "redis" / "redis.conf") == 0o600
    logs = [home / "logs", home / "airflow" / "logs"]
    assert scan_for_secrets(logs, {"redis": password}) == []
