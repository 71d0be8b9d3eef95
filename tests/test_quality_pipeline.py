"""The gates inside the real pipeline: `dxw run` through Airflow, then planted defects.

One module-wide home: `dxw run` (dxw_ingest with the raw gate, dxw_transform with the marts
gate) once, then a defect planted in a mart and a run of dxw_transform whose dbt tasks are
marked successful (so the defect survives to the gate), then a far-future submission through
dxw_ingest.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner

from dxw.config import AIRFLOW_DB, Settings
from dxw.db.embedded import EmbeddedPostgres
from dxw.db.urls import warehouse_url
from dxw.pipeline import dag_run_succeeded
from dxw.quality.cli import validate
from dxw.quality.config import data_docs_index

pytestmark = pytest.mark.slow

#: A planted copy of a goal-attainment row of the marts as built, at 150 %: two critical
#: failures (the grain, the 0-100 range).
GOAL_ATTAINMENT_DEFECT = """
insert into marts_build.fct_goal_attainment
select (jsonb_populate_record(
    null::marts_build.fct_goal_attainment,
    to_jsonb(g) || jsonb_build_object(
        'goal_attainment_key', 'planted-' || g.goal_attainment_key, 'attainment_pct', 150
    )
)).*
from marts_build.fct_goal_attainment as g
where g.locality_code = '22' and g.period = '2024-Q1' and g.pillar = 'all'
"""


def _env(config: Settings) -> dict[str, str]:
    env = {**os.environ, "DXW_HOME": str(config.home)}
    env.pop("DXW_WAREHOUSE_URL", None)
    return env


@pytest.fixture(scope="module")
def pipeline(pipeline_home: Settings) -> Settings:
    """The session's home after `dxw run` (what `make run` does; tests/conftest.py)."""
    return pipeline_home


def _query(config: Settings, statement: str, *params: object, role: str = "loader") -> list:
    with psycopg.connect(warehouse_url(role, config)) as conn:
        return conn.execute(statement, params).fetchall()


def _airflow(config: Settings, statement: str, *params: object) -> list:
    url = EmbeddedPostgres(config).url("airflow", AIRFLOW_DB)
    with psycopg.connect(url) as conn:
        return conn.execute(statement, params).fetchall()


def _latest_run(config: Settings, dag_id: str) -> tuple[str, str, dict[str, str]]:
    """(run_id, state, task states by task id) of the DAG's latest run."""
    ((run_id, state),) = _airflow(
        config,
        "select run_id, state from dag_run where dag_id = %s order by id desc limit 1",
        dag_id,
    )
    tasks = dict(
        _airflow(
            config,
            "select task_id, state from task_instance where dag_id = %s and run_id = %s",
            dag_id,
            run_id,
        )
    )
    return run_id, state, tasks


def _asset_events(config: Settings, uri: str, run_id: str) -> int:
    ((count,),) = _airflow(
        config,
        "select count(*) from asset_event e join asset a on a.id = e.asset_id"
        " where a.uri = %s and e.source_run_id = %s",
        uri,
        run_id,
    )
    return int(count)


def _dags_test(config: Settings, dag_id: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dxw.cli", "airflow", "dags", "test", dag_id, *args],
        env=_env(config), text=True, capture_output=True, timeout=900,
    )  # fmt: skip


def _first_gated_run(config: Settings, dag_id: str, gate: str) -> str:
    """The first run of a DAG whose gate ran: the one `dxw run` followed."""
    ((run_id,),) = _airflow(
        config,
        "select run_id from task_instance where dag_id = %s and task_id = %s"
        " and state in ('success', 'failed') order by start_date limit 1",
        dag_id,
        f"{gate}_quality_gate",
    )
    return str(run_id)


