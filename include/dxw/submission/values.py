"""Normalising cells: numbers, dates, yes/no, choices and text, read as the officer meant them.

Every parser takes what a carrier produced (str, int, float, bool, date, datetime, None, or
nested JSON) and never raises. A converter per column turns a cell into its typed value, None
for a blank cell, or a `Bad` that names the problem; `bad_value` words that problem.

Numbers whose separators read two ways (one `,` or `.` followed by exactly three digits, after
1-3 digits not starting with 0: `1,000`, `2.159`) are `Ambiguous` until a column decides: the
reading that fits the column is taken (a whole-number column cannot hold 2.159, so it is 2159;
a latitude cannot be 20951, so `20.951` is 20.951); when both fit (`1,000` in a count column,
`1,234` in a decimal column) the cell is the error `ambiguous_number`; when neither fits, the
Vietnamese reading (dot for thousands, decimal comma) is kept and the range check reports it.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from dxw.submission.messages import Col, Problem, Quoted, Read, problem
from dxw.submission.spec import ColumnSpec, normalise_key

#: Day 0 of Excel's 1900 date system as everyone implements it (serial 1 = 1/1/1900, with the
#: 1900 leap-year bug folded in from 1/3/1900 on).
EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR = 1900
MAX_YEAR = 2100
#: Whole-number columns are stored as PostgreSQL `integer`: a larger value is out of range.
INTEGER_MAX = 2_147_483_647
_MAX_NUMBER_CHARS = 64
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u2007\t")
_INT = re.compile(r"\d+")
_GROUPED = {
    ".": re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+"),
    ",": re.compile(r"[1-9]\d{0,2}(?:,\d{3})+"),
}
#: A whole part that may be the first group of a thousands-grouped number.
_LEAD_GROUP = re.compile(r"[1-9]\d{0,2}")
#: Scientific notation, with a decimal point or (as Vietnamese Excel writes it) a decimal comma.
_EXPONENT = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?Z?")
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_VI_DATE = re.compile(r"(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:năm|,)?\s*(\d{4})")
_TRUE = frozenset({"yes", "y", "true", "t", "1", "có", "co", "x", "đã kết nối", "đã", "rồi"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "không", "khong", "chưa", "chưa kết nối"})
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
#: Characters no stored text may hold: NUL (PostgreSQL refuses it) and halves of UTF-16 pairs
#: (a JSON "\ud800" escape; UTF-8 cannot encode them).
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


class PercentCell(float):
    """The value of an Excel cell formatted as a percentage, as displayed (0.99 shown as 99%
    is 99): the xlsx reader makes these, so that messages can show the cell as `99%`."""

    is_percent_cell = True

    @classmethod
    def of_fraction(cls, stored: float) -> PercentCell:
        """The displayed percentage of a stored fraction, without binary noise (0.992 -> 99.2)."""
        return cls(float(Decimal(repr(stored)) * 100))


@dataclass(frozen=True, slots=True)
class Ambiguous:
    """Number text with two readings: thousands-grouped and decimal."""

    text: str
    grouped: int
    decimal: float
    #: The separator: "." (Vietnamese thousands) or "," (Vietnamese decimal comma).
    separator: str

    @property
    def vietnamese(self) -> int | float:
        """The reading of the house convention: dot for thousands, decimal comma."""
        return self.grouped if self.separator == "." else self.decimal

    def fitting(self, integer: bool, low: float | None, high: float | None) -> list[int | float]:
        """The readings a column accepts (whole numbers only in a whole-number column)."""
        out: list[int | float] = []
        for reading in (self.grouped, self.decimal):
            if integer:
                if not float(reading).is_integer():
                    continue
                reading = int(reading)
            if (low is None or reading >= low) and (high is None or reading <= high):
                out.append(reading)
        return out

    def choose(self, integer: bool, low: float | None, high: float | None) -> int | float | Bad:
        """The one reading that fits, the Vietnamese one when none does, or the error."""
        fits = self.fitting(integer, low, high)
        if len(fits) == 1:
            return fits[0]
        if not fits:
            reading = self.vietnamese
            if integer and float(reading).is_integer():
                return int(reading)
            return BAD_INTEGER if integer else reading
        return Bad("ambiguous_number", self)


@dataclass(frozen=True, slots=True)
class Bad:
    """A cell that is not of its column's type; `code` names the problem."""

    code: str
    ambiguous: Ambiguous | None = None


