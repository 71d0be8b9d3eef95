"""Shared fixtures: a real embedded PostgreSQL warehouse in a throw-away DXW_HOME."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from dxw.config import Settings

REPO = Path(__file__).resolve().parents[1]


def make_home(prefix: str = "dxw-test-") -> Path:
    """A fresh DXW_HOME the unprivileged PostgreSQL user can traverse (pytest's tmp is 0700)."""
    home = Path(tempfile.mkdtemp(prefix=prefix))
    home.chmod(0o755)
    return home


@contextlib.contextmanager
def own_warehouse(prefix: str = "dxw-test-") -> Iterator[Settings]:
    """A started, initialised embedded warehouse in a fresh home; stopped and deleted after."""
    from dxw.db.embedded import EmbeddedPostgres
    from dxw.db.init import init_warehouse

    home = make_home(prefix)
    config = Settings(home=home, warehouse_url=None)
    server = EmbeddedPostgres(config)
    server.start()
    try:
        init_warehouse(config)
        yield config
    finally:
        server.stop()
        shutil.rmtree(home, ignore_errors=True)


@pytest.fixture(scope="session")
def warehouse() -> Iterator[Settings]:
    """A running, initialised embedded warehouse shared by the session."""
    with own_warehouse() as config:
        yield config


@pytest.fixture
def dxw_env(warehouse: Settings) -> dict[str, str]:
    """Environment for `dxw` subprocesses pointed at the session warehouse."""
    env = dict(os.environ)
    env["DXW_HOME"] = str(warehouse.home)
    env.pop("DXW_WAREHOUSE_URL", None)
    return env


def home_env(home: Path, **extra: str) -> dict[str, str]:
    """Environment for `dxw` subprocesses in `home`: embedded warehouse, a free API port."""
    from dxw.db.embedded import free_port

    env = {**os.environ, "DXW_HOME": str(home), "DXW_AIRFLOW_PORT": str(free_port()), **extra}
    env.pop("DXW_WAREHOUSE_URL", None)
    return env


def dxw(
    home: Path, *args: str, timeout: float = 900, **extra: str
) -> subprocess.CompletedProcess[str]:
    """Run `dxw ARGS` in `home` as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "dxw.cli", *args],
        env=home_env(home, **extra), text=True, capture_output=True, timeout=timeout,
    )  # fmt: skip


@pytest.fixture(scope="session")
def pipeline_home() -> Iterator[Settings]:
    """A fresh home after `dxw run` (what `make run` does): the sample went through the resident
    Airflow that `dxw run` started, and stopped again. Shared by the end-to-end tests; its
    output is in `make-run.out`. The warehouse is left running for the tests."""
    from dxw.db.embedded import EmbeddedPostgres

    home = make_home("dxw-run-")
    config = Settings(home=home, warehouse_url=None)
    try:
        result = dxw(home, "run", timeout=1200)
        (home / "make-run.out").write_text(result.stdout + result.stderr)
        if result.returncode != 0:
            pytest.fail(f"dxw run failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        EmbeddedPostgres(config).start()
        yield config
    finally:
        dxw(home, "down", timeout=120)
        EmbeddedPostgres(config).stop()
        shutil.rmtree(home, ignore_errors=True)
