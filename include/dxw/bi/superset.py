"""Apache Superset as a local background service: `dxw bi up | down | status | export`.

Superset runs from its own locked environment (`bi/superset/.venv`, installed by `make bi`
from `bi/superset/uv.lock`), never from the project's: it needs SQLAlchemy 1.4 and Flask 2.
Its state lives under `$DXW_HOME/superset` (metadata SQLite database, log, PID, port), its
secrets in `$DXW_HOME/secrets/superset.json` (0600: session key, admin password). It listens on
127.0.0.1 only, reads the warehouse as the read-only `dxw_bi` role, and loads the dashboards
of `bi/dashboards` whenever they changed since the last load.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from dxw.bi.assets import ASSETS_DIR, normalise, read_bundle, write_bundle
from dxw.config import REPO_ROOT, Settings

SUPERSET_DIR = REPO_ROOT / "bi" / "superset"
ENV_PORT = "DXW_SUPERSET_PORT"
ENV_VENV = "DXW_SUPERSET_VENV"
DEFAULT_PORT = 8088
HOST = "127.0.0.1"
ADMIN_USER = "admin"
#: Seconds `up` waits for /health before it gives up (a cold start takes about half a minute).
DEFAULT_TIMEOUT = 240.0
#: One worker (about 350 MB) with threads for a dashboard's parallel chart queries. gunicorn's
#: control socket would be one file in $HOME shared by every instance: off.
GUNICORN_OPTIONS = (
    "--workers=1",
    "--worker-class=gthread",
    "--threads=8",
    "--timeout=120",
    "--graceful-timeout=10",
    "--no-control-socket",
)
#: Environment variables of the project's venv that must not leak into Superset's.
_FOREIGN_ENV = ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "FLASK_APP", "SUPERSET_CONFIG_PATH")


class SupersetError(RuntimeError):
    """Superset could not be installed, started, stopped or read."""


def venv_dir() -> Path:
    return Path(os.environ.get(ENV_VENV) or SUPERSET_DIR / ".venv")


def configured_port() -> int:
    value = os.environ.get(ENV_PORT)
    if not value:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SupersetError(f"{ENV_PORT}={value!r} is not a TCP port")
    return int(value)


@dataclass(frozen=True, slots=True)
class SupersetPaths:
    """Where one DXW_HOME keeps its Superset."""

    home: Path
    secrets_file: Path

    @classmethod
    def of(cls, config: Settings) -> SupersetPaths:
        return cls(config.home / "superset", config.secrets_dir / "superset.json")

    @property
    def pid_file(self) -> Path:
        return self.home / "superset.pid"

    @property
    def port_file(self) -> Path:
        return self.home / "superset.port"

    @property
    def log_file(self) -> Path:
        return self.home / "superset.log"

    @property
    def setup_log(self) -> Path:
        return self.home / "setup.log"

    @property
    def schema_stamp(self) -> Path:
        """The Superset environment (lock hash) whose migrations and roles were applied."""
        return self.home / ".schema-stamp"

    @property
    def uri_stamp(self) -> Path:
        """A keyed hash of the warehouse URI Superset was last given."""
        return self.home / ".uri-stamp"

    @property
    def assets_stamp(self) -> Path:
        """The hash of the `bi/dashboards` bundle last imported."""
        return self.home / ".assets-stamp"


@dataclass(frozen=True, slots=True)
class SupersetStatus:
    running: bool
    healthy: bool
    pid: int | None
    port: int | None

    @property
    def url(self) -> str | None:
        return f"http://{HOST}:{self.port}/" if self.port else None


# -- secrets and environment --------------------------------------------------------------------
def ensure_secrets(paths: SupersetPaths) -> dict[str, str]:
    """The session key and admin password, generated on first use into a 0600 file."""
    if paths.secrets_file.exists():
        data: dict[str, str] = json.loads(paths.secrets_file.read_text(encoding="utf-8"))
        if {"secret_key", "admin_user", "admin_password"} <= data.keys():
            return data
    data = {
        "secret_key": secrets.token_urlsafe(48),
        "admin_user": ADMIN_USER,
        "admin_password": secrets.token_urlsafe(18),
    }
    paths.secrets_file.parent.mkdir(parents=True, exist_ok=True)
    paths.secrets_file.parent.chmod(0o700)
    staged = paths.secrets_file.with_suffix(".new")
    fd = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
    staged.replace(paths.secrets_file)
    return data


def superset_env(paths: SupersetPaths) -> dict[str, str]:
    """Environment of every Superset process: its config, its state, no project venv."""
    env = {k: v for k, v in os.environ.items() if k not in _FOREIGN_ENV}
    env.update(
        {
            "SUPERSET_CONFIG_PATH": str(SUPERSET_DIR / "superset_config.py"),
            "DXW_SUPERSET_HOME": str(paths.home),
            "DXW_SUPERSET_SECRETS_FILE": str(paths.secrets_file),
            "FLASK_APP": "superset.app:create_app()",
            "PATH": f"{venv_dir() / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
            "SUPERSET_LOAD_EXAMPLES": "no",
            "DO_NOT_TRACK": "1",
            "SCARF_ANALYTICS": "false",
        }
    )
    return env


def bi_uri(config: Settings) -> str:
    """The warehouse as Superset's SQLAlchemy URI, as the read-only `dxw_bi` role."""
    from dxw.db.urls import warehouse_url

    url = warehouse_url("bi", config)
    scheme, rest = url.split("://", 1)
    if scheme not in ("postgres", "postgresql"):
        raise SupersetError(f"the BI role's URL is not PostgreSQL ({scheme}://)")
    return f"postgresql+psycopg2://{rest}"


