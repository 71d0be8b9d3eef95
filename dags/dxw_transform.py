"""Transform: build the dbt project (staging, intermediate, marts) when new submissions land.

Scheduled on the `raw` Asset that `dxw_ingest` updates. Astronomer Cosmos renders the dbt
project from a prebuilt manifest (`$DXW_HOME/dbt/manifest/manifest.json`, written by
`dxw.transform.dbt.ensure_manifest`, e.g. by `dxw build`) in WATCHER mode: one producer task
runs a single `dbt build` (dbtRunner, transformer role, Airflow connection `dxw_transformer`);
every seed, every model and the tests of each model keep their own task, which the triggerer
ends with the node's result (`dxw.transform.watch`), so they cost no worker slot. Parsing this
file never runs dbt nor touches a database. Without a manifest the DAG falls back to a single
task that writes it and runs the whole `dbt build`.

Write, audit, publish: dbt writes the marts into `marts_build`, which BI cannot read; the marts
data-quality gate (Great Expectations, `expectations/`) checks them there, and a failed
critical expectation fails the run with nothing published; otherwise `publish_marts` moves
them into `marts` in one transaction (`dxw.transform.publish`) and updates the `marts` Asset.
The dbt docs and the sources' freshness (recorded beside the gates' results) come last.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, get_current_context, task

from dxw.config import settings
from dxw.transform import dbt as dxw_dbt

RAW_SUBMISSIONS = Asset("dxw://warehouse/raw", group="dx-warehouse")
MARTS = Asset("dxw://warehouse/marts", group="dx-warehouse")
DEFAULT_ARGS = {"owner": "dx-warehouse", "retries": 1, "retry_delay": timedelta(seconds=30)}

CONFIG = settings()
dxw_dbt.prepare_cosmos(CONFIG)  # telemetry off, cache under $DXW_HOME: before importing cosmos


@dag(
    dag_id="dxw_transform",
    schedule=[RAW_SUBMISSIONS],
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    tags=["dx-warehouse", "transform", "dbt"],
    doc_md=__doc__,
)
def dxw_transform() -> None:
    @task
    def publish_docs() -> str:
        """`dbt docs generate` into $DXW_HOME/docs/dbt (the marts as published)."""
        if not dxw_dbt.publish_docs(settings(), dxw_dbt.transformer_env_from_airflow()):
            raise RuntimeError("dbt docs generate failed; see $DXW_HOME/dbt/logs/dbt.log")
        return str(dxw_dbt.docs_dir(settings()))

    if dxw_dbt.manifest_path(CONFIG).exists():
        dbt_project = dxw_dbt.dbt_task_group(CONFIG)
    else:

        @task
        def dbt_build() -> None:
            """No prebuilt manifest yet: write it, then run the whole dbt build in one task."""
            url = dxw_dbt.transformer_url_from_airflow()
            if dxw_dbt.build(settings(), transformer_url=url, publish_marts=False).code != 0:
                raise RuntimeError("dbt build failed; see $DXW_HOME/dbt/logs/dbt.log")
            dxw_dbt.ensure_manifest(settings())

        dbt_project = dbt_build()

    @task
    def marts_quality_gate() -> dict[str, object]:
        """Marts data-quality gate after dbt; a critical failure stops publication."""
        from dxw.quality.tasks import marts_gate

        return marts_gate(get_current_context()["run_id"])

    @task(outlets=[MARTS])
    def publish_marts() -> dict[str, object]:
        """What passed the gate, from marts_build into marts, in one transaction."""
        from dxw.transform.tasks import publish_marts

        return publish_marts(get_current_context()["run_id"])

    @task
    def source_freshness() -> dict[str, object]:
        """`dbt source freshness`, recorded with the gates' results; never fails the run."""
        from dxw.transform.tasks import source_freshness

        return source_freshness(get_current_context()["run_id"])

    published = dbt_project >> marts_quality_gate() >> publish_marts()
    published >> [publish_docs(), source_freshness()]


dxw_transform()
