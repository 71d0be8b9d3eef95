"""Vietnamese number, date and boolean reading: examples and property tests."""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxw.submission.messages import format_date, format_number
from dxw.submission.spec import normalise_key
from dxw.submission.values import (
    EXCEL_EPOCH,
    Ambiguous,
    cell_text,
    parse_bool,
    parse_date,
    parse_number,
    read_number,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("99,2", 99.2),
        ("99,2%", 99.2),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("1.234,5", 1234.5),
        ("1,234.5", 1234.5),
        ("0.5", 0.5),
        ("12.50", 12.5),
        ("1.5", 1.5),
        ("0.123", 0.123),
        ("1234.567", 1234.567),
        ("12,3456", 12.3456),
        (" 1 234 ", 1234),
        ("1\u00a0234,5", 1234.5),
        ("-3", -3),
        ("\u22123,5", -3.5),
        ("+7", 7),
        (",5", 0.5),
        ("1e3", 1000.0),
        ("100%", 100),
        ("0", 0),
    ],
)
def test_parse_number_reads_vietnamese_text(text: str, expected: float) -> None:
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "abc",
        "1,2,3",
        "5.",
        "NaN",
        "inf",
        "Infinity",
        "1.23.4",
        "²",
        "12a",
        "--1",
        "%",
        "1.234,5,6",
        "9" * 100,
        "1e999999",
    ],
)
def test_parse_number_rejects_non_numbers(text: str) -> None:
    assert parse_number(text) is None


def test_parse_number_keeps_real_numbers_from_cells() -> None:
    assert parse_number(1.5) == 1.5
    assert parse_number(1234) == 1234
    assert isinstance(parse_number(1234), int)
    assert parse_number(float("nan")) is None
    assert parse_number(True) is None
    assert parse_number(None) is None
    assert parse_number([1]) is None


def test_read_number_for_a_whole_number_column() -> None:
    assert read_number("2.159", integer=True) == 2159
    assert read_number(20.0, integer=True) == 20
    assert read_number("2,5", integer=True).code == "not_integer"  # type: ignore[union-attr]
    assert read_number(2.5, integer=True).code == "not_integer"  # type: ignore[union-attr]
    assert read_number("abc").code == "invalid_number"  # type: ignore[union-attr]
    assert read_number("  ") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("24/3/2022", date(2022, 3, 24)),
        ("24/03/2022", date(2022, 3, 24)),
        ("24-3-2022", date(2022, 3, 24)),
        ("24.3.2022", date(2022, 3, 24)),
        ("2022-03-24", date(2022, 3, 24)),
        ("2022-03-24T10:30:00", date(2022, 3, 24)),
        ("2022/3/24", date(2022, 3, 24)),
        ("ngày 24 tháng 3 năm 2022", date(2022, 3, 24)),
        ("Ngày 5 tháng 2 năm 2022", date(2022, 2, 5)),
        (date(2022, 3, 24), date(2022, 3, 24)),
        (datetime(2022, 3, 24, 8, 0), date(2022, 3, 24)),
        (44644, date(2022, 3, 24)),
        (44644.75, date(2022, 3, 24)),
    ],
)
def test_parse_date_accepts(value: object, expected: date) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        "8/7",
        "31/2/2022",
        "2022-13-01",
        "24/3/22",
        "hôm qua",
        "1/1/1800",
        True,
        -5,
        0,
        float("inf"),
        "3/24/2022",
    ],
)
def test_parse_date_rejects(value: object) -> None:
    assert parse_date(value) is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("có", True),
        ("Có", True),
        ("CÓ", True),
        ("yes", True),
        ("TRUE", True),
        ("1", True),
        (1, True),
        (1.0, True),
        (True, True),
        ("x", True),
        ("đã kết nối", True),
        ("không", False),
        ("No", False),
        ("false", False),
        ("0", False),
        (0, False),
        ("chưa", False),
        ("chưa kết nối", False),
        (False, False),
    ],
)
def test_parse_bool(value: object, expected: bool) -> None:
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["maybe", 2, "", None, "cos"])
def test_parse_bool_rejects(value: object) -> None:
    assert parse_bool(value) is None


