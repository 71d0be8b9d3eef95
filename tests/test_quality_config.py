"""Unit tests of the data-quality gates: configuration, severities, result rows, DAG wiring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from dxw.quality.config import (
    QualityConfigError,
    check_configuration,
    expectations_dir,
    load_gates,
    load_severity,
    load_suite_document,
    parse_gates,
    parse_severity,
    render_query,
    with_severity,
)
from dxw.quality.gates import accepted_submission_ids, sqlalchemy_url
from dxw.quality.results import SAMPLE_ROWS, jsonable, redact, result_row, result_rows

REPO = Path(__file__).resolve().parents[1]


# -- the committed configuration --------------------------------------------------------------
def test_committed_configuration_is_consistent() -> None:
    assert check_configuration() == []


def test_one_suite_per_guarded_table_named_after_it() -> None:
    gates = load_gates()
    assert set(gates) == {"raw", "marts"}
    names = [s.name for g in gates.values() for s in g.suites]
    assert len(names) == len(set(names))
    for required in (
        "raw.submissions",
        "raw.indicators",
        "marts.fct_goal_attainment",
        "marts.fct_locality_scorecard",
    ):
        assert required in names
    for gate in gates.values():
        for spec in gate.suites:
            assert spec.name.split(".")[0] == gate.name
            assert (expectations_dir() / "suites" / f"{spec.name}.json").exists()
            if spec.table:
                assert spec.table == spec.name
    assert gates["raw"].reads_as == "loader" and gates["marts"].reads_as == "transformer"


def test_no_suite_or_config_holds_a_connection_string() -> None:
    for path in expectations_dir().rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "postgresql://" not in text and "postgres://" not in text, path


def test_every_suite_is_valid_for_great_expectations() -> None:
    import great_expectations as gx

    severities = load_severity()
    for gate in load_gates().values():
        for spec in gate.suites:
            document = with_severity(load_suite_document(spec.name), severities[spec.name])
            suite = gx.ExpectationSuite(**document)
            assert len(suite.expectations) == len(document["expectations"]), spec.name
            for expectation in suite.expectations:
                assert expectation.severity.value == severities[spec.name][expectation.meta["name"]]
                assert expectation.description, (spec.name, expectation.meta["name"])


def test_severities_chosen_for_the_issue() -> None:
    severity = load_severity()
    assert severity["raw.submissions"]["period_not_far_in_future"] == "critical"
    assert severity["raw.indicators"]["wifi_points_not_halved"] == "warning"
    assert severity["marts.fct_goal_attainment"]["reported_pct_agrees_with_counts"] == "warning"
    assert severity["marts.fct_goal_attainment"]["grain_unique"] == "critical"
    for suite in load_gates()["marts"].suites:
        assert severity[suite.name]["grain_unique"] == "critical"
        assert severity[suite.name]["locality_known"] == "critical"


def test_raw_queries_are_scoped_and_start_with_select() -> None:
    for spec in load_gates()["raw"].suites:
        text = spec.query_file.read_text() if spec.query_file else ""
        assert "{{ submission_ids }}" in text, spec.name
        assert "contact_email" not in text, f"{spec.name} must not read personal data"
        sql = spec.query([3, 1, 2])
        assert sql.lower().startswith("select ")
        assert "in (1, 2, 3)" in sql and "{{" not in sql


# -- severity.yml -----------------------------------------------------------------------------
def test_marts_gate_reads_the_built_tables_and_defers_the_others() -> None:
    """Before publication the gate reads what the build wrote (marts_build); a table a
    selection did not build is read where it is published, as dbt's --defer reads it."""
    gate = load_gates()["marts"]
    document = {"expectations": [{"kwargs": {"unexpected_rows_query": (
        "select * from marts.fct_wifi_points as f"
        " left join marts.dim_locality as d on f.locality_id = d.locality_id"
        " left join marts.dim_locality_extra as x on true"
    )}}]}  # fmt: skip

    def query(spec: object) -> str:
        return spec.rebase(document)["expectations"][0]["kwargs"]["unexpected_rows_query"]  # type: ignore[attr-defined]

    everything = gate.reading("marts_build")
    assert query(everything).count("marts_build.") == 3
    selection = gate.reading("marts_build", ["fct_wifi_points"])
    assert [s.name for s in selection.suites] == ["marts.fct_wifi_points"]
    assert selection.suites[0].table == "marts_build.fct_wifi_points"
    rebased = query(selection)
    assert "from marts_build.fct_wifi_points" in rebased
    assert "join marts.dim_locality as d" in rebased
    assert "join marts.dim_locality_extra" in rebased
    assert gate.reading().rebase(document) == document
    assert gate.reading("marts_build", ["dim_indicator"]).suites == ()


