"""The dbt project against a real embedded PostgreSQL: one build shared by the module.

Raw rows are loaded as the loader role with the real loader (`tests/data/examples.py`: the
reference figures of the seeds plus cases for each rule); `dxw.transform.dbt.build` runs `dbt build`
(seeds, models, contracts, data and unit tests) as the transformer role.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.transform.dbt import build, docs_dir, manifest_path

from .conftest import own_warehouse
from .data.examples import Submission, insert_reference_submissions, insert_submission

MARTS = {
    "dim_locality": ["locality_id"],
    "dim_period": ["period"],
    "dim_indicator": ["indicator_code"],
    "fct_wifi_points": ["locality_id", "period", "point_id"],
    "fct_mobile_coverage": ["locality_id", "period"],
    "fct_stock_figures": ["locality_id", "period", "figure"],
    "fct_network_links": ["locality_id", "period"],
    "fct_goal_status": ["locality_id", "period", "framework", "goal_code"],
    "fct_goal_attainment": ["locality_id", "period", "framework", "pillar"],
    "fct_plan_progress": ["locality_id", "period"],
    "fct_locality_scorecard": ["locality_id", "period"],
}
HONG_HA = "legacy:commune:06697"


def _wifi_rows(prefix: str, count: int) -> list[tuple[Any, ...]]:
    return [
        (f"{prefix}-{n}", None, None, 20.9 + n / 1000, 107.0, "active", date(2022, 1, 1))
        for n in range(count)
    ]


@pytest.fixture(scope="module")
def built() -> Iterator[dict[str, Any]]:
    with own_warehouse("dxw-dbt-") as config:
        ids = insert_reference_submissions(warehouse_url("loader", config))
        with psycopg.connect(warehouse_url("loader", config)) as conn:
            ids["hong-ha"] = insert_submission(
                conn,
                Submission(HONG_HA, "2022-H1", date(2022, 7, 4), wifi_points=_wifi_rows("HH", 3)),
            )
        started = time.monotonic()
        code = build(config).code
        seconds = time.monotonic() - started
        assert code == 0, f"dbt build failed; see {config.home / 'dbt' / 'logs' / 'dbt.log'}"
        yield {"config": config, "ids": ids, "seconds": seconds}


def query(config: Settings, sql: str, *params: object, role: str = "owner") -> list[tuple]:
    with psycopg.connect(warehouse_url(role, config)) as conn:
        return conn.execute(sql, params).fetchall()  # type: ignore[arg-type]


def one(config: Settings, sql: str, *params: object) -> dict[str, Any]:
    with psycopg.connect(warehouse_url("owner", config)) as conn, conn.cursor() as cur:
        cur.execute(sql, params)  # type: ignore[arg-type]
        rows = cur.fetchall()
        assert len(rows) == 1, rows
        names = [c.name for c in cur.description or ()]
        return dict(zip(names, rows[0], strict=True))


def test_build_publishes_docs_and_manifest(built: dict[str, Any]) -> None:
    config = built["config"]
    assert (docs_dir(config) / "index.html").exists()
    assert (docs_dir(config) / "catalog.json").exists()
    assert manifest_path(config).exists()
    assert (config.dbt_dir / "target" / "run_results.json").exists()


def test_build_command_runs_a_selection(
    built: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from dxw.transform.cli import build as build_command

    monkeypatch.setenv("DXW_HOME", str(built["config"].home))
    monkeypatch.delenv("DXW_WAREHOUSE_URL", raising=False)
    result = CliRunner().invoke(build_command, ["--select", "dim_indicator"])
    assert result.exit_code == 0, result.output
    assert "dbt build succeeded" in result.output
    assert "source freshness (1 source(s)" in result.output and ": fresh" in result.output
    # Where the time went, step by step (a selection no suite guards has no gate to speak of).
    took = next(line for line in result.output.splitlines() if line.startswith("took: "))
    assert "source freshness" in took and "dbt build" in took and "docs" in took, took


def test_models_land_in_exactly_their_schemas(built: dict[str, Any]) -> None:
    rows = query(
        built["config"],
        "select table_schema, table_name from information_schema.tables"
        " where table_schema in ('staging', 'intermediate', 'marts')",
    )
    schemas = {name: schema for schema, name in rows}
    assert {name for name, schema in schemas.items() if schema == "marts"} >= set(MARTS)
    assert schemas["stg_raw__submissions"] == "staging"
    assert schemas["int_submissions__latest"] == "intermediate"
    assert schemas["seed_localities"] == "staging"


@pytest.mark.parametrize("mart", sorted(MARTS))
def test_grain_of_every_mart(built: dict[str, Any], mart: str) -> None:
    key = ", ".join(MARTS[mart])
    rows, keys = query(
        built["config"],
        f"select count(*), count(distinct ({key})) from marts.{mart}",  # noqa: S608
    )[0]
    assert rows > 0
    assert rows == keys, f"{mart} has duplicate ({key})"


def test_bi_reads_every_mart(built: dict[str, Any]) -> None:
    config = built["config"]
    tables = [
        t for (t,) in query(config, "select tablename from pg_tables where schemaname = 'marts'")
    ]
    assert set(tables) >= set(MARTS)
    for table in tables:
        query(config, f"select * from marts.{table} limit 1", role="bi")  # noqa: S608
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        query(config, "select * from intermediate.int_submissions__latest", role="bi")


def test_dim_locality_keeps_codes_apart_by_date(built: dict[str, Any]) -> None:
    rows = query(
        built["config"],
        "select era, locality_name, valid_from, valid_to, province_code_2025"
        " from marts.dim_locality where locality_code = '06688' order by era",
    )
    assert rows == [
        ("2025", "Hạ Long", date(2025, 7, 1), None, "22"),
        ("legacy", "Hồng Hải", None, date(2025, 6, 30), "22"),
    ]
    counts = dict(
        query(built["config"], "select era, count(*) from marts.dim_locality group by era")
    )
    assert counts == {"legacy": 63 + 696 + 10035, "2025": 34 + 3321}


def test_dim_period_spine(built: dict[str, Any]) -> None:
    counts = dict(
        query(built["config"], "select period_type, count(*) from marts.dim_period group by 1")
    )
    assert counts == {"year": 21, "half": 42, "quarter": 84, "month": 252}
    row = one(built["config"], "select * from marts.dim_period where period = '2022-H1'")
    assert (row["period_start"], row["period_end"], row["year"]) == (
        date(2022, 1, 1), date(2022, 6, 30), 2022,
    )  # fmt: skip


def test_superseded_submission_stays_out(built: dict[str, Any]) -> None:
    config, ids = built["config"], built["ids"]
    rows = query(
        config,
        "select count(*), min(point_id), max(submission_id), min(submission_id)"
        " from marts.fct_wifi_points where locality_code = '193' and period = '2022-H1'",
    )
    assert rows == [(123, "HL-001", ids["ha-long:2022-H1"], ids["ha-long:2022-H1"])]
    coverage = one(
        config,
        "select * from marts.fct_mobile_coverage where locality_code = '193'"
        " and period = '2022-H1'",
    )
    assert coverage["bts_4g_in_service"] == 500  # not the superseded 480
    superseded = ids["ha-long:2022-H1"] - 1
    for mart in MARTS:
        if mart.startswith("fct_") and mart != "fct_locality_scorecard":
            sql = f"select count(*) from marts.{mart} where submission_id = %s"  # noqa: S608
            assert query(config, sql, superseded) == [(0,)], mart


def test_plan_progress_of_ha_long(built: dict[str, Any]) -> None:
    row = one(built["config"], "select * from marts.fct_plan_progress where locality_code = '193'")
    assert (row["plan_indicators_on_track"], row["plan_indicators_total"]) == (3, 23)
    assert (row["plan_criteria_on_track"], row["plan_criteria_total"]) == (13, 23)
    assert row["plan_indicators_on_track_pct"] == Decimal("13.0")
    assert row["plan_criteria_on_track_pct"] == Decimal("56.5")
    assert row["framework"] == "122/KH-UBND"


def test_growth_and_connection_rates(built: dict[str, Any]) -> None:
    config = built["config"]
    growth = one(
        config,
        "select * from marts.fct_mobile_coverage where locality_code = '193'"
        " and period = '2022-H1'",
    )
    assert (growth["previous_period"], growth["bts_4g_growth_pct"]) == ("2021-H2", Decimal("11.1"))
    assert (growth["year_end_period"], growth["bts_4g_growth_vs_year_end_pct"]) == (
        "2021-H2", Decimal("11.1"),
    )  # fmt: skip
    network = {
        row[0]: row[1:]
        for row in query(
            config,
            "select locality_code, connection_points, units_connected, units_total,"
            " connection_rate_pct, counts_source from marts.fct_network_links",
        )
    }
    assert network["22"] == (None, 251, 253, Decimal("99.2"), "indicators")
    assert query(config, "select rate_source from marts.fct_network_links"
                 " where locality_code = '290'") == [("network_links",)]  # fmt: skip
    assert network["193"] == (38, None, None, None, "indicators")
    assert network["290"] == (3, 3, 4, Decimal("75.0"), "network_links")


def test_reported_versus_computed_on_quang_ninh(built: dict[str, Any]) -> None:
    rows = query(
        built["config"],
        "select pillar, goals_total, goals_achieved, goals_in_progress, attainment_pct,"
        " reported_pct, is_reported_pct_consistent from marts.fct_goal_attainment"
        " where locality_code = '22' and period = '2024-Q1' and framework = '09-NQ/TU'",
    )
    assert {r[0]: r[1:] for r in rows} == {
        "all": (20, 7, 13, Decimal("35.0"), Decimal("40"), False),
        "digital_government": (10, 3, 7, Decimal("30.0"), Decimal("60"), False),
        "digital_economy": (5, 1, 4, Decimal("20.0"), Decimal("30"), False),
        "digital_society": (5, 3, 2, Decimal("60.0"), Decimal("40"), False),
    }


def test_goal_level_detail_wins(built: dict[str, Any]) -> None:
    config = built["config"]
    row = one(
        config,
        "select * from marts.fct_goal_attainment where locality_code = '31' and pillar = 'all'",
    )
    assert (row["goals_total"], row["goals_achieved"], row["counts_source"]) == (4, 2, "goals")
    assert row["is_reported_pct_consistent"] is True
    statuses = query(
        config,
        "select goal_code, is_achieved from marts.fct_goal_status"
        " where locality_code = '31' order by goal_code",
    )
    assert statuses[0] == ("CQS-01", True)
    assert len(statuses) == 4


def test_scorecard_rolls_up_across_the_reorganisation(built: dict[str, Any]) -> None:
    config = built["config"]
    quang_ninh = one(
        config,
        "select * from marts.fct_locality_scorecard"
        " where locality_code = '22' and period = '2022-H1'",
    )
    # Hạ Long's 123 points (legacy district 193) under 2025 province 22; the ward 06688's 12
    # and 06697's 3 are covered by their district's report, not added.
    assert quang_ninh["wifi_points_in_service"] == 123
    assert quang_ninh["locality_id"] == 2100022
    # Network units from the legacy province's report, connection points from Hạ Long's.
    assert (quang_ninh["network_units_connected"], quang_ninh["network_units_total"]) == (251, 253)
    assert quang_ninh["network_connection_rate_pct"] == Decimal("99.2")
    assert quang_ninh["network_connection_points"] == 38
    assert quang_ninh["submissions_reporting"] == 4
    hai_phong = one(
        config,
        "select * from marts.fct_locality_scorecard"
        " where locality_code = '31' and period = '2022-H1'",
    )
    # Legacy Hải Dương districts 288 (Wi-Fi, BTS) and 290 (network rows) under Hải Phòng,
    # beside legacy Hải Phòng's own 2,159 BTS.
    assert hai_phong["wifi_points_in_service"] == 40
    assert hai_phong["bts_4g_in_service"] == 300 + 2159
    assert (hai_phong["network_units_connected"], hai_phong["network_units_total"]) == (3, 4)
    assert quang_ninh["goal_attainment_pct"] is None
    # No row for a province nobody in reported: Quảng Ninh, Hải Phòng and Hà Nội did.
    rows = query(
        config,
        "select locality_code from marts.fct_locality_scorecard"
        " where period = '2022-H1' order by 1",
    )
    assert rows == [("01",), ("22",), ("31",)]
    assert query(
        config,
        "select goal_attainment_pct from marts.fct_locality_scorecard"
        " where locality_code = '22' and period = '2024-Q1'",
    ) == [(Decimal("35.0"),)]


def _snapshot(config: Settings) -> set[tuple]:
    return set(query(config, "select * from marts.fct_wifi_points"))


def test_incremental_equals_full_refresh(built: dict[str, Any]) -> None:
    config = built["config"]
    before = _snapshot(config)
    assert sum(1 for row in before if row[2] == "06697") == 3
    with psycopg.connect(warehouse_url("loader", config)) as conn:
        # Hồng Hà re-sends 2022-H1 without Wi-Fi points: its 3 rows must go.
        insert_submission(conn, Submission(HONG_HA, "2022-H1", date(2022, 7, 9)))
        # A late, older copy of Hạ Long's report changes nothing.
        insert_submission(
            conn,
            Submission("legacy:district:193", "2022-H1", date(2022, 7, 1),
                       wifi_points=_wifi_rows("LATE", 2), label="late"),
        )  # fmt: skip
        # A new 2025 ward reports its points.
        insert_submission(
            conn,
            Submission("2025:commune:06688", "2025-H2", date(2026, 1, 5),
                       wifi_points=_wifi_rows("PHL", 5)),
        )  # fmt: skip
    result = build(config, select="fct_wifi_points")
    assert result.code == 0, str(result)
    incremental = _snapshot(config)
    assert build(config, full_refresh=True, select="fct_wifi_points").code == 0
    full = _snapshot(config)
    assert incremental == full
    assert not any(row[2] == "06697" for row in full)
    assert not any(row[4].startswith("LATE") for row in full)
    assert sum(1 for row in full if row[2] == "06688" and row[3] == "2025-H2") == 5
    assert len(full) == len(before) - 3 + 5


def test_hai_phong_growth_against_the_previous_year_end(built: dict[str, Any]) -> None:
    """The issue's held-out figure: 2,159 BTS at mid-2022 against 1,945 at the end of 2021."""
    config = built["config"]
    coverage = one(
        config,
        "select c.* from marts.fct_mobile_coverage c join marts.dim_locality d"
        " using (locality_id) where d.locality_key = 'legacy:province:31' and period = '2022-H1'",
    )
    assert (coverage["bts_4g_in_service"], coverage["bts_4g_in_service_previous"]) == (2159, 1945)
    assert (coverage["previous_period"], coverage["bts_4g_growth_pct"]) == ("2021", Decimal("11.0"))
    assert coverage["bts_4g_growth_vs_year_end_pct"] == Decimal("11.0")
    stock = one(
        config,
        "select * from marts.fct_stock_figures where locality_id = 1100031"
        " and period = '2022-H1' and figure = 'bts_4g_in_service'",
    )
    assert (stock["previous_period"], stock["growth_pct"], stock["is_change_plausible"]) == (
        "2021", Decimal("11.0"), True,
    )  # fmt: skip