BAD_TEXT = Bad("invalid_type")
BAD_NUMBER = Bad("invalid_number")
BAD_INTEGER = Bad("not_integer")
BAD_DATE = Bad("invalid_date")
BAD_BOOL = Bad("invalid_boolean")
BAD_CHOICE = Bad("invalid_choice")
BAD_EMAIL = Bad("invalid_email")
BAD_CHARACTER = Bad("invalid_encoding")

Converter = Callable[[object], object]


# -- text ------------------------------------------------------------------------------------------
def is_blank(value: object) -> bool:
    """None, or text that is empty after stripping."""
    return value is None or (isinstance(value, str) and not value.strip())


def nfc(text: str) -> str:
    """Unicode NFC form (cheap for ASCII)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def cell_text(value: object) -> str | None:
    """A cell as text: NFC, stripped; numbers without a spurious `.0`; None for blank or nested
    values. Formula-looking text ("=SUM(A1)") is kept verbatim: nothing is ever evaluated."""
    if isinstance(value, str):
        text = value.strip()
        return nfc(text) if text else None
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return nfc(str(value).strip()) or None


# -- numbers ---------------------------------------------------------------------------------------
def _parse_number_text(text: str) -> int | float | Ambiguous | None:
    """Vietnamese or English number text (see `parse_number`)."""
    s = text.translate(_SPACES)
    if len(s) > _MAX_NUMBER_CHARS:
        return None
    if s.endswith("%"):
        s = s[:-1]
    sign = 1
    if s[:1] in ("-", "+", "\u2212"):
        sign = -1 if s[0] != "+" else 1
        s = s[1:]
    if not s:
        return None
    if s.isascii() and s.isdigit():
        return sign * int(s)
    if _EXPONENT.fullmatch(s):
        number = float(s.replace(",", "."))
        return sign * number if math.isfinite(number) else None
    dots, commas = s.count("."), s.count(",")
    if dots and commas:
        decimal = "." if s.rfind(".") > s.rfind(",") else ","
        group = "," if decimal == "." else "."
        whole, _, frac = s.rpartition(decimal)
        if not _GROUPED[group].fullmatch(whole) or not _INT.fullmatch(frac):
            return None
        return sign * float(whole.replace(group, "") + "." + frac)
    sep = "." if dots else ","
    count = dots or commas
    if count > 1:
        return sign * int(s.replace(sep, "")) if _GROUPED[sep].fullmatch(s) else None
    whole, _, frac = s.partition(sep)
    if not frac.isascii() or not frac.isdigit() or (whole and not _INT.fullmatch(whole)):
        return None
    if len(frac) == 3 and _LEAD_GROUP.fullmatch(whole):
        return Ambiguous(
            text.strip(), sign * int(whole + frac), sign * float(f"{whole}.{frac}"), sep
        )
    return sign * float((whole or "0") + "." + frac)


def parse_number(value: object) -> int | float | Ambiguous | None:
    """A number: JSON/xlsx numbers as they are; text read the Vietnamese or the English way.

    Text: "99,2" is 99.2; "1.234.567" and "1,234,567" are 1234567; "1.234,5" and "1,234.5"
    are 1234.5 (the later separator is the decimal one); "99,2%" is 99.2; spaces inside are
    ignored; "1e3" is accepted. "1.234", "1,234", "1,000" read two ways: `Ambiguous`, for
    the column to decide. Integers stay int.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        return value if type(value) is float else float(value)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii() and len(text) <= _MAX_NUMBER_CHARS:
            return int(text)
        return _parse_number_text(text) if text else None
    return None


def read_number(
    value: object, *, integer: bool = False, low: float | None = None, high: float | None = None
) -> int | float | Bad | None:
    """A number for a column: an ambiguous text decided by the column (see the module doc);
    `BAD_NUMBER` for what is not a number, None for blank."""
    number = parse_number(value)
    if number is None:
        return None if is_blank(value) else BAD_NUMBER
    if isinstance(number, Ambiguous):
        return number.choose(integer, low, high)
    if integer and isinstance(number, float):
        return int(number) if number.is_integer() else BAD_INTEGER
    return number


