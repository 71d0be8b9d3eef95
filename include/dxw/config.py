"""Where dx-warehouse keeps its state and how it reaches the warehouse."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: Environment variables the code reads; deployments (docker-compose) must set the required ones.
ENV_HOME = "DXW_HOME"
ENV_WAREHOUSE_URL = "DXW_WAREHOUSE_URL"
ENV_ROLE_PASSWORD = {
    "loader": "DXW_LOADER_PASSWORD",
    "transformer": "DXW_TRANSFORMER_PASSWORD",
    "bi": "DXW_BI_PASSWORD",
}
#: Airflow connection ids the DAG tasks use, one per least-privilege role.
AIRFLOW_CONN_IDS = {"loader": "dxw_loader", "transformer": "dxw_transformer"}
#: What an external deployment (docker-compose, production) must provide to the Airflow containers.
DEPLOYMENT_ENV = (
    ENV_HOME,
    ENV_WAREHOUSE_URL,
    *ENV_ROLE_PASSWORD.values(),
    *(f"AIRFLOW_CONN_{conn_id.upper()}" for conn_id in AIRFLOW_CONN_IDS.values()),
)

ROLES = ("owner", "loader", "transformer", "bi")
WAREHOUSE_DB = "dxw"
AIRFLOW_DB = "airflow"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved locations of every piece of local state."""

    home: Path
    warehouse_url: str | None

    @property
    def embedded(self) -> bool:
        """True when the project runs its own PostgreSQL under `home`."""
        return self.warehouse_url is None

    @property
    def pg_dir(self) -> Path:
        return self.home / "pg"

    @property
    def secrets_dir(self) -> Path:
        return self.home / "secrets"

    @property
    def airflow_home(self) -> Path:
        return self.home / "airflow"

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def quarantine(self) -> Path:
        return self.home / "quarantine"

    @property
    def feedback(self) -> Path:
        """Feedback of the files `dxw ingest` accepted or found duplicate (rejected files have
        theirs in the quarantine, archived ones beside them)."""
        return self.home / "feedback"

    @property
    def docs_dir(self) -> Path:
        return self.home / "docs"

    @property
    def dbt_dir(self) -> Path:
        return self.home / "dbt"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def run_dir(self) -> Path:
        """PIDs and the layout of the resident services (`dxw up`)."""
        return self.home / "run"


def settings() -> Settings:
    """Settings from `DXW_HOME` (default `.dxw/` in the repo) and `DXW_WAREHOUSE_URL`."""
    home = Path(os.environ.get(ENV_HOME) or REPO_ROOT / ".dxw").expanduser().resolve()
    return Settings(home=home, warehouse_url=os.environ.get(ENV_WAREHOUSE_URL) or None)
