"""Running the dbt project: `dxw build` (dbtRunner) and the Cosmos set-up of `dxw_transform`.

Everything dbt writes lives under `$DXW_HOME`, never in the repository:

- `$DXW_HOME/dbt/target`, `$DXW_HOME/dbt/logs`: target (compiled SQL, run results, partial
  parse) and logs of `dxw build`;
- `$DXW_HOME/dbt/manifest/manifest.json`: the prebuilt manifest the DAG is rendered from;
- `$DXW_HOME/dbt/cosmos`, `$DXW_HOME/tmp`: Cosmos' cache and its tasks' project copies;
- `$DXW_HOME/docs/dbt`: the dbt docs site (`index.html`, the single-file site that opens
  from disk, also as `static_index.html`; manifest, catalog).

dbt connects as the transformer role through `dbt_project/profiles.yml`, which reads the
environment variables that `dbt_env()` derives from a libpq URL (the password in
`DBT_ENV_SECRET_DXW_DBT_PASSWORD`, which dbt scrubs from its logs).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dxw.config import AIRFLOW_CONN_IDS, Settings, settings
from dxw.transform.seeds import DBT_PROJECT_DIR, ensure_seeds

log = logging.getLogger(__name__)

PROFILE_NAME = "dx_warehouse"
TARGET_NAME = "transformer"
PROJECT_NAME = "dx_warehouse"
#: Schema dbt would use for a model without one (none: every folder names its schema).
DEFAULT_SCHEMA = "staging"
#: dbt threads in a build: the machines this runs on have two cores.
DBT_THREADS = 2
#: Folders of the project that are dbt's output, not its input.
_OUTPUT_DIRS = frozenset({"target", "logs", "dbt_packages", ".user.yml"})
#: Files of the docs site copied from the target folder to `$DXW_HOME/docs/dbt`. dbt's own
#: index.html fetches manifest.json and catalog.json, which Chromium refuses from file://: the
#: single-file static_index.html, which works from disk and over HTTP, is published as index.html.
DOCS_FILES = {
    "static_index.html": ("index.html", "static_index.html"),
    "manifest.json": ("manifest.json",),
    "catalog.json": ("catalog.json",),
}
#: Environment that keeps dbt and Cosmos from phoning home.
QUIET_ENV = {
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    "DO_NOT_TRACK": "1",
    "SCARF_NO_ANALYTICS": "true",
}


# -- locations ----------------------------------------------------------------------------------
def target_dir(config: Settings) -> Path:
    return config.dbt_dir / "target"


def log_dir(config: Settings) -> Path:
    return config.dbt_dir / "logs"


def manifest_path(config: Settings) -> Path:
    """The manifest the DAG is rendered from (`ensure_manifest` writes it)."""
    return config.dbt_dir / "manifest" / "manifest.json"


def docs_dir(config: Settings) -> Path:
    return config.docs_dir / "dbt"


def cosmos_cache_dir(config: Settings) -> Path:
    return config.dbt_dir / "cosmos"


def tmp_dir(config: Settings) -> Path:
    return config.home / "tmp"


# -- connection ---------------------------------------------------------------------------------
def dbt_env(url: str, threads: int | None = None) -> dict[str, str]:
    """Variables `profiles.yml` reads, from a libpq URL of the transformer role."""
    parts = urlsplit(url)
    env = {
        "DXW_DBT_HOST": parts.hostname or "127.0.0.1",
        "DXW_DBT_PORT": str(parts.port or 5432),
        "DXW_DBT_USER": unquote(parts.username or ""),
        "DBT_ENV_SECRET_DXW_DBT_PASSWORD": unquote(parts.password or ""),
        "DXW_DBT_DBNAME": parts.path.lstrip("/") or "dxw",
    }
    if threads:
        env["DXW_DBT_THREADS"] = str(threads)
    return env


@contextlib.contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a dbt invocation (dbt reads os.environ)."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_dbt(
    args: Sequence[str],
    config: Settings,
    env: Mapping[str, str] | None = None,
    target: Path | None = None,
) -> Any:
    """Invoke dbt in this process (dbtRunner) on the project; returns the dbtRunnerResult."""
    from dbt.cli.main import dbtRunner

    target = target or target_dir(config)
    for folder in (target, log_dir(config)):
        folder.mkdir(parents=True, exist_ok=True)
    command = [
        *args,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target",
        TARGET_NAME,
        "--target-path",
        str(target),
        "--log-path",
        str(log_dir(config)),
    ]
    with _environment({**QUIET_ENV, **(env or {})}):
        return dbtRunner().invoke(command)


# -- manifest -----------------------------------------------------------------------------------
def project_fingerprint(project_dir: Path = DBT_PROJECT_DIR) -> str:
    """SHA-256 over the names and contents of every input file of the dbt project."""
    digest = hashlib.sha256()
    for path in sorted(project_dir.rglob("*")):
        relative = path.relative_to(project_dir)
        if not path.is_file() or relative.parts[0] in _OUTPUT_DIRS:
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def manifest_is_current(config: Settings) -> bool:
    """Whether the prebuilt manifest exists and was parsed from the project as it is now."""
    manifest = manifest_path(config)
    stamp = manifest.with_suffix(".sha256")
    return manifest.exists() and stamp.exists() and stamp.read_text() == project_fingerprint()


def ensure_manifest(config: Settings | None = None, force: bool = False) -> Path:
    """(Re)generate the manifest with `dbt parse` when the project changed; returns its path.

    `dbt parse` needs no database. The DAG only reads this file, so it parses in milliseconds
    and never runs dbt or connects anywhere at parse time.
    """
    config = config or settings()
    manifest = manifest_path(config)
    if not force and manifest_is_current(config):
        return manifest
    fingerprint = project_fingerprint()
    parse_target = config.dbt_dir / "parse"
    result = run_dbt(["parse"], config, target=parse_target)
    if not result.success:
        raise RuntimeError(f"dbt parse failed: {result.exception}")
    manifest.parent.mkdir(parents=True, exist_ok=True)
    staged = manifest.with_suffix(".json.new")
    shutil.copyfile(parse_target / "manifest.json", staged)
    staged.replace(manifest)
    manifest.with_suffix(".sha256").write_text(fingerprint)
    return manifest


# -- dxw build ----------------------------------------------------------------------------------
def publish_docs(config: Settings, env: Mapping[str, str]) -> bool:
    """`dbt docs generate` (with the static single-file site) into `$DXW_HOME/docs/dbt`.

    The docs describe what BI reads: the marts in `marts`, where they are published (the
    build writes them into `marts_build`; see macros/generate_schema_name.sql). Their own
    target folder keeps the parse of the build's target valid.
    """
    docs_target = config.dbt_dir / "docs-target"
    published_env = {**env, "DXW_MARTS_SCHEMA": "marts"}
    result = run_dbt(["docs", "generate", "--static"], config, published_env, target=docs_target)
    if not result.success:
        log.error("dbt docs generate failed: %s", result.exception)
        return False
    published = docs_dir(config)
    published.mkdir(parents=True, exist_ok=True)
    for name, targets in DOCS_FILES.items():
        source = docs_target / name
        if source.exists():
            for target in targets:
                shutil.copyfile(source, published / target)
    return True


def _selection(select: str | Sequence[str] | None) -> list[str]:
    if not select:
        return []
    items = select.split() if isinstance(select, str) else list(select)
    return ["--select", *items] if items else []


@dataclass(frozen=True, slots=True)
class BuildResult:
    """How `build` ended: the exit code, the marts published, the gate's verdict."""

    code: int
    published: list[str] = field(default_factory=list)
    gate: Any = None
    message: str = ""
    #: Wall seconds of each step that ran ("dbt build", "marts gate and publication", "docs").
    seconds: dict[str, float] = field(default_factory=dict)

    def __str__(self) -> str:
        """The message, then the gate's report when it ran (what failed, and why)."""
        lines = [f"build exited {self.code}: {self.message or 'ok'}"]
        if self.gate is not None:
            lines += self.gate.report()
        return "\n".join(lines)