def test_cell_text_normalises_and_keeps_formulas() -> None:
    nfd = "Ha\u0323 Long"
    assert cell_text(f"  {nfd} ") == "Hạ Long"
    assert cell_text("=SUM(A1:A3)") == "=SUM(A1:A3)"
    assert cell_text(6688.0) == "6688"
    assert cell_text("   ") is None
    assert cell_text({"a": 1}) is None


def test_normalise_key() -> None:
    assert normalise_key("  Mã  Chỉ Số ") == normalise_key("mã chỉ số")
    assert normalise_key("indicator_code") == normalise_key("Indicator Code")
    assert normalise_key("Đ") == "đ"


# --- properties ----------------------------------------------------------------------------


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_vietnamese_integers_round_trip(number: int) -> None:
    """Grouped the Vietnamese way, a whole number reads back in a whole-number column, except
    one thousand-like number with a single dot and three zeros (1.000: one or a thousand)."""
    text = format_number(number, "vi")
    read = read_number(text, integer=True)
    if text.count(".") == 1 and text.endswith(".000"):
        assert read.code == "ambiguous_number"  # type: ignore[union-attr]
    else:
        assert read == number


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=99))
def test_vietnamese_decimals_round_trip(whole: int, cents: int) -> None:
    value = whole + cents / 100
    text = f"{whole:,}".replace(",", ".") + f",{cents:02d}"
    assert parse_number(text) == pytest.approx(value, rel=1e-12)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).filter(lambda x: x != 0))
def test_english_decimals_with_grouping_round_trip(value: float) -> None:
    text = f"{value:,.2f}"
    assert parse_number(text) == pytest.approx(round(value, 2), abs=1e-2)


def test_three_digits_after_a_single_separator_read_two_ways() -> None:
    # Documented: one separator before exactly three digits, after 1-3 digits not starting with
    # 0, is a thousands separator or a decimal one: the column decides (test_submission_numbers).
    assert parse_number("1.000") == Ambiguous("1.000", 1000, 1.0, ".")
    assert parse_number("1,000") == Ambiguous("1,000", 1000, 1.0, ",")
    assert parse_number("-2.159") == Ambiguous("-2.159", -2159, -2.159, ".")
    assert parse_number("0.125") == 0.125
    assert parse_number("1234,567") == 1234.567


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_cell_floats_stay_as_they_are(value: float) -> None:
    assert parse_number(value) == value


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_percent_text_round_trip(value: float) -> None:
    text = repr(round(value, 4)).replace(".", ",") + "%"
    assert read_number(text, low=0, high=100) == pytest.approx(round(value, 4))


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_dates_round_trip(day: date) -> None:
    assert parse_date(format_date(day, "vi")) == day
    assert parse_date(format_date(day, "en")) == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}") == day
    assert parse_date(day.isoformat()) == day
    assert parse_date((day - EXCEL_EPOCH).days) == day
    assert parse_date(datetime(day.year, day.month, day.day, 13, 45)) == day


@given(st.text())
def test_parsers_never_raise_on_text(text: str) -> None:
    number = parse_number(text)
    assert number is None or isinstance(number, Ambiguous) or math.isfinite(number)
    assert parse_date(text) is None or isinstance(parse_date(text), date)
    assert parse_bool(text) in (None, True, False)
    read_number(text, integer=True)


@given(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(),
        st.lists(st.integers()),
        st.dictionaries(st.text(), st.integers()),
        st.timedeltas(max_value=timedelta(days=10**5)),
    )
)
def test_parsers_never_raise_on_anything(value: object) -> None:
    parse_number(value)
    parse_date(value)
    parse_bool(value)
    cell_text(value)
    read_number(value)


@given(st.from_regex(r"[0-9.,% -]{1,30}", fullmatch=True))
def test_parse_number_never_raises_on_numberish_text(text: str) -> None:
    parse_number(text)
