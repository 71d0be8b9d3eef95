"""Holds and withdrawals through the command line, and what the next build makes of them.

On the shared warehouse, with reports of Yên Bái (legacy province 15), which no other test of
the session uses. `dxw holds` lists what the raw gate held, `dxw withdraw` takes a report out,
`dxw holds release` lets one back in: each reaches every fact mart at the next `dxw build`
(`dxw.transform.dbt.build`), and BI sees the holds in `marts.held_submissions`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import psycopg
import pytest
from click.testing import CliRunner, Result
from psycopg.rows import dict_row

from dxw.cli import main
from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.transform.dbt import build

from .data.examples import Submission, insert_submission

pytestmark = pytest.mark.slow

YEN_BAI = "legacy:province:15"
#: Every fact mart that carries the submission a row comes from.
FACTS = (
    "fct_wifi_points",
    "fct_mobile_coverage",
    "fct_stock_figures",
    "fct_network_links",
    "fct_plan_progress",
    "fct_goal_status",
    "fct_goal_attainment",
)


def _report(period: str, submitted: date, bts: int, label: str) -> Submission:
    return Submission(
        YEN_BAI,
        period,
        submitted,
        framework="KH-15",
        indicators={
            "bts_4g_in_service": bts,
            "network_units_connected": 10,
            "network_units_total": 12,
            "plan_indicators_on_track": 3,
            "plan_indicators_total": 10,
        },
        wifi_points=[
            (f"{label}-{n}", None, None, 21.7 + n / 100, 104.9, "active", date(2015, 5, 1))
            for n in range(3)
        ],
        goals=[("MT01", "digital_government", "achieved", None, None, 2020)],
        label=label,
    )


@pytest.fixture(scope="module")
def reports(warehouse: Settings) -> dict[str, int]:
    with psycopg.connect(warehouse_url("loader", warehouse)) as conn:
        return {
            "first": insert_submission(conn, _report("2016-H1", date(2016, 7, 5), 300, "yb1")),
            "correction": insert_submission(
                conn, _report("2016-H1", date(2016, 7, 20), 320, "yb2")
            ),
            "second_half": insert_submission(
                conn, _report("2016-H2", date(2017, 1, 10), 340, "yb3")
            ),
        }


def _dxw(warehouse: Settings, *args: str) -> Result:
    env = {"DXW_HOME": str(warehouse.home), "DXW_WAREHOUSE_URL": None}
    return CliRunner().invoke(main, list(args), env=env)


def _build(warehouse: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # Models only (their data tests belong to tests/test_dbt_models.py): this warehouse also
    # holds what other modules loaded.
    monkeypatch.setenv("DBT_INDIRECT_SELECTION", "empty")
    assert build(warehouse, select="resource_type:seed resource_type:model").code == 0


def _marts_with(warehouse: Settings, submission_id: int) -> set[str]:
    found = set()
    with psycopg.connect(warehouse_url("bi", warehouse)) as conn:
        for mart in FACTS:
            row = conn.execute(
                f"select count(*) from marts.{mart} where submission_id = %s",  # noqa: S608
                (submission_id,),
            ).fetchone()
            if row and row[0]:
                found.add(mart)
    return found


def _held_view(warehouse: Settings) -> list[dict[str, Any]]:
    with (
        psycopg.connect(warehouse_url("bi", warehouse)) as conn,
        conn.cursor(row_factory=dict_row) as cursor,
    ):
        return cursor.execute(
            "select * from marts.held_submissions where locality_key = %s", (YEN_BAI,)
        ).fetchall()


def test_hold_withdraw_and_release_reach_every_mart_at_the_next_build(
    warehouse: Settings, reports: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, correction, second_half = reports["first"], reports["correction"], reports["second_half"]
    _build(warehouse, monkeypatch)
    assert _marts_with(warehouse, correction) == set(FACTS)
    assert _marts_with(warehouse, first) == set()

    # The raw gate held the correction (as run_gate records a critical failure).
    with psycopg.connect(warehouse_url("loader", warehouse)) as conn:
        conn.execute(
            "insert into audit.held_submissions (submission_id, validation_id, reason)"
            " values (%s, gen_random_uuid(), 'raw.indicators:bts_4g_not_halved')",
            (correction,),
        )
    listed = _dxw(warehouse, "holds")
    assert listed.exit_code == 0, listed.output
    assert f"#{correction} held" in listed.output
    assert "raw.indicators:bts_4g_not_halved" in listed.output
    withdrawn = _dxw(warehouse, "withdraw", str(second_half), "--reason", "sent in error")
    assert withdrawn.exit_code == 0, withdrawn.output
    assert "no report of its locality and period counts now" in withdrawn.output
    assert _marts_with(warehouse, correction) == set(FACTS), "nothing changes before a build"

    _build(warehouse, monkeypatch)
    assert _marts_with(warehouse, correction) == set()
    assert _marts_with(warehouse, second_half) == set()
    assert _marts_with(warehouse, first) == set(FACTS), "the report it replaced is back"
    (held,) = _held_view(warehouse)
    assert (held["submission_id"], held["period"], held["reason"]) == (
        correction, "2016-H1", "raw.indicators:bts_4g_not_halved",
    )  # fmt: skip
    assert held["locality_code"] == "15" and held["held_since"] is not None
    assert not set(held) & {"contact_email", "agency", "file_name", "locality_input"}
    everything = _dxw(warehouse, "holds", "--all")
    assert f"#{second_half} withdrawn" in everything.output and "sent in error" in everything.output

    released = _dxw(warehouse, "holds", "release", str(correction))
    assert released.exit_code == 0, released.output
    assert "it counts for its locality and period from the next build" in released.output
    _build(warehouse, monkeypatch)
    assert _marts_with(warehouse, correction) == set(FACTS)
    assert _marts_with(warehouse, first) == set()
    assert _held_view(warehouse) == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("holds", "release", "999999999"), "no submission #999999999"),
        (("withdraw", "999999999", "--reason", "x"), "no submission #999999999"),
        (("withdraw", "1", "--reason", " "), "a withdrawal needs a reason"),
    ],
)
def test_holds_commands_refuse_clearly(
    warehouse: Settings, args: tuple[str, ...], message: str
) -> None:
    result = _dxw(warehouse, *args)
    assert result.exit_code == 1 and message in result.output, result.output


def test_release_of_a_submission_not_held_and_a_second_withdrawal(
    warehouse: Settings, reports: dict[str, int]
) -> None:
    result = _dxw(warehouse, "holds", "release", str(reports["first"]))
    assert result.exit_code == 1 and "is not held" in result.output
    with psycopg.connect(warehouse_url("loader", warehouse)) as conn:
        extra = insert_submission(conn, _report("2015-H1", date(2015, 7, 5), 280, "yb0"))
    assert _dxw(warehouse, "withdraw", str(extra), "--reason", "duplicate").exit_code == 0
    again = _dxw(warehouse, "withdraw", str(extra), "--reason", "duplicate")
    assert again.exit_code == 1 and "already withdrawn" in again.output
