"""Reporting periods and the day localities are resolved on."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dxw.submission import Period, parse_period


@pytest.mark.parametrize(
    ("text", "code", "type_", "start", "end"),
    [
        ("2022", "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        ("2022-H1", "2022-H1", "half", date(2022, 1, 1), date(2022, 6, 30)),
        ("2022-h2", "2022-H2", "half", date(2022, 7, 1), date(2022, 12, 31)),
        ("2022-Q3", "2022-Q3", "quarter", date(2022, 7, 1), date(2022, 9, 30)),
        ("2024-Q1", "2024-Q1", "quarter", date(2024, 1, 1), date(2024, 3, 31)),
        ("2022-07", "2022-07", "month", date(2022, 7, 1), date(2022, 7, 31)),
        ("2024-2", "2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("07/2022", "2022-07", "month", date(2022, 7, 1), date(2022, 7, 31)),
        ("H1/2022", "2022-H1", "half", date(2022, 1, 1), date(2022, 6, 30)),
        ("Q4/2023", "2023-Q4", "quarter", date(2023, 10, 1), date(2023, 12, 31)),
        (" 2022 - Q3 ", "2022-Q3", "quarter", date(2022, 7, 1), date(2022, 9, 30)),
        (2022, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        (2022.0, "2022", "year", date(2022, 1, 1), date(2022, 12, 31)),
        (datetime(2022, 7, 1), "2022-07", "month", date(2022, 7, 1), date(2022, 7, 31)),
    ],
)
def test_parse_period(text: object, code: str, type_: str, start: date, end: date) -> None:
    period = parse_period(text)
    assert period == Period(code, type_, start, end, start.year)  # type: ignore[arg-type]
    assert str(period) == code


@pytest.mark.parametrize(
    "text",
    [
        "22-H1",
        "2022-H3",
        "2022-Q5",
        "2022-13",
        "2022-00",
        "H1",
        "",
        "năm 2022",
        "1899",
        "2022-W01",
        True,
        None,
        date(2022, 7, 15),
        2022.5,
    ],
)
def test_malformed_periods_raise_value_error(text: object) -> None:
    with pytest.raises(ValueError):
        parse_period(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-H1", date(2022, 1, 1)),
        ("2025-H1", date(2025, 1, 1)),
        ("2025-Q2", date(2025, 4, 1)),
        ("2025-06", date(2025, 6, 1)),
        ("2025-H2", date(2025, 7, 1)),
        ("2025-Q3", date(2025, 7, 1)),
        # the only kind of period straddling the 1/7/2025 reform: resolved at its end
        ("2025", date(2025, 12, 31)),
        ("2026", date(2026, 1, 1)),
    ],
)
def test_resolution_date(text: str, expected: date) -> None:
    assert parse_period(text).resolution_date == expected
