"""Property-based tests of the parsers where tests/unit is thin: periods (none there), the
numbers and dates as every writer and locale writes them, and locality names and codes over
the whole registry and both administrations.

tests/unit already covers: Vietnamese integers and decimals, English grouping, percent text and
d/m/yyyy round trips, cell floats, parsers never raising on text or any object, and every
province name variant (tests/unit/test_submission_values.py, tests/unit/test_localities.py).
"""

from __future__ import annotations

import calendar
import itertools
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dxw.localities import registry
from dxw.localities.model import LEGACY_END, REFORM_START, Locality
from dxw.submission.messages import format_number
from dxw.submission.periods import make_period, parse_period
from dxw.submission.values import parse_date, parse_number, read_number
from dxw.submission.writer import csv_text

KINDS = {"year": 1, "half": 2, "quarter": 4, "month": 12}


# -- periods ------------------------------------------------------------------------------------
@st.composite
def periods(draw: st.DrawFn) -> tuple[int, str, int]:
    year = draw(st.integers(2000, 2100))
    kind = draw(st.sampled_from(sorted(KINDS)))
    return year, kind, draw(st.integers(1, KINDS[kind]))


def _spellings(year: int, kind: str, part: int) -> list[object]:
    """Every documented way to write the period."""
    if kind == "year":
        return [f"{year}", year, float(year), f" {year} "]
    if kind == "half":
        return [
            f"{year}-H{part}",
            f"{year}H{part}",
            f"H{part}/{year}",
            f"{year}-h{part}",
            f"h{part}-{year}",
            f" {year} - H{part} ",
        ]
    if kind == "quarter":
        return [f"{year}-Q{part}", f"{year}q{part}", f"Q{part}/{year}", f"q{part}-{year}"]
    return [
        f"{year}-{part:02d}",
        f"{year}-{part}",
        f"{part:02d}/{year}",
        f"{part}/{year}",
        date(year, part, 1),
        datetime(year, part, 1, 0, 0),
    ]


@settings(max_examples=300, deadline=None)
@given(periods())
def test_every_spelling_of_a_period_is_the_same_period(case: tuple[int, str, int]) -> None:
    year, kind, part = case
    expected = make_period(year, kind, part)  # type: ignore[arg-type]
    for spelling in _spellings(year, kind, part):
        assert parse_period(spelling) == expected, spelling
    assert parse_period(expected.code) == expected


@settings(max_examples=300, deadline=None)
@given(periods())
def test_a_period_spans_whole_months_and_resolves_on_the_right_day(
    case: tuple[int, str, int],
) -> None:
    year, kind, part = case
    period = make_period(year, kind, part)  # type: ignore[arg-type]
    assert period.start.day == 1 and period.start <= period.end
    assert period.end.day == calendar.monthrange(period.end.year, period.end.month)[1]
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1
    assert months == 12 // KINDS[kind]
    straddles = period.start < REFORM_START <= period.end
    assert period.resolution_date == (period.end if straddles else period.start)
    assert straddles == (period.code == "2025")


@given(st.integers(2000, 2100), st.sampled_from(sorted(KINDS)))
def test_the_parts_of_a_year_tile_it(year: int, kind: str) -> None:
    parts = [make_period(year, kind, p) for p in range(1, KINDS[kind] + 1)]  # type: ignore[arg-type]
    assert parts[0].start == date(year, 1, 1) and parts[-1].end == date(year, 12, 31)
    for before, after in itertools.pairwise(parts):
        assert before.end + timedelta(days=1) == after.start


@given(
    st.one_of(
        st.text(max_size=30),
        st.from_regex(r"[HhQq]?\d{1,5}[-/ ]?[HhQq]?\d{0,5}", fullmatch=True),
        st.integers(),
        st.floats(),
        st.dates(),
        st.none(),
        st.booleans(),
    )
)
def test_parse_period_fails_only_with_value_error(value: object) -> None:
    try:
        period = parse_period(value)
    except ValueError:
        return
    assert 2000 <= period.year <= 2100
    assert parse_period(period.code) == period


