"""Environment that runs Airflow locally against the embedded warehouse."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from dxw.config import AIRFLOW_CONN_IDS, AIRFLOW_DB, REPO_ROOT, Settings, settings
from dxw.db.embedded import EmbeddedPostgres

DEFAULT_API_PORT = 8080


def airflow_env(config: Settings | None = None, api_port: int | None = None) -> dict[str, str]:
    """os.environ plus Airflow settings, metadata database and role connections for this home."""
    config = config or settings()
    env = dict(os.environ)
    port = api_port or int(env.get("DXW_AIRFLOW_PORT", DEFAULT_API_PORT))
    # `airflow standalone` and the executors start `airflow` (and dbt) subprocesses by name.
    venv_bin = str(Path(sys.executable).parent)
    env.update(
        {
            "PATH": os.pathsep.join([venv_bin, env.get("PATH", "")]),
            "DXW_HOME": str(config.home),
            "AIRFLOW_HOME": str(config.airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # Two cores: more parallel task processes only thrash.
            "AIRFLOW__CORE__PARALLELISM": env.get("AIRFLOW__CORE__PARALLELISM", "4"),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__COLORED_CONSOLE_LOG": "False",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "30",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW__COSMOS__CACHE_DIR": str(config.dbt_dir / "cosmos"),
            "DO_NOT_TRACK": "1",
        }
    )
    if config.embedded:
        server = EmbeddedPostgres(config)
        metadata = server.url("airflow", AIRFLOW_DB).replace(
            "postgresql://", "postgresql+psycopg2://"
        )
        env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = metadata
        for role, conn_id in AIRFLOW_CONN_IDS.items():
            env[f"AIRFLOW_CONN_{conn_id.upper()}"] = server.url(role)
    return env
