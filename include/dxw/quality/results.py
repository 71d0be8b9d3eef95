"""Gate results: one row per expectation, from GX's validation results to `audit.dq_results`."""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

#: Unexpected rows kept per expectation (the Data Docs and GX's own store keep the rest).
SAMPLE_ROWS = 20
#: Keys never stored in a sample: nothing personal may reach the BI view.
PERSONAL_KEY = re.compile(r"e-?mail|phone|contact|password", re.IGNORECASE)
MAX_MESSAGE = 2000


@dataclass(frozen=True, slots=True)
class DqResult:
    """The outcome of one expectation in one gate run (a row of `audit.dq_results`)."""

    gate: str
    checkpoint: str
    suite: str
    expectation: str
    expectation_type: str
    severity: str
    success: bool
    column_name: str | None = None
    description: str | None = None
    observed_value: Any = None
    element_count: int | None = None
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    unexpected_sample: list[dict[str, Any]] = field(default_factory=list)
    exception_message: str | None = None

    @property
    def failed_critical(self) -> bool:
        """A failure that fails the gate."""
        return not self.success and self.severity == "critical"

    @property
    def failed_warning(self) -> bool:
        """A failure that is recorded and shown but stops nothing."""
        return not self.success and self.severity != "critical"

    def line(self) -> str:
        """One human line for task logs and the CLI."""
        state = "ok" if self.success else self.severity.upper()
        found = ""
        if not self.success:
            if self.exception_message:
                found = f": could not be evaluated ({self.exception_message[:200]})"
            elif self.unexpected_count is not None:
                found = f": {self.unexpected_count} unexpected"
            elif self.observed_value is not None:
                found = f": observed {self.observed_value}"
            if self.unexpected_sample:
                found += f", e.g. {json.dumps(self.unexpected_sample[:3], ensure_ascii=False)}"
        return f"{state:8} {self.suite} {self.expectation}{found}"


def jsonable(value: Any) -> Any:
    """Plain JSON values (numbers, text, lists, objects) from what GX and the driver return."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return str(value)


def redact(row: Any) -> Any:
    """A sample row without personal keys (e-mail, phone, contact), recursively."""
    if isinstance(row, Mapping):
        return {k: redact(v) for k, v in row.items() if not PERSONAL_KEY.search(str(k))}
    if isinstance(row, list):
        return [redact(v) for v in row]
    return row


def _sample(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    details = result.get("details")
    rows: Any = None
    if isinstance(details, Mapping) and details.get("unexpected_rows") is not None:
        rows = details["unexpected_rows"]
    else:
        for key in ("unexpected_index_list", "partial_unexpected_index_list"):
            if result.get(key):
                rows = result[key]
                break
        else:
            values = result.get("partial_unexpected_list") or result.get("unexpected_list")
            rows = [v if isinstance(v, Mapping) else {"value": v} for v in values or []]
    if not isinstance(rows, list):
        return []
    sample = [redact(jsonable(r)) for r in rows[:SAMPLE_ROWS]]
    return [r if isinstance(r, dict) else {"value": r} for r in sample]


def _exception(info: Any) -> str | None:
    """The message of an evaluation error (GX nests it per metric when several were resolved)."""
    if not isinstance(info, Mapping):
        return None
    if "raised_exception" in info:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "error")[:MAX_MESSAGE]
        return None
    messages = {m for m in (_exception(v) for v in info.values()) if m}
    return "; ".join(sorted(messages))[:MAX_MESSAGE] or None


def _column(kwargs: Mapping[str, Any]) -> str | None:
    if kwargs.get("column"):
        return str(kwargs["column"])
    if kwargs.get("column_A"):
        return f"{kwargs['column_A']}, {kwargs.get('column_B')}"
    if kwargs.get("column_list"):
        return ", ".join(str(c) for c in kwargs["column_list"])
    return None


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return int(value)


def result_row(gate: str, checkpoint: str, suite: str, evr: Mapping[str, Any]) -> DqResult:
    """One `DqResult` from an expectation validation result (its `to_json_dict()`)."""
    config = evr.get("expectation_config") or {}
    kwargs = config.get("kwargs") or {}
    meta = config.get("meta") or {}
    result = evr.get("result") or {}
    severity = str(config.get("severity") or meta.get("severity") or "critical").lower()
    exception = _exception(evr.get("exception_info"))
    observed = jsonable(result.get("observed_value"))
    unexpected = _int(result.get("unexpected_count"))
    if unexpected is None and config.get("type") == "unexpected_rows_expectation":
        unexpected = _int(observed)
    percent = result.get("unexpected_percent")
    return DqResult(
        gate=gate,
        checkpoint=checkpoint,
        suite=suite,
        expectation=str(meta.get("name") or config.get("type")),
        expectation_type=str(config.get("type")),
        severity=severity,
        success=bool(evr.get("success")) and exception is None,
        column_name=_column(kwargs),
        description=config.get("description") or meta.get("description"),
        observed_value=observed,
        element_count=_int(result.get("element_count")),
        unexpected_count=unexpected,
        unexpected_percent=float(percent) if isinstance(percent, int | float) else None,
        unexpected_sample=_sample(result),
        exception_message=exception,
    )


def result_rows(
    gate: str, checkpoint: str, validations: Iterable[tuple[str, Iterable[Mapping[str, Any]]]]
) -> list[DqResult]:
    """Rows of every expectation of every (suite, results) pair, in suite then name order."""
    rows = [result_row(gate, checkpoint, suite, r) for suite, rs in validations for r in rs]
    return sorted(rows, key=lambda r: (r.suite, r.expectation))


INSERT = """
insert into audit.dq_results (
    run_id, validation_id, gate, checkpoint, suite, expectation, expectation_type, column_name,
    description, severity, success, observed_value, element_count, unexpected_count,
    unexpected_percent, unexpected_sample, exception_message, scope
) values (
    %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s
)
"""


def write_results(
    url: str,
    rows: Sequence[DqResult],
    *,
    run_id: str,
    validation_id: uuid.UUID,
    scope: Mapping[str, Any],
) -> int:
    """Append the rows to `audit.dq_results` in one transaction (as the loader role)."""
    params = [
        (
            run_id,
            validation_id,
            r.gate,
            r.checkpoint,
            r.suite,
            r.expectation,
            r.expectation_type,
            r.column_name,
            r.description,
            r.severity,
            r.success,
            Jsonb(r.observed_value) if r.observed_value is not None else None,
            r.element_count,
            r.unexpected_count,
            r.unexpected_percent,
            Jsonb(r.unexpected_sample),
            r.exception_message,
            Jsonb(jsonable(scope)),
        )
        for r in rows
    ]
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        cursor.executemany(INSERT, params)
    return len(params)
