"""The committed configuration of the gates: `expectations/` (gates, suites, severities, queries).

Nothing here imports Great Expectations: the DAG files, the CLI and the unit tests read the
configuration cheaply; `dxw.quality.gates` turns it into GX objects when a gate runs.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from dxw.config import REPO_ROOT, Settings

#: Where the suites, gates, severities and queries live (a deployment may point elsewhere).
ENV_EXPECTATIONS_DIR = "DXW_EXPECTATIONS_DIR"
GATES = ("raw", "marts")
SEVERITIES = ("critical", "warning", "info")
#: Placeholder of the raw gate's queries, replaced with the submission ids in scope.
SCOPE_PLACEHOLDER = "{{ submission_ids }}"
ROLES = ("loader", "transformer")


class QualityConfigError(ValueError):
    """The files under `expectations/` are inconsistent or malformed."""


def expectations_dir() -> Path:
    """`expectations/` of the repository, or `$DXW_EXPECTATIONS_DIR`."""
    return Path(os.environ.get(ENV_EXPECTATIONS_DIR) or REPO_ROOT / "expectations")


def gx_project_dir(config: Settings) -> Path:
    """The runtime GX file context (stores, validation results): `$DXW_HOME/gx`."""
    return config.home / "gx"


def data_docs_dir(config: Settings) -> Path:
    """The GX Data Docs site: `$DXW_HOME/docs/gx`."""
    return config.docs_dir / "gx"


def data_docs_index(config: Settings) -> Path:
    """The index page of the GX Data Docs (`$DXW_HOME/docs/gx/index.html`)."""
    return data_docs_dir(config) / "index.html"


@dataclass(frozen=True, slots=True)
class SuiteSpec:
    """One suite (named after the table it guards) and the data asset it validates."""

    name: str
    query_file: Path | None = None
    table: str | None = None

    @property
    def is_query(self) -> bool:
        return self.query_file is not None

    def query(self, submission_ids: Sequence[int] = ()) -> str:
        """The asset's SELECT, scoped to `submission_ids` where the query has the placeholder."""
        if self.query_file is None:
            raise QualityConfigError(f"suite {self.name} validates a table, not a query")
        return render_query(self.query_file.read_text(encoding="utf-8"), submission_ids)

    @property
    def schema_and_table(self) -> tuple[str, str]:
        """(schema, table) of a table asset."""
        if not self.table or "." not in self.table:
            raise QualityConfigError(f"suite {self.name}: table must be schema.table")
        schema, table = self.table.split(".", 1)
        return schema, table


@dataclass(frozen=True, slots=True)
class GateSpec:
    """One gate: a checkpoint over the suites of its tables, read as one role."""

    name: str
    checkpoint: str
    reads_as: str
    index_columns: tuple[str, ...]
    suites: tuple[SuiteSpec, ...]
    #: Where the gate reads its tables from instead of where they are published (`reading`),
    #: the schemas they are published in, and the tables read there (None: all of them).
    read_schema: str | None = None
    published_schemas: tuple[str, ...] = ()
    read_tables: frozenset[str] | None = None

    def reading(self, schema: str | None = None, tables: Collection[str] | None = None) -> GateSpec:
        """This gate on the tables of `tables` only (all by default), read from `schema`
        instead of the one each table is published in (e.g. the marts as built, before they
        are published); each suite keeps the name of the table it guards."""
        suites = []
        published = sorted({s.schema_and_table[0] for s in self.suites if s.table})
        for suite in self.suites:
            if suite.table is None:
                suites.append(suite)
                continue
            published_schema, table = suite.schema_and_table
            if tables is not None and table not in tables:
                continue
            suites.append(replace(suite, table=f"{schema or published_schema}.{table}"))
        return replace(
            self,
            suites=tuple(suites),
            read_schema=schema,
            published_schemas=tuple(published),
            read_tables=None if tables is None else frozenset(tables),
        )

    def rebase(self, document: Mapping[str, Any]) -> dict[str, Any]:
        """A suite document whose SQL reads the published schemas' tables from `read_schema`
        (an expectation that joins `marts.dim_locality` for names reads the one built with
        the tables it checks); a table outside `read_tables` (not built by a selection) is
        read where it is published, as dbt's `--defer` reads it."""
        if not self.read_schema or not self.published_schemas:
            return dict(document)
        schemas = "|".join(map(re.escape, self.published_schemas))
        tables = r"\w+" if self.read_tables is None else "|".join(map(re.escape, self.read_tables))
        if not tables:
            return dict(document)
        pattern = re.compile(rf"\b(?:{schemas})\.(?=(?:{tables})\b)")
        expectations = []
        for expectation in document.get("expectations", []):
            kwargs = dict(expectation.get("kwargs") or {})
            query = kwargs.get("unexpected_rows_query")
            if isinstance(query, str):
                kwargs["unexpected_rows_query"] = pattern.sub(f"{self.read_schema}.", query)
            expectations.append({**expectation, "kwargs": kwargs})
        return {**document, "expectations": expectations}