def build(
    config: Settings | None = None,
    full_refresh: bool = False,
    select: str | Sequence[str] | None = None,
    *,
    transformer_url: str | None = None,
    loader_url: str | None = None,
    run_id: str | None = None,
    publish_marts: bool = True,
) -> BuildResult:
    """`dxw build`: write (dbt build into marts_build), audit (the marts gate on what was
    built), publish (into marts, dxw.transform.publish), then the docs.

    The URLs default to the warehouse's transformer and loader roles. A selection publishes
    the marts it built, and only those. `publish_marts=False` only writes (and tests) into
    marts_build: nothing BI reads changes, no gate, no docs.
    """
    from dxw.db.urls import warehouse_url
    from dxw.transform import publish

    config = config or settings()
    transformer_url = transformer_url or warehouse_url("transformer", config)
    loader_url = loader_url or warehouse_url("loader", config)
    run_id = run_id or f"build__{datetime.now(UTC).isoformat()}"
    for seed in ensure_seeds():
        log.warning("seed regenerated from its source: %s", seed)
    env = dbt_env(transformer_url)
    args = ["build", *_selection(select)]
    if full_refresh:
        args.append("--full-refresh")
    published = config.dbt_dir / "docs-target" / "manifest.json"
    if select and publish_marts and published.exists():
        # A selection builds against what is published: the marts it does not build are read
        # from `marts` (the manifest of the docs describes them there), not from marts_build,
        # which holds the publication before last.
        args += ["--defer", "--favor-state", "--state", str(published.parent)]
    seconds: dict[str, float] = {}
    started = time.perf_counter()
    dbt_result = run_dbt(args, config, env)
    seconds["dbt build"] = time.perf_counter() - started
    if not dbt_result.success:
        return BuildResult(1, message="dbt build failed: nothing was published", seconds=seconds)
    if not publish_marts:
        return BuildResult(0, message="built into marts_build, not published", seconds=seconds)
    manifest = ensure_manifest(config)
    tables = publish.built_tables(target_dir(config) / "run_results.json", manifest)
    started = time.perf_counter()
    result = audit_and_publish(config, tables, transformer_url, loader_url, run_id)
    seconds["marts gate and publication"] = time.perf_counter() - started
    if result.code == 0:
        started = time.perf_counter()
        docs_ok = publish_docs(config, env)
        seconds["docs"] = time.perf_counter() - started
        if not docs_ok:
            return BuildResult(1, tables, result.gate, "dbt docs generate failed", seconds)
    return dataclasses.replace(result, seconds=seconds)


