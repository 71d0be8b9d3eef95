"""Running a gate: Great Expectations objects built at run time from `expectations/`.

A gate is a GX checkpoint over one validation definition per suite. The GX file context lives
under `$DXW_HOME/gx` (stores, validation results) and its Data Docs site under
`$DXW_HOME/docs/gx`; the datasource's connection string is an environment variable reference
(`${DXW_GX_<ROLE>_URL}`), set in this process only while the gate runs, so no password is ever
written to a file. Results are appended to `audit.dq_results` as the loader role.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import re
import time
import uuid
import warnings
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dxw.config import Settings, settings
from dxw.quality.config import (
    GateSpec,
    data_docs_dir,
    data_docs_index,
    expectations_dir,
    gx_project_dir,
    load_gates,
    load_severity,
    load_suite_document,
    with_severity,
)
from dxw.quality.plausibility import record_implausible_changes
from dxw.quality.results import DqResult, result_rows, write_results

log = logging.getLogger(__name__)

DOCS_SITE = "dxw"
BATCH_DEFINITION = "whole"
#: GX, SQLAlchemy and their helpers are chatty at INFO; the gate prints its own summary.
_QUIET_LOGGERS = ("great_expectations", "sqlalchemy")


class GateScopeError(ValueError):
    """The raw gate was asked to run without submissions to check."""


@dataclass(slots=True)
class GateOutcome:
    """What one run of a gate found."""

    gate: str
    run_id: str
    validation_id: uuid.UUID
    results: list[DqResult]
    seconds: float
    docs_index: Path
    scope: dict[str, Any] = field(default_factory=dict)
    #: Submissions the raw gate added a plausibility warning to (their feedback changed).
    warned: list[int] = field(default_factory=list)

    @property
    def critical_failures(self) -> list[DqResult]:
        return [r for r in self.results if r.failed_critical]

    @property
    def warnings(self) -> list[DqResult]:
        return [r for r in self.results if r.failed_warning]

    @property
    def passed(self) -> bool:
        """No critical expectation failed (warnings do not count)."""
        return not self.critical_failures

    def headline(self) -> str:
        """One line: the gate, its verdict, its counts, its time."""
        suites = len({r.suite for r in self.results})
        verdict = "passed" if self.passed else "FAILED"
        return (
            f"{self.gate} gate {verdict}: {len(self.results)} expectations in {suites} suites, "
            f"{len(self.critical_failures)} critical failed, {len(self.warnings)} warning(s), "
            f"{self.seconds:.1f} s; Data Docs: {self.docs_index}"
        )

    def report(self) -> list[str]:
        """The headline, then a line per failed expectation (critical first)."""
        failed = self.critical_failures + self.warnings
        return [self.headline(), *(f"  {r.line()}" for r in failed)]

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly summary (XCom)."""
        return {
            "gate": self.gate,
            "passed": self.passed,
            "validation_id": str(self.validation_id),
            "expectations": len(self.results),
            "critical_failed": [f"{r.suite}:{r.expectation}" for r in self.critical_failures],
            "warnings": [f"{r.suite}:{r.expectation}" for r in self.warnings],
            "seconds": round(self.seconds, 2),
            "data_docs": str(self.docs_index),
            "scope": self.scope,
        }


def sqlalchemy_url(url: str) -> str:
    """A libpq or Airflow URL (`postgres://`, `postgresql://`) as a SQLAlchemy psycopg2 URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "postgresql+psycopg2"):
        raise ValueError(f"not a PostgreSQL URL (scheme {parts.scheme!r})")
    # Airflow's get_uri() appends the connection's extras; GX needs none of them.
    query = "&".join(p for p in parts.query.split("&") if p and not p.startswith("__extra__"))
    return urlunsplit(("postgresql+psycopg2", parts.netloc, parts.path, query, ""))


def url_variable(role: str) -> str:
    """Environment variable GX resolves the role's connection string from."""
    return f"DXW_GX_{role.upper()}_URL"


