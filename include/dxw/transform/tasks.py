"""The bodies of `dxw_transform`'s own tasks around the dbt build (run only at task time)."""

from __future__ import annotations

from typing import Any

from dxw.airflow_env import connection_url as _connection_url
from dxw.config import settings


def publish_marts(run_id: str) -> dict[str, Any]:
    """Publish every mart the build wrote (the marts gate passed): marts_build into marts."""
    from dxw.transform import publish
    from dxw.transform.dbt import manifest_path

    tables = publish.mart_tables(manifest_path(settings()))
    publication = publish.publish(_connection_url("transformer"), tables)
    publish.record(_connection_url("loader"), run_id, publication)
    print(f"published into marts in {publication.seconds:.2f} s: {', '.join(tables)}")
    return {"tables": publication.tables, "seconds": round(publication.seconds, 3)}


def source_freshness(run_id: str) -> dict[str, Any]:
    """`dbt source freshness`, recorded in audit.dq_results (gate `freshness`); never fails."""
    from dxw.transform.dbt import transformer_env_from_airflow
    from dxw.transform.freshness import check_source_freshness

    outcome = check_source_freshness(
        settings(),
        env=transformer_env_from_airflow(),
        record_url=_connection_url("loader"),
        run_id=run_id,
    )
    for line in outcome.lines():
        print(line)
    return {"passed": outcome.passed}