@given(st.integers(-5000, 1999) | st.integers(2101, 10**6))
def test_years_outside_2000_2100_are_refused(year: int) -> None:
    for text in (f"{year}", f"{year}-H1", f"{year}-Q2", f"{year}-07", year):
        with pytest.raises(ValueError):
            parse_period(text)


# -- numbers ------------------------------------------------------------------------------------
@settings(max_examples=500)
@given(
    st.floats(allow_nan=False, allow_infinity=False, width=64).filter(lambda x: abs(x) < 1e300)
    | st.integers(-(10**15), 10**15)
)
def test_numbers_the_writer_puts_in_csv_read_back(value: float) -> None:
    """What dxw's own CSV writer writes reads back exactly, in any column: 99,2 and 1,5e-07
    (decimal comma, also before an exponent), never a text that reads two ways (1,2340)."""
    text = csv_text(value)
    assert parse_number(text) == value, text


@given(st.integers(0, 10**12), st.integers(0, 99))
def test_numbers_formatted_the_vietnamese_way_read_back(whole: int, cents: int) -> None:
    """Formatted the Vietnamese way, a number reads back; a whole one with a single dot before
    three digits (1.234) reads two ways and is decided by the column (a count: 1234)."""
    value = whole + cents / 100
    text = format_number(value, "vi")
    read = read_number(text, integer=value.is_integer())
    if text.count(".") == 1 and text.endswith(".000"):  # 1.000: one or a thousand, refused
        assert read.code == "ambiguous_number"  # type: ignore[union-attr]
    else:
        assert read == pytest.approx(value, abs=1e-9)


@given(st.integers(0, 10**12), st.lists(st.sampled_from([" ", "\u00a0", "\u202f"]), max_size=3))
def test_spaces_between_digit_groups_are_ignored(number: int, spaces: list[str]) -> None:
    grouped = f"{number:,}".split(",")
    text = "".join(g + (spaces[i] if i < len(spaces) else " ") for i, g in enumerate(grouped))
    assert parse_number(text.strip()) == number


@given(st.integers(0, 10**9), st.sampled_from(["-", "\u2212", "+", ""]), st.booleans())
def test_signs_and_percent_signs(number: int, sign: str, percent: bool) -> None:
    text = sign + format_number(number, "vi") + ("%" if percent else "")
    expected = -number if sign in ("-", "\u2212") else number
    if text.count(".") == 1 and ".000" in text:  # 1.000: one or a thousand, refused
        assert read_number(text, integer=True).code == "ambiguous_number"  # type: ignore[union-attr]
    else:
        assert read_number(text, integer=True) == expected


# -- dates --------------------------------------------------------------------------------------
def _written(day: date) -> list[str]:
    """Every documented way to type a date."""
    d, m, y = day.day, day.month, day.year
    return [
        f"{d}/{m}/{y}",
        f"{d:02d}/{m:02d}/{y}",
        f"{d}-{m}-{y}",
        f"{d}.{m}.{y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{y}-{m}-{d}",
        f"{y}/{m}/{d}",
        f"{y}-{m:02d}-{d:02d}T10:30:00",
        f"{y}-{m:02d}-{d:02d} 23:59",
        f"{d}/{m}/{y} 08:00",
        f"ngày {d} tháng {m} năm {y}",
        f"Ngày {d:02d} tháng {m:02d} năm {y}",
        f"{d} tháng {m}, {y}",
    ]


@settings(max_examples=300)
@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)))
def test_every_way_to_write_a_date_reads_back(day: date) -> None:
    for text in _written(day):
        assert parse_date(text) == day, text
        assert parse_date(unicodedata.normalize("NFD", text)) == day, text


@settings(max_examples=300)
@given(st.data())
def test_impossible_dates_are_never_read(data: st.DataObject) -> None:
    year, month = data.draw(st.integers(1900, 2100)), data.draw(st.integers(1, 12))
    last = calendar.monthrange(year, month)[1]
    day = data.draw(st.integers(last + 1, 99) | st.just(0))
    for text in (
        f"{day}/{month}/{year}",
        f"{year}-{month:02d}-{day:02d}",
        f"{year}/{month}/{day}",
        f"ngày {day} tháng {month} năm {year}",
    ):
        assert parse_date(text) is None, text
    for text in (f"{1 + day % last}/{month + 12}/{year}", f"{year}-{month + 12}-01"):
        assert parse_date(text) is None, text


