"""The raw gate run for real (GX against PostgreSQL, no Airflow) and the dq_results boundaries."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.quality.config import data_docs_index, load_severity
from dxw.quality.gates import GateScopeError, run_gate
from dxw.quality.results import DqResult, write_results

from .conftest import own_warehouse
from .data.examples import Submission, insert_submission

HAI_PHONG = "2025:province:31"


@pytest.fixture(scope="module")
def dq_home() -> Iterator[Settings]:
    """An own warehouse: the raw gate's history must not see other modules' submissions."""
    with own_warehouse("dxw-quality-") as config:
        yield config


def _insert(config: Settings, *submissions: Submission) -> list[int]:
    with psycopg.connect(warehouse_url("loader", config)) as conn:
        return [insert_submission(conn, s) for s in submissions]


def _figures(bts: int, wifi: int, communes: float) -> dict[str, float | int]:
    return {
        "bts_4g_in_service": bts,
        "wifi_points_in_service": wifi,
        "coverage_4g_communes_pct": communes,
    }


@pytest.fixture(scope="module")
def history(dq_home: Settings) -> dict[str, int]:
    """Hải Phòng (2025) 2025-H2, then a consistent 2026-H1."""
    first, second = _insert(
        dq_home,
        Submission(HAI_PHONG, "2025-H2", date(2026, 1, 8), indicators=_figures(7200, 1060, 100)),
        Submission(HAI_PHONG, "2026-H1", date(2026, 7, 8), indicators=_figures(7500, 1140, 100)),
    )
    return {"2025-H2": first, "2026-H1": second}


def _raw_gate(config: Settings, ids: list[int], run_id: str):
    url = warehouse_url("loader", config)
    return run_gate(
        "raw", read_url=url, write_url=url, run_id=run_id, config=config, submission_ids=ids
    )


def test_raw_gate_passes_a_consistent_submission(dq_home: Settings, history) -> None:
    outcome = _raw_gate(dq_home, [history["2026-H1"]], "test__clean")
    assert outcome.passed, outcome.report()
    assert outcome.warnings == [], outcome.report()
    severities = load_severity()
    expected = {(s, n) for s, names in severities.items() if s.startswith("raw.") for n in names}
    # raw.wifi_points and raw.goals have no rows for this submission: their column checks pass.
    assert {(r.suite, r.expectation) for r in outcome.results} == expected
    assert all(r.severity == severities[r.suite][r.expectation] for r in outcome.results)
    with psycopg.connect(warehouse_url("loader", dq_home)) as conn:
        stored = conn.execute(
            "select count(*), bool_and(success), min(scope::text) from audit.dq_results"
            " where validation_id = %s",
            (outcome.validation_id,),
        ).fetchone()
    assert stored == (len(expected), True, f'{{"submission_ids": [{history["2026-H1"]}]}}')
    assert outcome.docs_index == data_docs_index(dq_home) and outcome.docs_index.exists()
    assert not any("postgresql" in p.read_text() for p in (dq_home.home / "gx").glob("*.yml"))


def test_raw_gate_fails_on_a_far_future_period_and_halved_bts(dq_home: Settings, history) -> None:
    period = f"{date.today().year + 2}-H1"
    (bad,) = _insert(
        dq_home,
        Submission(
            HAI_PHONG,
            period,
            date(date.today().year + 2, 7, 8),
            indicators=_figures(3000, 400, 95),
            label="typo",
        ),
    )
    outcome = _raw_gate(dq_home, [bad], "test__defect")
    assert not outcome.passed
    assert {r.expectation for r in outcome.critical_failures} == {
        "period_not_far_in_future",
        "bts_4g_not_halved",
    }
    assert {r.expectation for r in outcome.warnings} >= {
        "wifi_points_not_halved",
        "coverage_4g_communes_not_down_from_full",
    }
    with psycopg.connect(warehouse_url("loader", dq_home)) as conn:
        row = conn.execute(
            "select severity, success, unexpected_count, unexpected_sample from audit.dq_results"
            " where validation_id = %s and expectation = 'bts_4g_not_halved'",
            (outcome.validation_id,),
        ).fetchone()
    assert row is not None
    severity, success, unexpected, sample = row
    assert (severity, success, unexpected) == ("critical", False, 1)
    assert sample[0]["submission_id"] == bad and sample[0]["period"] == period
    assert sample[0]["bts_4g_in_service_ratio"] == 0.4


def test_raw_gate_needs_submissions(dq_home: Settings) -> None:
    url = warehouse_url("loader", dq_home)
    with pytest.raises(GateScopeError):
        run_gate("raw", read_url=url, write_url=url, run_id="x", config=dq_home)


def _result(gate: str, success: bool = True) -> DqResult:
    return DqResult(
        gate=gate,
        checkpoint=f"{gate}_gate",
        suite=f"{gate}.t",
        expectation="probe",
        expectation_type="expect_column_values_to_be_between",
        severity="warning",
        success=success,
        unexpected_sample=[{"locality_code": "22"}],
        exception_message=None if success else "boom",
    )


def _run(config: Settings, role: str, statement: str) -> list[tuple]:
    with psycopg.connect(warehouse_url(role, config), autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else []


def test_view_marks_the_latest_run_of_each_gate(dq_home: Settings) -> None:
    loader = warehouse_url("loader", dq_home)
    older, newer = uuid.uuid4(), uuid.uuid4()
    for validation, success in ((older, True), (newer, False)):
        write_results(
            loader, [_result("marts", success)], run_id="r", validation_id=validation, scope={}
        )
    rows = dict(
        _run(
            dq_home,
            "bi",
            f"select validation_id::text, is_latest from marts.dq_results"  # noqa: S608
            f" where validation_id in ('{older}', '{newer}')",
        )
    )
    assert rows == {str(older): False, str(newer): True}
    raised = _run(
        dq_home,
        "bi",
        f"select raised_exception from marts.dq_results where validation_id = '{newer}'",  # noqa: S608
    )
    assert raised == [(True,)]


def test_bi_reads_the_view_and_nothing_personal(dq_home: Settings) -> None:
    write_results(
        warehouse_url("loader", dq_home),
        [_result("raw")],
        run_id="r",
        validation_id=uuid.uuid4(),
        scope={"submission_ids": [1]},
    )
    assert _run(dq_home, "bi", "select count(*) > 0 from marts.dq_results") == [(True,)]
    columns = {
        c
        for (c,) in _run(
            dq_home,
            "bi",
            "select column_name from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'dq_results'",
        )
    }
    assert {"suite", "expectation", "severity", "success", "unexpected_sample"} <= columns
    assert not columns & {"exception_message", "scope", "contact_email", "agency"}


@pytest.mark.parametrize(
    ("role", "statement"),
    [
        ("bi", "select * from audit.dq_results"),
        ("bi", "insert into audit.dq_results (run_id) values ('x')"),
        ("transformer", "select * from audit.dq_results"),
        ("transformer", "insert into audit.dq_results (run_id) values ('x')"),
        ("loader", "delete from audit.dq_results"),
        ("loader", "drop view marts.dq_results"),
    ],
)
def test_dq_results_boundaries(dq_home: Settings, role: str, statement: str) -> None:
    with pytest.raises(
        (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction)
    ):
        _run(dq_home, role, statement)


def test_received_after_submission_dates_are_warnings_only(dq_home: Settings, history) -> None:
    """A report dated after its file arrived is suspicious, not blocking."""
    (odd,) = _insert(
        dq_home,
        Submission(
            "2025:province:56",
            "2026-H1",
            date.today() + timedelta(days=30),
            received_at=None,
            indicators={"wifi_points_in_service": 10},
            label="dated-later",
        ),
    )
    with psycopg.connect(warehouse_url("owner", dq_home), autocommit=True) as conn:
        conn.execute(
            "update raw.submissions set received_at = now() where submission_id = %s", (odd,)
        )
    outcome = _raw_gate(dq_home, [odd], "test__dated_later")
    assert outcome.passed
    assert [r.expectation for r in outcome.warnings] == ["submitted_on_not_after_receipt"]


def test_every_submission_failing_a_critical_check_is_held_not_only_the_sample(
    dq_home: Settings,
) -> None:
    """25 far-future reports fail `period_not_far_in_future`: the stored sample keeps 20 rows,
    the holds come from the complete list of failing rows, so all 25 are held."""
    from dxw.localities import registry

    year = date.today().year + 3
    wards = [u.key for u in registry().all() if u.era == "2025" and u.level == "commune"][:25]
    ids = _insert(
        dq_home,
        *(
            Submission(ward, str(year), date(year + 1, 1, 10),
                       indicators={"wifi_points_in_service": 5}, label=f"future-{ward}")
            for ward in wards
        ),
    )  # fmt: skip
    outcome = _raw_gate(dq_home, ids, "test__25_held")
    assert [r.expectation for r in outcome.critical_failures] == ["period_not_far_in_future"]
    (failed,) = outcome.critical_failures
    assert failed.unexpected_count == 25 and len(failed.unexpected_sample) == 20
    with psycopg.connect(warehouse_url("owner", dq_home)) as conn:
        held = conn.execute(
            "select submission_id, reason, validation_id from audit.held_submissions"
            " where submission_id = any(%s)",
            (ids,),
        ).fetchall()
        counting = conn.execute(
            "select count(*) from raw.counting_submissions where submission_id = any(%s)", (ids,)
        ).fetchone()
    assert sorted(r[0] for r in held) == sorted(ids)
    assert {(r[1], r[2]) for r in held} == {
        ("raw.submissions:period_not_far_in_future", outcome.validation_id)
    }
    assert counting == (0,), "held submissions never count"


def test_implausible_changes_are_warnings_in_the_localitys_feedback(
    dq_home: Settings, tmp_path: Path
) -> None:
    """Sơn La's BTS fall from 2,000 to 900 (critical: held) and its Wi-Fi grow from 100 to 600
    (warning): both are recorded with the submission's problems, in English and Vietnamese,
    once however often the gate runs."""
    from dxw.ingest.service import ingest_file
    from dxw.quality.plausibility import CODE

    from .unit import submission_builders as b

    def report(period: str, submitted: date, bts: int, wifi: int) -> Path:
        sub = b.minimal(locality="Sơn La", period=period, submitted_on=submitted)
        sub["indicators"] = [
            {"indicator_code": "bts_4g_in_service", "value": bts},
            {"indicator_code": "wifi_points_in_service", "value": wifi},
        ]
        return b.write_submission(sub, "json", tmp_path, f"son_la_{period}")

    url = warehouse_url("loader", dq_home)
    with psycopg.connect(url, autocommit=True) as conn:
        first, second = (
            ingest_file(conn, path, run_id="test-plausible", quarantine=tmp_path / "q")
            for path in (
                report("2021", date(2022, 1, 10), 2000, 100),
                report("2022-H1", date(2022, 7, 10), 900, 600),
            )
        )
    assert (first.outcome, second.outcome) == ("accepted", "accepted")
    assert second.submission_id is not None
    told = [_raw_gate(dq_home, [second.submission_id], run).warned for run in ("a", "b")]
    assert told == [[second.submission_id], []], "told once, however often the gate runs"
    outcome = _raw_gate(dq_home, [second.submission_id], "test__plausible")
    assert [r.expectation for r in outcome.critical_failures] == ["bts_4g_not_halved"]
    assert "wifi_points_not_grown_fivefold" in {r.expectation for r in outcome.warnings}
    with psycopg.connect(url) as conn:
        problems = conn.execute(
            "select p.severity, p.table_name, p.row_number, p.value, p.message_en, p.message_vi,"
            " l.warning_count from audit.submission_problems p"
            " join audit.load_log l using (load_id)"
            " where l.submission_id = %s and p.code = %s order by p.row_number",
            (second.submission_id, CODE),
        ).fetchall()
    assert len(problems) == 2, problems
    bts, wifi = problems
    assert bts[:4] == ("warning", "indicators", 1, "900")
    assert "900 in 2022-H1 is less than half of the 2,000 reported for 2021" in bts[4]
    assert "giảm hơn một nửa so với 2.000" in bts[5]
    assert wifi[:4] == ("warning", "indicators", 2, "600")
    assert "more than five times" in wifi[4] and "tăng hơn năm lần" in wifi[5]
    assert bts[6] == 2, "the load's warning count includes them"
