"""How the resident Airflow service of a home is laid out: executor, workers and ports."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dxw.config import Settings
from dxw.db.embedded import free_port, port_in_use

EXECUTORS = {"local": "LocalExecutor", "celery": "CeleryExecutor"}
DEFAULT_API_PORT = 8080


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """The executor, worker count and loopback ports of one home's service, kept across runs."""

    executor: str = "local"
    workers: int = 0
    api_port: int = DEFAULT_API_PORT
    #: Log-server port of every component that serves task logs (scheduler, triggerer, workers).
    log_ports: dict[str, int] = field(default_factory=dict)
    redis_port: int | None = None
    #: Whether `dxw up` started the embedded warehouse (then `dxw down` stops it too).
    started_warehouse: bool = False

    @property
    def executor_class(self) -> str:
        return EXECUTORS[self.executor]

    @property
    def worker_names(self) -> list[str]:
        return [f"worker-{n}" for n in range(1, self.workers + 1)]

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"


def plan_path(config: Settings) -> Path:
    return config.run_dir / "service.json"


def load_plan(config: Settings) -> ServicePlan | None:
    """The plan of the service last started in this home, if any."""
    try:
        data = json.loads(plan_path(config).read_text())
    except (OSError, ValueError):
        return None
    return ServicePlan(**data)


def save_plan(config: Settings, plan: ServicePlan) -> None:
    config.run_dir.mkdir(parents=True, exist_ok=True)
    plan_path(config).write_text(json.dumps(asdict(plan), indent=2))


def forget_plan(config: Settings) -> None:
    plan_path(config).unlink(missing_ok=True)


def _pick_port(wanted: int | None, previous: int | None) -> int:
    """`wanted` if given (it must be free), else the previous port if free, else a free one."""
    if wanted:
        if port_in_use(wanted):
            raise ServicePortError(f"port {wanted} on 127.0.0.1 is already in use")
        return wanted
    if previous and not port_in_use(previous):
        return previous
    return free_port()


class ServicePortError(RuntimeError):
    """A port the service needs is taken."""


def new_plan(
    config: Settings, executor: str, workers: int, api_port: int | None = None
) -> ServicePlan:
    """Ports for a fresh start: the API on `api_port`, $DXW_AIRFLOW_PORT, 8080 or a free port."""
    if executor not in EXECUTORS:
        raise ValueError(f"unknown executor {executor!r}; choose one of {sorted(EXECUTORS)}")
    previous = load_plan(config)
    wanted = api_port or int(os.environ.get("DXW_AIRFLOW_PORT") or 0) or None
    if wanted is None and not port_in_use(DEFAULT_API_PORT) and previous is None:
        wanted = DEFAULT_API_PORT
    port = _pick_port(wanted, previous.api_port if previous else None)
    workers = workers if executor == "celery" else 0
    servers = ["scheduler", "triggerer", *(f"worker-{n}" for n in range(1, workers + 1))]
    old_ports = previous.log_ports if previous else {}
    log_ports = {name: _pick_port(None, old_ports.get(name)) for name in servers}
    redis_port = None
    if executor == "celery":
        redis_port = _pick_port(None, previous.redis_port if previous else None)
    return ServicePlan(executor, workers, port, log_ports, redis_port)


def redis_password(config: Settings) -> str:
    """The broker's password, generated once into `$DXW_HOME/secrets/redis.json` (0600)."""
    path = config.secrets_dir / "redis.json"
    try:
        return str(json.loads(path.read_text())["password"])
    except (OSError, ValueError, KeyError):
        pass
    config.secrets_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    password = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump({"password": password}, handle)
    return password


def broker_url(config: Settings, plan: ServicePlan) -> str:
    """Celery's broker: the loopback Redis of this home, with its generated password."""
    return f"redis://:{redis_password(config)}@127.0.0.1:{plan.redis_port}/0"