def render_query(sql: str, submission_ids: Sequence[int]) -> str:
    """Replace the scope placeholder with integer ids (`null` for none) and make it a SELECT."""
    if any(isinstance(i, bool) or not isinstance(i, int) for i in submission_ids):
        raise QualityConfigError(f"submission ids must be integers: {list(submission_ids)!r}")
    ids = sorted(set(submission_ids))
    rendered = sql.replace(SCOPE_PLACEHOLDER, ", ".join(str(i) for i in ids) or "null")
    body = _strip_comments(rendered).strip().rstrip(";")
    # GX query assets must start with SELECT; a query with CTEs becomes a derived table.
    if body[:6].lower() == "select" and body[6:7].isspace():
        return body
    return f"select * from (\n{body}\n) as dq_asset"  # noqa: S608 - committed SQL, integer ids


def _strip_comments(sql: str) -> str:
    return "\n".join(line for line in sql.splitlines() if not line.lstrip().startswith("--"))


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise QualityConfigError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def parse_gates(data: object, root: Path) -> dict[str, GateSpec]:
    """Gate specs from the parsed `gates.yml` (query paths relative to `root`)."""
    gates: dict[str, GateSpec] = {}
    for name, raw in _mapping(data, "gates.yml").items():
        if name not in GATES:
            raise QualityConfigError(f"gates.yml: unknown gate {name!r} (known: {GATES})")
        spec = _mapping(raw, f"gates.yml: {name}")
        reads_as = str(spec.get("reads_as", ""))
        if reads_as not in ROLES:
            raise QualityConfigError(f"gates.yml: {name}.reads_as must be one of {ROLES}")
        suites = []
        for suite, asset in _mapping(spec.get("suites"), f"gates.yml: {name}.suites").items():
            asset = _mapping(asset, f"gates.yml: {name}.suites.{suite}")
            if ("query" in asset) == ("table" in asset):
                raise QualityConfigError(f"gates.yml: {suite} needs exactly one of query, table")
            query = root / str(asset["query"]) if "query" in asset else None
            suites.append(SuiteSpec(str(suite), query, asset.get("table")))
        gates[name] = GateSpec(
            name=name,
            checkpoint=str(spec.get("checkpoint") or f"{name}_gate"),
            reads_as=reads_as,
            index_columns=tuple(str(c) for c in spec.get("index_columns") or ()),
            suites=tuple(suites),
        )
    return gates


