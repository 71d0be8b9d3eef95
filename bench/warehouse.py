"""A throw-away embedded warehouse per scenario: a fresh DXW_HOME under /tmp (mode 0755)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from bench.harness import VENV_BIN, CommandFailed, ServerCpu, run


class Warehouse:
    """`dxw db start && dxw db init` in a fresh home; `stop()` at the end."""

    def __init__(self, name: str, *, keep: bool = False) -> None:
        self.home = Path(tempfile.mkdtemp(prefix=f"dxw-bench-{name}-", dir="/tmp"))
        self.home.chmod(0o755)
        self.keep = keep or os.environ.get("BENCH_KEEP") == "1"
        self.env = {k: v for k, v in os.environ.items() if k != "DXW_WAREHOUSE_URL"}
        self.env["DXW_HOME"] = str(self.home)
        self.env.setdefault("PYTHONUNBUFFERED", "1")
        self.logs = self.home / "bench-logs"
        self.logs.mkdir()
        self._urls: dict[str, str] = {}

    # -- life cycle ---------------------------------------------------------------------------
    def dxw(self, *args: str, log: str | None = None, ok_codes: Sequence[int] = (0,)) -> None:
        run(
            [str(VENV_BIN / "dxw"), *args],
            env=self.env,
            ok_codes=ok_codes,
            log=self.logs / (log or f"dxw-{args[0]}-{args[-1]}.log"),
        )

    def start(self) -> Warehouse:
        self.dxw("db", "start", log="db-start.log")
        self.dxw("db", "init", log="db-init.log")
        return self

    def stop(self) -> None:
        with contextlib.suppress(CommandFailed):
            self.dxw("db", "stop", log="db-stop.log")
        if not self.keep:
            shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> Warehouse:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- access -------------------------------------------------------------------------------
    def url(self, role: str = "owner", database: str = "dxw") -> str:
        key = f"{role}/{database}"
        if key not in self._urls:
            self._urls[key] = subprocess.run(
                [str(VENV_BIN / "dxw"), "db", "url", "--role", role],
                env=self.env,
                capture_output=True,
                text=True,
                check=True,
            ).stdout.strip()
            if database != "dxw":
                self._urls[key] = self._urls[key].rsplit("/", 1)[0] + f"/{database}"
        return self._urls[key]

    def execute(
        self, statement: str, params: Sequence[object] | None = None, database: str = "dxw"
    ) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url("owner", database), autocommit=True) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def server(self) -> ServerCpu:
        pid_file = self.home / "pg" / "data" / "postmaster.pid"
        if not pid_file.exists():
            found = list(self.home.glob("pg/**/postmaster.pid"))
            pid_file = found[0]
        return ServerCpu(int(pid_file.read_text().split()[0]))

    def server_version(self) -> str:
        return str(self.execute("show server_version")[0][0])

    # -- resetting between runs -------------------------------------------------------------------
    def reset_raw(self) -> None:
        """Empty raw and audit (between runs of the same load)."""
        self.execute(
            "truncate raw.submissions, raw.indicators, raw.wifi_points, raw.network_links,"
            " raw.goals, raw.goal_summary, audit.load_log, audit.submission_problems"
            " restart identity cascade"
        )
        self.execute("checkpoint")

    def snapshot(self, name: str) -> None:
        """Copy the warehouse database (file copy: fast for big databases)."""
        self.execute(f"drop database if exists {name}", database="postgres")
        self._kick("dxw")
        self.execute(f"create database {name} template dxw strategy file_copy", database="postgres")

    def restore(self, name: str) -> None:
        """Put a snapshot back as the warehouse database."""
        self.execute("drop database dxw with (force)", database="postgres")
        self.execute(f"create database dxw template {name} strategy file_copy", database="postgres")
        self.execute("checkpoint", database="postgres")

    def _kick(self, database: str) -> None:
        self.execute(
            "select pg_terminate_backend(pid) from pg_stat_activity"
            " where datname = %s and pid <> pg_backend_pid()",
            (database,),
            database="postgres",
        )
