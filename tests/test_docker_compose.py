"""Static checks of the Docker Compose deployment (docker-compose.yml, Dockerfile, docker/).

No Docker engine is needed: the files are parsed, compose's variable interpolation is reproduced
with the values of docker/.env.example, and each check is a function returning a list of problems.
Every check is also run against deliberately broken copies of the files, so that none of them
can pass vacuously.
"""

from __future__ import annotations

import base64
import dataclasses
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from dxw.config import DEPLOYMENT_ENV

ROOT = Path(__file__).resolve().parents[1]

#: The Airflow services the deployment must have, by their compose names.
AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
    "airflow-worker",
    "airflow-init",
)
#: Project directories the image must carry (the DAGs import dxw; dbt and GX read the others).
PROJECT_DIRS = ("include", "dags", "dbt_project", "expectations")
#: Environment names that hold secrets (their values must come from .env).
SECRET_NAME = re.compile(r"PASSWORD|SECRET|FERNET|TOKEN|(^|_)KEY$", re.IGNORECASE)
#: ... except those naming where a secret is stored.
SECRET_LOCATION = re.compile(r"_(FILE|PATH|DIR)$", re.IGNORECASE)
#: A compose variable reference: $$, ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?err}, $VAR.
VARIABLE = re.compile(
    r"\$\$|\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|\$(?P<bare>[A-Za-z_][A-Za-z0-9_]*)"
)
#: Credentials inside a URL: scheme://user:password@host.
URL_CREDENTIALS = re.compile(r"[a-z][a-z0-9+.-]*://(?P<user>[^:/@\s]*):(?P<password>[^@\s]*)@")


# --------------------------------------------------------------------------------------------
# The files, as one value that the broken-copy tests can alter.
# --------------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Stack:
    compose: str
    dockerfile: str
    superset_dockerfile: str
    superset_init: str
    bi_superset_pyproject: str
    env_example: str
    dockerignore: str
    lock: str
    pyproject: str

    @classmethod
    def from_repo(cls) -> Stack:
        def read(relative: str) -> str:
            return (ROOT / relative).read_text(encoding="utf-8")

        return cls(
            compose=read("docker-compose.yml"),
            dockerfile=read("Dockerfile"),
            superset_dockerfile=read("docker/superset/Dockerfile"),
            superset_init=read("docker/superset/superset-init.sh"),
            bi_superset_pyproject=read("bi/superset/pyproject.toml"),
            env_example=read("docker/.env.example"),
            dockerignore=read(".dockerignore"),
            lock=read("uv.lock"),
            pyproject=read("pyproject.toml"),
        )

    def edit(self, field: str, old: str, new: str) -> Stack:
        """A copy with `old` replaced by `new` in one file; `old` must be there."""
        text = getattr(self, field)
        assert old in text, f"broken-copy test is stale: {old!r} is not in {field}"
        return dataclasses.replace(self, **{field: text.replace(old, new)})

    def raw(self) -> dict[str, Any]:
        """docker-compose.yml as YAML (anchors and merge keys resolved, variables not)."""
        data = yaml.safe_load(self.compose)
        assert isinstance(data, dict), "docker-compose.yml is not a mapping"
        return data

    def env(self) -> dict[str, str]:
        """The variables docker/.env.example defines (what `cp docker/.env.example .env` gives)."""
        values = {}
        for line in self.env_example.splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip()
        return values

    def config(self) -> dict[str, Any]:
        """docker-compose.yml interpolated with .env.example, like `docker compose config`."""
        env = self.env()
        return walk_strings(self.raw(), lambda text: interpolate(text, env))


