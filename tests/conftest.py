"""Shared fixtures: a real embedded PostgreSQL warehouse in a throw-away DXW_HOME."""

from __future__ import annotations

import contextlib
import os
import shutil
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