@contextlib.contextmanager
def _connection_env(role: str, url: str) -> Iterator[None]:
    """Expose the connection string to GX's `${...}` substitution while the gate runs."""
    name = url_variable(role)
    saved = os.environ.get(name)
    os.environ[name] = sqlalchemy_url(url)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


@contextlib.contextmanager
def _project_lock(project: Path) -> Iterator[None]:
    """One gate at a time per `$DXW_HOME` (the GX file context is not safe to share)."""
    project.mkdir(parents=True, exist_ok=True)
    with (project / ".dxw-gate.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _quiet() -> None:
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _context(config: Settings) -> Any:
    """The GX file context under `$DXW_HOME/gx`, with analytics and progress bars off."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(config.home))
    context.config.analytics_enabled = False
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    site: Any = {
        "class_name": "SiteBuilder",
        "store_backend": {
            "class_name": "TupleFilesystemStoreBackend",
            "base_directory": str(data_docs_dir(config)),
        },
        "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
    }
    sites = context.list_data_docs_sites()
    for name in list(sites):
        if name != DOCS_SITE:
            context.delete_data_docs_site(name)
    if DOCS_SITE in sites:
        context.update_data_docs_site(DOCS_SITE, site)
    else:
        context.add_data_docs_site(DOCS_SITE, site)
    context.variables.save()
    return context


def _run_name(run_id: str) -> str:
    """The run id as a safe path segment of the GX stores and Data Docs."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).strip("_") or "run"


def _checkpoint(context: Any, gate: GateSpec, submission_ids: Sequence[int], root: Path) -> Any:
    """Datasource, one asset and validation definition per suite, and the checkpoint."""
    import great_expectations as gx

    severities = load_severity(root)
    # A gate may run on some of its tables (a selection's marts): what a previous run stored
    # for the others would name assets the datasource below no longer has.
    with contextlib.suppress(Exception):
        context.checkpoints.delete(gate.checkpoint)
    for stored in load_gates(root)[gate.name].suites:
        with contextlib.suppress(Exception):
            context.validation_definitions.delete(stored.name)
    datasource = context.data_sources.add_or_update_postgres(
        name=f"warehouse_{gate.reads_as}",
        connection_string="${" + url_variable(gate.reads_as) + "}",
    )
    definitions = []
    for spec in gate.suites:
        if spec.is_query:
            asset = datasource.add_query_asset(name=spec.name, query=spec.query(submission_ids))
        else:
            schema, table = spec.schema_and_table
            asset = datasource.add_table_asset(name=spec.name, table_name=table, schema_name=schema)
        batch = asset.add_batch_definition_whole_table(BATCH_DEFINITION)
        document = with_severity(
            gate.rebase(load_suite_document(spec.name, root)), severities.get(spec.name, {})
        )
        suite = gx.ExpectationSuite(**document)
        if len(suite.expectations) != len(document["expectations"]):
            # GX logs and drops an invalid expectation: a gate must never lose one silently.
            raise ValueError(f"suite {spec.name}: an expectation is not valid for GX")
        suite = context.suites.add_or_update(suite)
        definitions.append(
            context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=spec.name, data=batch, suite=suite)
            )
        )
    return context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=gate.checkpoint,
            validation_definitions=definitions,
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs", site_names=[DOCS_SITE])],
            result_format={
                "result_format": "COMPLETE",
                "unexpected_index_column_names": list(gate.index_columns),
                "partial_unexpected_count": 20,
                # The raw gate holds every submission a critical failure names: GX gives at
                # most 20 unexpected rows from SQL, so it also returns the query that selects
                # all of them (failing_submission_ids runs it).
                "return_unexpected_index_query": gate.name == "raw",
            },
        )
    )


def _offline_data_docs(config: Settings) -> None:
    """Point the Data Docs GX just wrote at local copies of their CDN assets (dxw.docs)."""
    from dxw.docs.offline import make_offline, missing_hint

    report = make_offline(data_docs_dir(config))
    if not report.complete:
        log.warning(missing_hint(report))