# -- dates and booleans ----------------------------------------------------------------------------
def _make_date(year: int, month: int, day: int) -> date | None:
    """A date in the accepted year range, or None."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _parse_date_text(text: str) -> date | None:
    """Date text: ISO, d/m/yyyy (also with - or .), yyyy/m/d, "ngày 24 tháng 3 năm 2022"."""
    if match := _ISO_DATE.fullmatch(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _DMY.fullmatch(text):
        return _make_date(int(match[4]), int(match[3]), int(match[1]))
    if match := _YMD_SLASH.fullmatch(text):
        return _make_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _VI_DATE.fullmatch(text.casefold()):
        return _make_date(int(match[3]), int(match[2]), int(match[1]))
    return None


def excel_serial_to_date(serial: float) -> date | None:
    """The day of an Excel 1900-system serial number (fractions are the time of day)."""
    if not math.isfinite(serial) or not 1 <= serial < 2958466:
        return None
    day = EXCEL_EPOCH + timedelta(days=int(serial))
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def parse_date(value: object) -> date | None:
    """A date: date cells, Excel serial numbers, ISO text, d/m/yyyy text; years 1900-2100.

    A date without a year ("8/7") is not a date: the year cannot be guessed safely.
    """
    if isinstance(value, datetime):
        return _make_date(value.year, value.month, value.day)
    if isinstance(value, date):
        return value if MIN_YEAR <= value.year <= MAX_YEAR else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return excel_serial_to_date(float(value))
    if isinstance(value, str):
        return _parse_date_str(value)
    return None


@lru_cache(maxsize=8192)
def _parse_date_str(value: str) -> date | None:
    """Date text, memoised (report dates repeat a lot)."""
    text = " ".join(nfc(value).split())
    return _parse_date_text(text) if text else None


def parse_bool(value: object) -> bool | None:
    """yes/no, có/không, true/false, 1/0, x, đã/chưa (kết nối); case-insensitive."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return True if value == 1 else False if value == 0 else None
    if isinstance(value, str):
        key = normalise_key(value)
        if key in _TRUE:
            return True
        if key in _FALSE:
            return False
    return None


# -- converters, one per column ----------------------------------------------------------------
def _blank_or(value: object) -> object:
    """Stripped text, None for blank text; other values unchanged."""
    if isinstance(value, str):
        return value.strip() or None
    return value


def convert_text(value: object) -> object:
    """Text: NFC and stripped; lists/objects are not text."""
    if type(value) is str:
        text = value.strip()
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
            if _NOT_TEXT.search(text):
                return BAD_CHARACTER
        elif "\x00" in text:
            return BAD_CHARACTER
        return text or None
    if isinstance(value, dict | list):
        return BAD_TEXT
    return cell_text(value)


def number_converter(
    integer: bool = False,
    low: float | None = None,
    high: float | None = None,
    *,
    decide: bool = True,
) -> Converter:
    """A converter to a number of a column (whole or not, within a range); with `decide=False`
    an ambiguous text stays `Ambiguous` for the table's rules to decide (indicator values)."""

    def convert(value: object) -> object:
        if type(value) is float:  # a number cell (xlsx, JSON)
            if not math.isfinite(value):
                return BAD_NUMBER
            if integer:
                return int(value) if value.is_integer() else BAD_INTEGER
            return value
        if isinstance(value, str):
            text = value.strip()
            if not text:
                return None
            # The fast path of CSV decimals, "20,977178": a plain decimal comma that cannot be
            # a thousands separator (not exactly three digits after it), without a regex.
            whole, comma, fraction = text.partition(",")
            if comma and 0 < len(fraction) <= 15 and len(fraction) != 3 and fraction.isdecimal():
                digits = whole[1:] if whole[:1] == "-" else whole
                if 0 < len(digits) <= 15 and digits.isdecimal():
                    number = float(f"{whole}.{fraction}")
                    if integer:
                        return int(number) if number.is_integer() else BAD_INTEGER
                    return number
            value = text
        elif value is None:
            return None
        read = parse_number(value)
        if read is None:
            return BAD_NUMBER
        if isinstance(read, Ambiguous):
            return read.choose(integer, low, high) if decide else read
        if integer and isinstance(read, float):
            return int(read) if read.is_integer() else BAD_INTEGER
        return read

    return convert


def convert_date(value: object) -> object:
    """A date: date cell, Excel serial, ISO or d/m/yyyy text."""
    if type(value) is str:
        value = value.strip() or None
    if value is None:
        return None
    day = parse_date(value)
    return BAD_DATE if day is None else day


def convert_bool(value: object) -> object:
    """yes/no in either language, true/false, 1/0."""
    value = _blank_or(value)
    if value is None:
        return None
    flag = parse_bool(value)
    return BAD_BOOL if flag is None else flag


def convert_email(value: object) -> object:
    """An e-mail address."""
    text = convert_text(value)
    if text is None or isinstance(text, Bad):
        return text
    return text if _EMAIL.fullmatch(str(text)) else BAD_EMAIL