def test_parse_severity_normalises_levels() -> None:
    parsed = parse_severity(yaml.safe_load("raw.x:\n  a: critical\n  b: WARNING\n  c: info\n"))
    assert parsed == {"raw.x": {"a": "critical", "b": "warning", "c": "info"}}


@pytest.mark.parametrize(
    "text",
    ["raw.x:\n  a: fatal\n", "raw.x: [a, b]\n", "- raw.x\n", "raw.x:\n  a: true\n"],
)
def test_parse_severity_rejects_malformed_files(text: str) -> None:
    with pytest.raises(QualityConfigError):
        parse_severity(yaml.safe_load(text))


def _suite(*names: str) -> dict:
    return {
        "name": "raw.x",
        "expectations": [
            {"type": "expect_column_values_to_be_between", "kwargs": {"column": n},
             "meta": {"name": n}}
            for n in names
        ],
    }  # fmt: skip


def test_with_severity_sets_gx_severity_and_meta() -> None:
    applied = with_severity(_suite("a", "b"), {"a": "critical", "b": "warning"})
    assert [e["severity"] for e in applied["expectations"]] == ["critical", "warning"]
    assert applied["expectations"][1]["meta"] == {"name": "b", "severity": "warning"}


@pytest.mark.parametrize(
    ("names", "severities", "message"),
    [
        (("a", "b"), {"a": "critical"}, "no severity"),
        (("a",), {"a": "critical", "zz": "warning"}, "no expectations"),
        (("a", "a"), {"a": "critical"}, "duplicate"),
    ],
)
def test_with_severity_demands_a_decision_per_expectation(names, severities, message) -> None:
    with pytest.raises(QualityConfigError, match=message):
        with_severity(_suite(*names), severities)


def test_expectation_without_name_is_rejected() -> None:
    document = {"name": "raw.x", "expectations": [{"type": "t", "kwargs": {}}]}
    with pytest.raises(QualityConfigError, match=r"meta\.name"):
        with_severity(document, {})


def test_check_configuration_reports_a_missing_severity(tmp_path: Path) -> None:
    root = tmp_path / "expectations"
    (root / "suites").mkdir(parents=True)
    (root / "queries").mkdir()
    (root / "queries" / "raw.x.sql").write_text("select 1 where 1 in ({{ submission_ids }})")
    (root / "gates.yml").write_text(
        "raw:\n  reads_as: loader\n  suites:\n    raw.x: {query: queries/raw.x.sql}\n"
    )
    (root / "suites" / "raw.x.json").write_text(json.dumps(_suite("a", "b")))
    (root / "severity.yml").write_text("raw.x:\n  a: critical\n")
    problems = check_configuration(root)
    assert problems and "no severity for ['b']" in problems[0]
    (root / "severity.yml").write_text("raw.x:\n  a: critical\n  b: warning\n")
    assert check_configuration(root) == []


# -- gates.yml and queries --------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "silver:\n  reads_as: loader\n  suites: {}\n",
        "raw:\n  reads_as: bi\n  suites: {}\n",
        "raw:\n  reads_as: loader\n  suites:\n    raw.x: {table: raw.x, query: q.sql}\n",
        "raw:\n  reads_as: loader\n  suites:\n    raw.x: {}\n",
    ],
)
def test_parse_gates_rejects_malformed_files(text: str, tmp_path: Path) -> None:
    with pytest.raises(QualityConfigError):
        parse_gates(yaml.safe_load(text), tmp_path)


def test_render_query_accepts_only_integer_ids() -> None:
    sql = "with s as (select 1 as n) select * from s where n in ({{ submission_ids }})"
    rendered = render_query(sql, [5, 2, 5])
    assert rendered.startswith("select * from (") and "in (2, 5)" in rendered
    assert "in (null)" in render_query(sql, [])
    assert render_query("select 1 -- note", []) == "select 1 -- note"
    for bad in (["1); drop table raw.submissions; --"], [True], [1.5]):
        with pytest.raises(QualityConfigError):
            render_query(sql, bad)  # type: ignore[arg-type]


