"""Import what the DAG files and tasks need once, in the Airflow processes that fork.

The DAG processor forks a child per parse, the LocalExecutor's workers (forked from the
scheduler) fork a child per task, and Celery's prefork pool forks from its worker: a child
inherits every module its parent imported. Without this, each parse of `dxw_transform`
imports Cosmos and Airflow's plugins again (most of its 1.2 s) and each task imports dbt
(2.5 s) or Great Expectations (2.7 s) again. `dxw up` installs
`$AIRFLOW_HOME/config/airflow_local_settings.py`, which Airflow imports at start-up in every
process and which calls `preload()`; only the forking components act on it.
"""

from __future__ import annotations

import importlib
import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)

#: Modules worth importing before the fork, by the component that forks.
PRELOAD = {
    "dag-processor": (
        "cosmos",
        "cosmos.operators.watcher",
        "dxw.transform.dbt",
        "dxw.transform.watch",
    ),
    "scheduler": (
        "cosmos",
        "cosmos.operators.watcher",
        "dbt.cli.main",
        "dxw.transform.dbt",
        "dxw.transform.watch",
        "dxw.ingest.inbox",
        "dxw.quality.gates",
        "great_expectations",
    ),
}
PRELOAD["celery"] = PRELOAD["scheduler"]

#: What Airflow imports `airflow_local_settings` as; `dxw up` writes this file.
LOCAL_SETTINGS = '''"""Written by `dxw up`: preload modules in the Airflow components that fork."""
from dxw.service.preload import preload

preload()
'''


def install(airflow_home: Path) -> Path:
    """Write `airflow_local_settings.py` where Airflow looks for it (`$AIRFLOW_HOME/config`)."""
    path = airflow_home / "config" / "airflow_local_settings.py"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text() != LOCAL_SETTINGS:
        path.write_text(LOCAL_SETTINGS)
    return path


def component(argv: list[str]) -> str | None:
    """The Airflow component this process is (`airflow scheduler` → scheduler), if any."""
    if len(argv) < 2 or not argv[0].endswith("airflow"):
        return None
    return argv[1]


def preload(argv: list[str] | None = None) -> list[str]:
    """Import the modules of this component's entry in PRELOAD; returns those imported."""
    name = component(argv if argv is not None else sys.argv)
    imported = []
    for module in PRELOAD.get(name or "", ()):
        try:
            importlib.import_module(module)
            imported.append(module)
        except Exception:  # a failed preload only costs the time it was meant to save
            log.warning("could not preload %s", module, exc_info=True)
    return imported
