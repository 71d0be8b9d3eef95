"""The resident Airflow service of a home: `dxw up`, `dxw status`, `dxw down`.

Components start in an order that never lets a task start before the API that tasks talk to
answers: the broker (Celery only); the DAG processor, the Celery workers and the API server
together (none of them starts a task); once the API answers, the triggerer and the scheduler.
Each is a detached process with its log under `$DXW_HOME/logs/service/` and its PID under
`$DXW_HOME/run/`.
"""

from __future__ import annotations

import os
import shutil
import socket
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from dxw.config import Settings
from dxw.service import processes
from dxw.service.api import AirflowApi
from dxw.service.plan import (
    ServicePlan,
    forget_plan,
    load_plan,
    new_plan,
    redis_password,
    save_plan,
)

#: How long `dxw up` waits for every component to report healthy.
DEFAULT_UP_TIMEOUT = 180.0
#: Components the API's health endpoint reports on, by our name.
HEALTH_KEYS = {"scheduler": "scheduler", "triggerer": "triggerer", "dag-processor": "dag_processor"}
#: Stop order: the Airflow components together (each takes seconds to shut down gracefully),
#: then the broker their workers talk to.
STOP_ORDER = (("scheduler", "worker", "triggerer", "dag-processor", "api-server"), ("redis",))


class ServiceError(RuntimeError):
    """A component did not start, or the service is in a state that forbids the command."""


@dataclass(frozen=True, slots=True)
class ComponentStatus:
    """One line of `dxw status`."""

    name: str
    state: str  # running | healthy | unhealthy | stopped
    pid: int | None
    detail: str
    log: str


def airflow_binary() -> str:
    """The `airflow` script of this environment."""
    return str(Path(sys.executable).with_name("airflow"))


def log_path(config: Settings, name: str) -> Path:
    return config.logs_dir / "service" / f"{name}.log"


def _component_argv(name: str, plan: ServicePlan) -> list[str]:
    airflow = airflow_binary()
    if name == "api-server":
        return [airflow, "api-server", "--host", "127.0.0.1", "--port", str(plan.api_port)]
    if name.startswith("worker-"):
        # Each worker is its own Celery node: a name, one task slot per core it may use.
        return [
            airflow,
            "celery",
            "worker",
            "--celery-hostname",
            f"{name}@%h",
            "--concurrency",
            os.environ.get("DXW_WORKER_CONCURRENCY", "1"),
            "--without-mingle",
            "--without-gossip",
        ]
    return [airflow, name]


def _component_env(config: Settings, plan: ServicePlan, name: str) -> dict[str, str]:
    from dxw.airflow_env import airflow_env

    env = airflow_env(config, plan)
    if name.startswith("worker-"):
        env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] = str(plan.log_ports[name])
        # Task instances record which worker ran them (their `hostname`).
        env["DXW_WORKER_NAME"] = name
        env["AIRFLOW__CORE__HOSTNAME_CALLABLE"] = "dxw.service.names.task_hostname"
    return env


