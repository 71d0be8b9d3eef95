"""The embedded warehouse: a real PostgreSQL server that dx-warehouse starts and stops itself."""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from dxw.config import AIRFLOW_DB, WAREHOUSE_DB, Settings

#: Unprivileged system user that runs the server when dx-warehouse is run as root.
SERVICE_USER = "dxw-postgres"
OWNER_ROLE = "dxw"
#: Every role whose password the embedded warehouse generates, by its short name.
ROLE_NAMES = {
    "owner": OWNER_ROLE,
    "loader": "dxw_loader",
    "transformer": "dxw_transformer",
    "bi": "dxw_bi",
    "airflow": "dxw_airflow",
}


class EmbeddedPostgresError(RuntimeError):
    """The embedded server could not be set up, started or reached."""


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What `dxw db status` reports."""

    initialised: bool
    running: bool
    port: int | None
    data_dir: Path


def find_binaries() -> Path:
    """Directory holding `initdb` and `pg_ctl`: PATH first, then Debian's versioned folders."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(os.path.realpath(on_path)).parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    raise EmbeddedPostgresError(
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them "
        "(`apt-get install postgresql` on Debian/Ubuntu; `make run` does it when run as root) "
        "or point DXW_WAREHOUSE_URL at an existing server."
    )


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether something listens on 127.0.0.1:`port`."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _write_private(path: Path, text: str) -> None:
    """Write `text` to a file only its owner can read (0600), without a readable window."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


class EmbeddedPostgres:
    """A PostgreSQL cluster under `$DXW_HOME/pg`, listening on 127.0.0.1 with password auth."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.root = settings.pg_dir
        self.data_dir = self.root / "data"
        self.run_dir = self.root / "run"
        self.log_file = self.root / "log" / "postgres.log"
        self.port_file = self.root / "port"
        self.secrets_file = settings.secrets_dir / "roles.json"

    # -- identities -------------------------------------------------------------------------
    @property
    def as_root(self) -> bool:
        return os.geteuid() == 0

    def _ensure_service_user(self) -> None:
        try:
            pwd.getpwnam(SERVICE_USER)
        except KeyError:
            subprocess.run(
                [
                    "useradd",
                    "--system",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    SERVICE_USER,
                ],
                check=True,
                capture_output=True,
            )

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL binary as the service user (root) or as ourselves."""
        command = [str(find_binaries() / args[0]), *args[1:]]
        if self.as_root:
            command = ["runuser", "-u", SERVICE_USER, "--", *command]
        return subprocess.run(command, text=True, capture_output=True, check=False)

    def _give_to_service_user(self, *paths: Path) -> None:
        if not self.as_root:
            return
        entry = pwd.getpwnam(SERVICE_USER)
        for path in paths:
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def _check_reachable(self) -> None:
        """Fail clearly when the service user cannot reach `$DXW_HOME` (e.g. a 0700 parent)."""
        if not self.as_root:
            return
        probe = subprocess.run(
            ["runuser", "-u", SERVICE_USER, "--", "test", "-x", str(self.root)],
            capture_output=True,
        )
        if probe.returncode != 0:
            raise EmbeddedPostgresError(
                f"PostgreSQL refuses to run as root, so the embedded warehouse runs as the system "
                f"user {SERVICE_USER!r}, which cannot reach {self.root}. Choose a DXW_HOME whose "
                f"parent folders are world-traversable (chmod o+x), e.g. under the repository."
            )

    # -- secrets ----------------------------------------------------------------------------
    def passwords(self) -> dict[str, str]:
        """Generated role passwords, created once and kept in a 0600 file under `$DXW_HOME`."""
        if self.secrets_file.exists():
            stored: dict[str, str] = json.loads(self.secrets_file.read_text())
            if set(ROLE_NAMES) <= set(stored):
                return stored
        else:
            stored = {}
        for role in ROLE_NAMES:
            stored.setdefault(role, secrets.token_urlsafe(24))
        self.settings.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.settings.secrets_dir, 0o700)
        _write_private(self.secrets_file, json.dumps(stored, indent=2))
        return stored

    # -- lifecycle --------------------------------------------------------------------------
    @property
    def initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists()

    def port(self) -> int | None:
        """Port of the server as last started, if any."""
        if self.port_file.exists():
            return int(self.port_file.read_text().strip())
        return None

    def status(self) -> ServerStatus:
        """Whether the cluster exists and the server answers."""
        running = False
        if self.initialised:
            result = self._run(["pg_ctl", "status", "-D", str(self.data_dir)])
            running = result.returncode == 0
        return ServerStatus(
            self.initialised, running, self.port() if running else None, self.data_dir
        )

    def _initdb(self) -> None:
        self._ensure_dirs()
        password_file = self.root / "initdb.pw"
        _write_private(password_file, self.passwords()["owner"] + "\n")
        self._give_to_service_user(password_file)
        try:
            result = self._run(
                [
                    "initdb",
                    "-D",
                    str(self.data_dir),
                    "-U",
                    OWNER_ROLE,
                    "--pwfile",
                    str(password_file),
                    "--auth-local=scram-sha-256",
                    "--auth-host=scram-sha-256",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            )
        finally:
            password_file.unlink(missing_ok=True)
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"initdb failed:\n{result.stderr.strip()}")

    def _ensure_dirs(self) -> None:
        self.settings.home.mkdir(parents=True, exist_ok=True)
        self.root.mkdir(parents=True, exist_ok=True)
        # The service user must traverse it; secrets live elsewhere (0700).
        os.chmod(self.root, 0o755)  # noqa: S103
        if self.as_root:
            self._ensure_service_user()
        self._check_reachable()
        for folder in (self.data_dir, self.run_dir, self.log_file.parent):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            os.chmod(folder, 0o700)
            self._give_to_service_user(folder)

    def start(self, timeout: float = 60.0) -> int:
        """Start the server (initialising the cluster the first time); returns its port."""
        if not self.initialised:
            self._initdb()
        status = self.status()
        if status.running and status.port:
            return status.port
        self._ensure_dirs()
        port = self.port()
        if port is None or port_in_use(port):
            port = free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {self.run_dir} "
            "-c max_connections=200 -c shared_buffers=256MB -c work_mem=32MB "
            "-c maintenance_work_mem=256MB -c max_wal_size=2GB -c synchronous_commit=on"
        )
        result = self._run(
            [
                "pg_ctl",
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-w",
                "-t",
                str(int(timeout)),
                "-o",
                options,
            ]
        )
        if result.returncode != 0:
            tail = ""
            with contextlib.suppress(OSError):
                tail = "\n".join(self.log_file.read_text().splitlines()[-15:])
            raise EmbeddedPostgresError(
                f"PostgreSQL did not start on port {port}:\n{result.stderr.strip()}\n{tail}"
            )
        self.port_file.write_text(f"{port}\n")
        self._ensure_databases(port)
        return port

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server with a fast shutdown; False when it was not running."""
        if not self.status().running:
            return False
        result = self._run(
            [
                "pg_ctl",
                "stop",
                "-D",
                str(self.data_dir),
                "-m",
                "fast",
                "-w",
                "-t",
                str(int(timeout)),
            ]
        )
        if result.returncode != 0:
            raise EmbeddedPostgresError(f"PostgreSQL did not stop:\n{result.stderr.strip()}")
        return True

    def _ensure_databases(self, port: int) -> None:
        """Create the warehouse and Airflow metadata databases the first time."""
        import psycopg
        from psycopg import sql

        wait_until = time.monotonic() + 30
        while True:
            try:
                conn = psycopg.connect(self._conninfo("owner", "postgres", port), autocommit=True)
                break
            except psycopg.OperationalError:
                if time.monotonic() > wait_until:
                    raise
                time.sleep(0.2)
        with conn:
            for database in (WAREHOUSE_DB, AIRFLOW_DB):
                exists = conn.execute(
                    "select 1 from pg_database where datname = %s", (database,)
                ).fetchone()
                if not exists:
                    conn.execute(sql.SQL("create database {}").format(sql.Identifier(database)))

    # -- addresses --------------------------------------------------------------------------
    def _conninfo(self, role: str, database: str, port: int) -> str:
        user = ROLE_NAMES[role]
        password = quote(self.passwords()[role], safe="")
        return f"postgresql://{user}:{password}@127.0.0.1:{port}/{database}"

    def url(self, role: str = "owner", database: str = WAREHOUSE_DB) -> str:
        """libpq URL of the running server for `role`."""
        port = self.port()
        if port is None or not self.status().running:
            raise EmbeddedPostgresError(
                "The embedded warehouse is not running: start it with `dxw db start`."
            )
        return self._conninfo(role, database, port)
