"""The embedded warehouse: lifecycle, isolation, authentication and exposure."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.embedded import SERVICE_USER, EmbeddedPostgres, EmbeddedPostgresError
from dxw.db.urls import redact, warehouse_url

from .conftest import make_home

DXW = [sys.executable, "-m", "dxw.cli"]


def _dxw(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*DXW, *args], env=env, text=True, capture_output=True, timeout=120)


@pytest.fixture
def fresh_home():
    home = make_home()
    yield Settings(home=home, warehouse_url=None)
    EmbeddedPostgres(Settings(home=home, warehouse_url=None)).stop()
    shutil.rmtree(home, ignore_errors=True)


def test_start_stop_restart_keeps_data(fresh_home: Settings) -> None:
    server = EmbeddedPostgres(fresh_home)
    assert not server.status().initialised
    port = server.start()
    with psycopg.connect(server.url(), autocommit=True) as conn:
        conn.execute("create table kept (n int)")
        conn.execute("insert into kept values (42)")
    assert server.stop() is True
    assert server.status().running is False
    assert server.stop() is False
    with pytest.raises(EmbeddedPostgresError, match="not running"):
        server.url()
    assert server.start() == port, "the port is kept across restarts while it is free"
    with psycopg.connect(server.url()) as conn:
        assert conn.execute("select n from kept").fetchone() == (42,)


def test_cli_lifecycle_and_url(fresh_home: Settings) -> None:
    env = {**os.environ, "DXW_HOME": str(fresh_home.home)}
    env.pop("DXW_WAREHOUSE_URL", None)
    assert _dxw(env, "db", "status").returncode == 3
    url_before = _dxw(env, "db", "url")
    assert url_before.returncode == 1 and "dxw db start" in url_before.stderr
    assert "Traceback" not in url_before.stderr
    assert _dxw(env, "db", "start").returncode == 0
    assert _dxw(env, "db", "start").returncode == 0, "starting twice is harmless"
    assert _dxw(env, "db", "init").returncode == 0
    status = _dxw(env, "db", "status")
    assert status.returncode == 0 and "running" in status.stdout
    url = _dxw(env, "db", "url").stdout.strip()
    psql = subprocess.run(
        ["psql", url, "-tAc", "select current_user"], capture_output=True, text=True, timeout=30
    )
    assert psql.stdout.strip() == "dxw"
    bi_url = _dxw(env, "db", "url", "--role", "bi").stdout.strip()
    with psycopg.connect(bi_url) as conn:
        assert conn.execute("select current_user").fetchone() == ("dxw_bi",)
    assert _dxw(env, "db", "stop").returncode == 0
    assert _dxw(env, "db", "status").returncode == 3


def test_two_homes_are_independent(warehouse: Settings, fresh_home: Settings) -> None:
    other = EmbeddedPostgres(fresh_home)
    other.start()
    assert other.port() != EmbeddedPostgres(warehouse).port()
    with psycopg.connect(other.url(), autocommit=True) as conn:
        conn.execute("create table only_here (n int)")
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        assert conn.execute("select to_regclass('public.only_here')").fetchone() == (None,)


def test_password_authentication_is_required(warehouse: Settings) -> None:
    port = EmbeddedPostgres(warehouse).port()
    for attempt in (
        f"postgresql://dxw@127.0.0.1:{port}/dxw",
        f"postgresql://dxw:wrong@127.0.0.1:{port}/dxw",
    ):
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(attempt, connect_timeout=5)


def test_listens_on_loopback_only(warehouse: Settings) -> None:
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        assert conn.execute("show listen_addresses").fetchone() == ("127.0.0.1",)


def test_secrets_file_is_private(warehouse: Settings) -> None:
    secrets_file = warehouse.secrets_dir / "roles.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(warehouse.secrets_dir.stat().st_mode) == 0o700
    assert not list(warehouse.pg_dir.glob("*.pw")), "initdb's password file is removed"


@pytest.mark.skipif(os.geteuid() != 0, reason="only root needs the service user")
def test_runs_as_unprivileged_user_when_root(warehouse: Settings) -> None:
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        pid = conn.execute("select pg_backend_pid()").fetchone()[0]  # type: ignore[index]
        owner = subprocess.run(
            ["ps", "-o", "user=", "-p", str(pid)], capture_output=True, text=True
        )
    assert owner.stdout.strip() == SERVICE_USER


def test_redact_hides_password() -> None:
    assert redact("postgresql://u:s3cr%40t@h:5/d") == "postgresql://u:***@h:5/d"
    assert redact("postgresql://u@h/d") == "postgresql://u@h/d"