def parse_severity(data: object) -> dict[str, dict[str, str]]:
    """Severities by suite and expectation name from the parsed `severity.yml`."""
    severities: dict[str, dict[str, str]] = {}
    for suite, entries in _mapping(data, "severity.yml").items():
        by_name: dict[str, str] = {}
        for name, level in _mapping(entries, f"severity.yml: {suite}").items():
            value = str(level).strip().lower()
            if value not in SEVERITIES:
                raise QualityConfigError(
                    f"severity.yml: {suite}.{name} is {level!r}, not one of {SEVERITIES}"
                )
            by_name[str(name)] = value
        severities[str(suite)] = by_name
    return severities


def _read_yaml(path: Path) -> object:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise QualityConfigError(f"{path}: {error}") from error


def load_gates(root: Path | None = None) -> dict[str, GateSpec]:
    """The gates of `gates.yml`."""
    root = root or expectations_dir()
    return parse_gates(_read_yaml(root / "gates.yml"), root)


def load_severity(root: Path | None = None) -> dict[str, dict[str, str]]:
    """The severities of `severity.yml`."""
    root = root or expectations_dir()
    return parse_severity(_read_yaml(root / "severity.yml"))


def suite_path(name: str, root: Path | None = None) -> Path:
    """`suites/<name>.json`."""
    return (root or expectations_dir()) / "suites" / f"{name}.json"


def load_suite_document(name: str, root: Path | None = None) -> dict[str, Any]:
    """The suite as committed (GX suite JSON, without ids and severities)."""
    path = suite_path(name, root)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise QualityConfigError(f"{path}: {error}") from error
    if not isinstance(document, dict) or document.get("name") != name:
        raise QualityConfigError(f"{path}: must be a suite named {name!r}")
    return document


def expectation_name(expectation: Mapping[str, Any]) -> str:
    """The stable name of an expectation in its suite (`meta.name`)."""
    meta = expectation.get("meta") or {}
    name = meta.get("name") if isinstance(meta, Mapping) else None
    if not name:
        raise QualityConfigError(f"expectation {expectation.get('type')} has no meta.name")
    return str(name)


def with_severity(document: Mapping[str, Any], severities: Mapping[str, str]) -> dict[str, Any]:
    """The suite document with each expectation's severity from `severity.yml`.

    Every expectation must be listed, and every listed name must exist: a new expectation
    cannot slip in without a decision about what its failure stops.
    """
    suite = str(document.get("name"))
    expectations = list(document.get("expectations") or [])
    names = [expectation_name(e) for e in expectations]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise QualityConfigError(f"suite {suite}: duplicate expectation names {duplicates}")
    missing = [n for n in names if n not in severities]
    if missing:
        raise QualityConfigError(f"severity.yml: suite {suite} has no severity for {missing}")
    unknown = sorted(set(severities) - set(names))
    if unknown:
        raise QualityConfigError(f"severity.yml: suite {suite} has no expectations {unknown}")
    applied = [
        {**e, "meta": {**e["meta"], "severity": severities[n]}, "severity": severities[n]}
        for e, n in zip(expectations, names, strict=True)
    ]
    return {**document, "expectations": applied}


def check_configuration(root: Path | None = None) -> list[str]:
    """Every inconsistency between gates, suites, severities and queries (empty when sound)."""
    root = root or expectations_dir()
    problems: list[str] = []
    try:
        gates = load_gates(root)
        severity = load_severity(root)
    except QualityConfigError as error:
        return [str(error)]
    suites = {s.name: g for g in gates.values() for s in g.suites}
    for unknown in sorted(set(severity) - set(suites)):
        problems.append(f"severity.yml: suite {unknown} is in no gate")
    for gate in gates.values():
        for spec in gate.suites:
            if not re.fullmatch(r"(raw|marts)\.[a-z_]+", spec.name):
                problems.append(f"suite {spec.name}: name it after the table it guards")
            if spec.query_file is not None and not spec.query_file.exists():
                problems.append(f"suite {spec.name}: query file {spec.query_file} is missing")
            try:
                with_severity(load_suite_document(spec.name, root), severity.get(spec.name, {}))
            except QualityConfigError as error:
                problems.append(str(error))
    return problems