@given(st.integers(1, 28), st.integers(1, 12), st.integers(0, 1899) | st.integers(2101, 9999))
def test_years_outside_1900_2100_are_not_dates(day: int, month: int, year: int) -> None:
    for text in (f"{day}/{month}/{year:04d}", f"{year:04d}-{month:02d}-{day:02d}"):
        assert parse_date(text) is None, text


@given(st.integers(1, 31), st.integers(1, 12))
def test_a_date_without_a_year_is_never_guessed(day: int, month: int) -> None:
    for text in (f"{day}/{month}", f"{day}-{month}", f"ngày {day} tháng {month}"):
        assert parse_date(text) is None, text


# -- localities ---------------------------------------------------------------------------------
_UNITS = registry().all()
_FAR_PAST, _FAR_FUTURE = date(2000, 1, 1), date(2035, 12, 31)


@st.composite
def unit_and_day(draw: st.DrawFn, era: str | None = None) -> tuple[Locality, date]:
    """A unit of the registry and a day on which it exists."""
    pool = [u for u in _UNITS if era is None or u.era == era]
    unit = draw(st.sampled_from(pool))
    first = max(unit.valid_from or _FAR_PAST, _FAR_PAST)
    last = min(unit.valid_to or _FAR_FUTURE, _FAR_FUTURE)
    return unit, draw(st.dates(min_value=first, max_value=last))


def _variant(draw: st.DrawFn, text: str) -> str:
    """The same text with random case, spacing and Unicode form."""
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(c.upper() if f else c.lower() for c, f in zip(text, flips, strict=True))
    text = text.replace(" ", draw(st.sampled_from([" ", "  ", "\u00a0"])))
    return unicodedata.normalize(draw(st.sampled_from(["NFC", "NFD"])), text)


@settings(max_examples=400, deadline=None)
@given(unit_and_day())
def test_a_code_names_its_unit_on_every_day_the_unit_exists(case: tuple[Locality, date]) -> None:
    unit, day = case
    assert registry().resolve(unit.code, day).locality == unit


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_a_name_with_its_parents_never_names_another_unit(data: st.DataObject) -> None:
    """Full name plus parents, in any case, spacing and Unicode form: that unit, or (when the
    text is still ambiguous) no unit with the candidates listed, never a different unit."""
    unit, day = data.draw(unit_and_day())
    reg = registry()
    text = _variant(
        data.draw, ", ".join([unit.full_name, *(p.full_name for p in reg.parents(unit))])
    )
    resolution = reg.resolve(text, day)
    if resolution.locality is None:
        assert unit in resolution.candidates, (text, day, resolution.message_en)
    else:
        assert resolution.locality == unit, (text, day)


@settings(max_examples=300, deadline=None)
@given(unit_and_day(era="legacy"))
def test_a_legacy_unit_is_never_resolved_after_the_reform(case: tuple[Locality, date]) -> None:
    unit, _ = case
    for text in (unit.code, unit.full_name):
        for day in (REFORM_START, date(2026, 1, 1)):
            found = registry().resolve(text, day)
            assert found.locality is None or found.locality.era == "2025", (text, day)
            if found.locality is None:
                assert found.message_en and found.message_vi


@settings(max_examples=300, deadline=None)
@given(unit_and_day(era="2025"))
def test_a_2025_unit_is_never_resolved_before_it_existed(case: tuple[Locality, date]) -> None:
    unit, _ = case
    text = ", ".join([unit.full_name, *(p.full_name for p in registry().parents(unit))])
    for day in (LEGACY_END, date(2022, 1, 1)):
        found = registry().resolve(text, day)
        assert found.locality is None or found.locality.era == "legacy", (text, day)


@given(st.text(max_size=60), st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 1, 1)))
@example("¹", date(2000, 1, 1))  # found by hypothesis: int("¹") raised in the name key
@example("Quận ²", date(2020, 1, 1))
@example("Phường １２", date(2020, 1, 1))  # full-width digits are a number, as int() reads them
def test_resolving_any_text_never_raises(text: str, day: date) -> None:
    found = registry().resolve(text, day)
    assert found.locality is not None or (found.message_en and found.message_vi)
