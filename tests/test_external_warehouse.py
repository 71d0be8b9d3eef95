"""DXW_WAREHOUSE_URL: everything points at an external PostgreSQL instead of the embedded one."""

from __future__ import annotations

import os
import subprocess
import sys

import psycopg

from dxw.config import Settings
from dxw.db.urls import warehouse_url

from .conftest import make_home


def test_external_url_and_role_passwords_from_environment(warehouse: Settings) -> None:
    owner = warehouse_url("owner", warehouse)
    env = {
        **os.environ,
        "DXW_HOME": str(make_home()),
        "DXW_WAREHOUSE_URL": owner,
        "DXW_LOADER_PASSWORD": "loader-ext-pw",
        "DXW_TRANSFORMER_PASSWORD": "transformer-ext-pw",
        "DXW_BI_PASSWORD": "bi-ext-pw",
    }
    cli = [sys.executable, "-m", "dxw.cli"]
    try:
        init = subprocess.run([*cli, "db", "init"], env=env, capture_output=True, text=True)
        assert init.returncode == 0, init.stderr
        bi_url = subprocess.run(
            [*cli, "db", "url", "--role", "bi"], env=env, capture_output=True, text=True
        ).stdout.strip()
        assert "bi-ext-pw" in bi_url and bi_url.startswith("postgresql://dxw_bi:")
        with psycopg.connect(bi_url) as conn:
            assert conn.execute("select current_user").fetchone() == ("dxw_bi",)
        start = subprocess.run([*cli, "db", "start"], env=env, capture_output=True, text=True)
        assert start.returncode != 0 and "external" in start.stderr
        missing = {k: v for k, v in env.items() if k != "DXW_BI_PASSWORD"}
        refused = subprocess.run(
            [*cli, "db", "url", "--role", "bi"], env=missing, capture_output=True, text=True
        )
        assert refused.returncode == 1 and "DXW_BI_PASSWORD" in refused.stderr
    finally:
        # Give the session warehouse its generated passwords back.
        from dxw.db.init import init_warehouse

        init_warehouse(warehouse)
