"""Per-column cell converters and the bilingual messages for values of the wrong type."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from dxw.submission.problems import Problem, error
from dxw.submission.tables import ColumnSpec
from dxw.submission.values import (
    clean_text,
    normalise_key,
    parse_bool,
    parse_date,
    parse_number,
)

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")
#: Characters no stored text may hold: NUL (PostgreSQL refuses it) and halves of UTF-16 pairs
#: (a JSON "\ud800" escape; UTF-8 cannot encode them).
_NOT_TEXT = re.compile(r"[\x00\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class Bad:
    """A cell that is not of its column's type; `code` names the problem."""

    code: str


BAD_TEXT = Bad("invalid_type")
BAD_NUMBER = Bad("invalid_number")
BAD_INTEGER = Bad("not_integer")
BAD_DATE = Bad("invalid_date")
BAD_BOOL = Bad("invalid_boolean")
BAD_CHOICE = Bad("invalid_choice")
BAD_EMAIL = Bad("invalid_email")
BAD_CHARACTER = Bad("invalid_encoding")

Converter = Callable[[object], object]


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
    return clean_text(value)


def convert_number(value: object) -> object:
    """A number read the Vietnamese way."""
    if type(value) is float:  # a number cell (xlsx, JSON)
        return value if math.isfinite(value) else BAD_NUMBER
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        # The fast path of CSV numbers, "20,977178": what `parse_number` reads as a plain
        # decimal comma (-?\d{1,15},\d{1,15}), without a regular expression.
        whole, comma, fraction = text.partition(",")
        if comma and 0 < len(fraction) <= 15 and fraction.isdecimal():
            digits = whole[1:] if whole[:1] == "-" else whole
            if 0 < len(digits) <= 15 and digits.isdecimal():
                return float(f"{whole}.{fraction}")
        value = text
    elif value is None:
        return None
    number = parse_number(value)
    return BAD_NUMBER if number is None else number


def convert_integer(value: object) -> object:
    """A whole number."""
    value = _blank_or(value)
    if value is None:
        return None
    number = parse_number(value)
    if number is None:
        return BAD_NUMBER
    if isinstance(number, float):
        return int(number) if number.is_integer() else BAD_INTEGER
    return number


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
    "number": convert_number,
    "integer": convert_integer,
    "date": convert_date,
    "bool": convert_bool,
    "email": convert_email,
    "locality": convert_text,
    "period": convert_text,
}
#: Text columns whose values repeat a lot: interned to save memory on large tables.
REPETITIVE = frozenset({"commune", "framework", "unit_name"})


def converter_for(column: ColumnSpec) -> Converter:
    """The converter of a column."""
    if column.type == "choice":
        return choice_converter(column)
    if column.name in REPETITIVE:
        return interning_text()
    if column.type == "date":
        return date_converter()
    return _BY_TYPE[column.type]


def _choices_text(column: ColumnSpec) -> str:
    """The allowed values of a choice column with their Vietnamese labels."""
    return ", ".join(f"{c.value} ({c.label_vi})" for c in column.choices)


def bad_value(bad: Bad, column: ColumnSpec, table: str, row: int | None, value: object) -> Problem:
    """The error for a cell that is not of its column's type, with how to write it."""
    shown = clean_text(value) if not isinstance(value, dict | list) else type(value).__name__
    where = f"{column.name} ({column.label_vi})"
    texts = {
        "invalid_type": (
            f"{where}: a list or object is not allowed here; write a single value.",
            f"{where}: không được ghi danh sách hay đối tượng; hãy ghi một giá trị.",
        ),
        "invalid_number": (
            f"{where}: '{shown}' is not a number; write it like 99,2 or 1.234 (decimal comma, "
            "dot for thousands).",
            f"{where}: '{shown}' không phải là số; hãy ghi như 99,2 hoặc 1.234 (dấu phẩy thập "
            "phân, dấu chấm ngăn cách hàng nghìn).",
        ),
        "not_integer": (
            f"{where}: '{shown}' is not a whole number.",
            f"{where}: '{shown}' không phải là số nguyên.",
        ),
        "invalid_date": (
            f"{where}: '{shown}' is not a full date; write day/month/year like 24/3/2022 or "
            "2022-03-24.",
            f"{where}: '{shown}' không phải ngày đầy đủ; hãy ghi ngày/tháng/năm như 24/3/2022 "
            "hoặc 2022-03-24.",
        ),
        "invalid_boolean": (
            f"{where}: '{shown}' is not yes/no; write có or không (yes/no, 1/0).",
            f"{where}: '{shown}' không phải có/không; hãy ghi có hoặc không (yes/no, 1/0).",
        ),
        "invalid_choice": (
            f"{where}: '{shown}' is not an allowed value; use one of {_choices_text(column)}.",
            f"{where}: '{shown}' không phải giá trị hợp lệ; hãy dùng một trong "
            f"{_choices_text(column)}.",
        ),
        "invalid_email": (
            f"{where}: '{shown}' is not an e-mail address such as name@example.gov.vn.",
            f"{where}: '{shown}' không phải địa chỉ email, ví dụ ten@example.gov.vn.",
        ),
        "invalid_encoding": (
            f"{where}: '{shown}' holds a character that is not text (NUL, or half of a UTF-16 "
            "pair) and cannot be stored; delete it and type the text again.",
            f"{where}: '{shown}' chứa ký tự không phải văn bản (NUL hoặc nửa cặp UTF-16) nên "
            "không lưu được; hãy xóa và gõ lại nội dung.",
        ),
    }
    en, vi = texts[bad.code]
    return error(bad.code, en, vi, table=table, row=row, column=column.name, value=shown)