def audit_and_publish(
    config: Settings, tables: Sequence[str], transformer_url: str, loader_url: str, run_id: str
) -> BuildResult:
    """The marts gate on `tables` as built (`marts_build`), then their publication into
    `marts` when no critical expectation failed (the gate's results are recorded either way)."""
    from dxw.quality.gates import run_gate
    from dxw.transform import publish

    if not tables:
        return BuildResult(0, message="no mart built: nothing to publish")
    gate = run_gate(
        "marts",
        read_url=transformer_url,
        write_url=loader_url,
        run_id=run_id,
        config=config,
        schema=publish.BUILD,
        tables=tables,
    )
    if not gate.passed:
        return BuildResult(1, gate=gate, message="the marts gate failed: nothing was published")
    publication = publish.publish(transformer_url, tables)
    publish.record(loader_url, run_id, publication)
    return BuildResult(0, list(tables), gate)


# -- Airflow / Cosmos ---------------------------------------------------------------------------
def prepare_cosmos(config: Settings | None = None) -> None:
    """Cosmos settings for this home; call before the first `import cosmos` of the process.

    Cosmos reads `[cosmos]` options once, when `cosmos.settings` is first imported: telemetry
    off, cache under `$DXW_HOME/dbt/cosmos`. Values already in the environment win.
    """
    from dxw.airflow_env import SHARED_SETTINGS

    config = config or settings()
    cache = cosmos_cache_dir(config)
    defaults = {
        **QUIET_ENV,
        "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
        "AIRFLOW__COSMOS__CACHE_DIR": str(cache),
        "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY": SHARED_SETTINGS[
            "AIRFLOW__COSMOS__ENABLE_WATCHER_RELIABLE_RETRY"
        ],
    }
    for key, value in defaults.items():
        os.environ.setdefault(key, value)


def before_dbt(context: Any) -> None:
    """pre_execute of the Cosmos tasks: project copies under `$DXW_HOME/tmp`; results published.

    Cosmos' WATCHER producer also pushes an XCom for every start, compile, execute and finish
    event of every node (four HTTP calls per node, made while dbt's threads wait) for its own
    sensors to print; the triggers here read `dxw.transform.watch.RESULTS_KEY` instead, so
    only error events are kept.
    """
    folder = tmp_dir(settings())
    folder.mkdir(parents=True, exist_ok=True)
    os.environ["TMPDIR"] = str(folder)
    tempfile.tempdir = str(folder)
    from cosmos.operators._watcher import base
    from cosmos.operators.watcher import DbtProducerWatcherOperator

    from dxw.transform.watch import publish_node_results

    task = context["task"]
    if isinstance(task, DbtProducerWatcherOperator):
        base._DBT_EVENT_ALLOWLIST = base._DBT_ERROR_EVENTS_TYPES
        publish_node_results(task, context)