def test_scorecard_marks_partial_provinces_and_ranks_only_complete_ones(
    built: dict[str, Any],
) -> None:
    config = built["config"]
    rows = {
        row[0]: row[1:]
        for row in query(
            config,
            "select locality_code, units_expected, units_reporting, is_complete, partial_figures,"
            " wifi_points_in_service, wifi_points_in_service_rank, bts_4g_in_service_rank"
            " from marts.fct_locality_scorecard where period = '2022-H1'",
        )
    }
    # Hà Nội's own report covers its 30 districts: complete, ranked.
    assert rows["01"] == (30, 30, True, None, 1500, 1, 1)
    # Quảng Ninh's provincial report (network units) covers its 13 districts, but its Wi-Fi and
    # BTS come from Hạ Long alone: shown, partial, not ranked.
    assert rows["22"][:3] == (13, 13, True) and "wifi" in rows["22"][3]
    assert rows["22"][4:] == (123, None, None)
    # Hải Phòng: 15 districts of its own (its provincial report) and 2 of Hải Dương's 12.
    assert rows["31"][:3] == (27, 17, False)
    assert rows["31"][5:] == (None, None)


def test_dti_follows_the_official_rule(built: dict[str, Any]) -> None:
    rows = {
        row[0]: row[1:]
        for row in query(
            built["config"],
            "select locality_code, dti_score, dti_score_rank, dti_provinces_reporting,"
            " dti_provinces_expected from marts.fct_locality_scorecard where period = '2024'",
        )
    }
    # Hải Phòng: mean of Hải Phòng's 0.62 and Hải Dương's 0.54 (the district's 0.9 never enters).
    assert rows["31"] == (Decimal("0.5800"), 2, 2, 2)
    assert rows["22"] == (Decimal("0.7000"), 1, 1, 1)
    # Khánh Hòa without Ninh Thuận's: no official figure, no rank.
    assert rows["56"] == (None, None, 1, 2)


