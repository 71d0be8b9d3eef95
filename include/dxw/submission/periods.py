"""Reporting periods: a year, a half, a quarter or a month, and the day to resolve localities on."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from dxw.localities.model import REFORM_START

PeriodType = Literal["year", "half", "quarter", "month"]
MIN_PERIOD_YEAR = 2000
MAX_PERIOD_YEAR = 2100
_PATTERNS: tuple[tuple[re.Pattern[str], PeriodType, tuple[int, int]], ...] = (
    (re.compile(r"(\d{4})"), "year", (1, 0)),
    (re.compile(r"(\d{4})-?H([12])"), "half", (1, 2)),
    (re.compile(r"H([12])[/-](\d{4})"), "half", (2, 1)),
    (re.compile(r"(\d{4})-?Q([1-4])"), "quarter", (1, 2)),
    (re.compile(r"Q([1-4])[/-](\d{4})"), "quarter", (2, 1)),
    (re.compile(r"(\d{4})-(\d{1,2})"), "month", (1, 2)),
    (re.compile(r"(\d{1,2})/(\d{4})"), "month", (2, 1)),
)
_MONTHS_PER_PART = {"year": 12, "half": 6, "quarter": 3, "month": 1}


@dataclass(frozen=True, slots=True)
class Period:
    """A reporting period: canonical code ("2022-H1"), type, first and last day, year."""

    code: str
    type: PeriodType
    start: date
    end: date
    year: int

    @property
    def resolution_date(self) -> date:
        """The day localities are resolved on: the start, or the end for a period that straddles
        the 1/7/2025 reform (the year 2025 is reported by the units that exist at its end)."""
        return self.end if self.start < REFORM_START <= self.end else self.start

    def __str__(self) -> str:
        return self.code


def make_period(year: int, type_: PeriodType, part: int = 1) -> Period:
    """The period `part` (1-based half, quarter or month) of `year`, or the whole year."""
    months = _MONTHS_PER_PART[type_]
    first = (part - 1) * months + 1
    last = first + months - 1
    start = date(year, first, 1)
    end = date(year, last, calendar.monthrange(year, last)[1])
    code = {
        "year": f"{year}",
        "half": f"{year}-H{part}",
        "quarter": f"{year}-Q{part}",
        "month": f"{year}-{part:02d}",
    }[type_]
    return Period(code, type_, start, end, year)


def _check_year(year: int) -> None:
    """Reject years outside the supported range."""
    if not MIN_PERIOD_YEAR <= year <= MAX_PERIOD_YEAR:
        raise ValueError(f"year {year} is outside {MIN_PERIOD_YEAR}-{MAX_PERIOD_YEAR}")


def parse_period(value: object) -> Period:
    """Parse `2022`, `2022-H1`, `2022-Q3`, `2022-07` (also `H1/2022`, `Q3/2022`, `07/2022`,
    case-insensitive); an Excel year number 2022; a date cell on the 1st of a month (Excel turns
    a typed "2022-07" into 1/7/2022) is that month. Raises ValueError when malformed."""
    if isinstance(value, datetime | date) and not isinstance(value, bool):
        if value.day != 1:
            raise ValueError("a date is a period only when it is the first day of a month")
        _check_year(value.year)
        return make_period(value.year, "month", value.month)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        _check_year(value)
        return make_period(value, "year")
    if not isinstance(value, str):
        raise ValueError("a period is text such as 2022, 2022-H1, 2022-Q3 or 2022-07")
    text = "".join(value.split()).upper()
    for pattern, type_, (year_group, part_group) in _PATTERNS:
        match = pattern.fullmatch(text)
        if not match:
            continue
        year = int(match[year_group])
        _check_year(year)
        if type_ == "year":
            return make_period(year, "year")
        part = int(match[part_group])
        if type_ == "month" and not 1 <= part <= 12:
            raise ValueError(f"month {part} is not 1-12")
        return make_period(year, type_, part)
    raise ValueError(f"{value!r} is not a period such as 2022, 2022-H1, 2022-Q3 or 2022-07")