def run_gate(
    gate_name: str,
    *,
    read_url: str,
    write_url: str,
    run_id: str,
    config: Settings | None = None,
    submission_ids: Sequence[int] | None = None,
    root: Path | None = None,
    schema: str | None = None,
    tables: Collection[str] | None = None,
) -> GateOutcome:
    """Run one gate's checkpoint, record every result, build the Data Docs; never raises on
    failed expectations (the caller decides what a critical failure stops).

    `schema` reads the gate's tables from another schema than the one they are published in
    (the marts gate checks `marts_build` before publication); `tables` limits it to those.
    """
    started = time.monotonic()
    config = config or settings()
    root = root or expectations_dir()
    gate = load_gates(root)[gate_name].reading(schema, tables)
    scope: dict[str, Any] = {}
    warned: list[int] = []
    if not gate.suites:
        # A selection of marts no suite guards (dim_indicator alone): dbt's tests checked
        # them; there is nothing for GX to run, which is a pass, not an error.
        log.info("%s gate: no suite guards %s; nothing to check", gate.name, sorted(tables or ()))
        return GateOutcome(
            gate=gate.name, run_id=run_id, validation_id=uuid.uuid4(), results=[],
            seconds=time.monotonic() - started, docs_index=data_docs_index(config),
        )  # fmt: skip
    if gate_name == "raw":
        if not submission_ids:
            raise GateScopeError("the raw gate needs the submissions to check")
        scope = {"submission_ids": sorted({int(i) for i in submission_ids})}
    _quiet()
    validation_id = uuid.uuid4()
    with (
        _project_lock(gx_project_dir(config)),
        _connection_env(gate.reads_as, read_url),
        warnings.catch_warnings(),
    ):
        # GX 1.14+ would rather find the schema in the connection; an explicit one is clearer.
        warnings.filterwarnings("ignore", "`schema_name` is deprecated", DeprecationWarning)
        import great_expectations as gx

        context = _context(config)
        checkpoint = _checkpoint(context, gate, scope.get("submission_ids", ()), root)
        outcome = checkpoint.run(run_id=gx.RunIdentifier(run_name=_run_name(run_id)))
        _offline_data_docs(config)
    validations = [
        (result.suite_name, [r.to_json_dict() for r in result.results])
        for result in outcome.run_results.values()
    ]
    rows = result_rows(gate.name, gate.checkpoint, validations)
    write_results(write_url, rows, run_id=run_id, validation_id=validation_id, scope=scope)
    if gate_name == "raw":
        assets = {spec.name: spec.query(scope["submission_ids"]) for spec in gate.suites}
        failing = failing_submission_ids(read_url, validations, assets)
        hold_submissions(write_url, rows, scope["submission_ids"], validation_id, failing)
        warned = record_implausible_changes(write_url, scope["submission_ids"], root)
    return GateOutcome(
        gate=gate.name,
        run_id=run_id,
        validation_id=validation_id,
        results=rows,
        seconds=time.monotonic() - started,
        docs_index=data_docs_index(config),
        scope=scope,
        warned=warned,
    )


def accepted_submission_ids(results: Sequence[Sequence[Mapping[str, Any]]]) -> list[int]:
    """Ids of the submissions an ingest run accepted, from its batches' file outcomes."""
    return sorted(
        {
            int(r["submission_id"])
            for batch in results
            for r in batch
            if r.get("outcome") == "accepted" and r.get("submission_id") is not None
        }
    )


def run_raw_gate(
    url: str, run_id: str, submission_ids: Sequence[int], config: Settings | None = None
) -> GateOutcome:
    """The raw gate on these submissions as the loader (it reads them and records the results)."""
    return run_gate(
        "raw", read_url=url, write_url=url, run_id=run_id, config=config,
        submission_ids=submission_ids,
    )  # fmt: skip