def test_accepted_submission_ids_from_ingest_results() -> None:
    results = [
        [{"outcome": "accepted", "submission_id": 7}, {"outcome": "rejected"}],
        [{"outcome": "duplicate", "submission_id": None, "duplicate_of": 3}],
        [{"outcome": "accepted", "submission_id": 2}, {"outcome": "accepted", "submission_id": 7}],
    ]
    assert accepted_submission_ids(results) == [2, 7]
    assert accepted_submission_ids([]) == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "postgres://u:p%40w@127.0.0.1:5432/dxw",
            "postgresql+psycopg2://u:p%40w@127.0.0.1:5432/dxw",
        ),
        ("postgresql://u:p@h/dxw?__extra__=%7B%7D", "postgresql+psycopg2://u:p@h/dxw"),
        (
            "postgresql://u:p@h/dxw?sslmode=require",
            "postgresql+psycopg2://u:p@h/dxw?sslmode=require",
        ),
    ],
)
def test_sqlalchemy_url(url: str, expected: str) -> None:
    assert sqlalchemy_url(url) == expected


def test_sqlalchemy_url_refuses_other_databases() -> None:
    with pytest.raises(ValueError, match="PostgreSQL"):
        sqlalchemy_url("mysql://u:p@h/db")


# -- result rows ------------------------------------------------------------------------------
def _evr(type_: str, success: bool, result: dict, severity: str = "warning", **extra) -> dict:
    return {
        "success": success,
        "expectation_config": {
            "type": type_,
            "kwargs": extra.pop("kwargs", {}),
            "meta": {"name": "check", "severity": severity},
            "severity": severity,
            "description": "what it checks",
        },
        "result": result,
        "exception_info": extra.pop(
            "exception_info",
            {"raised_exception": False, "exception_message": None, "exception_traceback": None},
        ),
    }


def test_row_of_unexpected_rows_expectation_keeps_a_redacted_sample() -> None:
    rows = [
        {"locality_code": "22", "locality_name": "Quảng Ninh", "pillar": "all",
         "computed_pct": 35.0, "reported_pct": 40.0, "contact_email": "a@example.vn"}
        for _ in range(SAMPLE_ROWS + 5)
    ]  # fmt: skip
    evr = _evr(
        "unexpected_rows_expectation",
        False,
        {"observed_value": len(rows), "details": {"unexpected_rows": rows}},
    )
    row = result_row("marts", "marts_gate", "marts.fct_goal_attainment", evr)
    assert (row.gate, row.suite, row.expectation, row.severity) == (
        "marts", "marts.fct_goal_attainment", "check", "warning",
    )  # fmt: skip
    assert not row.success and not row.failed_critical and row.failed_warning
    assert row.unexpected_count == row.observed_value == len(rows)
    assert len(row.unexpected_sample) == SAMPLE_ROWS
    assert row.unexpected_sample[0]["reported_pct"] == 40.0
    assert "contact_email" not in row.unexpected_sample[0]
    assert row.description == "what it checks"
    assert "WARNING" in row.line() and "Quảng Ninh" in row.line()


def test_row_of_column_expectation_uses_the_index_columns() -> None:
    evr = _evr(
        "expect_column_values_to_be_between",
        False,
        {
            "element_count": 10,
            "unexpected_count": 1,
            "unexpected_percent": 10.0,
            "partial_unexpected_list": [150],
            "unexpected_index_list": [{"locality_code": "22", "period": "2024-Q1", "pct": 150}],
        },
        severity="critical",
        kwargs={"column": "pct", "min_value": 0, "max_value": 100},
    )
    row = result_row("marts", "marts_gate", "marts.t", evr)
    assert row.failed_critical and row.column_name == "pct"
    assert (row.element_count, row.unexpected_count, row.unexpected_percent) == (10, 1, 10.0)
    assert row.unexpected_sample == [{"locality_code": "22", "period": "2024-Q1", "pct": 150}]


def test_row_without_index_wraps_plain_values() -> None:
    evr = _evr(
        "expect_column_values_to_be_in_set",
        False,
        {"unexpected_count": 2, "partial_unexpected_list": [False, False]},
        kwargs={"column": "flag"},
    )
    assert result_row("raw", "raw_gate", "raw.x", evr).unexpected_sample == [
        {"value": False},
        {"value": False},
    ]


def test_evaluation_error_counts_as_failure() -> None:
    nested = {
        "MetricConfigurationID(a)": {
            "raised_exception": True,
            "exception_message": 'The column "nope" in BatchData does not exist.',
            "exception_traceback": "Traceback ...",
        }
    }
    evr = _evr("expect_column_values_to_be_between", True, {}, severity="critical",
               exception_info=nested)  # fmt: skip
    row = result_row("raw", "raw_gate", "raw.x", evr)
    assert not row.success and row.failed_critical
    assert row.exception_message and "nope" in row.exception_message