def choice_converter(column: ColumnSpec) -> Converter:
    """A converter to the canonical value of a choice column, memoised per spelling."""
    lookup = column.choice_lookup()
    memo: dict[object, object] = {}

    def convert(value: object) -> object:
        try:
            return memo[value]
        except (KeyError, TypeError):
            pass
        text = convert_text(value)
        result = (
            text
            if text is None or isinstance(text, Bad)
            else lookup.get(normalise_key(str(text)), BAD_CHOICE)
        )
        if isinstance(value, str) and len(memo) < 1000:
            memo[value] = result
        return result

    return convert


def interning_text() -> Converter:
    """A text converter for repetitive columns: memoised per cell text, and sharing one string
    object per distinct value (less memory on large tables, one dict lookup per cell)."""
    memo: dict[str, object] = {}
    pool: dict[str, str] = {}

    def convert(value: object) -> object:
        if type(value) is str:
            try:
                return memo[value]
            except KeyError:
                pass
        text = convert_text(value)
        if isinstance(text, str) and len(pool) < 100_000:
            text = pool.setdefault(text, text)
        if type(value) is str and len(memo) < 100_000:
            memo[value] = text
        return text

    return convert


#: Cell types a date converter memoises (immutable, and never equal to a value of another type
#: with another meaning, as 1 and True are).
_DATE_MEMO_TYPES = frozenset({str, datetime, date})


def date_converter() -> Converter:
    """`convert_date` memoised per cell text or date-time cell (report dates repeat a lot)."""
    memo: dict[object, object] = {}

    def convert(value: object) -> object:
        if type(value) not in _DATE_MEMO_TYPES:
            return convert_date(value)
        try:
            return memo[value]
        except KeyError:
            pass
        result = convert_date(value)
        if len(memo) < 10_000:
            memo[value] = result
        return result

    return convert


_BY_TYPE: dict[str, Converter] = {
    "text": convert_text,
    "bool": convert_bool,
    "email": convert_email,
    "locality": convert_text,
    "period": convert_text,
}
#: Text columns whose values repeat a lot: interned to save memory on large tables.
REPETITIVE = frozenset({"commune", "framework", "unit_name"})


def converter_for(column: ColumnSpec, *, decide: bool = True) -> Converter:
    """The converter of a column (`decide=False`: leave ambiguous numbers to the table rules)."""
    if column.type == "choice":
        return choice_converter(column)
    if column.name in REPETITIVE:
        return interning_text()
    if column.type == "date":
        return date_converter()
    if column.type in ("number", "integer"):
        integer = column.type == "integer"
        high = INTEGER_MAX if integer and column.max is None else column.max
        return number_converter(integer, column.min, high, decide=decide)
    return _BY_TYPE[column.type]


# -- the problem of a bad cell -----------------------------------------------------------------
def _choices_text(column: ColumnSpec) -> str:
    """The allowed values of a choice column with their Vietnamese labels."""
    return ", ".join(f"{c.value} ({c.label_vi})" for c in column.choices)


def ambiguous_problem(
    ambiguous: Ambiguous, what: object, table: str, row: int | None, column: str
) -> Problem:
    """The error for number text whose two readings both fit the column."""
    whole, _, fraction = ambiguous.text.lstrip("+-\u2212").partition(ambiguous.separator)
    sign = "-" if ambiguous.grouped < 0 else ""
    decimal_alt = f"{sign}{whole}{',' if ambiguous.separator == ',' else '.'}{fraction}0"
    return problem(
        "ambiguous_number",
        table=table,
        row=row,
        column=column,
        value=ambiguous.text,
        col=what,
        text=Quoted(ambiguous.text),
        grouped=ambiguous.grouped,
        decimal=ambiguous.decimal,
        grouped_plain=str(ambiguous.grouped),
        decimal_alt=decimal_alt,
    )


def bad_value(bad: Bad, column: ColumnSpec, table: str, row: int | None, value: object) -> Problem:
    """The error for a cell that is not of its column's type, with how to write it."""
    col = Col(column.name, column.label_vi)
    if bad.ambiguous is not None:
        return ambiguous_problem(bad.ambiguous, col, table, row, column.name)
    if bad is BAD_INTEGER:
        number = parse_number(value)
        shown_number = number.vietnamese if isinstance(number, Ambiguous) else number
        text: object = Read(value, shown_number if isinstance(shown_number, int | float) else None)
    else:
        text = Quoted(value)
    return problem(
        bad.code,
        table=table,
        row=row,
        column=column.name,
        value=value,
        col=col,
        text=text,
        choices=_choices_text(column),
    )
