"""The bodies of the gate tasks of `dxw_ingest` and `dxw_transform` (run only at task time)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dxw.airflow_env import connection_url as _connection_url
from dxw.config import settings
from dxw.quality.gates import GateOutcome, accepted_submission_ids, run_gate, run_raw_gate


def _finish(outcome: GateOutcome) -> dict[str, Any]:
    """Print the report; fail the task without retries when a critical expectation failed."""
    from airflow.sdk.exceptions import AirflowFailException

    for line in outcome.report():
        print(line)
    if not outcome.passed:
        failed = ", ".join(f"{r.suite}:{r.expectation}" for r in outcome.critical_failures)
        raise AirflowFailException(
            f"{outcome.gate} gate: critical expectations failed ({failed}); results in "
            f"audit.dq_results (validation {outcome.validation_id}), Data Docs "
            f"{outcome.docs_index}"
        )
    return outcome.as_dict()


def raw_gate(results: Sequence[Sequence[Mapping[str, Any]]], run_id: str) -> dict[str, Any]:
    """Raw gate on the submissions this ingest run accepted; skipped when there are none."""
    from airflow.sdk.exceptions import AirflowSkipException

    submission_ids = accepted_submission_ids(results)
    if not submission_ids:
        raise AirflowSkipException("nothing new was accepted: no raw gate")
    url = _connection_url("loader")
    outcome = run_raw_gate(url, run_id, submission_ids, settings())
    if not outcome.passed or outcome.warned:  # the feedback says why, and what to do
        from dxw.ingest.audit import refresh_gated_feedback

        files = [r for batch in results for r in batch]
        for path in refresh_gated_feedback(url, files, outcome.warned):
            print(f"feedback rewritten after the raw gate: {path}")
    return _finish(outcome)


def marts_gate(run_id: str) -> dict[str, Any]:
    """Marts gate after dbt, before publication: reads the marts as built (`marts_build`) as
    the transformer, records as the loader."""
    from dxw.transform.dbt import manifest_path
    from dxw.transform.publish import BUILD, mart_tables

    config = settings()
    outcome = run_gate(
        "marts",
        read_url=_connection_url("transformer"),
        write_url=_connection_url("loader"),
        run_id=run_id,
        config=config,
        schema=BUILD,
        tables=mart_tables(manifest_path(config)),
    )
    return _finish(outcome)
