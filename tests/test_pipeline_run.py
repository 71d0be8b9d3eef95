"""`dxw run` (what `make run` does) against a fresh home: warehouse up, DAGs run through Airflow."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from psycopg import sql

from dxw.config import Settings
from dxw.db.embedded import EmbeddedPostgres
from dxw.pipeline import PIPELINE_DAGS, dag_run_succeeded


# `pipeline_home` (tests/conftest.py): a fresh home after `dxw run`, what `make run` does. That
# the run went through the resident scheduler and stopped it is checked in test_service.py.
@pytest.mark.slow
def test_dxw_run_succeeded_through_airflow(pipeline_home) -> None:
    config = pipeline_home
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

    config = pipeline_home
    expected = [f for f in sample_files()]
    accepted = sum(1 for f in expected if f.expect == "accepted")
    rejected = [f.name for f in expected if f.expect == "rejected"]
    assert list(config.inbox.iterdir()) == [], "the inbox is emptied"
    archived = [p for p in config.archive.rglob("*.*") if ".feedback." not in p.name]
    assert len(archived) == accepted
    for path in archived:  # every accepted file has its bilingual feedback beside it
        assert "**Accepted**" in path.with_name(f"{path.name}.feedback.md").read_text()
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

    config = pipeline_home
    before = _raw_counts(config)
    write_sample(config.inbox)
    env = {**os.environ, "DXW_HOME": str(config.home)}
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


# -- reliability and security checks on the warehouse `dxw run` built (issue 7) -------------------
@pytest.mark.slow
def test_marts_of_the_dag_run_equal_a_full_refresh(pipeline_home) -> None:
    """Replay: the marts Airflow (Cosmos) built, after a second ingest run on the same inbox,
    equal table by table (rows and md5 of every row) those of `dxw build --full-refresh`.
    (The incremental rebuild is compared in tests/test_reliability_soak.py.)"""
    from dxw.db.urls import warehouse_url

    from .data.warehouse_checks import dxw_build, mart_checksums

    config = pipeline_home
    url = warehouse_url("owner", config)
    by_airflow = mart_checksums(url)
    assert by_airflow and all(rows > 0 for rows, _ in by_airflow.values()), by_airflow
    assert dxw_build(config.home, full_refresh=True) == 0
    assert mart_checksums(url) == by_airflow, "full refresh"


@pytest.mark.slow
def test_bi_role_reads_marts_only_and_no_personal_data(pipeline_home) -> None:
    """Every relation dxw_bi can select from is a mart; no column of any of them is an e-mail
    (contact_email is personal data), and no e-mail address the localities sent appears in
    any row BI can read."""
    from dxw.db.urls import warehouse_url

    from .data.warehouse_checks import columns_of, readable_relations

    config = pipeline_home
    owner = warehouse_url("owner", config)
    readable = readable_relations(owner, "dxw_bi")
    assert {schema for schema, _, _ in readable} == {"marts"}, readable
    columns = columns_of(owner, [(s, n) for s, n, _ in readable])
    assert len(columns) >= 10
    emails = [f"{r}.{c}" for r, cols in columns.items() for c in cols if "email" in c.lower()]
    assert emails == [], emails
    with psycopg.connect(owner) as conn:
        sent = [
            r[0]
            for r in conn.execute(
                "select distinct contact_email from raw.submissions where contact_email is not null"
            ).fetchall()
        ]
    assert sent, "the sample carries contact e-mails"
    with psycopg.connect(warehouse_url("bi", config)) as conn:
        for relation in columns:
            schema, name = relation.split(".", 1)
            found = conn.execute(
                sql.SQL("select count(*) from {}.{} t where t::text ilike any(%s)").format(
                    sql.Identifier(schema), sql.Identifier(name)
                ),
                ([f"%{e}%" for e in sent],),
            ).fetchone()
            assert found == (0,), f"{relation} shows a contact e-mail"


@pytest.mark.slow
def test_no_password_in_logs_task_logs_dbt_artifacts_or_docs(pipeline_home) -> None:
    """After `dxw run` (and the runs above), no file under $DXW_HOME but secrets/roles.json
    holds a role password or a URL with a password: pipeline logs, Airflow task logs, dbt
    targets and logs, Cosmos' cache, dbt docs and Data Docs, PostgreSQL's log. Files that hold
    secrets are private."""
    import json

    from .data.warehouse_checks import files_under, mode, scan_for_secrets

    home = pipeline_home.home
    passwords = json.loads((home / "secrets" / "roles.json").read_text())
    # The resident service's own logs are under $DXW_HOME/logs/service, Airflow's task logs
    # under $DXW_HOME/airflow/logs: both are scanned, whatever else they hold.
    required = [home / "logs", home / "dbt", home / "docs", home / "airflow" / "logs"]
    scanned_files = {p.relative_to(home).as_posix() for p in files_under(*required)}
    for artifact in (
        "logs/service/api-server.log",  # the resident components
        "logs/service/scheduler.log",
        "logs/service/triggerer.log",
        "docs/dbt/index.html",  # dbt docs
        "docs/gx/index.html",  # Great Expectations Data Docs
    ):
        assert artifact in scanned_files, f"{artifact} missing: nothing to scan"
    for artifact in ("manifest.json", "run_results.json", "catalog.json"):  # dbt target/
        assert any(f.endswith(f"/{artifact}") for f in scanned_files), artifact
    task_logs = home / "airflow" / "logs"
    publish = list(task_logs.glob("dag_id=dxw_ingest/*/task_id=publish/*.log"))
    assert any("ingest summary" in log.read_text() for log in publish), publish
    producer = list(task_logs.glob("dag_id=dxw_transform/*/task_id=dbt.dbt_producer_watcher/*"))
    assert any("Finished running" in log.read_text() for log in producer), producer
    others = [
        p
        for p in home.iterdir()
        if p.name not in ("secrets", "pg", "logs", "airflow", "dbt", "docs")
    ]
    scanned = [*required, home / "airflow", home / "pg" / "log", *others]
    assert scan_for_secrets(scanned, passwords) == []
    assert mode(home / "secrets") == 0o700
    assert mode(home / "secrets" / "roles.json") == 0o600
    assert mode(home / "pg" / "data") == 0o700
    for secret_file in (
        home / "airflow" / "airflow.cfg",
        home / "airflow" / "simple_auth_manager_passwords.json.generated",
    ):
        if secret_file.exists():  # Airflow's fernet key, JWT secret, UI passwords
            assert mode(secret_file) == 0o600, secret_file