def interpolate(text: str, env: dict[str, str]) -> str:
    """Compose's variable substitution of one string."""

    def substitute(match: re.Match[str]) -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group("name") or match.group("bare")
        op, arg = match.group("op"), match.group("arg") or ""
        value = env.get(name)
        if op == ":-":
            return value if value else arg
        if op == "-":
            return value if value is not None else arg
        if op == ":?" and not value:
            raise KeyError(f"required variable {name} is unset or empty: {arg}")
        if op == "?" and value is None:
            raise KeyError(f"required variable {name} is unset: {arg}")
        if value is None:
            raise KeyError(f"variable {name} is used without a default and not in .env.example")
        return value

    return VARIABLE.sub(substitute, text)


def walk_strings(node: Any, function: Callable[[str], str]) -> Any:
    if isinstance(node, str):
        return function(node)
    if isinstance(node, dict):
        return {key: walk_strings(value, function) for key, value in node.items()}
    if isinstance(node, list):
        return [walk_strings(value, function) for value in node]
    return node


def strings(node: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string of a YAML tree with its path (keys of mappings are part of the path)."""
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from strings(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from strings(value, f"{path}[{index}]")


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.partition("=")[::2] for item in env)
    return {str(key): "" if value is None else str(value) for key, value in env.items()}


def depends_on(service: dict[str, Any]) -> dict[str, dict[str, Any]]:
    deps = service.get("depends_on") or {}
    if isinstance(deps, list):
        return {name: {"condition": "service_started"} for name in deps}
    return {name: (spec or {}) for name, spec in deps.items()}


def volume_mounts(service: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(type, source, target) of each mount; type is 'volume' or 'bind'."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            mounts.append((entry.get("type", "volume"), entry.get("source", ""), entry["target"]))
            continue
        parts = entry.split(":")
        if len(parts) < 2:
            continue  # anonymous volume
        source, target = parts[0], parts[1]
        kind = "bind" if source.startswith(("/", ".", "~", "$")) else "volume"
        mounts.append((kind, source, target))
    return mounts


def command_text(service: dict[str, Any]) -> str:
    command = service.get("command") or ""
    return command if isinstance(command, str) else " ".join(map(str, command))


def dockerfile_images(text: str) -> list[str]:
    """Images of the FROM lines, with ARG defaults declared before the first FROM substituted."""
    args: dict[str, str] = {}
    images = []
    for line in text.splitlines():
        line = line.strip()
        if match := re.match(r"ARG\s+(\w+)=(\S+)", line):
            args.setdefault(match.group(1), match.group(2).strip("\"'"))
        elif match := re.match(r"FROM\s+(?:--\S+\s+)*(\S+)", line, re.IGNORECASE):
            image = re.sub(
                r"\$\{?(\w+)\}?", lambda m: args.get(m.group(1), m.group(0)), match.group(1)
            )
            images.append(image)
    return images


def dockerfile_instructions(text: str) -> list[str]:
    """Instructions with continuation lines joined and comments dropped."""
    joined = re.sub(
        r"\\\n",
        " ",
        "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#")),
    )
    return [line.strip() for line in joined.splitlines() if line.strip()]


def airflow_services(config: dict[str, Any]) -> list[str]:
    """The required Airflow services plus any other service built from the project Dockerfile."""
    names = set(AIRFLOW_SERVICES) & set(config["services"])
    for name, service in config["services"].items():
        build = service.get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        if context in (".", "./"):
            names.add(name)
    return sorted(names)


def host_of(url: str) -> str | None:
    return urlsplit(url).hostname


# --------------------------------------------------------------------------------------------
# The checks.
# --------------------------------------------------------------------------------------------


def structure_problems(stack: Stack) -> list[str]:
    """Parses; images or builds; depends_on targets exist; named volumes are declared."""
    problems = []
    try:
        config = stack.config()
    except (yaml.YAMLError, AssertionError) as error:
        return [f"docker-compose.yml does not parse: {error}"]
    services = config.get("services") or {}
    if not services:
        return ["no services"]
    declared = set((config.get("volumes") or {}).keys())
    for name, service in services.items():
        if not (service.get("image") or service.get("build")):
            problems.append(f"{name}: neither image nor build")
        for target in depends_on(service):
            if target not in services:
                problems.append(f"{name}: depends_on unknown service {target}")
        for kind, source, target in volume_mounts(service):
            if kind == "volume" and source and source not in declared:
                problems.append(f"{name}: volume {source} (at {target}) is not declared")
    for name in AIRFLOW_SERVICES:
        if name not in services:
            problems.append(f"missing Airflow service {name}")
    return problems


def deployment_env_problems(stack: Stack) -> list[str]:
    """Every name of dxw.config.DEPLOYMENT_ENV is set in every Airflow service."""
    config = stack.config()
    problems = []
    for name in AIRFLOW_SERVICES:
        if name not in config["services"]:
            problems.append(f"missing Airflow service {name}")
    for name in airflow_services(config):
        env = environment(config["services"][name])
        problems += [f"{name}: {var} not set" for var in DEPLOYMENT_ENV if not env.get(var)]
        for var in DEPLOYMENT_ENV:
            if var.startswith("AIRFLOW_CONN_") and env.get(var):
                url = urlsplit(env[var])
                if url.scheme not in ("postgres", "postgresql") or url.path != "/dxw":
                    problems.append(f"{name}: {var} is not a postgresql URI of database dxw")
    return problems


def executor_problems(stack: Stack) -> list[str]:
    """CeleryExecutor with Redis and a worker; metadata and warehouse are different services."""
    config = stack.config()
    services = config["services"]
    problems = []
    for name in airflow_services(config):
        if environment(services[name]).get("AIRFLOW__CORE__EXECUTOR") != "CeleryExecutor":
            problems.append(f"{name}: executor is not CeleryExecutor")
    if "redis" not in services or "redis" not in str(services["redis"].get("image", "")):
        problems.append("no redis service")
    worker = services.get("airflow-worker")
    if not worker or "celery worker" not in command_text(worker):
        problems.append("airflow-worker does not run `celery worker`")
    else:
        env = environment(worker)
        if host_of(env.get("AIRFLOW__CELERY__BROKER_URL", "")) != "redis":
            problems.append("the Celery broker is not the redis service")
        metadata = host_of(env.get("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", ""))
        warehouse = host_of(env.get("DXW_WAREHOUSE_URL", ""))
        for role, host in (("metadata", metadata), ("warehouse", warehouse)):
            if host not in services:
                problems.append(f"the {role} database host {host} is not a service")
        if metadata == warehouse:
            problems.append("metadata and warehouse databases are the same service")
        elif metadata in services and warehouse in services:
            data = {
                host: {s for k, s, _ in volume_mounts(services[host]) if k == "volume"}
                for host in (metadata, warehouse)
            }
            if data[metadata] & data[warehouse]:
                problems.append("metadata and warehouse databases share a data volume")
        if "execution" not in env.get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "") or (
            host_of(env.get("AIRFLOW__CORE__EXECUTION_API_SERVER_URL", "")) not in services
        ):
            problems.append("AIRFLOW__CORE__EXECUTION_API_SERVER_URL does not name the API server")
        if not env.get("AIRFLOW__API_AUTH__JWT_SECRET"):
            problems.append("AIRFLOW__API_AUTH__JWT_SECRET is not set")
    warehouse_service = services.get("warehouse", {})
    if not str(warehouse_service.get("image", "")).startswith("postgres:16"):
        problems.append("the warehouse is not postgres:16")
    wenv = environment(warehouse_service)
    if (wenv.get("POSTGRES_DB"), wenv.get("POSTGRES_USER")) != ("dxw", "dxw"):
        problems.append("the warehouse is not database dxw owned by dxw")
    return problems


def init_problems(stack: Stack) -> list[str]:
    """airflow-init migrates Airflow, runs `dxw db init` after the warehouse is healthy."""
    services = stack.config()["services"]
    init = services.get("airflow-init")
    if not init:
        return ["no airflow-init service"]
    problems = []
    command = command_text(init)
    for step in ("airflow db migrate", "dxw db init"):
        if step not in command:
            problems.append(f"airflow-init does not run `{step}`")
    deps = depends_on(init)
    if deps.get("warehouse", {}).get("condition") != "service_healthy":
        problems.append("airflow-init does not wait for a healthy warehouse")
    if not environment(init).get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"):
        problems.append("no SimpleAuthManager users configured")
    for name in AIRFLOW_SERVICES:
        if name == "airflow-init" or name not in services:
            continue
        condition = depends_on(services[name]).get("airflow-init", {}).get("condition")
        if condition != "service_completed_successfully":
            problems.append(f"{name} does not wait for airflow-init to complete")
        if "healthcheck" not in services[name]:
            problems.append(f"{name} has no healthcheck")
    return problems


def inbox_problems(stack: Stack) -> list[str]:
    """./inbox on the host is $DXW_HOME/inbox in every Airflow service; workers scale."""
    config = stack.config()
    problems = []
    for name in airflow_services(config):
        service = config["services"][name]
        inbox = environment(service).get("DXW_HOME", "").rstrip("/") + "/inbox"
        binds = {
            (s.rstrip("/"), t.rstrip("/")) for k, s, t in volume_mounts(service) if k == "bind"
        }
        if ("./inbox", inbox) not in binds:
            problems.append(f"{name}: ./inbox is not mounted at {inbox}")
    worker = config["services"].get("airflow-worker", {})
    if "container_name" in worker or worker.get("ports"):
        problems.append("airflow-worker cannot be scaled (container_name or host ports)")
    return problems


def lock_problems(stack: Stack) -> list[str]:
    """The image is the locked Airflow version, on an allowed Python, installed from the lock."""
    problems = []
    lock = tomllib.loads(stack.lock)
    locked = {package["name"]: package["version"] for package in lock["package"]}
    requires = SpecifierSet(tomllib.loads(stack.pyproject)["project"]["requires-python"])
    images = [i for i in dockerfile_images(stack.dockerfile) if i.startswith("apache/airflow:")]
    if not images:
        problems.append("the Dockerfile is not FROM apache/airflow")
    for image in images:
        match = re.fullmatch(
            r"apache/airflow:(?P<version>[\d.]+)-python(?P<python>\d+\.\d+)", image
        )
        if not match:
            problems.append(f"{image}: tag does not pin both Airflow and Python versions")
            continue
        if match["version"] != locked.get("apache-airflow"):
            problems.append(
                f"{image}: Airflow {match['version']} != {locked.get('apache-airflow')} in uv.lock"
            )
        if not any(f"{match['python']}.{patch}" in requires for patch in range(30)):
            problems.append(f"{image}: Python {match['python']} not allowed by {requires}")
    runs = [i for i in dockerfile_instructions(stack.dockerfile) if i.upper().startswith("RUN")]
    from_lock = [r for r in runs if re.search(r"\buv\s+(export|sync)\b.*--frozen", r)]
    if not from_lock:
        problems.append("the Dockerfile does not install from uv.lock (uv export/sync --frozen)")
    elif not any("--no-dev" in r for r in from_lock):
        problems.append("the Dockerfile installs the dev dependency group")
    copies = " ".join(i for i in dockerfile_instructions(stack.dockerfile) if i.startswith("COPY"))
    for directory in PROJECT_DIRS:
        if not re.search(rf"(^|\s){directory}/?(\s|$)", copies):
            problems.append(f"the Dockerfile does not copy {directory}/")
    if "uv.lock" not in copies:
        problems.append("the Dockerfile does not copy uv.lock")
    for name in airflow_services(stack.config()):
        build = stack.config()["services"][name].get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        if context not in (".", "./"):
            problems.append(f"{name} does not run the project image built from ./Dockerfile")
    ignored = {line.strip().rstrip("/") for line in stack.dockerignore.splitlines()}
    for must in (".env", ".venv", ".git"):
        if must not in ignored:
            problems.append(f".dockerignore does not exclude {must}")
    for directory in PROJECT_DIRS:
        if directory in ignored:
            problems.append(f".dockerignore excludes {directory}/, which the image needs")
    return problems


def superset_problems(stack: Stack) -> list[str]:
    """Superset 6.x is registered with the read-only dxw_bi role, never the owner."""
    services = stack.config()["services"]
    raw_services = stack.raw()["services"]
    problems = []
    for name in ("superset", "superset-init"):
        if name not in services:
            problems.append(f"no {name} service")
    images = dockerfile_images(stack.superset_dockerfile)
    if not any(re.fullmatch(r"apache/superset:6\.\d+\.\d+", image) for image in images):
        problems.append(f"Superset is not pinned to a 6.x.y tag: {images}")
    if "psycopg2" not in stack.superset_dockerfile:
        problems.append("the Superset image has no PostgreSQL driver")
    init = services.get("superset-init", {})
    warehouse_uris = [
        value
        for value in environment(init).values()
        if value.startswith("postgresql") and host_of(value) == "warehouse"
    ]
    if len(warehouse_uris) != 1:
        problems.append(f"superset-init has {len(warehouse_uris)} warehouse URIs, expected 1")
    for uri in warehouse_uris:
        if urlsplit(uri).username != "dxw_bi":
            problems.append(f"Superset connects to the warehouse as {urlsplit(uri).username}")
        if urlsplit(uri).path != "/dxw":
            problems.append("Superset does not connect to database dxw")
    for name, service in raw_services.items():
        if not name.startswith("superset"):
            continue
        for path, text in strings(service):
            if re.search(r"DXW_OWNER_PASSWORD|DXW_WAREHOUSE_URL|//dxw:", text):
                problems.append(f"{name}.{path} uses the warehouse owner")
    script = stack.superset_init
    for step in ("superset db upgrade", "fab create-admin", "superset init", "dxw_superset.py"):
        if step not in script:
            problems.append(f"superset-init.sh does not run `{step}`")
    uri_variables = [k for k, v in environment(init).items() if v in warehouse_uris]
    if not any(
        re.search(rf"DXW_SUPERSET_WAREHOUSE_URI=\"?\$\{{?{k}\b", script) for k in uri_variables
    ):
        problems.append("superset-init.sh does not register the dxw_bi URI")
    problems.extend(bi_assets_problems(stack, init, script))
    pinned = re.search(r'"apache-superset==([^"]+)"', stack.bi_superset_pyproject)
    if pinned and not any(image == f"apache/superset:{pinned.group(1)}" for image in images):
        problems.append(
            f"the Superset image {images} is not bi/superset's apache-superset=={pinned.group(1)}"
        )
    return problems


def bi_assets_problems(stack: Stack, init: dict[str, Any], script: str) -> list[str]:
    """superset-init loads the repository's bi/dashboards, mounted read-only, as `make bi` does."""
    assets = environment(init).get("DXW_BI_ASSETS")
    if not assets:
        return ["superset-init has no DXW_BI_ASSETS (where bi/ is mounted)"]
    problems = []
    mounts = [str(v) for v in init.get("volumes") or []]
    if not any(re.fullmatch(rf"\./bi/?:{re.escape(assets)}:ro", mount) for mount in mounts):
        problems.append(f"superset-init does not mount ./bi read-only at {assets}: {mounts}")
    if not re.search(r"import\s+\"?\$\{?DXW_BI_ASSETS\}?/dashboards", script):
        problems.append("superset-init.sh does not import $DXW_BI_ASSETS/dashboards")
    return problems


def secret_problems(stack: Stack) -> list[str]:
    """No literal secrets: only ${VAR} references, with defaults (if any) marked dev-only."""
    problems = []

    def literal_problem(where: str, value: str) -> str | None:
        if value == "":
            return None
        matches = list(VARIABLE.finditer(value))
        if len(matches) != 1 or matches[0].group(0) != value:
            return f"{where}: literal value {value!r} (use a ${{VARIABLE}} from .env)"
        match = matches[0]
        default = match.group("arg") if match.group("op") in (":-", "-") else ""
        if default and not default.startswith("dev-only"):
            return f"{where}: default {default!r} is not marked dev-only"
        return None

    for path, text in strings(stack.raw()):
        for url in URL_CREDENTIALS.finditer(text):
            if problem := literal_problem(f"{path} (URL password)", url.group("password")):
                problems.append(problem)
    for name, service in (stack.raw().get("services") or {}).items():
        for key, value in environment(service).items():
            if SECRET_LOCATION.search(key) or not SECRET_NAME.search(key):
                continue
            if problem := literal_problem(f"{name}.environment.{key}", value):
                problems.append(problem)
    for key, value in stack.env().items():
        if SECRET_NAME.search(key) and value and not value.startswith("dev-only-"):
            problems.append(f".env.example: {key} has a value that is not marked dev-only")
    return problems


def shared_settings_problems(stack: Stack) -> list[str]:
    """Every Airflow service runs with the settings `dxw up` uses locally, and the image
    preloads what the forking components need, as `dxw up` does."""
    from dxw.airflow_env import SHARED_SETTINGS

    config = stack.config()
    problems = []
    for name in airflow_services(config):
        env = environment(config["services"][name])
        for key, value in SHARED_SETTINGS.items():
            if str(env.get(key)) != value:
                problems.append(f"{name}: {key} is {env.get(key)!r}, not {value!r} as locally")
    runs = " ".join(i for i in dockerfile_instructions(stack.dockerfile) if i.startswith("RUN"))
    if "dxw.service.preload import install" not in runs:
        problems.append("the Dockerfile does not install dxw's airflow_local_settings (preload)")
    return problems


def env_example_problems(stack: Stack) -> list[str]:
    """`cp docker/.env.example .env` is enough: every required variable is defined there."""
    try:
        stack.config()
    except KeyError as error:
        return [str(error)]
    return []


CHECKS = {
    check.__name__: check
    for check in (
        structure_problems,
        deployment_env_problems,
        executor_problems,
        init_problems,
        inbox_problems,
        lock_problems,
        superset_problems,
        shared_settings_problems,
        secret_problems,
        env_example_problems,
    )
}


# --------------------------------------------------------------------------------------------
# The tests.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def stack() -> Stack:
    return Stack.from_repo()


@pytest.mark.parametrize("check", sorted(CHECKS))
def test_deployment_files_pass(stack: Stack, check: str) -> None:
    assert CHECKS[check](stack) == []


def test_deployment_env_is_the_codes_own() -> None:
    assert "DXW_HOME" in DEPLOYMENT_ENV
    assert "AIRFLOW_CONN_DXW_LOADER" in DEPLOYMENT_ENV


BI_URI = "postgresql+psycopg2://dxw_bi:${DXW_BI_PASSWORD:?set DXW_BI_PASSWORD in .env}@warehouse"
BROKEN: dict[str, tuple[str, Callable[[Stack], Stack], str]] = {
    "yaml does not parse": (
        "structure_problems",
        lambda s: s.edit("compose", "services:\n", "services: [\n"),
        "does not parse",
    ),
    "depends_on an unknown service": (
        "structure_problems",
        lambda s: s.edit(
            "compose",
            "      airflow-init:\n        condition: service_completed_"
            'successfully\n    restart: "no"',
            "      airflow-initt:\n        condition: service_completed_"
            'successfully\n    restart: "no"',
        ),
        "unknown service airflow-initt",
    ),
    "undeclared named volume": (
        "structure_problems",
        lambda s: s.edit("compose", "  airflow-auth:\n  dxw-home:\n", "  dxw-home:\n"),
        "airflow-auth",
    ),
    "service without image or build": (
        "structure_problems",
        lambda s: s.edit("compose", "    image: redis:7.2-bookworm\n", ""),
        "redis: neither image nor build",
    ),
    "a DEPLOYMENT_ENV name missing": (
        "deployment_env_problems",
        lambda s: s.edit(
            "compose",
            "    DXW_BI_PASSWORD: ${DXW_BI_PASSWORD:?set DXW_BI_PASSWORD in .env}\n",
            "",
        ),
        "DXW_BI_PASSWORD not set",
    ),
    "an Airflow service missing": (
        "deployment_env_problems",
        lambda s: s.edit("compose", "  airflow-triggerer:\n", "  airflow-triggerr:\n"),
        "missing Airflow service airflow-triggerer",
    ),
    "a local setting not deployed": (
        "shared_settings_problems",
        lambda s: s.edit(
            "compose", '    AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY: "False"\n', ""
        ),
        "ENABLE_WATCHER_RELIABLE_RETRY",
    ),
    "no preload in the image": (
        "shared_settings_problems",
        lambda s: s.edit("dockerfile", "from dxw.service.preload import install", "import dxw"),
        "preload",
    ),
    "LocalExecutor": (
        "executor_problems",
        lambda s: s.edit("compose", "EXECUTOR: CeleryExecutor", "EXECUTOR: LocalExecutor"),
        "not CeleryExecutor",
    ),
    "no redis": (
        "executor_problems",
        lambda s: s.edit("compose", "  redis:\n    #", "  cache:\n    #"),
        "no redis service",
    ),
    "warehouse inside the metadata database": (
        "executor_problems",
        lambda s: s.edit(
            "compose",
            "in .env}@warehouse:5432/dxw\n    DXW_LOADER_PASSWORD",
            "in .env}@airflow-db:5432/dxw\n    DXW_LOADER_PASSWORD",
        ),
        "same service",
    ),
    "init skips dxw db init": (
        "init_problems",
        lambda s: s.edit("compose", "        dxw db init\n", "        true\n"),
        "dxw db init",
    ),
    "inbox not mounted": (
        "inbox_problems",
        lambda s: s.edit("env_example", "DXW_INBOX_DIR=./inbox", "DXW_INBOX_DIR=./incoming"),
        "./inbox is not mounted",
    ),
    "Airflow tag differs from the lock": (
        "lock_problems",
        lambda s: s.edit(
            "dockerfile",
            "FROM apache/airflow:3.3.2-python3.11\n",
            "FROM apache/airflow:3.3.1-python3.11\n",
        ),
        "!= 3.3.2 in uv.lock",
    ),
    "Python not allowed by requires-python": (
        "lock_problems",
        lambda s: s.edit(
            "dockerfile",
            "FROM apache/airflow:3.3.2-python3.11 AS",
            "FROM apache/airflow:3.3.2-python3.13 AS",
        ),
        "Python 3.13 not allowed",
    ),
    "not installed from the lock": (
        "lock_problems",
        lambda s: s.edit("dockerfile", "uv export --frozen", "uv export"),
        "does not install from uv.lock",
    ),
    "expectations not copied": (
        "lock_problems",
        lambda s: s.edit(
            "dockerfile", "COPY --chown=airflow:0 expectations/ ./expectations/\n", ""
        ),
        "does not copy expectations/",
    ),
    "Superset as the owner": (
        "superset_problems",
        lambda s: s.edit("compose", BI_URI, BI_URI.replace("dxw_bi:", "dxw:")),
        "as dxw",
    ),
    "Superset unpinned": (
        "superset_problems",
        lambda s: s.edit(
            "superset_dockerfile", "SUPERSET_VERSION=6.1.0", "SUPERSET_VERSION=latest"
        ),
        "not pinned",
    ),
    "Superset image not the version make bi runs": (
        "superset_problems",
        lambda s: s.edit("superset_dockerfile", "SUPERSET_VERSION=6.1.0", "SUPERSET_VERSION=6.0.0"),
        "is not bi/superset's apache-superset==6.1.0",
    ),
    "bi/ not mounted into superset-init": (
        "superset_problems",
        lambda s: s.edit("compose", "      - ./bi:/app/dxw-bi:ro\n", ""),
        "does not mount ./bi read-only",
    ),
    "bi/ mounted writable": (
        "superset_problems",
        lambda s: s.edit("compose", "./bi:/app/dxw-bi:ro", "./bi:/app/dxw-bi"),
        "does not mount ./bi read-only",
    ),
    "dashboards not imported": (
        "superset_problems",
        lambda s: s.edit("superset_init", 'import "${DXW_BI_ASSETS}/dashboards"', "true"),
        "does not import $DXW_BI_ASSETS/dashboards",
    ),
    "dashboards imported without the dxw_bi URI": (
        "superset_problems",
        lambda s: s.edit(
            "superset_init",
            'DXW_SUPERSET_WAREHOUSE_URI="${SUPERSET_WAREHOUSE_URI}"',
            'DXW_SUPERSET_WAREHOUSE_URI="${OTHER_URI}"',
        ),
        "does not register the dxw_bi URI",
    ),
    "literal password": (
        "secret_problems",
        lambda s: s.edit(
            "compose",
            "      POSTGRES_PASSWORD: ${SUPERSET_DB_PASSWORD:?set SUPERSET_DB_PASSWORD in .env}\n",
            "      POSTGRES_PASSWORD: hunter2\n",
        ),
        "literal value 'hunter2'",
    ),
    "literal password in a URL": (
        "secret_problems",
        lambda s: s.edit(
            "compose",
            "//airflow:${AIRFLOW_DB_PASSWORD:?set AIRFLOW_DB_PASSWORD"
            " in .env}@airflow-db:5432/airflow\n    AIRFLOW__CELERY",
            "//airflow:hunter2@airflow-db:5432/airflow\n    AIRFLOW__CELERY",
        ),
        "URL password",
    ),
    "default that is not dev-only": (
        "secret_problems",
        lambda s: s.edit(
            "compose",
            "${AIRFLOW_JWT_SECRET:?set AIRFLOW_JWT_SECRET in .env}",
            "${AIRFLOW_JWT_SECRET:-hunter2}",
        ),
        "not marked dev-only",
    ),
    "real-looking secret in .env.example": (
        "secret_problems",
        lambda s: s.edit(
            "env_example", "DXW_BI_PASSWORD=dev-only-dxw-bi-change-me", "DXW_BI_PASSWORD=s3cr3t"
        ),
        "DXW_BI_PASSWORD",
    ),
    "required variable missing from .env.example": (
        "env_example_problems",
        lambda s: s.edit(
            "env_example", "SUPERSET_SECRET_KEY=dev-only-superset-secret-change-me\n", ""
        ),
        "SUPERSET_SECRET_KEY",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_each_check_catches_a_broken_copy(stack: Stack, case: str) -> None:
    check, breaker, expected = BROKEN[case]
    problems = CHECKS[check](breaker(stack))
    assert problems, f"{check} did not notice: {case}"
    assert any(expected in problem for problem in problems), problems


@pytest.mark.skipif(shutil.which("python3") is None, reason="make-env.sh needs python3")
def test_make_env_replaces_every_dev_only_secret(tmp_path: Path) -> None:
    target = tmp_path / ".env"
    script = ROOT / "docker" / "make-env.sh"
    subprocess.run(["sh", str(script), str(target)], check=True, capture_output=True)
    generated = Stack.from_repo()
    generated = dataclasses.replace(generated, env_example=target.read_text(encoding="utf-8"))
    env = generated.env()
    assert env.keys() == Stack.from_repo().env().keys()
    assert not [key for key, value in env.items() if value.startswith("dev-only")]
    assert len(base64.urlsafe_b64decode(env["AIRFLOW_FERNET_KEY"])) == 32
    assert env_example_problems(generated) == []
    assert target.stat().st_mode & 0o077 == 0
    again = subprocess.run(["sh", str(script), str(target)], capture_output=True)
    assert again.returncode != 0, "make-env.sh overwrote an existing file"
