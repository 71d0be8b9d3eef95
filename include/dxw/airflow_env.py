"""Environment that runs Airflow locally against the embedded warehouse."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dxw.config import AIRFLOW_CONN_IDS, AIRFLOW_DB, REPO_ROOT, Settings, settings
from dxw.db.embedded import EmbeddedPostgres
from dxw.service.plan import ServicePlan, broker_url, load_plan

#: Task slots per scheduler: two cores, so more parallel task processes only thrash.
DEFAULT_PARALLELISM = "4"
#: Settings every deployment shares, local (`dxw up`) and docker-compose alike (a test checks
#: docker-compose.yml carries them).
SHARED_SETTINGS = {
    "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
    "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
    # Parsing dxw_transform renders ~65 tasks from the dbt manifest: every 30 s (the default)
    # costs a fifth of a core; DAG files change with deployments.
    "AIRFLOW__DAG_PROCESSOR__MIN_FILE_PROCESS_INTERVAL": "120",
    "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
    # The WATCHER producer is never retried (`retries: 0`): its XCom backup in a Variable,
    # rewritten whole at every node event, would only slow the build.
    "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY": "False",
    # Longer than any task may run, so the broker never hands a running task to another
    # worker (the transform's dbt build is the longest).
    "AIRFLOW__CELERY_BROKER_TRANSPORT_OPTIONS__VISIBILITY_TIMEOUT": "21600",
    "DO_NOT_TRACK": "1",
}


def airflow_env(config: Settings | None = None, plan: ServicePlan | None = None) -> dict[str, str]:
    """os.environ plus Airflow settings, metadata database and role connections for this home.

    The executor and ports come from `plan`, else from the service this home runs (`dxw up`),
    else LocalExecutor on $DXW_AIRFLOW_PORT or 8080. An executor set in the environment
    (AIRFLOW__CORE__EXECUTOR) wins over the default, never over a running service's plan.
    """
    config = config or settings()
    plan = plan or load_plan(config) or ServicePlan(api_port=_env_port())
    env = dict(os.environ)
    # `airflow` components and the executors start `airflow` (and dbt) subprocesses by name.
    venv_bin = str(Path(sys.executable).parent)
    executor = plan.executor_class
    if not load_plan(config) and env.get("AIRFLOW__CORE__EXECUTOR"):
        executor = env["AIRFLOW__CORE__EXECUTOR"]
    env.update(
        {
            "PATH": os.pathsep.join([venv_bin, env.get("PATH", "")]),
            "DXW_HOME": str(config.home),
            "AIRFLOW_HOME": str(config.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__EXECUTOR": executor,
            "AIRFLOW__CORE__PARALLELISM": env.get(
                "AIRFLOW__CORE__PARALLELISM", DEFAULT_PARALLELISM
            ),
            "AIRFLOW__API__PORT": str(plan.api_port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{plan.api_url}/execution/",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__COSMOS__CACHE_DIR": str(config.dbt_dir / "cosmos"),
        }
    )
    for key, value in SHARED_SETTINGS.items():
        env.setdefault(key, value)
    if "scheduler" in plan.log_ports:
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(plan.log_ports["scheduler"])
    if "triggerer" in plan.log_ports:
        env["AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT"] = str(plan.log_ports["triggerer"])
    metadata = None
    if config.embedded:
        server = EmbeddedPostgres(config)
        metadata = server.url("airflow", AIRFLOW_DB).replace(
            "postgresql://", "postgresql+psycopg2://"
        )
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata
        for role, conn_id in AIRFLOW_CONN_IDS.items():
            env[f"AIRFLOW_CONN_{conn_id.upper()}"] = server.url(role)
    if executor == "CeleryExecutor" and plan.redis_port:
        env["AIRFLOW__CELERY__BROKER_URL"] = broker_url(config, plan)
        if metadata:
            env["AIRFLOW__CELERY__RESULT_BACKEND"] = "db+" + metadata.replace("+psycopg2", "")
    return env


def connection_url(role: str) -> str:
    """The URL of a warehouse role from its Airflow connection (at task time)."""
    from airflow.sdk import Connection

    return str(Connection.get(AIRFLOW_CONN_IDS[role]).get_uri())


def _env_port() -> int:
    from dxw.service.plan import DEFAULT_API_PORT

    return int(os.environ.get("DXW_AIRFLOW_PORT") or DEFAULT_API_PORT)