def test_source_freshness_runs_and_is_recorded(built: dict[str, Any]) -> None:
    from dxw.transform.freshness import check_source_freshness

    config = built["config"]
    fresh = check_source_freshness(config, run_id="test__fresh")
    assert fresh.passed and fresh.sources == {"raw.submissions": "pass"}
    rows = query(
        config,
        "select expectation, severity, success, observed_value->>'status' from marts.dq_results"
        " where gate = 'freshness' and run_id = 'test__fresh' order by 1",
        role="bi",
    )
    assert rows == [
        ("loaded_within_error_after", "critical", True, "pass"),
        ("loaded_within_warn_after", "warning", True, "pass"),
    ]
    with psycopg.connect(warehouse_url("owner", config)) as conn:
        conn.execute("update raw.submissions set loaded_at = loaded_at - interval '60 days'")
    try:
        stale = check_source_freshness(config, run_id="test__stale")
    finally:
        with psycopg.connect(warehouse_url("owner", config)) as conn:
            conn.execute("update raw.submissions set loaded_at = loaded_at + interval '60 days'")
    assert stale.passed, "45 days without a report is a warning, not a failure"
    assert stale.sources == {"raw.submissions": "warn"}
    assert [r.expectation for r in stale.results if not r.success] == ["loaded_within_warn_after"]
    assert "raw.submissions: warn" in stale.lines()[0]