#: How `dxw_transform` lays the dbt project out as Airflow tasks ($DXW_TRANSFORM_LAYOUT).
#: `watcher` (the default, see docs/deployment.md for the measurements behind the choice): one
#: `dbt build` in a producer task, every seed, model and model's tests a task of its own that the
#: triggerer finishes (dxw.transform.watch). The others are there to be measured against it:
#: `cosmos-watcher` (Cosmos' own deferrable sensors, resumed on workers), `local` (a dbt
#: invocation per model and per model's tests) and `local-build` (a `dbt build` per model).
TRANSFORM_LAYOUTS = ("watcher", "cosmos-watcher", "local", "local-build")


def transform_layout() -> str:
    """The layout chosen by $DXW_TRANSFORM_LAYOUT (default `watcher`)."""
    layout = os.environ.get("DXW_TRANSFORM_LAYOUT") or "watcher"
    if layout not in TRANSFORM_LAYOUTS:
        raise ValueError(f"DXW_TRANSFORM_LAYOUT={layout!r}: choose one of {TRANSFORM_LAYOUTS}")
    return layout


def task_group_args(config: Settings | None = None, layout: str = "watcher") -> dict[str, Any]:
    """Keyword arguments of the Cosmos `DbtTaskGroup` that runs the project from the manifest.

    dbt runs through dbtRunner as the transformer role (Airflow connection `dxw_transformer`).
    """
    from cosmos import ExecutionConfig, ProfileConfig, ProjectConfig, RenderConfig
    from cosmos.constants import (
        ExecutionMode,
        InvocationMode,
        LoadMode,
        TestBehavior,
        TestIndirectSelection,
    )
    from cosmos.profiles import PostgresUserPasswordProfileMapping

    config = config or settings()
    watcher = layout in ("watcher", "cosmos-watcher")
    return {
        "project_config": ProjectConfig(
            dbt_project_path=DBT_PROJECT_DIR,
            manifest_path=manifest_path(config),
            project_name=PROJECT_NAME,
            install_dbt_deps=False,
            env_vars=dict(QUIET_ENV),
        ),
        "profile_config": ProfileConfig(
            profile_name=PROFILE_NAME,
            target_name=TARGET_NAME,
            profile_mapping=PostgresUserPasswordProfileMapping(
                conn_id=AIRFLOW_CONN_IDS["transformer"],
                profile_args={"schema": DEFAULT_SCHEMA, "threads": DBT_THREADS if watcher else 1},
            ),
        ),
        "execution_config": ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER if watcher else ExecutionMode.LOCAL,
            invocation_mode=InvocationMode.DBT_RUNNER,
            # A model's test task runs the tests whose other parents are its ancestors (a
            # fact's relationships to the dimensions), never tests of models not built yet.
            test_indirect_selection=TestIndirectSelection.BUILDABLE,
        ),
        "render_config": RenderConfig(
            load_method=LoadMode.DBT_MANIFEST,
            # Exposures (the Superset dashboards) are documentation, not tasks.
            exclude=["resource_type:exposure"],
            test_behavior=TestBehavior.BUILD
            if layout == "local-build"
            else TestBehavior.AFTER_EACH,
            emit_datasets=False,
            enable_mock_profile=False,
        ),
        # The producer runs the build once: a retry would skip itself (Cosmos' rule), so a
        # failed transform is rerun as a new DAG run.
        "operator_args": {
            "install_deps": False,
            "pre_execute": before_dbt,
            **({"retries": 0} if watcher else {}),
        },
    }


def dbt_task_group(config: Settings, group_id: str = "dbt") -> Any:
    """The Cosmos task group of `dxw_transform` in the layout of $DXW_TRANSFORM_LAYOUT."""
    from cosmos import DbtTaskGroup

    from dxw.transform.watch import finish_in_triggerer

    layout = transform_layout()
    group = DbtTaskGroup(group_id=group_id, **task_group_args(config, layout))
    if layout == "watcher":
        finish_in_triggerer(group.iter_tasks())
    return group


def transformer_url_from_airflow() -> str:
    """The transformer role's URL from its Airflow connection (task time)."""
    from dxw.airflow_env import connection_url

    return connection_url("transformer")


def transformer_env_from_airflow() -> dict[str, str]:
    """dbt's profile variables from the Airflow connection of the transformer role (task time)."""
    return dbt_env(transformer_url_from_airflow())