def test_passing_row_and_ordering() -> None:
    ok = _evr("expect_table_row_count_to_be_between", True, {"observed_value": 34},
              severity="critical")  # fmt: skip
    rows = result_rows("marts", "marts_gate", [("marts.b", [ok]), ("marts.a", [ok])])
    assert [r.suite for r in rows] == ["marts.a", "marts.b"]
    assert rows[0].success and rows[0].observed_value == 34 and rows[0].unexpected_count is None


def test_jsonable_and_redact() -> None:
    from datetime import date
    from decimal import Decimal

    value = {"d": date(2024, 3, 31), "n": Decimal("35.0"), "x": Decimal("0.5"), "f": float("nan")}
    assert jsonable(value) == {"d": "2024-03-31", "n": 35, "x": 0.5, "f": "nan"}
    assert redact({"a": 1, "Contact_Email": "x", "nested": [{"phone": 1, "b": 2}]}) == {
        "a": 1,
        "nested": [{"b": 2}],
    }


# -- DAG wiring (parse only, no database) -----------------------------------------------------
_PROBE = """
import json
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder={folder!r})
out = {{"errors": {{k: str(v) for k, v in bag.import_errors.items()}}}}
for dag_id in ("dxw_ingest", "dxw_transform"):
    dag = bag.dags[dag_id]
    out[dag_id] = {{t.task_id: sorted(t.downstream_task_ids) for t in dag.tasks}}
    out[dag_id + "_outlets"] = {{t.task_id: [a.uri for a in t.outlets] for t in dag.tasks}}
print(json.dumps(out))
"""


def test_gates_sit_between_loading_and_publication(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DXW_HOME": str(tmp_path / "home"),
        "AIRFLOW_HOME": str(tmp_path / "airflow"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__CORE__UNIT_TEST_MODE": "True",
    }
    env.pop("DXW_WAREHOUSE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", _PROBE.format(folder=str(REPO / "dags"))],
        env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    parsed = json.loads(out.stdout.strip().splitlines()[-1])
    assert parsed["errors"] == {}
    ingest, transform = parsed["dxw_ingest"], parsed["dxw_transform"]
    assert "raw_quality_gate" in ingest["ingest_batch"]
    assert ingest["raw_quality_gate"] == ["publish"]
    assert parsed["dxw_ingest_outlets"]["raw_quality_gate"] == []
    assert "marts_quality_gate" in transform["dbt_build"]  # the no-manifest fallback
    # Write, audit, publish: nothing reaches `marts` (nor the Asset) before the gate passed.
    assert transform["marts_quality_gate"] == ["publish_marts"]
    assert sorted(transform["publish_marts"]) == ["publish_docs", "source_freshness"]
    assert parsed["dxw_transform_outlets"]["publish_marts"] == ["dxw://warehouse/marts"]
    assert parsed["dxw_transform_outlets"]["publish_docs"] == []


def test_held_ids_follow_the_complete_list_of_failing_rows() -> None:
    from dxw.quality.gates import held_ids
    from dxw.quality.results import DqResult

    def result(severity: str, success: bool, sample: list[dict]) -> DqResult:
        return DqResult(gate="raw", checkpoint="raw", suite="raw.indicators", expectation="x",
                        expectation_type="t", severity=severity, success=success,
                        unexpected_sample=sample)  # fmt: skip

    key = ("raw.indicators", "x")
    # The sample names 1 submission, the complete list 25: all 25 are held.
    sampled = result("critical", False, [{"submission_id": 1}])
    complete = {key: frozenset(range(1, 26))}
    assert set(held_ids([sampled], range(1, 31), complete)) == set(range(1, 26))
    assert held_ids([sampled], [5, 7], {key: frozenset({7, 99})}) == {7: "raw.indicators:x"}
    # Without a complete list (an aggregate failure, an evaluation error) or with an empty
    # one, every submission checked is held; the sample is never used.
    assert held_ids([sampled], [5, 7], {}) == {5: "raw.indicators:x", 7: "raw.indicators:x"}
    assert set(held_ids([sampled], [5, 7], {key: frozenset()})) == {5, 7}
    assert held_ids([result("warning", False, [{"submission_id": 7}])], [7], complete) == {}
    assert held_ids([result("critical", True, [])], [7], complete) == {}