def test_view_swaps_take_turns_and_leave_no_backup(built: dict[str, Any]) -> None:
    """Views are replaced one at a time under an advisory lock, the old one dropped in the
    same transaction: two threads cascading into the same intermediate view deadlocked."""
    import threading

    from dxw.transform.dbt import dbt_env, run_dbt

    config = built["config"]
    view = "stg_raw__counting_submissions"
    oid_sql = (
        "select oid from pg_class where relnamespace = 'staging'::regnamespace and relname = %s"
    )
    before = query(config, oid_sql, view)
    results: list[Any] = []
    with psycopg.connect(warehouse_url("owner", config), autocommit=True) as holder:
        holder.execute("select pg_advisory_lock(hashtext('dxw view swap'))")
        runner = threading.Thread(
            target=lambda: results.append(
                run_dbt(
                    ["run", "--select", f"{view}+,config.materialized:view"],
                    config,
                    dbt_env(warehouse_url("transformer", config)),
                )
            )
        )
        runner.start()
        deadline = time.monotonic() + 120  # liveness only: dbt's start-up on a busy machine
        waiting: list[tuple] = []
        while not waiting and runner.is_alive() and time.monotonic() < deadline:
            time.sleep(0.2)
            waiting = holder.execute(
                "select pid from pg_locks where locktype = 'advisory' and not granted"
            ).fetchall()
        assert waiting, "dbt's view swap never waited for the view-swap lock"
        assert query(config, oid_sql, view) == before, "the view changed while the lock was held"
        holder.execute("select pg_advisory_unlock(hashtext('dxw view swap'))")
        runner.join(timeout=300)
    assert results and results[0].success, results
    assert query(config, oid_sql, view) != before, "the view was not replaced"
    assert not query(
        config,
        "select relname from pg_class where relnamespace in"
        " ('staging'::regnamespace, 'intermediate'::regnamespace) and relname like '%%__dbt_%%'",
    )
