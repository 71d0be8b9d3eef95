"""Every validation rule, in every carrier: errors reject, warnings are recorded."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from submission_builders import (
    CARRIERS,
    check,
    codes,
    data_row,
    field_row,
    find,
    ha_long_2022_h1,
    minimal,
    quang_ninh_2024_q1,
    wifi_rows,
    with_table,
)

from dxw.submission import Severity

pytestmark = pytest.mark.parametrize("carrier", CARRIERS)
LATE = date(2026, 1, 10)


def only_error(problems: list[Any], code: str) -> Any:
    """The single problem of a code, asserting it is an error."""
    found = find(problems, code)
    assert len(found) == 1, problems
    assert found[0].severity is Severity.ERROR
    return found[0]


def indicator_rows(**values: Any) -> list[dict[str, Any]]:
    """Indicator rows from code=value keywords."""
    return [{"indicator_code": k, "value": v} for k, v in values.items()]


# --- the submission table ------------------------------------------------------------------


def test_minimal_submission_is_valid(carrier: str, tmp_path: Path) -> None:
    result, problems = check(minimal(), carrier, tmp_path)
    assert problems == []
    assert result.locality.code == "22" and result.period.type == "year"
    assert result.agency is None and result.framework is None
    assert all(rows == [] for rows in result.tables.values())


def test_missing_submission_table(carrier: str, tmp_path: Path) -> None:
    sub = {"indicators": indicator_rows(bts_4g_in_service=10)}
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    assert only_error(problems, "missing_table").table == "submission"


@pytest.mark.parametrize("name", ["locality", "period", "submitted_on"])
def test_missing_required_field(carrier: str, tmp_path: Path, name: str) -> None:
    sub = minimal()
    del sub["submission"][name]
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "missing_field")
    assert problem.column == name and problem.table == "submission"


def test_blank_required_field(carrier: str, tmp_path: Path) -> None:
    sub = minimal(locality="  ")
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "missing_field")
    assert problem.column == "locality"
    assert problem.row == field_row(carrier, sub, "locality")


def test_unknown_locality(carrier: str, tmp_path: Path) -> None:
    sub = minimal(locality="Gotham")
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "unknown_locality")
    assert problem.value == "Gotham" and problem.row == field_row(carrier, sub, "locality")
    assert problem.message_en == (
        "locality (địa phương): 'Gotham' names no unit that existed on 2023-01-01 (period 2023)."
        " No Vietnamese administrative unit matches 'Gotham'. Reports for periods before"
        " 2025-07-01 are matched against the list of units as it stood on 2025-06-30 (the last"
        " day of the 63 provinces): a unit merged, split or renamed before that day is not in"
        " it. Write the name or code the unit had on 2025-06-30, or the unit that absorbed it."
    )
    assert problem.message_vi.startswith(
        "địa phương (locality): 'Gotham' không phải đơn vị hành chính tồn tại vào ngày 1/1/2023"
        " (kỳ 2023). Không tìm thấy đơn vị hành chính nào khớp với 'Gotham'."
    )
    assert "danh sách đơn vị hành chính tại ngày 30/6/2025" in problem.message_vi


def test_locality_that_did_not_exist_in_the_period(carrier: str, tmp_path: Path) -> None:
    result, problems = check(
        minimal(locality="193", period="2025-H2", submitted_on=LATE), carrier, tmp_path
    )
    assert result is None
    problem = only_error(problems, "unknown_locality")
    assert problem.message_en == (
        "locality (địa phương): '193' names no unit that existed on 2025-07-01 (period 2025-H2)."
        " Thành phố Hạ Long (193, Tỉnh Quảng Ninh) ceased to exist on 2025-06-30 (district"
        " level abolished); its area is now part of Tỉnh Quảng Ninh (22)."
    )
    assert problem.message_vi == (
        "địa phương (locality): '193' không phải đơn vị hành chính tồn tại vào ngày 1/7/2025"
        " (kỳ 2025-H2). Thành phố Hạ Long (193, Tỉnh Quảng Ninh) không còn tồn tại từ sau ngày"
        " 30/6/2025 (bỏ cấp huyện); địa bàn nay thuộc Tỉnh Quảng Ninh (22)."
    )


def test_ambiguous_locality_lists_the_candidates(carrier: str, tmp_path: Path) -> None:
    """The registry calls "Hạ Long" ambiguous after the reform (Phường Hạ Long, and the city it
    was): the message says so first, never that the name matches nothing."""
    _, problems = check(
        minimal(locality="Hạ Long", period="2026", submitted_on=LATE), carrier, tmp_path
    )
    problem = only_error(problems, "unknown_locality")
    assert problem.message_en.startswith(
        "locality (địa phương), period 2026: 'Hạ Long' is ambiguous on 2026-01-01: it matches"
        " Phường Hạ Long (06688, Tỉnh Quảng Ninh)"
    )
    assert "names no unit" not in problem.message_en
    assert "which existed until 2025-06-30" in problem.message_en
    assert problem.message_vi.startswith(
        "địa phương (locality), kỳ 2026: 'Hạ Long' không rõ ràng vào ngày 1/1/2026: khớp với"
        " Phường Hạ Long (06688, Tỉnh Quảng Ninh)"
    )
    assert "tồn tại đến ngày 30/6/2025" in problem.message_vi


def test_full_year_2025_is_resolved_at_its_end(carrier: str, tmp_path: Path) -> None:
    result, problems = check(
        minimal(locality="193", period="2025", submitted_on=LATE), carrier, tmp_path
    )
    assert result is None and codes(problems) == ["unknown_locality"]
    assert "existed on 2025-12-31 (period 2025)" in problems[0].message_en
    result, problems = check(
        minimal(locality="06688", period="2025", submitted_on=LATE), carrier, tmp_path
    )
    assert problems == []
    assert result.locality.era == "2025" and result.locality.name == "Hạ Long"


def test_periods_before_the_reform_resolve_legacy_units(carrier: str, tmp_path: Path) -> None:
    result, problems = check(
        minimal(locality="06688", period="2025-H1", submitted_on=LATE), carrier, tmp_path
    )
    assert problems == []
    assert result.locality.era == "legacy" and result.locality.name == "Hồng Hải"


def test_malformed_period(carrier: str, tmp_path: Path) -> None:
    sub = minimal(period="2022-H3")
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "invalid_period")
    assert problem.value == "2022-H3" and "2022-Q3" in problem.message_en
    assert problem.row == field_row(carrier, sub, "period")


def test_invalid_submitted_on(carrier: str, tmp_path: Path) -> None:
    result, problems = check(minimal(submitted_on="8/7"), carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "invalid_date")
    assert problem.column == "submitted_on" and "24/3/2022" in problem.message_en


def test_invalid_email(carrier: str, tmp_path: Path) -> None:
    result, problems = check(minimal(contact_email="cds at halong"), carrier, tmp_path)
    assert result is None
    assert only_error(problems, "invalid_email").column == "contact_email"


def test_unknown_field_with_suggestion(carrier: str, tmp_path: Path) -> None:
    result, problems = check(minimal(perod="2022"), carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "unknown_field")
    assert problem.value == "perod" and "Did you mean 'period'?" in problem.message_en


def test_field_given_twice_through_an_alias(carrier: str, tmp_path: Path) -> None:
    sub = minimal(**{"kỳ báo cáo": "2023"})
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    assert only_error(problems, "duplicate_field").column == "period"


def test_vietnamese_field_names_are_accepted(carrier: str, tmp_path: Path) -> None:
    sub = {
        "submission": {
            "Địa phương": "tỉnh Quảng Ninh",
            "KỲ BÁO CÁO": "2023-q4",
            "Ngày báo cáo": "15/1/2024",
            "Cơ quan báo cáo": "UBND tỉnh",
            "Văn bản căn cứ": "09-NQ/TU",
        }
    }
    result, problems = check(sub, carrier, tmp_path)
    assert problems == []
    assert result.period.code == "2023-Q4" and result.framework == "09-NQ/TU"


def test_submitted_before_the_period_starts_is_a_warning(carrier: str, tmp_path: Path) -> None:
    sub = minimal(period="2024-Q1", submitted_on=date(2023, 12, 20))
    result, problems = check(sub, carrier, tmp_path)
    assert result is not None
    assert codes(problems, "warning") == ["submitted_before_period"]
    assert problems[0].row == field_row(carrier, sub, "submitted_on")
    assert result.warnings == tuple(problems)


# --- indicators ----------------------------------------------------------------------------


def test_unknown_indicator_code(carrier: str, tmp_path: Path) -> None:
    sub = with_table(minimal(), "indicators", indicator_rows(wifi_point_in_service=10))
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "unknown_indicator")
    assert problem.row == data_row(carrier) and problem.column == "indicator_code"
    assert "Did you mean 'wifi_points_in_service'?" in problem.message_en


def test_indicator_names_are_accepted_in_place_of_codes(carrier: str, tmp_path: Path) -> None:
    rows = [
        {"indicator_code": "Số điểm phát sóng wifi miễn phí đang hoạt động", "value": 5},
        {"indicator_code": "DTI_SCORE", "value": "0,52"},
    ]
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert problems == []
    assert result.indicators == [("wifi_points_in_service", 5, None), ("dti_score", 0.52, None)]


def test_duplicate_indicator_code(carrier: str, tmp_path: Path) -> None:
    rows = indicator_rows(bts_4g_in_service=10) + indicator_rows(bts_4g_in_service=11)
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "duplicate_key")
    assert problem.row == data_row(carrier, 1)
    assert f"row {data_row(carrier, 0)}" in problem.message_en


@pytest.mark.parametrize(
    ("code", "value"),
    [
        ("coverage_4g_communes_pct", 120),
        ("digital_certificate_units_pct", -1),
        ("bts_4g_in_service", -3),
        ("dti_score", 1.5),
        ("dti_rank", 64),
        ("dti_rank", 0),
    ],
)
def test_indicator_value_outside_the_catalog_range(
    carrier: str, tmp_path: Path, code: str, value: float
) -> None:
    sub = with_table(minimal(), "indicators", indicator_rows(**{code: value}))
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "out_of_range")
    assert problem.column == "value" and code in problem.message_en


def test_indicator_value_of_the_wrong_type(carrier: str, tmp_path: Path) -> None:
    rows = indicator_rows(bts_4g_in_service="nhiều", bts_4g_new=2.5)
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert result is None
    assert only_error(problems, "invalid_number").row == data_row(carrier, 0)
    assert only_error(problems, "not_integer").row == data_row(carrier, 1)


def test_vietnamese_number_text(carrier: str, tmp_path: Path) -> None:
    rows = indicator_rows(
        bts_4g_in_service="1.234",
        coverage_4g_communes_pct="99,2%",
        network_units_connected="251",
        network_units_total="253",
        network_units_connected_pct="99,2",
    )
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert problems == []
    values = {row[0]: row[1] for row in result.indicators}
    assert values["bts_4g_in_service"] == 1234
    assert values["coverage_4g_communes_pct"] == pytest.approx(99.2)


def test_real_numbers_from_cells_stay_as_they_are(carrier: str, tmp_path: Path) -> None:
    if carrier == "zip":
        pytest.skip("CSV has no number cells")
    rows = indicator_rows(dti_score=0.5, coverage_4g_districts_pct=1.5)
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert problems == []
    assert {row[0]: row[1] for row in result.indicators} == {
        "dti_score": 0.5,
        "coverage_4g_districts_pct": 1.5,
    }


def test_blank_indicator_rows_are_not_reported(carrier: str, tmp_path: Path) -> None:
    rows = [
        {"indicator_code": "bts_4g_in_service", "value": None, "note": None},
        {"indicator_code": "bts_4g_new", "value": None, "note": "chưa có số liệu"},
    ]
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert problems == []
    assert result.indicators == [("bts_4g_new", None, "chưa có số liệu")]


@pytest.mark.parametrize(
    ("part", "whole"),
    [
        ("network_units_connected", "network_units_total"),
        ("plan_indicators_on_track", "plan_indicators_total"),
        ("plan_criteria_on_track", "plan_criteria_total"),
    ],
)
def test_numerator_above_denominator(carrier: str, tmp_path: Path, part: str, whole: str) -> None:
    rows = indicator_rows(**{whole: 23, part: 24})
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "numerator_exceeds_denominator")
    assert problem.row == data_row(carrier, 1) and whole in problem.message_en


def test_percentage_that_disagrees_with_its_counts(carrier: str, tmp_path: Path) -> None:
    rows = indicator_rows(
        network_units_connected=251, network_units_total=253, network_units_connected_pct=95
    )
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert result is not None
    assert codes(problems) == ["percent_disagrees"]
    assert "251/253 = 99.2%" in problems[0].message_en
    assert "251/253 = 99,2%" in problems[0].message_vi


def test_percent_that_looks_like_an_excel_fraction(carrier: str, tmp_path: Path) -> None:
    rows = indicator_rows(digital_certificate_units_pct=0.992)
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert result is not None
    assert codes(problems) == ["percent_looks_like_fraction"]
    assert "99.2" in problems[0].message_en


# --- wifi_points ---------------------------------------------------------------------------


def test_wifi_points_are_typed(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(2)
    rows[1]["status"] = "ngừng hoạt động"
    rows[0]["status"] = "Đang hoạt động"
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert problems == []
    assert result.wifi_points[0] == (
        "HL-0001",
        "Điểm wifi 1",
        "Phường Hồng Hải",
        20.95,
        107.08,
        "active",
        date(2022, 5, 15),
    )
    assert result.wifi_points[1][5] == "inactive"


def test_duplicate_point_id(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(3)
    rows[2]["point_id"] = rows[0]["point_id"]
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "duplicate_key")
    assert problem.row == data_row(carrier, 2) and problem.value == "HL-0001"


@pytest.mark.parametrize(
    ("lat", "lon", "columns"),
    [
        (48.85, 2.35, ["latitude", "longitude"]),
        (21.0, 120.5, ["longitude"]),
        (7.0, 105.0, ["latitude"]),
    ],
)
def test_coordinates_outside_vietnam(
    carrier: str, tmp_path: Path, lat: float, lon: float, columns: list[str]
) -> None:
    rows = wifi_rows(1)
    rows[0].update(latitude=lat, longitude=lon)
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    found = find(problems, "coordinates_outside_vietnam")
    assert [p.column for p in found] == columns
    assert all(p.row == data_row(carrier) for p in found)


def test_swapped_coordinates_get_a_hint(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(1)
    rows[0].update(latitude=107.08, longitude=20.95)
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    assert all("swapped" in p.message_en for p in find(problems, "coordinates_outside_vietnam"))


def test_islands_are_inside_vietnam(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(3)
    rows[0].update(latitude=8.64, longitude=111.92)  # Trường Sa island
    rows[1].update(latitude=16.83, longitude=112.34)  # Hoàng Sa (Phú Lâm island)
    rows[2].update(latitude="20,951", longitude="107,08")
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert problems == []
    assert result.wifi_points[2][3:5] == (20.951, 107.08)


def test_incomplete_coordinates(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(1)
    rows[0]["longitude"] = None
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    assert only_error(problems, "incomplete_coordinates").column == "longitude"


def test_unknown_wifi_status(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(1)
    rows[0]["status"] = "hỏng"
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "invalid_choice")
    assert problem.column == "status" and "active (hoạt động)" in problem.message_en


def test_missing_required_value(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(2)
    rows[1]["point_id"] = None
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "missing_value")
    assert problem.row == data_row(carrier, 1) and problem.column == "point_id"


def test_wifi_count_that_disagrees_with_the_points_listed(carrier: str, tmp_path: Path) -> None:
    sub = with_table(ha_long_2022_h1(), "wifi_points", wifi_rows(123, active=120))
    result, problems = check(sub, carrier, tmp_path)
    assert result is not None and len(result.wifi_points) == 123
    assert codes(problems) == ["count_disagrees"]
    assert "123" in problems[0].message_en and "120" in problems[0].message_en
    assert problems[0].row == data_row(carrier, 0)


def test_wifi_count_that_agrees(carrier: str, tmp_path: Path) -> None:
    sub = with_table(ha_long_2022_h1(), "wifi_points", wifi_rows(125, active=123))
    result, problems = check(sub, carrier, tmp_path)
    assert problems == [] and result is not None


# --- network_links -------------------------------------------------------------------------


def test_network_links(carrier: str, tmp_path: Path) -> None:
    rows = [
        {
            "unit_name": "Văn phòng HĐND-UBND",
            "unit_level": "cấp huyện",
            "connected": "có",
            "connected_on": "1/3/2022",
            "bandwidth_mbps": "100",
        },
        {"unit_name": "Phường Hồng Hải", "unit_level": "Phường", "connected": "không"},
        {
            "unit_name": "Sở TT&TT",
            "unit_level": "department",
            "connected": True,
            "bandwidth_mbps": 1.5,
        },
    ]
    result, problems = check(with_table(minimal(), "network_links", rows), carrier, tmp_path)
    assert problems == []
    assert result.network_links[0] == (
        "Văn phòng HĐND-UBND",
        "district",
        True,
        date(2022, 3, 1),
        100,
    )
    assert result.network_links[1] == ("Phường Hồng Hải", "commune", False, None, None)
    assert result.network_links[2][4] == 1.5


def test_network_link_errors(carrier: str, tmp_path: Path) -> None:
    rows = [{"unit_name": "A", "connected": "có lẽ", "bandwidth_mbps": -1, "unit_level": "thôn"}]
    result, problems = check(with_table(minimal(), "network_links", rows), carrier, tmp_path)
    assert result is None
    assert sorted(codes(problems)) == ["invalid_boolean", "invalid_choice", "out_of_range"]


def test_network_counts_against_links(carrier: str, tmp_path: Path) -> None:
    links = [{"unit_name": f"Đơn vị {i}", "connected": i < 2} for i in range(3)]
    sub = with_table(minimal(), "network_links", links)
    sub["indicators"] = indicator_rows(network_units_connected=2, network_units_total=4)
    result, problems = check(sub, carrier, tmp_path)
    assert result is not None
    assert codes(problems) == ["count_disagrees"]
    assert "network_units_total" in problems[0].message_en


# --- goals and goal_summary ----------------------------------------------------------------


def goals_rows() -> list[dict[str, Any]]:
    """20 targets of 09-NQ/TU as in seed 004 (7 achieved, 13 in progress)."""
    rows = []
    plan = [("digital_government", 10, 3), ("digital_economy", 5, 1), ("digital_society", 5, 3)]
    labels = {
        "digital_government": "chính quyền số",
        "digital_economy": "Kinh tế số",
        "digital_society": "XÃ HỘI SỐ",
    }
    for pillar, total, achieved in plan:
        for i in range(total):
            rows.append(
                {
                    "goal_code": f"{pillar[8:11].upper()}-{i + 1:02d}",
                    "pillar": labels[pillar],
                    "status": "đạt" if i < achieved else "đang trong lộ trình",
                    "target_year": 2025,
                }
            )
    return rows


def test_goals_are_typed_and_take_the_default_framework(carrier: str, tmp_path: Path) -> None:
    sub = with_table(quang_ninh_2024_q1(), "goals", goals_rows())
    result, problems = check(sub, carrier, tmp_path)
    assert codes(problems) == ["percent_disagrees"] * 4
    assert len(result.goals) == 20
    assert result.goals[0] == ("GOV-01", "digital_government", "achieved", "09-NQ/TU", None, 2025)
    assert {g[2] for g in result.goals} == {"achieved", "in_progress"}


def test_duplicate_goal_code(carrier: str, tmp_path: Path) -> None:
    rows = goals_rows()[:3]
    rows[2]["goal_code"] = rows[0]["goal_code"]
    result, problems = check(
        with_table(minimal(framework="09-NQ/TU"), "goals", rows), carrier, tmp_path
    )
    assert result is None
    assert only_error(problems, "duplicate_key").row == data_row(carrier, 2)


def test_same_goal_code_in_two_frameworks_is_fine(carrier: str, tmp_path: Path) -> None:
    rows = goals_rows()[:2]
    rows[1]["goal_code"] = rows[0]["goal_code"]
    rows[1]["framework"] = "122/KH-UBND"
    _, problems = check(with_table(minimal(framework="09-NQ/TU"), "goals", rows), carrier, tmp_path)
    assert problems == []


def test_goal_status_and_pillar_must_be_known(carrier: str, tmp_path: Path) -> None:
    rows = [{"goal_code": "X-1", "pillar": "văn hóa số", "status": "tốt"}]
    result, problems = check(with_table(minimal(), "goals", rows), carrier, tmp_path)
    assert result is None
    assert {p.column for p in find(problems, "invalid_choice")} == {"pillar", "status"}


def test_goal_summary_parts_above_total(carrier: str, tmp_path: Path) -> None:
    sub = quang_ninh_2024_q1()
    sub["goal_summary"][1]["goals_in_progress"] = 8
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "numerator_exceeds_denominator")
    assert problem.row == data_row(carrier, 1) and problem.table == "goal_summary"


def test_goal_summary_types_and_ranges(carrier: str, tmp_path: Path) -> None:
    rows = [{"pillar": "all", "goals_total": "20,5", "goals_achieved": -1, "reported_pct": 150}]
    result, problems = check(with_table(minimal(), "goal_summary", rows), carrier, tmp_path)
    assert result is None
    assert sorted(codes(problems)) == ["not_integer", "out_of_range", "out_of_range"]


def test_goal_summary_pillars_that_do_not_add_up(carrier: str, tmp_path: Path) -> None:
    sub = quang_ninh_2024_q1()
    sub["goal_summary"][3].update(goals_total=6, goals_in_progress=3)
    result, problems = check(sub, carrier, tmp_path)
    assert result is not None
    found = find(problems, "summary_disagrees")
    assert [(p.column, p.row) for p in found] == [
        ("goals_total", data_row(carrier, 0)),
        ("goals_in_progress", data_row(carrier, 0)),
    ]


def test_goal_summary_against_the_goals_table(carrier: str, tmp_path: Path) -> None:
    rows = goals_rows()
    rows[0]["status"] = "chưa đạt"
    sub = with_table(quang_ninh_2024_q1(), "goals", rows)
    result, problems = check(sub, carrier, tmp_path)
    assert result is not None
    found = find(problems, "summary_disagrees")
    assert {(p.row, p.column) for p in found} == {
        (data_row(carrier, 0), "goals_achieved"),
        (data_row(carrier, 1), "goals_achieved"),
    }


# --- tables and columns --------------------------------------------------------------------


def test_unknown_table(carrier: str, tmp_path: Path) -> None:
    sub = with_table(minimal(), "wifi_point", wifi_rows(1))
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "unknown_table")
    assert "wifi_point" in problem.value and "Did you mean 'wifi_points'?" in problem.message_en


def test_unknown_column(carrier: str, tmp_path: Path) -> None:
    rows = wifi_rows(2)
    for row in rows:
        row["lattitude"] = row.pop("latitude")
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    problem = find(problems, "unknown_column")[0]
    assert problem.column == "lattitude" and problem.row == 1
    assert "Did you mean 'latitude'?" in problem.message_en
    assert "Có phải là 'latitude'?" in problem.message_vi


def test_duplicate_column_through_an_alias(carrier: str, tmp_path: Path) -> None:
    rows = [{"indicator_code": "bts_4g_new", "value": 1, "giá trị": 2}]
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert result is None
    assert only_error(problems, "duplicate_column").column == "giá trị"


def test_missing_required_column(carrier: str, tmp_path: Path) -> None:
    rows = [{"point_id": "A", "name": "x"}]
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert result is None
    assert only_error(problems, "missing_column").column == "status"


def test_vietnamese_table_and_column_names(carrier: str, tmp_path: Path) -> None:
    sub = minimal()
    sub["Điểm wifi"] = [
        {
            "Mã điểm": "A-1",
            "Vĩ độ": "21,0",
            "Kinh độ": "107,1",
            "Trạng thái": "hoạt động",
            "Ngày đưa vào sử dụng": "2/9/2022",
        }
    ]
    sub["Tổng hợp mục tiêu"] = [
        {"Trục": "tất cả", "Tổng số mục tiêu": 4, "Số mục tiêu đạt": 1, "Tỷ lệ báo cáo (%)": "25%"}
    ]
    result, problems = check(sub, carrier, tmp_path)
    assert problems == []
    assert result.wifi_points == [("A-1", None, None, 21.0, 107.1, "active", date(2022, 9, 2))]
    assert result.goal_summary == [(None, "all", 4, 1, None, 25)]


def test_comment_columns_are_ignored(carrier: str, tmp_path: Path) -> None:
    rows = [{"indicator_code": "bts_4g_new", "value": 3, "# ghi chú riêng": "bỏ qua"}]
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert problems == []
    assert result.indicators == [("bts_4g_new", 3, None)]


def test_formula_text_is_stored_verbatim(carrier: str, tmp_path: Path) -> None:
    rows = [{"indicator_code": "bts_4g_new", "value": 3, "note": '=HYPERLINK("x")'}]
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert problems == []
    assert result.indicators[0][2] == '=HYPERLINK("x")'


def test_nfd_text_is_normalised(carrier: str, tmp_path: Path) -> None:
    nfd = "Phu\u031bo\u031b\u0300ng Ho\u0302\u0300ng Ha\u0309i"
    rows = wifi_rows(1)
    rows[0].update(commune=nfd, status="hoa\u0323t \u0111o\u0302\u0323ng")
    result, problems = check(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    assert problems == []
    assert result.wifi_points[0][2] == "Phường Hồng Hải"


def test_every_problem_is_collected(carrier: str, tmp_path: Path) -> None:
    sub = minimal(period="2022-H9", contact_email="x")
    sub["indicators"] = indicator_rows(nope=1, dti_rank=99)
    rows = wifi_rows(3)
    rows[1]["status"] = "?"
    rows[2]["latitude"] = 50.0
    sub["wifi_points"] = rows
    sub["goals"] = [{"goal_code": "G", "status": "đạt", "target_year": 1800}]
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    assert sorted(codes(problems)) == sorted(
        [
            "invalid_period",
            "invalid_email",
            "unknown_indicator",
            "out_of_range",
            "invalid_choice",
            "coordinates_outside_vietnam",
            "out_of_range",
        ]
    )
    assert [p.severity for p in problems] == [Severity.ERROR] * len(problems)


def test_source_rows_give_each_row_its_number_in_the_file(carrier: str, tmp_path: Path) -> None:
    rows = [
        {"indicator_code": "bts_4g_in_service", "value": 10},
        {"indicator_code": "bts_4g_new", "value": None},  # not reported: dropped
        {"indicator_code": "dti_rank", "value": 5},
    ]
    result, problems = check(with_table(minimal(), "indicators", rows), carrier, tmp_path)
    assert problems == []
    assert [r[0] for r in result.indicators] == ["bts_4g_in_service", "dti_rank"]
    assert list(result.source_rows["indicators"]) == [data_row(carrier, 0), data_row(carrier, 2)]
    assert list(result.source_rows["wifi_points"]) == []


def test_duplicate_goal_summary_rows(carrier: str, tmp_path: Path) -> None:
    sub = quang_ninh_2024_q1()
    sub["goal_summary"].append(dict(sub["goal_summary"][1]))
    result, problems = check(sub, carrier, tmp_path)
    assert result is None
    problem = only_error(problems, "duplicate_key")
    assert problem.row == data_row(carrier, 4) and "digital_government" in problem.value
