"""Daily check that the warehouse schema is current and reachable by the loader role."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Connection, dag, task

DEFAULT_ARGS = {"owner": "dx-warehouse", "retries": 2, "retry_delay": timedelta(seconds=30)}


@dag(
    dag_id="dxw_warehouse_check",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["dx-warehouse", "operations"],
    doc_md=__doc__,
)
def dxw_warehouse_check() -> None:
    @task
    def check_schema() -> dict[str, object]:
        """Fail when a layer schema is missing or a migration is pending."""
        from dxw.checks.warehouse import check_warehouse

        report = check_warehouse(Connection.get("dxw_loader").get_uri())
        if not report.healthy:
            raise RuntimeError(
                f"warehouse not ready: missing schemas {report.missing_schemas}, "
                f"pending migrations {report.pending_migrations}; run `dxw db init`"
            )
        return {"role": report.role, "healthy": report.healthy}

    check_schema()


dxw_warehouse_check()
