"""`dbt source freshness` with the transform, its outcome recorded beside the gates' results.

dbt checks the freshness declared on the raw sources (`dbt_project/models/staging/
_raw__sources.yml`: `raw.submissions.loaded_at`, warn after 45 days without a new submission,
error after 200) as the transformer role. Each source checked gives two rows of
`audit.dq_results` (gate `freshness`, written as the loader; BI reads them in
`marts.dq_results`): `loaded_within_warn_after` (severity warning) and
`loaded_within_error_after` (severity critical). Stale raw data does not make the marts wrong,
so nothing here fails a build: the caller decides what a critical failure stops (`dxw build`
prints it).

    from dxw.transform.freshness import check_source_freshness
    outcome = check_source_freshness(config, env=dbt_env(transformer_url), record_url=loader_url,
                                     run_id=run_id)
    outcome.passed, outcome.lines()
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from dxw.config import Settings, settings
from dxw.quality.results import DqResult, write_results

log = logging.getLogger(__name__)

GATE = "freshness"
CHECKPOINT = "dbt_source_freshness"
#: dbt's freshness statuses from the best to the worst.
STATUSES = ("pass", "warn", "error", "runtime error")


@dataclass(slots=True)
class FreshnessOutcome:
    """What one `dbt source freshness` run found, and where it was recorded."""

    run_id: str
    validation_id: uuid.UUID
    results: list[DqResult]
    seconds: float
    recorded: bool = False
    sources: dict[str, str] = field(default_factory=dict)  # source -> dbt status

    @property
    def passed(self) -> bool:
        """No source is past its error_after threshold (and every check could run)."""
        return not any(r.failed_critical for r in self.results)

    def lines(self) -> list[str]:
        """A headline, then one line per source that is not fresh."""
        stale = {s: status for s, status in self.sources.items() if status != "pass"}
        verdict = "fresh" if not stale else ", ".join(f"{s}: {st}" for s, st in stale.items())
        head = f"source freshness ({len(self.sources)} source(s), {self.seconds:.1f} s): {verdict}"
        return [head, *(f"  {r.line()}" for r in self.results if not r.success)]


def _period(criteria: Mapping[str, Any] | None) -> str:
    if not criteria or criteria.get("count") is None:
        return "never"
    return f"{criteria['count']} {criteria.get('period')}(s)"


def freshness_rows(sources_json: Mapping[str, Any]) -> tuple[list[DqResult], dict[str, str]]:
    """Two `DqResult`s per source of dbt's `sources.json`, and each source's dbt status."""
    rows: list[DqResult] = []
    statuses: dict[str, str] = {}
    for item in sources_json.get("results", []):
        unique_id = str(item.get("unique_id", ""))
        suite = ".".join(unique_id.split(".")[-2:]) or unique_id
        status = str(item.get("status", "runtime error"))
        statuses[suite] = status
        criteria = item.get("criteria") or {}
        observed = {
            "status": status,
            "max_loaded_at": item.get("max_loaded_at"),
            "snapshotted_at": item.get("snapshotted_at"),
            "age_seconds": item.get("max_loaded_at_time_ago_in_s"),
        }
        error = item.get("error") or (item.get("message") if status == "runtime error" else None)
        for name, severity, threshold, failing in (
            ("loaded_within_warn_after", "warning", "warn_after", ("warn", "error")),
            ("loaded_within_error_after", "critical", "error_after", ("error",)),
        ):
            rows.append(
                DqResult(
                    gate=GATE,
                    checkpoint=CHECKPOINT,
                    suite=suite,
                    expectation=name,
                    expectation_type="dbt_source_freshness",
                    severity=severity,
                    success=status not in failing and status in STATUSES[:3],
                    column_name=str(criteria.get("loaded_at_field") or "loaded_at"),
                    description=(
                        f"A new row was loaded into {suite} within "
                        f"{_period(criteria.get(threshold))} of the check (dbt source freshness)."
                    ),
                    observed_value=observed,
                    exception_message=str(error)[:2000] if error else None,
                )
            )
    return rows, statuses


def check_source_freshness(
    config: Settings | None = None,
    *,
    env: Mapping[str, str] | None = None,
    record_url: str | None = None,
    run_id: str | None = None,
) -> FreshnessOutcome:
    """Run `dbt source freshness` as the transformer and record the outcome as the loader.

    `env`: dbt's profile variables (default: `dbt_env` of the transformer's URL);
    `record_url`: where `audit.dq_results` is written (default: the loader's URL; in Airflow,
    the `dxw_loader` connection's); `run_id`: the Airflow run id, else `cli__<timestamp>`.
    Never raises because a source is stale; a check that could not run at all is recorded
    as a failure of both rows, with dbt's message.
    """
    from dxw.db.urls import warehouse_url
    from dxw.transform.dbt import dbt_env, run_dbt, target_dir

    started = time.monotonic()
    config = config or settings()
    env = env or dbt_env(warehouse_url("transformer", config))
    run_id = run_id or f"cli__{datetime.now(UTC).isoformat()}"
    # The build's target folder: dbt reuses its partial parse, and writes sources.json there.
    output = target_dir(config) / "sources.json"
    output.unlink(missing_ok=True)
    result = run_dbt(["source", "freshness"], config, env)
    if output.exists():
        document = json.loads(output.read_text(encoding="utf-8"))
    else:
        message = str(result.exception or "dbt source freshness wrote no results")
        document = {"results": [{"unique_id": "source.raw.submissions", "error": message}]}
    rows, statuses = freshness_rows(document)
    outcome = FreshnessOutcome(run_id, uuid.uuid4(), rows, time.monotonic() - started)
    outcome.sources = statuses
    url = record_url or warehouse_url("loader", config)
    write_results(
        url, rows, run_id=run_id, validation_id=outcome.validation_id, scope={"gate": GATE}
    )
    outcome.recorded = True
    return outcome