def test_both_gates_pass_in_the_pipeline(pipeline: Settings) -> None:
    for dag_id, gate in (("dxw_ingest", "raw"), ("dxw_transform", "marts")):
        run_id = _first_gated_run(pipeline, dag_id, gate)
        ((state,),) = _airflow(
            pipeline, "select state from dag_run where dag_id = %s and run_id = %s", dag_id, run_id
        )
        tasks = dict(
            _airflow(
                pipeline,
                "select task_id, state from task_instance where dag_id = %s and run_id = %s",
                dag_id,
                run_id,
            )
        )
        assert state == "success" and tasks[f"{gate}_quality_gate"] == "success", tasks
        rows = _query(
            pipeline,
            "select severity, success, count(*) from marts.dq_results"
            " where run_id = %s and gate = %s group by 1, 2",
            run_id,
            gate,
            role="bi",
        )
        counts = {(severity, success): n for severity, success, n in rows}
        assert counts.get(("critical", True), 0) > 0, counts
        assert ("critical", False) not in counts, counts
        assert counts.get(("warning", False), 0) >= 1, counts
    run_id = _first_gated_run(pipeline, "dxw_transform", "marts")
    logs = pipeline.airflow_home / "logs" / "dag_id=dxw_transform" / f"run_id={run_id}"
    (log,) = logs.glob("task_id=marts_quality_gate/attempt=1.log")
    assert "marts gate passed" in log.read_text()


def test_quang_ninh_figures_are_warnings_listing_the_localities(pipeline: Settings) -> None:
    ((severity, success, unexpected, sample),) = _query(
        pipeline,
        "select severity, success, unexpected_count, unexpected_sample from marts.dq_results"
        " where gate = 'marts' and is_latest and suite = 'marts.fct_goal_attainment'"
        " and expectation = 'reported_pct_agrees_with_counts'",
        role="bi",
    )
    assert (severity, success, unexpected) == ("warning", False, 4)
    figures = {
        row["pillar"]: (row["reported_pct"], row["computed_pct"])
        for row in sample
        if row["locality_name"] == "Quảng Ninh" and row["period"] == "2024-Q1"
    }
    assert figures == {
        "all": (40, 35),
        "digital_government": (60, 30),
        "digital_economy": (30, 20),
        "digital_society": (40, 60),
    }
    ((wifi_sample,),) = _query(
        pipeline,
        "select unexpected_sample from marts.dq_results where gate = 'raw' and is_latest"
        " and expectation = 'wifi_points_not_halved' and not success and severity = 'warning'",
        role="bi",
    )
    assert [(r["locality_code"], r["period"]) for r in wifi_sample] == [("22", "2026-H1")]


def test_data_docs_are_built(pipeline: Settings) -> None:
    index = data_docs_index(pipeline)
    assert index == pipeline.home / "docs" / "gx" / "index.html"
    text = index.read_text()
    for suite in ("raw.indicators", "marts.fct_goal_attainment", "marts.fct_locality_scorecard"):
        assert suite in text
    secrets = EmbeddedPostgres(pipeline).passwords()
    for path in (pipeline.home / "gx").rglob("*"):
        if path.is_file() and path.suffix in (".yml", ".json"):
            content = path.read_text(errors="replace")
            assert not any(secrets[r] in content for r in ("loader", "transformer")), path


def test_validate_cli_passes_on_the_built_warehouse(pipeline: Settings) -> None:
    env = {"DXW_HOME": str(pipeline.home), "DXW_WAREHOUSE_URL": None}
    result = CliRunner().invoke(validate, ["--gate", "all", "--all-submissions"], env=env)
    assert result.exit_code == 0, result.output
    assert f"Data Docs: {data_docs_index(pipeline)}" in result.output


