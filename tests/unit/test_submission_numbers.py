"""Numbers read as the officer meant them: separators that read two ways are decided by the
column or refused with the text quoted; Excel percentage cells are read as displayed."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter
from submission_builders import CARRIERS, check, check_file, codes, data_row, find, minimal

from dxw.submission.containers import is_percent_format, percent_cells
from dxw.submission.values import read_number


def indicators(**values: Any) -> dict[str, Any]:
    sub = minimal()
    sub["indicators"] = [{"indicator_code": k, "value": v} for k, v in values.items()]
    return sub


def value_of(result: Any, code: str) -> object:
    return next(v for c, v, _ in result.indicators if c == code)


# -- the rule, on its own ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "integer", "low", "high", "expected"),
    [
        ("2.159", True, 0, None, 2159),  # 2.159 is not whole: only the thousands reading fits
        ("2,159", True, 0, None, 2159),
        ("1.500", True, 0, None, 1500),
        ("20.951", False, 8.0, 23.5, 20.951),  # a latitude cannot be 20951
        ("107,080", False, 102.0, 117.9, 107.08),
        ("99,200", False, 0, 100, 99.2),  # a percentage cannot be 99200
        ("1.000", True, 1, 63, 1),  # a rank of 1000 does not exist
        ("0,125", False, 0, None, 0.125),  # a whole part of 0 is never a thousands group
        ("1234,567", False, 0, None, 1234.567),  # nor are four digits
        ("1.234,5", False, 0, None, 1234.5),
        ("1,234.5", False, 0, None, 1234.5),
    ],
)
def test_the_only_reading_that_fits_is_taken(
    text: str, integer: bool, low: float, high: float | None, expected: float
) -> None:
    assert read_number(text, integer=integer, low=low, high=high) == expected


@pytest.mark.parametrize(
    ("text", "integer", "low", "high"),
    [
        ("1,000", True, 0, None),  # one, or a thousand?
        ("1.000", True, 0, None),
        ("1,234", False, 0, None),  # 1.234 or 1234 Mbit/s
        ("1.234", False, 0, None),
        ("-2.500", False, None, None),
    ],
)
def test_two_readings_that_fit_are_an_error(
    text: str, integer: bool, low: float | None, high: float | None
) -> None:
    read = read_number(text, integer=integer, low=low, high=high)
    assert read.code == "ambiguous_number", read  # type: ignore[union-attr]


def test_when_no_reading_fits_the_vietnamese_one_is_kept_for_the_range_check() -> None:
    assert read_number("1.234", low=8.0, high=23.5) == 1234
    assert read_number("1,234", low=8.0, high=23.5) == 1.234
    assert read_number("1,999", integer=True, low=2000, high=2100).code == "not_integer"  # type: ignore[union-attr]


# -- in submissions, every carrier --------------------------------------------------------------
@pytest.mark.parametrize("carrier", CARRIERS)
def test_a_thousand_in_a_count_is_never_stored_as_one(carrier: str, tmp_path: Path) -> None:
    """The issue's case: "1,000" BTS in service was read as 1, and the feedback said the new
    stations (4) exceed the stations in service (1) without showing what was typed."""
    result, problems = check(indicators(bts_4g_in_service="1,000", bts_4g_new=4), carrier, tmp_path)
    assert result is None and codes(problems) == ["ambiguous_number"]
    found = problems[0]
    assert (found.table, found.row, found.column, found.value) == (
        "indicators", data_row(carrier, 0), "value", "1,000",
    )  # fmt: skip
    assert found.message_en == (
        "value of bts_4g_in_service: '1,000' can be read as 1,000 (thousands separator) or as"
        " 1 (decimal separator), and both fit this column; the warehouse never guesses. Write"
        " 1000 for 1,000, or the decimal part with more or fewer than three digits (e.g."
        " 1,0000) for 1."
    )
    assert found.message_vi.startswith(
        "giá trị của chỉ số bts_4g_in_service: '1,000' có thể hiểu là 1.000 (dấu ngăn cách hàng"
        " nghìn) hoặc 1 (dấu thập phân)"
    )
    assert "hãy ghi 1000 nếu là 1.000" in found.message_vi.lower()


@pytest.mark.parametrize("carrier", CARRIERS)
def test_readings_decided_by_the_indicator(carrier: str, tmp_path: Path) -> None:
    sub = indicators(
        bts_4g_in_service="2.159",  # a count: only 2159 is whole
        wifi_points_in_service="1.500",
        coverage_4g_communes_pct="99,200",  # a percentage: 99200 is out of range
        dti_rank="1.000",  # a rank of 1000 does not exist
        dti_score="0,750",
    )
    result, problems = check(sub, carrier, tmp_path)
    assert problems == []
    assert value_of(result, "bts_4g_in_service") == 2159
    assert value_of(result, "wifi_points_in_service") == 1500
    assert value_of(result, "coverage_4g_communes_pct") == 99.2
    assert value_of(result, "dti_rank") == 1
    assert value_of(result, "dti_score") == 0.75


@pytest.mark.parametrize("carrier", CARRIERS)
def test_decimal_columns_take_the_reading_in_their_range_or_refuse(
    carrier: str, tmp_path: Path
) -> None:
    sub = minimal()
    sub["wifi_points"] = [
        {"point_id": "A", "latitude": "20.951", "longitude": "107,080", "status": "active"}
    ]
    sub["network_links"] = [
        {"unit_name": "UBND", "connected": "có", "bandwidth_mbps": "100,5"},
        {"unit_name": "Sở", "connected": "có", "bandwidth_mbps": "1,234"},
    ]
    result, problems = check(sub, carrier, tmp_path)
    assert codes(problems) == ["ambiguous_number"]
    assert problems[0].table == "network_links" and problems[0].row == data_row(carrier, 1)
    assert "bandwidth_mbps" in problems[0].message_en and "'1,234'" in problems[0].message_en
    del sub["network_links"][1]
    result, problems = check(sub, carrier, tmp_path)
    assert problems == []
    assert result.wifi_points[0][3:5] == (20.951, 107.08)
    assert result.network_links[0][4] == 100.5


@pytest.mark.parametrize("carrier", CARRIERS)
def test_value_problems_quote_the_text_beside_the_value_read(carrier: str, tmp_path: Path) -> None:
    sub = indicators(coverage_4g_communes_pct="1.234,5", bts_4g_in_service="1.234.567,5")
    _, problems = check(sub, carrier, tmp_path)
    out = find(problems, "out_of_range")[0]
    assert out.value == "1.234,5"
    assert "'1.234,5' (read as 1,234.5) is outside the allowed range (0 to 100)" in out.message_en
    assert "'1.234,5' nằm ngoài khoảng cho phép (từ 0 đến 100)" in out.message_vi
    fraction = find(problems, "not_integer")[0]
    assert "'1.234.567,5' (read as 1,234,567.5)" in fraction.message_en
    assert "(chỉ số loại số lượng)" in fraction.message_vi


def test_json_numbers_are_never_ambiguous(tmp_path: Path) -> None:
    sub = minimal()
    sub["network_links"] = [{"unit_name": "Sở", "connected": True, "bandwidth_mbps": 1.234}]
    result, problems = check(sub, "json", tmp_path)
    assert problems == [] and result.network_links[0][4] == 1.234


# -- Excel percentage cells ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("0%", True),
        ("0.00%", True),
        ("#,##0.0%", True),
        ("0.0%;[Red]-0.0%", True),
        ('0.0"%"', False),  # a quoted % is a literal sign: the value is not scaled
        ("0.0\\%", False),
        ("General", False),
        ("[$%-409]0", False),
        ("dd/mm/yyyy", False),
    ],
)
def test_percentage_formats(code: str, expected: bool) -> None:
    assert is_percent_format(code) is expected


def _percent_workbook(path: Path, cells: list[tuple[str, float, str | None]]) -> Path:
    """A workbook with indicator values written as number cells in the given formats."""
    book = xlsxwriter.Workbook(str(path))
    info = book.add_worksheet("submission")
    for row, pair in enumerate([("field", "value"), ("locality", "22"), ("period", "2023"),
                                ("submitted_on", "15/1/2024")]):  # fmt: skip
        info.write_row(row, 0, pair)
    sheet = book.add_worksheet("indicators")
    sheet.write_row(0, 1, ["indicator_code", "value"])  # a table starting in column B
    for row, (code, value, fmt) in enumerate(cells, start=1):
        sheet.write_string(row, 1, code)
        style = book.add_format({"num_format": fmt}) if fmt else None
        sheet.write_number(row, 2, value, style)
    goals = book.add_worksheet("goal_summary")
    goals.write_row(0, 0, ["pillar", "goals_total", "goals_achieved", "reported_pct"])
    goals.write_row(1, 0, ["all", 20, 7])
    goals.write_number(1, 3, 0.35, book.add_format({"num_format": "0%"}))
    book.close()
    return path


def test_a_cell_formatted_as_a_percentage_is_its_displayed_percentage(tmp_path: Path) -> None:
    path = _percent_workbook(
        tmp_path / "pct.xlsx",
        [
            ("coverage_4g_communes_pct", 0.99, "0%"),  # shown as 99%
            ("coverage_4g_districts_pct", 0.992, "0.0%"),  # shown as 99.2%
            ("digital_certificate_units_pct", 1, "0.00%"),  # 100%
            ("online_public_services_level34_pct", 0.005, "0.0%"),  # 0.5%: no fraction warning
            ("network_units_connected_pct", 0.5, None),  # a plain 0.5: the warning stays
            ("bts_4g_growth_pct", 0.11, '0.0"%"'),  # a literal % sign: not a percentage
        ],
    )
    with zipfile.ZipFile(path) as archive:
        assert {name: len(cells) for name, cells in percent_cells(archive).items()} == {
            "indicators": 4,
            "goal_summary": 1,
        }
    result, problems = check_file(path)
    assert [(p.code, p.row) for p in problems] == [("percent_looks_like_fraction", 6)]
    assert "'0.5'" not in problems[0].message_en and "0.5" in problems[0].message_en
    assert value_of(result, "coverage_4g_communes_pct") == 99
    assert value_of(result, "coverage_4g_districts_pct") == 99.2
    assert value_of(result, "digital_certificate_units_pct") == 100
    assert value_of(result, "online_public_services_level34_pct") == 0.5
    assert value_of(result, "bts_4g_growth_pct") == 0.11
    assert result.goal_summary[0][5] == 35


def test_a_percentage_cell_out_of_range_is_quoted_as_shown(tmp_path: Path) -> None:
    path = _percent_workbook(tmp_path / "pct.xlsx", [("coverage_4g_communes_pct", 1.2, "0%")])
    _, problems = check_file(path)
    assert codes(problems) == ["out_of_range"]
    assert problems[0].value == "120%"
    assert problems[0].message_en == (
        "value of coverage_4g_communes_pct: 120 is outside the allowed range (0 to 100)."
    )


def test_workbooks_without_percentage_formats_are_not_scanned(tmp_path: Path) -> None:
    path = _percent_workbook(tmp_path / "plain.xlsx", [("bts_4g_in_service", 5, None)])
    with zipfile.ZipFile(path) as archive:
        assert percent_cells(archive) == {"goal_summary": frozenset({(1, 3)})}
    book = xlsxwriter.Workbook(str(tmp_path / "none.xlsx"))
    book.add_worksheet("submission").write(0, 0, "field")
    book.close()
    with zipfile.ZipFile(tmp_path / "none.xlsx") as archive:
        assert percent_cells(archive) == {}