def environment_stamp() -> str:
    """What identifies the installed Superset: the hash of its lock file."""
    return hashlib.sha256((SUPERSET_DIR / "uv.lock").read_bytes()).hexdigest()


def assets_stamp(folder: Path = ASSETS_DIR) -> str:
    digest = hashlib.sha256()
    for path, text in read_bundle(folder).items():
        digest.update(path.encode() + b"\0" + text.encode() + b"\0")
    return digest.hexdigest()


# -- process ------------------------------------------------------------------------------------
def _python() -> Path:
    python = venv_dir() / "bin" / "python"
    if not python.exists():
        raise SupersetError(
            f"Superset is not installed ({python} is missing): run `make bi` "
            "(or `make bi-install`) first"
        )
    return python


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        # A zombie (exited, not yet reaped) is not running.
        if Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1].startswith("Z"):
            return False
    return True


def _is_superset(pid: int, paths: SupersetPaths) -> bool:
    """Whether `pid` is the gunicorn of this DXW_HOME (not a recycled PID)."""
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes()
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return b"gunicorn" in cmdline and f"DXW_SUPERSET_HOME={paths.home}\0".encode() in environ


def _read_int(path: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(path.read_text().strip())
    return None


def health(port: int, timeout: float = 3.0) -> bool:
    """Whether Superset answers OK on /health."""
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=timeout) as response:
            return bool(response.status == 200 and response.read().strip() == b"OK")
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _port_taken(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex((HOST, port)) == 0


def status(config: Settings) -> SupersetStatus:
    paths = SupersetPaths.of(config)
    pid = _read_int(paths.pid_file)
    port = _read_int(paths.port_file)
    running = pid is not None and _alive(pid) and _is_superset(pid, paths)
    return SupersetStatus(
        running=running,
        healthy=running and port is not None and health(port),
        pid=pid if running else None,
        port=port if running else None,
    )


def log_tail(paths: SupersetPaths, lines: int = 30) -> str:
    texts = []
    for log in (paths.setup_log, paths.log_file):
        if log.exists():
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            texts.append(f"--- {log} (last {len(tail)} lines)\n" + "\n".join(tail))
    return "\n".join(texts)


def run_helper(args: list[str], config: Settings, extra_env: dict[str, str], log: Path) -> None:
    """Run `bi/superset/dxw_superset.py` with Superset's Python; raise with its log tail."""
    paths = SupersetPaths.of(config)
    env = {**superset_env(paths), **extra_env}
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a") as handle:
        handle.write(f"\n=== dxw_superset.py {' '.join(args)} at {time.ctime()}\n")
        handle.flush()
        result = subprocess.run(
            [str(_python()), str(SUPERSET_DIR / "dxw_superset.py"), *args],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        raise SupersetError(f"`dxw_superset.py {args[0]}` failed; log {log}:\n{tail}")


def prepare(config: Settings, *, force_import: bool = False) -> list[str]:
    """Migrations and roles (when Superset changed), admin, dashboards (when bi/ changed), the
    warehouse URI (when its port or the BI password changed); what it did."""
    paths = SupersetPaths.of(config)
    paths.home.mkdir(parents=True, exist_ok=True)
    creds = ensure_secrets(paths)
    uri = bi_uri(config)
    # The URI holds the BI password: only a keyed hash of it is kept.
    uri_stamp = hmac.new(creds["secret_key"].encode(), uri.encode(), "sha256").hexdigest()
    stamps = {
        paths.schema_stamp: environment_stamp(),
        paths.assets_stamp: assets_stamp(),
        paths.uri_stamp: uri_stamp,
    }
    stale = {path for path, value in stamps.items() if not _stamped(path, value)}
    if force_import:
        stale.add(paths.assets_stamp)
    if not stale:
        return []
    args = ["--admin", creds["admin_user"], "setup"]
    done = []
    if paths.schema_stamp in stale:
        done.append("metadata migrated")
    else:
        args.append("--skip-migrate")
    if paths.assets_stamp in stale:
        args += ["--assets", str(ASSETS_DIR)]
        done.append(f"dashboards loaded from {ASSETS_DIR.relative_to(REPO_ROOT)}")
    elif paths.uri_stamp in stale:
        args += ["--uri-of", str(ASSETS_DIR)]
        done.append("warehouse URI updated")
    env = {
        "DXW_SUPERSET_ADMIN_PASSWORD": creds["admin_password"],
        "DXW_SUPERSET_WAREHOUSE_URI": uri,
    }
    run_helper(args, config, env, paths.setup_log)
    for path, value in stamps.items():
        path.write_text(value)
    return done


def _stamped(path: Path, value: str) -> bool:
    return path.exists() and path.read_text() == value


def up(
    config: Settings,
    port: int | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    progress: Callable[[str], None] = lambda _: None,
) -> SupersetStatus:
    """Start Superset in the background and return once /health answers; idempotent."""
    paths = SupersetPaths.of(config)
    current = status(config)
    if current.running:
        if current.healthy:
            return current
        raise SupersetError(
            f"Superset (PID {current.pid}) runs but is not healthy; `dxw bi down` first.\n"
            + log_tail(paths)
        )
    port = port or configured_port()
    if _port_taken(port):
        raise SupersetError(f"port {HOST}:{port} is already in use: set {ENV_PORT} to a free port")
    python = _python()
    if config.embedded:
        from dxw.db.embedded import EmbeddedPostgres

        progress("starting the embedded warehouse")
        EmbeddedPostgres(config).start()
    progress("preparing Superset's metadata and dashboards")
    for step in prepare(config):
        progress(step)
    progress(f"starting Superset on {HOST}:{port}")
    paths.log_file.parent.mkdir(parents=True, exist_ok=True)
    with paths.log_file.open("a") as log:
        log.write(f"\n=== dxw bi up at {time.ctime()} on {HOST}:{port}\n")
        log.flush()
        process = subprocess.Popen(
            [
                str(python.with_name("gunicorn")),
                *("--bind", f"{HOST}:{port}"),
                *GUNICORN_OPTIONS,
                "superset.app:create_app()",
            ],
            env=superset_env(paths),
            cwd=paths.home,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    paths.pid_file.write_text(str(process.pid))
    paths.port_file.write_text(str(port))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            paths.pid_file.unlink(missing_ok=True)
            raise SupersetError(
                f"Superset exited with code {process.returncode} before it was healthy.\n"
                + log_tail(paths)
            )
        # The probe never outlasts the deadline: gunicorn queues a request until its worker loads.
        if health(port, timeout=max(0.1, min(3.0, deadline - time.monotonic()))):
            return status(config)
        time.sleep(0.5)
    _stop(process.pid)
    paths.pid_file.unlink(missing_ok=True)
    raise SupersetError(
        f"Superset did not answer on {HOST}:{port}/health within {timeout:.0f} s; stopped it.\n"
        + log_tail(paths)
    )


def _stop(pid: int, grace: float = 20.0) -> None:
    """SIGTERM to the process group (gunicorn and its workers), SIGKILL after `grace` s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        if not _group_alive(pid):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, 0)


def _group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs (zombies excluded)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            fields = stat.read_text().split(") ", 1)[1].split()
            if fields[0] != "Z" and int(fields[2]) == pgid:
                return True
    return False


def down(config: Settings) -> bool:
    """Stop Superset and every process it started; False if it was not running."""
    paths = SupersetPaths.of(config)
    current = status(config)
    if not current.running or current.pid is None:
        paths.pid_file.unlink(missing_ok=True)
        return False
    _stop(current.pid)
    paths.pid_file.unlink(missing_ok=True)
    return True


def import_dashboards(config: Settings) -> None:
    """Load `bi/dashboards` into Superset now (overwriting what the UI changed)."""
    if config.embedded:
        from dxw.db.embedded import EmbeddedPostgres

        EmbeddedPostgres(config).start()
    prepare(config, force_import=True)


def export_dashboards(config: Settings, target: Path = ASSETS_DIR) -> list[str]:
    """Write Superset's dashboards into `target` in the stable layout; the changed paths."""
    import tempfile

    paths = SupersetPaths.of(config)
    if not paths.home.joinpath("superset.db").exists():
        raise SupersetError(f"no Superset under {paths.home}: run `dxw bi up` first")
    creds = ensure_secrets(paths)
    with tempfile.TemporaryDirectory(prefix="dxw-bi-export-") as scratch:
        run_helper(["--admin", creds["admin_user"], "export", scratch], config, {}, paths.setup_log)
        raw = read_bundle(Path(scratch))
    bundle = normalise(raw, read_bundle(target))
    changed = write_bundle(bundle, target)
    if target == ASSETS_DIR:
        # What is in Superset now is what bi/ holds: the next `up` need not re-import it.
        paths.assets_stamp.write_text(assets_stamp(target))
    return changed
