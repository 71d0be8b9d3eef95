"""Reading cell values the Vietnamese way: numbers, dates, booleans and text; never raising.

Every parser takes whatever a carrier produced (str, int, float, bool, date, datetime, None,
or nested JSON) and returns the typed value, or None when the value is not of that type.
Blank input is not handled here: callers test `is_blank` first.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from functools import lru_cache

#: Day 0 of Excel's 1900 date system as everyone implements it (serial 1 = 1/1/1900, with the
#: 1900 leap-year bug folded in from 1/3/1900 on).
EXCEL_EPOCH = date(1899, 12, 30)
MIN_YEAR = 1900
MAX_YEAR = 2100
_MAX_NUMBER_CHARS = 64
_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009\u2007\t")
_INT = re.compile(r"\d+")
_GROUPED = {
    ".": re.compile(r"[1-9]\d{0,2}(?:\.\d{3})+"),
    ",": re.compile(r"[1-9]\d{0,2}(?:,\d{3})+"),
}
_SIMPLE_DECIMAL = re.compile(r"-?\d{1,15}[,]\d{1,15}")
#: Scientific notation, with a decimal point or (as Vietnamese Excel writes it) a decimal comma.
_EXPONENT = re.compile(r"\d+(?:[.,]\d+)?[eE][+-]?\d+")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?Z?")
_DMY = re.compile(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?")
_YMD_SLASH = re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})")
_VI_DATE = re.compile(r"(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*(?:năm|,)?\s*(\d{4})")
_TRUE = frozenset({"yes", "y", "true", "t", "1", "có", "co", "x", "đã kết nối", "đã", "rồi"})
_FALSE = frozenset({"no", "n", "false", "f", "0", "không", "khong", "chưa", "chưa kết nối"})


def is_blank(value: object) -> bool:
    """None, or text that is empty after stripping."""
    return value is None or (isinstance(value, str) and not value.strip())


def nfc(text: str) -> str:
    """Unicode NFC form (cheap for ASCII)."""
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def normalise_key(text: str) -> str:
    """Matching key of a name: NFC, case-folded, `_`/`-` as spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("_", " ").replace("-", " ")
    return unicodedata.normalize("NFC", " ".join(folded.split()))


def clean_text(value: object) -> str | None:
    """Text of a cell: NFC, stripped; numbers without a spurious `.0`; None for nested values.

    Formula-looking text ("=SUM(A1)") is kept verbatim: nothing is ever evaluated.
    """
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


def _parse_number_text(text: str) -> int | float | None:
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
    if sep == "." and len(frac) == 3 and _GROUPED["."].fullmatch(s):
        return sign * int(whole + frac)
    return sign * float((whole or "0") + "." + frac)


def parse_number(value: object) -> int | float | None:
    """A number: JSON/xlsx numbers as they are; text read the Vietnamese way.

    Text: "99,2" is 99.2 (decimal comma); "1.234" and "1.234.567" are thousands (1234,
    1234567); "1.234,5" and "1,234.5" are 1234.5 (the later separator is the decimal one);
    a single dot not followed by exactly three digits is a decimal point ("0.5", "12.50");
    "99,2%" is 99.2; spaces inside are ignored; "1e3" is accepted. Integers stay int.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit() and text.isascii() and len(text) <= _MAX_NUMBER_CHARS:
            return int(text)
        if _SIMPLE_DECIMAL.fullmatch(text):
            return float(text.replace(",", "."))
        return _parse_number_text(text) if text else None
    return None


def parse_integer(value: object) -> int | None:
    """A whole number (a float with no fraction counts); None otherwise."""
    number = parse_number(value)
    if isinstance(number, float):
        return int(number) if number.is_integer() else None
    return number


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


def format_number_vi(value: int | float, decimals: int = 2) -> str:
    """A number written the Vietnamese way: 1.234,5 (used in messages and builders)."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}".replace(",", ".")
    text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_date_vi(day: date) -> str:
    """A date written the Vietnamese way: 24/3/2022."""
    return f"{day.day}/{day.month}/{day.year}"
