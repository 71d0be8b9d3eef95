"""The two seed reports, as valid submissions in every carrier."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from submission_builders import (
    CARRIERS,
    check,
    codes,
    data_row,
    ha_long_2022_h1,
    quang_ninh_2024_q1,
)

from dxw.submission import TABLES


@pytest.mark.parametrize("carrier", CARRIERS)
def test_ha_long_2022_h1_is_valid_without_warnings(carrier: str, tmp_path: Path) -> None:
    result, problems = check(ha_long_2022_h1(), carrier, tmp_path)
    assert problems == []
    assert result is not None
    assert result.carrier == carrier
    assert result.locality.code == "193"
    assert result.locality.level == "district"
    assert result.period.code == "2022-H1"
    assert result.period.type == "half"
    assert result.submitted_on == date(2022, 7, 8)
    assert result.agency == "UBND thành phố Hạ Long"
    assert result.contact_email == "cds@halong.gov.vn"
    assert "cds@" not in repr(result)
    assert result.framework == "09-NQ/TU"
    values = {row[0]: row[1] for row in result.indicators}
    assert values == {
        "wifi_points_in_service": 123,
        "network_connection_points": 38,
        "digital_certificate_units_pct": 100,
        "plan_indicators_on_track": 3,
        "plan_indicators_total": 23,
        "plan_criteria_on_track": 13,
        "plan_criteria_total": 23,
    }
    assert all(len(row) == len(TABLES["indicators"].columns) for row in result.indicators)
    assert result.indicators[3][2] == "Kế hoạch 122/KH-UBND ngày 24/3/2022"
    assert result.wifi_points == [] and result.goals == []


@pytest.mark.parametrize("carrier", CARRIERS)
def test_quang_ninh_2024_q1_is_accepted_with_percentage_warnings(
    carrier: str, tmp_path: Path
) -> None:
    result, problems = check(quang_ninh_2024_q1(), carrier, tmp_path)
    assert result is not None
    assert codes(problems) == ["percent_disagrees"] * 4
    assert result.warnings == tuple(problems)
    assert result.locality.code == "22"
    assert result.period.code == "2024-Q1"
    by_row = {p.row: p for p in problems}
    overall = by_row[data_row(carrier, 0)]
    assert overall.table == "goal_summary" and overall.column == "reported_pct"
    assert "7/20 = 35%" in overall.message_en and "40%" in overall.message_en
    assert "7/20 = 35%" in overall.message_vi
    assert "3/10 = 30%" in by_row[data_row(carrier, 1)].message_en
    assert "1/5 = 20%" in by_row[data_row(carrier, 2)].message_en
    assert "3/5 = 60%" in by_row[data_row(carrier, 3)].message_en
    # both the reported and the counted figures are kept
    assert result.goal_summary[0] == ("09-NQ/TU", "all", 20, 7, 13, 40)
    assert [row[1] for row in result.goal_summary] == [
        "all",
        "digital_government",
        "digital_economy",
        "digital_society",
    ]