def test_a_planted_mart_defect_fails_the_run_and_stops_publication(pipeline: Settings) -> None:
    """A defect in the marts as built (marts_build) fails the marts gate of dxw_transform:
    nothing is published, and what BI reads is exactly what it was."""
    from dxw.transform.dbt import build

    from .data.warehouse_checks import mart_checksums

    assert build(pipeline, publish_marts=False).code == 0  # every mart in marts_build
    published = mart_checksums(warehouse_url("bi", pipeline))
    with psycopg.connect(warehouse_url("owner", pipeline), autocommit=True) as conn:
        assert conn.execute(GOAL_ATTAINMENT_DEFECT).rowcount == 1
    try:
        # The dbt tasks are marked successful instead of run, so the defect reaches the gate.
        result = _dags_test(pipeline, "dxw_transform", "--mark-success-pattern", r"dbt\..*")
        run_id, state, tasks = _latest_run(pipeline, "dxw_transform")
        assert state == "failed", result.stdout[-3000:]
        assert not dag_run_succeeded(result.stdout + result.stderr)
        assert tasks["marts_quality_gate"] == "failed"
        assert tasks["publish_marts"] == "upstream_failed"
        assert tasks["publish_docs"] == "upstream_failed"
        assert _asset_events(pipeline, "dxw://warehouse/marts", run_id) == 0
        assert mart_checksums(warehouse_url("bi", pipeline)) == published
        ((tries,),) = _airflow(
            pipeline,
            "select try_number from task_instance where run_id = %s"
            " and task_id = 'marts_quality_gate'",
            run_id,
        )
        assert tries == 1, "a critical failure is final, not retried"
        failed = {
            name: sample
            for name, sample in _query(
                pipeline,
                "select expectation, unexpected_sample from audit.dq_results where run_id = %s"
                " and suite = 'marts.fct_goal_attainment' and severity = 'critical'"
                " and not success",
                run_id,
            )
        }
        assert set(failed) == {"grain_unique", "attainment_pct_within_0_100"}
        assert failed["attainment_pct_within_0_100"][0]["attainment_pct"] == 150
        env = {"DXW_HOME": str(pipeline.home), "DXW_WAREHOUSE_URL": None}
        assert CliRunner().invoke(validate, ["--gate", "marts", "--built"], env=env).exit_code == 1
        assert CliRunner().invoke(validate, ["--gate", "marts"], env=env).exit_code == 0
    finally:
        with psycopg.connect(warehouse_url("owner", pipeline), autocommit=True) as conn:
            conn.execute(
                "delete from marts_build.fct_goal_attainment"
                " where goal_attainment_key like 'planted-%'"
            )


def _far_future_submission(inbox: Path) -> tuple[Path, str]:
    from dxw.submission.periods import parse_period
    from dxw.submission.writer import write_submission

    period = f"{date.today().year + 2}-H1"
    document = {
        "submission": {
            "locality": "31",
            "period": period,
            "submitted_on": parse_period(period).end + timedelta(days=8),
            "agency": "Sở Khoa học và Công nghệ",
            "contact_email": "chuyendoiso@example.gov.vn",
            "framework": "09-NQ/TU",
        },
        # 3000 BTS in service after 7500 in 2026-H1: a digit lost, more than halved.
        "indicators": [
            {"indicator_code": "bts_4g_in_service", "value": 3000},
            {"indicator_code": "wifi_points_in_service", "value": 1200},
        ],
    }
    return write_submission(document, "json", inbox, "hai_phong_far_future"), period


def test_a_critical_raw_defect_fails_ingest_before_the_raw_asset(pipeline: Settings) -> None:
    _, period = _far_future_submission(pipeline.inbox)
    result = _dags_test(pipeline, "dxw_ingest")
    run_id, state, tasks = _latest_run(pipeline, "dxw_ingest")
    assert state == "failed", result.stdout[-3000:]
    assert tasks["ingest_batch"] == "success"
    assert tasks["raw_quality_gate"] == "failed"
    assert tasks["publish"] == "upstream_failed"
    assert _asset_events(pipeline, "dxw://warehouse/raw", run_id) == 0
    rows = _query(
        pipeline,
        "select expectation, unexpected_sample from audit.dq_results where run_id = %s"
        " and gate = 'raw' and severity = 'critical' and not success",
        run_id,
    )
    assert {name for name, _ in rows} == {"period_not_far_in_future", "bts_4g_not_halved"}
    for _, sample in rows:
        assert sample[0]["locality_code"] == "31" and sample[0]["period"] == period
        assert "contact_email" not in sample[0]
    # The failing submission is held back: still in raw, kept out of the marts by dbt.
    held = _query(
        pipeline,
        "select h.submission_id, h.reason from audit.held_submissions h"
        " join raw.submissions s using (submission_id) where s.period = %s",
        period,
    )
    assert len(held) == 1 and held[0][1].startswith("raw.")
    from dxw.transform.dbt import build

    assert build(pipeline, select=["+fct_mobile_coverage"]).code == 0
    in_marts = _query(
        pipeline,
        "select count(*) from marts.fct_mobile_coverage where period = %s",
        period,
        role="bi",
    )
    assert in_marts == [(0,)]
