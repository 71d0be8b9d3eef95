"""Ingest locality submissions from the inbox: validate, load idempotently, quarantine the bad.

Files dropped into `$DXW_HOME/inbox` (xlsx, json or zip) are split into batches, each batch is
a mapped task that validates and loads its files (one transaction per file, COPY into `raw`),
accepted files move to the archive and rejected ones to the quarantine with a bilingual
feedback file. The raw data-quality gate (Great Expectations, `expectations/`) then checks the
accepted submissions against the warehouse's history: a failed critical expectation fails the
run. When anything was accepted and the gate passed, the `raw` Asset is updated, which
schedules `dxw_transform`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, Connection, dag, get_current_context, task

RAW_SUBMISSIONS = Asset("dxw://warehouse/raw", group="dx-warehouse")
DEFAULT_ARGS = {
    "owner": "dx-warehouse",
    "retries": 2,
    "retry_delay": timedelta(seconds=20),
    # Ahead of every transform task when both wait for a slot: a transform never delays the
    # next ingest (its dbt nodes take no slot at all; see dxw_transform).
    "priority_weight": 100,
    "weight_rule": "absolute",
}


@dag(
    dag_id="dxw_ingest",
    schedule=timedelta(minutes=15),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dx-warehouse", "ingest"],
    doc_md=__doc__,
)
def dxw_ingest() -> None:
    @task
    def scan_inbox() -> list[list[str]]:
        """Batches of the files waiting in the inbox."""
        from dxw.config import settings
        from dxw.ingest.inbox import plan_batches

        return plan_batches(settings())

    @task(max_active_tis_per_dagrun=2)
    def ingest_batch(files: list[str]) -> list[dict[str, object]]:
        """Validate, load and file away one batch (retries load nothing twice)."""
        from dxw.config import settings
        from dxw.ingest.inbox import process_batch

        run_id = get_current_context()["run_id"]
        url = Connection.get("dxw_loader").get_uri()
        return process_batch(files, url, run_id=run_id, config=settings())

    @task(outlets=[RAW_SUBMISSIONS])
    def publish(results: list[list[dict[str, object]]]) -> dict[str, object]:
        """Summarise the run; update the raw Asset only when something new was loaded."""
        from airflow.sdk.exceptions import AirflowSkipException

        from dxw.ingest.inbox import summarise

        summary = summarise(list(results))
        print(f"ingest summary: {summary}")
        if not summary["accepted"]:
            raise AirflowSkipException("nothing new was accepted: no transform needed")
        return summary

    @task
    def raw_quality_gate(results: list[list[dict[str, object]]]) -> dict[str, object]:
        """Raw data-quality gate on the accepted submissions; critical failures fail the run."""
        from dxw.quality.tasks import raw_gate

        return raw_gate(list(results), get_current_context()["run_id"])

    results = ingest_batch.expand(files=scan_inbox())
    raw_quality_gate(results) >> publish(results)


dxw_ingest()