#: (suite, expectation) -> the ids of every submission its failing rows name (all of them).
FailingIds = Mapping[tuple[str, str], frozenset[int]]


def failing_submission_ids(
    url: str,
    validations: Sequence[tuple[str, Sequence[Mapping[str, Any]]]],
    asset_queries: Mapping[str, str],
) -> dict[tuple[str, str], frozenset[int]]:
    """The complete list of submissions each failed raw expectation names, never the sample.

    GX returns at most `partial_unexpected_count` unexpected rows of a SQL asset, but also the
    query that selects all of them (`unexpected_index_query`: GX's own SQL over the gate's
    query asset, `asset_queries` by suite). GX 1.x writes a query asset there without the
    parentheses a derived table needs, so they are added; the query is run read-only and its
    `submission_id` column collected. The list is kept only if it has as many rows as GX
    counted unexpected; otherwise, or for an expectation without that query (one that failed
    to evaluate, or an aggregate one), it is left out and `held_ids` holds every submission
    in scope.
    """
    import psycopg

    queries: dict[tuple[str, str], tuple[str, int | None]] = {}
    for suite, results in validations:
        for evr in results:
            config = evr.get("expectation_config") or {}
            name = str((config.get("meta") or {}).get("name") or config.get("type"))
            result = evr.get("result") or {}
            query = result.get("unexpected_index_query")
            asset = asset_queries.get(suite)
            if evr.get("success") or not isinstance(query, str) or not asset:
                continue
            if f"FROM {asset}" in query:
                query = query.replace(f"FROM {asset}", f"FROM ({asset}) AS unexpected_rows", 1)
            count = result.get("unexpected_count")
            queries[(suite, name)] = (query.strip().rstrip(";"), count)
    found: dict[tuple[str, str], frozenset[int]] = {}
    if not queries:
        return found
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("set session characteristics as transaction read only")
        for key, (query, count) in queries.items():
            try:
                # GX's SQL over the gate's committed query with integer ids: no input text.
                cursor = conn.execute(query.encode())
            except psycopg.Error:
                log.warning("the failing rows of %s:%s cannot be listed", *key, exc_info=True)
                continue
            rows = cursor.fetchall()
            columns = [c.name for c in cursor.description or ()]
            if "submission_id" not in columns or (count is not None and len(rows) != count):
                continue
            index = columns.index("submission_id")
            found[key] = frozenset(int(row[index]) for row in rows if row[index] is not None)
    return found


def held_ids(
    rows: Sequence[DqResult], scope_ids: Sequence[int], failing: FailingIds
) -> dict[int, str]:
    """Submission id -> reason, for the submissions a critical raw failure points at.

    A failure holds every submission of the complete list of its failing rows (`failing`,
    from `failing_submission_ids`), never only those of the stored sample. One whose failing
    rows cannot be listed (it failed to evaluate, or it judges the checked submissions as a
    whole) holds every submission the gate checked: nothing it may concern reaches the marts.
    """
    held: dict[int, str] = {}
    scope = set(scope_ids)
    for result in (r for r in rows if r.failed_critical):
        reason = f"{result.suite}:{result.expectation}"
        named = failing.get((result.suite, result.expectation))
        for submission_id in sorted((named or set()) & scope or scope):
            held.setdefault(submission_id, reason)
    return held


def hold_submissions(
    url: str,
    rows: Sequence[DqResult],
    scope_ids: Sequence[int],
    validation_id: uuid.UUID,
    failing: FailingIds,
) -> int:
    """Keep submissions that failed a critical raw expectation out of the marts."""
    import psycopg

    held = held_ids(rows, scope_ids, failing)
    if held:
        with psycopg.connect(url) as conn, conn.cursor() as cursor:
            cursor.executemany(
                "insert into audit.held_submissions (submission_id, validation_id, reason)"
                " values (%s, %s, %s) on conflict (submission_id) do nothing",
                [(sid, validation_id, reason) for sid, reason in sorted(held.items())],
            )
    return len(held)