def _redis_argv(config: Settings, plan: ServicePlan) -> list[str]:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not Path(binary).exists():
        raise ServiceError(
            "redis-server is not installed: `make up-celery` installs it as root "
            "(`apt-get install redis-server`), or install the 'redis-server' package."
        )
    data = config.home / "redis"
    data.mkdir(parents=True, exist_ok=True, mode=0o700)
    # A broker only: loopback, a password (in a private file, not on the command line that
    # every local user can read), no persistence: Airflow's metadata database is the truth.
    conf = data / "redis.conf"
    settings = (
        f"bind 127.0.0.1\nport {plan.redis_port}\nprotected-mode yes\n"
        f'requirepass {redis_password(config)}\ndir {data}\nsave ""\nappendonly no\n'
    )
    fd = os.open(conf, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(settings)
    return [binary, str(conf)]


def redis_ping(config: Settings, plan: ServicePlan) -> bool:
    """Whether the loopback Redis answers an authenticated PING."""
    if not plan.redis_port:
        return False
    password = redis_password(config).encode()
    try:
        with socket.create_connection(("127.0.0.1", plan.redis_port), timeout=1.0) as sock:
            sock.sendall(
                b"*2\r\n$4\r\nAUTH\r\n$%d\r\n%s\r\n*1\r\n$4\r\nPING\r\n" % (len(password), password)
            )
            reply = b""
            while reply.count(b"\r\n") < 2:
                chunk = sock.recv(64)
                if not chunk:
                    break
                reply += chunk
    except OSError:
        return False
    return reply.endswith(b"+PONG\r\n")


def celery_workers_alive(config: Settings, plan: ServicePlan, names: list[str]) -> set[str]:
    """Worker names (of `names`) that answer a Celery ping through the broker."""
    from celery import Celery

    from dxw.service.plan import broker_url

    app = Celery(broker=broker_url(config, plan))
    try:
        replies = app.control.ping(timeout=1.0) or []
    except Exception:
        return set()
    finally:
        app.close()
    answered = {node.split("@", 1)[0] for reply in replies for node in reply}
    return answered & set(names)


# -- up ----------------------------------------------------------------------------------------
def components(plan: ServicePlan) -> list[str]:
    """Component names of a plan, in start order.

    What never starts a task on its own (the DAG processor, idle Celery workers) starts with
    the API server; the triggerer (it may resume deferred tasks) and the scheduler only once
    the API answers.
    """
    names = ["redis"] if plan.executor == "celery" else []
    names += ["dag-processor", *plan.worker_names, "api-server", "triggerer", "scheduler"]
    return names


def running_plan(config: Settings) -> ServicePlan | None:
    """The plan of a service that has at least one live component in this home."""
    plan = load_plan(config)
    if plan is None:
        return None
    if any(r.alive for r in processes.records(config.run_dir)):
        return plan
    return None


def up(
    config: Settings,
    executor: str = "local",
    workers: int = 2,
    api_port: int | None = None,
    timeout: float = DEFAULT_UP_TIMEOUT,
    progress: Callable[[str], None] = lambda message: None,
) -> ServicePlan:
    """Start every component in the background and return once all of them are healthy."""
    current = running_plan(config)
    if current is not None:
        wanted_workers = workers if executor == "celery" else 0
        if (current.executor, current.workers) != (executor, wanted_workers):
            raise ServiceError(
                f"the service already runs with the {current.executor} executor"
                f" ({current.workers} workers): `dxw down` first"
            )
        missing = [
            name
            for name in components(current)
            if not (r := processes.read_record(config.run_dir, name)) or not r.alive
        ]
        if not missing:
            progress("already running")
            wait_healthy(config, current, timeout, progress)
            return current
        progress(f"restarting stopped components: {', '.join(missing)}")
        _start_components(config, current, missing, timeout, progress)
        return current

    started_warehouse = _prepare(config, progress)
    plan = replace(
        new_plan(config, executor, workers, api_port), started_warehouse=started_warehouse
    )
    save_plan(config, plan)
    try:
        _start_components(config, plan, components(plan), timeout, progress)
    except BaseException:
        down(config, progress=progress)
        raise
    return plan


def _prepare(config: Settings, progress: Callable[[str], None]) -> bool:
    """Warehouse up and migrated, Airflow's metadata migrated, the dbt manifest current."""
    from dxw.db.embedded import EmbeddedPostgres
    from dxw.db.init import init_warehouse
    from dxw.pipeline import ensure_airflow_metadata
    from dxw.service.preload import install as install_preload
    from dxw.transform.dbt import ensure_manifest

    started = False
    if config.embedded:
        server = EmbeddedPostgres(config)
        if not server.status().running:
            progress("starting the embedded PostgreSQL")
            server.start()
            started = True
    init_warehouse(config)
    progress("preparing Airflow's metadata database and the dbt manifest Cosmos renders from")
    # `airflow db migrate` is a subprocess: parse the dbt project meanwhile.
    with ThreadPoolExecutor(max_workers=1) as pool:
        manifest = pool.submit(ensure_manifest, config)
        ensure_airflow_metadata(config)
        manifest.result()
    install_preload(config.airflow_home)
    for folder in (config.inbox, config.archive, config.quarantine, config.docs_dir):
        folder.mkdir(parents=True, exist_ok=True)
    return started


def _start_components(
    config: Settings,
    plan: ServicePlan,
    names: list[str],
    timeout: float,
    progress: Callable[[str], None],
) -> None:
    deadline = time.monotonic() + timeout
    for name in names:
        progress(f"starting {name}")
        if name == "redis":
            argv = _redis_argv(config, plan)
            processes.start(
                name,
                argv,
                env={"PATH": "/usr/bin:/bin"},
                run_dir=config.run_dir,
                log=log_path(config, name),
                cwd=config.home,
            )
            _wait(lambda: redis_ping(config, plan), name, config, deadline)
            continue
        processes.start(
            name,
            _component_argv(name, plan),
            env=_component_env(config, plan, name),
            run_dir=config.run_dir,
            log=log_path(config, name),
            cwd=config.home,
        )
        if name == "api-server":
            # Nothing that launches tasks starts before the execution API answers.
            with AirflowApi(plan.api_url, config) as api:
                _wait(lambda: api.health() is not None, name, config, deadline)
    workers = [n for n in names if n.startswith("worker-")]
    if workers:
        progress(f"waiting for {len(workers)} Celery worker(s)")
        _wait(
            lambda: celery_workers_alive(config, plan, workers) == set(workers),
            "worker",
            config,
            deadline,
            names=workers,
        )
    wait_healthy(config, plan, max(deadline - time.monotonic(), 1.0), progress)


def _wait(
    ready: Callable[[], bool],
    what: str,
    config: Settings,
    deadline: float,
    names: list[str] | None = None,
    blame: Callable[[], str] | None = None,
) -> None:
    """Poll `ready` until it holds; fail with a log tail when one of `names` died, or when
    time ran out (the log of `blame()`, else of the first name)."""
    names = names or [what]
    while not ready():
        for name in names:
            record = processes.read_record(config.run_dir, name)
            if record is None or not record.alive:
                raise ServiceError(_failure(config, name, "exited while starting"))
        if time.monotonic() > deadline:
            late = blame() if blame else names[0]
            raise ServiceError(_failure(config, late, f"is not ready ({what})"))
        time.sleep(0.5)


def _failure(config: Settings, name: str, what: str) -> str:
    log = log_path(config, name)
    return f"{name} {what}; last lines of {log}:\n{processes.log_tail(log)}"


def wait_healthy(
    config: Settings, plan: ServicePlan, timeout: float, progress: Callable[[str], None]
) -> None:
    """Wait until the API reports the scheduler, triggerer and DAG processor healthy."""
    progress("waiting for the scheduler, triggerer and DAG processor to report healthy")
    with AirflowApi(plan.api_url, config) as api:

        def unhealthy() -> list[str]:
            health = api.health() or {}
            return [
                name
                for name, key in HEALTH_KEYS.items()
                if (health.get(key) or {}).get("status") != "healthy"
            ]

        _wait(
            lambda: not unhealthy(),
            "not healthy",
            config,
            time.monotonic() + timeout,
            names=["api-server", *HEALTH_KEYS],
            blame=lambda: (unhealthy() or ["api-server"])[0],
        )


# -- status ------------------------------------------------------------------------------------
def status(config: Settings) -> list[ComponentStatus]:
    """Every component of this home's service (and the embedded warehouse) with its state."""
    plan = load_plan(config)
    rows: list[ComponentStatus] = []
    if config.embedded:
        from dxw.db.embedded import EmbeddedPostgres

        server = EmbeddedPostgres(config).status()
        rows.append(
            ComponentStatus(
                "warehouse",
                "running" if server.running else "stopped",
                None,
                f"PostgreSQL on 127.0.0.1:{server.port}" if server.running else "",
                str(config.pg_dir / "log" / "postgres.log"),
            )
        )
    if plan is None:
        return rows
    health: dict[str, dict[str, str]] = {}
    records = {r.name: r for r in processes.records(config.run_dir)}
    if "api-server" in records and records["api-server"].alive:
        with AirflowApi(plan.api_url, config) as api:
            health = api.health() or {}
    alive_workers: set[str] = set()
    if plan.worker_names and records.get("redis") and records["redis"].alive:
        alive_workers = celery_workers_alive(config, plan, plan.worker_names)
    for name in components(plan):
        record = records.get(name)
        log = str(log_path(config, name))
        if record is None or not record.alive:
            rows.append(ComponentStatus(name, "stopped", None, "", log))
            continue
        detail, state = _detail(name, plan), "running"
        if name in HEALTH_KEYS:
            state = (health.get(HEALTH_KEYS[name]) or {}).get("status") or "unknown"
        elif name == "api-server":
            state = "healthy" if health else "unhealthy"
        elif name.startswith("worker-"):
            state = "healthy" if name in alive_workers else "unhealthy"
        elif name == "redis":
            state = "healthy" if redis_ping(config, plan) else "unhealthy"
        rows.append(ComponentStatus(name, state, record.pid, detail, log))
    return rows


def _detail(name: str, plan: ServicePlan) -> str:
    if name == "api-server":
        return f"{plan.api_url} ({plan.executor_class})"
    if name == "redis":
        return f"broker on 127.0.0.1:{plan.redis_port}"
    if name in plan.log_ports:
        return f"log server on 127.0.0.1:{plan.log_ports[name]}"
    return ""


# -- down --------------------------------------------------------------------------------------
def down(config: Settings, progress: Callable[[str], None] = lambda message: None) -> list[str]:
    """Stop every component (and the warehouse when `dxw up` started it); names stopped."""
    plan = load_plan(config)
    records = processes.records(config.run_dir)
    stopped: list[str] = []
    for prefixes in STOP_ORDER:
        batch = [r for r in records if r.name.startswith(prefixes)]
        if not batch:
            continue
        progress(f"stopping {', '.join(r.name for r in batch)}")
        killed = processes.stop(batch, config.run_dir)
        if killed:
            progress(f"killed after the grace period: {', '.join(killed)}")
        stopped += [r.name for r in batch]
    if plan is not None and plan.started_warehouse and config.embedded:
        from dxw.db.embedded import EmbeddedPostgres

        progress("stopping the embedded PostgreSQL")
        if EmbeddedPostgres(config).stop():
            stopped.append("warehouse")
    forget_plan(config)
    return stopped
