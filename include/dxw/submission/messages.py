"""The one message catalog: every problem code, every sentence in Vietnamese and English.

Why a table in Python and not gettext catalogs: a problem is rendered in *both* languages at
once (the audit trail and the feedback keep both side by side), never in "the user's locale";
its sentences take parameters that are formatted per language (1.234,5 / 1,234.5; 24/3/2022 /
2022-03-24); and a test can walk this table and check that every code and every sentence has
both languages with the same parameters. Vietnamese needs no plural forms, and the few English
plurals are whole sentences here. Babel/gettext would add a compile step (.po -> .mo) and a
runtime lookup for no gain.

A message id is `code` or `code.variant` (the problem code is the part before the first dot),
or a fragment (`part.*`, `feedback.*`, `locality.*`, `doc.*`) used inside other messages.
Parameters are formatted by type: numbers and dates per language; `Quoted` is the text exactly as
written in the file; `Read` is that text beside the value read from it; `M` is a nested message.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

Lang = Literal["en", "vi"]
LANGS: tuple[Lang, ...] = ("en", "vi")
_MAX_VALUE_CHARS = 200
#: NUL (PostgreSQL text cannot hold it) and halves of UTF-16 pairs (UTF-8 cannot encode them).
_UNPRINTABLE = re.compile(r"[\x00\ud800-\udfff]")


class Severity(StrEnum):
    """An error rejects the submission; a warning accepts it and is recorded."""

    ERROR = "error"
    WARNING = "warning"


# -- formatting per language --------------------------------------------------------------------
def printable(text: str) -> str:
    """Text every UTF-8 sink accepts: NUL and lone surrogates written as escapes (\\x00)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: "\\x00" if m[0] == "\x00" else f"\\u{ord(m[0]):04x}", text)


def format_number(value: float, lang: Lang, *, grouped: bool = True, decimals: int = 6) -> str:
    """A number as each language writes it: vi 1.234,5 / en 1,234.5 (no trailing zeros)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        text = f"{value:,}" if grouped else str(value)
    else:
        text = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
        text = text.rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_date(day: date, lang: Lang) -> str:
    """A date as each language writes it here: vi 24/3/2022, en ISO 8601 2022-03-24 (English
    readers split between d/m and m/d; ISO is unambiguous to both)."""
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.day}/{day.month}/{day.year}" if lang == "vi" else day.isoformat()


def shown(value: object) -> str | None:
    """A cell as text for the `value` of a problem: text exactly as written, numbers without a
    spurious `.0`, shortened to 200 characters, unprintable characters escaped."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        if value.is_integer() and math.isfinite(value) and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = repr(value)
        if getattr(value, "is_percent_cell", False):
            text = f"{text}%"
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = type(value).__name__
    else:
        text = str(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return printable(text)


class Part:
    """A parameter that renders itself per language."""

    def render(self, lang: Lang) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class M(Part):
    """A nested message (or fragment) of the catalog, with its own parameters."""

    id: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __init__(self, id: str, **params: object) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "params", params)

    def render(self, lang: Lang) -> str:
        return render(self.id, lang, **self.params)


@dataclass(frozen=True, slots=True)
class Quoted(Part):
    """Text exactly as written in the file, in quotes."""

    text: object

    def render(self, lang: Lang) -> str:
        return f"'{shown(self.text) or ''}'"


@dataclass(frozen=True, slots=True)
class Read(Part):
    """A cell as written beside the value read from it: '1.234,5' (read as 1,234.5); a number
    cell (no text written) shows the value only, and so does text that reads as it is shown."""

    written: object
    value: float | int | None
    grouped: bool = True

    def render(self, lang: Lang) -> str:
        if self.value is None:
            return Quoted(self.written).render(lang)
        number = format_number(self.value, lang, grouped=self.grouped)
        if not isinstance(self.written, str):
            return number
        text = shown(self.written) or ""
        if text.strip() == number:
            return f"'{text}'"
        return f"'{text}' ({'đọc là' if lang == 'vi' else 'read as'} {number})"


@dataclass(frozen=True, slots=True)
class Col(Part):
    """A column: English `name (nhãn)`, Vietnamese `nhãn (name)`."""

    name: str
    label_vi: str

    def render(self, lang: Lang) -> str:
        return (
            f"{self.label_vi} ({self.name})" if lang == "vi" else f"{self.name} ({self.label_vi})"
        )


@dataclass(frozen=True, slots=True)
class Both(Part):
    """Text given in each language by the caller (e.g. an indicator's name)."""

    en: str
    vi: str

    def render(self, lang: Lang) -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True, slots=True)
class Plain(Part):
    """A number written without grouping (years, row counts in a sentence about a row)."""

    value: int

    def render(self, lang: Lang) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class Joined(Part):
    """Parts joined by a separator."""

    items: Sequence[object]
    sep: str = ", "

    def render(self, lang: Lang) -> str:
        return self.sep.join(_text(item, lang) for item in self.items)


def _text(value: object, lang: Lang) -> str:
    """One parameter as text in a language."""
    if isinstance(value, Part):
        return value.render(lang)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return format_number(value, lang)
    if isinstance(value, date):
        return format_date(value, lang)
    return "" if value is None else str(value)


def render(message: str, lang: Lang, **params: object) -> str:
    """The sentence of a message id in one language, its parameters formatted for it."""
    template = TEXTS[message][0 if lang == "en" else 1]
    if not params:
        return template
    return template.format_map({k: _text(v, lang) for k, v in params.items()})


# -- problems --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: where (table, row as the locality sees it, column), the text as written
    (`value`), its code, and what to do in English and Vietnamese."""

    severity: Severity
    table: str | None
    row: int | None
    column: str | None
    value: str | None
    code: str
    message_en: str
    message_vi: str

    @property
    def is_error(self) -> bool:
        """Whether this problem rejects the submission."""
        return self.severity is Severity.ERROR


def problem(
    message: str,
    *,
    table: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    severity: Severity | None = None,
    **params: object,
) -> Problem:
    """A problem from the catalog; its severity is its code's unless given."""
    code = message.split(".", 1)[0]
    params = {"table": table, "row": row, "column": column, **params}
    return Problem(
        severity or CODES[code].severity,
        printable(table) if table else table,
        row,
        printable(column) if column else column,
        shown(value),
        code,
        printable(render(message, "en", **params)),
        printable(render(message, "vi", **params)),
    )


class ProblemSink:
    """Collects every problem; beyond `cap` of one code in one table only counts them."""

    def __init__(self, cap: int = 1000) -> None:
        self.cap = cap
        self._problems: list[Problem] = []
        self._counts: Counter[tuple[str | None, str, Severity]] = Counter()
        self.has_errors = False

    def add(self, found: Problem) -> None:
        """Record a problem (counted only, once its code passed the cap in its table)."""
        key = (found.table, found.code, found.severity)
        self._counts[key] += 1
        if found.severity is Severity.ERROR:
            self.has_errors = True
        if self._counts[key] <= self.cap:
            self._problems.append(found)

    def extend(self, problems: Sequence[Problem]) -> None:
        """Record several problems."""
        for found in problems:
            self.add(found)

    def finish(self) -> list[Problem]:
        """All problems kept, plus one summary per capped code, errors first, then in order."""
        out = list(self._problems)
        for (table, code, severity), count in self._counts.items():
            if count > self.cap:
                out.append(
                    problem(
                        "too_many_problems",
                        table=table,
                        value=str(count),
                        severity=severity,
                        hidden=count - self.cap,
                        count=count,
                        code=code,
                    )
                )
        out.sort(key=lambda p: p.severity is not Severity.ERROR)
        return out


# -- the codes -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Code:
    """A problem code: its severity and what it means, in both languages (the docs list them)."""

    severity: Severity
    en: str
    vi: str


E, W = Severity.ERROR, Severity.WARNING
#: Every problem code. docs/submission-format.md lists each; tests walk this table.
CODES: dict[str, Code] = {
    # the file
    "unknown_carrier": Code(
        E, "The file is not .xlsx, .json or .zip.", "Tệp không phải .xlsx, .json hoặc .zip."
    ),
    "unreadable_file": Code(
        E,
        "The file (or a zip entry) cannot be opened or parsed.",
        "Không mở hoặc đọc được tệp (hoặc một mục trong tệp nén).",
    ),
    "file_too_large": Code(E, "The file is larger than allowed.", "Tệp lớn hơn mức cho phép."),
    "zip_too_large": Code(
        E,
        "The archive unpacks to more than allowed, or to more than it declares (zip bomb).",
        "Tệp nén giải nén ra quá lớn, hoặc lớn hơn kích thước khai báo (zip bomb).",
    ),
    "zip_too_many_entries": Code(
        E, "The archive has too many entries.", "Tệp nén có quá nhiều mục."
    ),
    "unsafe_zip_path": Code(
        E,
        "A zip entry has an absolute path or '..'.",
        "Một mục trong tệp nén có đường dẫn tuyệt đối hoặc '..'.",
    ),
    "invalid_json": Code(
        E, "The file is not valid UTF-8 JSON.", "Tệp không phải JSON UTF-8 hợp lệ."
    ),
    "json_not_object": Code(
        E, "The JSON document is not an object.", "Tài liệu JSON không phải là một đối tượng."
    ),
    "json_too_deep": Code(E, "The JSON is nested too deeply.", "JSON lồng quá nhiều cấp."),
    "invalid_encoding": Code(
        E,
        "A CSV is not UTF-8, or a text holds a character that cannot be stored (NUL).",
        "Tệp CSV không mã hóa UTF-8, hoặc văn bản chứa ký tự không lưu được (NUL).",
    ),
    "malformed_csv": Code(
        E,
        "A CSV cannot be parsed (quotes, oversized cell).",
        "Tệp CSV sai định dạng (dấu ngoặc kép, ô quá dài).",
    ),
    "too_many_rows": Code(
        E,
        "A table (or the grid of a sheet) is larger than allowed.",
        "Một bảng (hoặc vùng ô của một trang tính) lớn hơn mức cho phép.",
    ),
    # tables and columns
    "missing_table": Code(E, "The submission table is missing.", "Thiếu bảng submission."),
    "unknown_table": Code(
        E,
        "A sheet, CSV entry or JSON key names no table.",
        "Trang tính, tệp CSV hoặc khóa JSON không phải bảng hợp lệ.",
    ),
    "duplicate_table": Code(
        E,
        "Two sheets/entries/keys hold the same table.",
        "Hai trang tính/tệp/khóa cùng là một bảng.",
    ),
    "invalid_table_shape": Code(
        E,
        "A JSON table has the wrong type (object/array).",
        "Bảng JSON sai kiểu (đối tượng/mảng).",
    ),
    "invalid_row": Code(
        E, "A JSON row is not an object.", "Một dòng JSON không phải là đối tượng."
    ),
    "unknown_column": Code(
        E, "A column name is not part of its table.", "Tên cột không thuộc bảng."
    ),
    "duplicate_column": Code(
        E,
        "Two columns (or JSON keys) mean the same column.",
        "Hai cột (hoặc khóa JSON) cùng là một cột.",
    ),
    "missing_column": Code(E, "A required column is missing.", "Thiếu cột bắt buộc."),
    "unnamed_column": Code(
        E, "Data stands in a column without a name.", "Có dữ liệu trong cột không có tên."
    ),
    # the submission table
    "unknown_field": Code(
        E,
        "A field of the submission table is unknown.",
        "Trường của bảng submission không hợp lệ.",
    ),
    "duplicate_field": Code(
        E,
        "A field of the submission table is given twice.",
        "Một trường của bảng submission được ghi hai lần.",
    ),
    "missing_field": Code(
        E,
        "A required field (locality, period, submitted_on) is missing or blank.",
        "Thiếu trường bắt buộc (locality, period, submitted_on) hoặc trường đó để trống.",
    ),
    "invalid_period": Code(E, "The period is malformed.", "Kỳ báo cáo sai định dạng."),
    "unknown_locality": Code(
        E,
        "The locality is unknown, ambiguous, or did not exist in the period.",
        "Địa phương không xác định, không rõ ràng, hoặc không tồn tại trong kỳ.",
    ),
    # values
    "missing_value": Code(E, "A required cell is blank.", "Ô bắt buộc để trống."),
    "invalid_type": Code(
        E,
        "A JSON list or object stands where a value is expected.",
        "Có danh sách/đối tượng JSON ở vị trí của một giá trị.",
    ),
    "invalid_number": Code(E, "Not a number.", "Không phải là số."),
    "ambiguous_number": Code(
        E,
        "Number text that reads two ways (1,000: one or a thousand) where both fit the column.",
        "Số viết có thể hiểu theo hai cách (1,000: một hay một nghìn) và cả hai đều hợp lệ "
        "với cột.",
    ),
    "not_integer": Code(E, "Not a whole number.", "Không phải là số nguyên."),
    "invalid_date": Code(E, "Not a full date.", "Không phải ngày đầy đủ."),
    "invalid_boolean": Code(E, "Not yes/no.", "Không phải có/không."),
    "invalid_choice": Code(E, "Not one of the allowed values.", "Không phải giá trị hợp lệ."),
    "invalid_email": Code(E, "Not an e-mail address.", "Không phải địa chỉ email."),
    "out_of_range": Code(
        E,
        "A number outside its allowed range (catalog, percent 0-100, negative count).",
        "Số nằm ngoài khoảng cho phép (theo danh mục, tỷ lệ 0-100, số lượng âm).",
    ),
    "unknown_indicator": Code(
        E, "An indicator code is not in the catalog.", "Mã chỉ số không có trong danh mục."
    ),
    "numerator_exceeds_denominator": Code(
        E, "A part is greater than its whole.", "Phần lớn hơn tổng."
    ),
    "duplicate_key": Code(
        E,
        "A key (point_id, goal_code, indicator_code, ...) repeats.",
        "Khóa (point_id, goal_code, indicator_code, ...) bị trùng.",
    ),
    "coordinates_outside_vietnam": Code(
        E,
        "Coordinates outside Vietnam's bounding box.",
        "Tọa độ nằm ngoài lãnh thổ Việt Nam.",
    ),
    "incomplete_coordinates": Code(
        E, "Only one of latitude/longitude is given.", "Chỉ ghi một trong hai tọa độ."
    ),
    # warnings
    "percent_disagrees": Code(
        W,
        "A reported percentage is more than one point away from its counts.",
        "Tỷ lệ báo cáo lệch quá 1 điểm so với số liệu.",
    ),
    "count_disagrees": Code(
        W,
        "A reported count disagrees with the rows listed.",
        "Số liệu báo cáo không khớp với số dòng liệt kê.",
    ),
    "summary_disagrees": Code(
        W,
        "goal_summary disagrees with its pillars or with the goals table.",
        "Bảng goal_summary không khớp với các trục hoặc với bảng goals.",
    ),
    "submitted_before_period": Code(
        W,
        "submitted_on is before the period starts.",
        "Ngày báo cáo trước ngày bắt đầu kỳ.",
    ),
    "percent_looks_like_fraction": Code(
        W,
        "A percentage of 0-1 typed as a plain number looks like a fraction.",
        "Tỷ lệ từ 0 đến 1 ghi dạng số thường có vẻ là phân số.",
    ),
    "too_many_problems": Code(
        E,
        "More problems of one code than are listed (a warning when the code is a warning).",
        "Còn nhiều vấn đề cùng loại không được liệt kê (là cảnh báo nếu loại đó là cảnh báo).",
    ),
    "internal_error": Code(
        E,
        "The file could not be checked because of a fault of the warehouse, not of the file.",
        "Không kiểm tra được tệp do lỗi của hệ thống, không phải lỗi của tệp.",
    ),
}
del E, W

_FIX = "Open the file and save it again in the template's format."
_FIX_VI = "Hãy mở tệp và lưu lại đúng định dạng của mẫu."
_WARN_ONLY = "This warning does not reject the report; correct the wrong figure."
_WARN_ONLY_VI = "Cảnh báo này không làm báo cáo bị từ chối; hãy sửa số liệu sai."

#: Message id -> (English, Vietnamese). Fragments have no problem code of their own.
TEXTS: dict[str, tuple[str, str]] = {
    # -- fragments ---------------------------------------------------------------------------
    "part.did_you_mean": (" Did you mean '{best}'?", " Có phải là '{best}'?"),
    "part.none": ("", ""),
    "part.joined": ("{first}{then}", "{first}{then}"),
    "part.sheet": ("sheet", "trang tính"),
    "part.entry": ("zip entry", "tệp trong tệp nén"),
    "part.key": ("JSON key", "khóa JSON"),
    "part.object": ("an object of field: value pairs", "một đối tượng dạng trường: giá trị"),
    "part.array": ("an array of row objects", "một mảng các đối tượng (mỗi đối tượng một dòng)"),
    "part.range_between": ("{low} to {high}", "từ {low} đến {high}"),
    "part.range_min": ("at least {low}", "không nhỏ hơn {low}"),
    "part.range_max": ("at most {high}", "không lớn hơn {high}"),
    "part.swapped": (
        " Latitude and longitude look swapped.",
        " Có vẻ vĩ độ và kinh độ bị ghi đảo ngược.",
    ),
    "part.of_indicator": ("value of {indicator}", "giá trị của chỉ số {indicator}"),
    "part.wifi_active": (
        "wifi_points (status active)",
        "bảng wifi_points (trạng thái hoạt động)",
    ),
    "part.links_connected": ("network_links (connected)", "bảng network_links (đã kết nối)"),
    "part.links_rows": ("network_links", "bảng network_links"),
    "part.pillar_sum": ("the sum of the three pillars", "tổng của ba trục"),
    "part.goals_rows": ("the rows of the goals table", "các dòng của bảng goals"),
    "part.goals_ratio": (
        "goals_achieved/goals_total",
        "số mục tiêu đạt/tổng số mục tiêu (goals_achieved/goals_total)",
    ),
    "part.ratio": ("{numerator}/{denominator}", "{numerator}/{denominator}"),
    # -- the file ----------------------------------------------------------------------------
    "unknown_carrier": (
        "{name} is not a submission file: send .xlsx, .json or .zip.{advice}",
        "{name} không phải tệp báo cáo: hãy gửi tệp .xlsx, .json hoặc .zip.{advice}",
    ),
    "unknown_carrier.xls": (
        "{name} is an Excel 97-2003 workbook (.xls), which is not accepted: open it in Excel "
        "and save it as Excel Workbook (.xlsx), then send the .xlsx.",
        "{name} là bảng tính Excel 97-2003 (.xls), định dạng này không được chấp nhận: hãy mở "
        "bằng Excel, lưu lại dưới dạng Excel Workbook (.xlsx) rồi gửi tệp .xlsx.",
    ),
    "part.advice_csv": (
        " Put the CSV files in a .zip, one per table.",
        " Hãy nén các tệp CSV (mỗi bảng một tệp) thành một tệp .zip.",
    ),
    "part.advice_spreadsheet": (" Save it as .xlsx.", " Hãy lưu lại dưới dạng .xlsx."),
    "unreadable_file": (
        "{name} could not be read as {carrier}: {reason}. " + _FIX,
        "Không đọc được tệp {name} theo định dạng {carrier}: {reason}. " + _FIX_VI,
    ),
    "part.not_a_zip": ("it is not a valid zip container", "tệp không phải là tệp nén zip hợp lệ"),
    "part.not_a_workbook": (
        "it is not a valid workbook ({detail})",
        "tệp không phải bảng tính hợp lệ ({detail})",
    ),
    "part.os_error": ("the file system said: {detail}", "hệ thống tệp báo lỗi: {detail}"),
    "part.parse_error": ("{detail}", "{detail}"),
    "unreadable_file.ole": (
        "{name} is a password-protected (encrypted) workbook or an old Excel 97-2003 file, not "
        "an .xlsx. Remove the password (File > Info > Protect Workbook) and save it as Excel "
        "Workbook (.xlsx).",
        "Tệp {name} là bảng tính có đặt mật khẩu (mã hóa) hoặc tệp Excel 97-2003 cũ, không "
        "phải .xlsx. Hãy bỏ mật khẩu (File > Info > Protect Workbook) và lưu lại dưới dạng "
        "Excel Workbook (.xlsx).",
    ),
    "unreadable_file.encrypted_entry": (
        "Entry {name} is encrypted; send the archive without a password.",
        "Mục {name} được đặt mật khẩu; hãy gửi tệp nén không có mật khẩu.",
    ),
    "unreadable_file.entry": (
        "{name} could not be read from row {row} on ({detail}).",
        "Không đọc được tệp {name} từ dòng {row} trở đi ({detail}).",
    ),
    "file_too_large": (
        "{name} is {size} bytes; at most {limit} are accepted.",
        "Tệp {name} có {size} byte; chỉ chấp nhận tối đa {limit} byte.",
    ),
    "file_too_large.json": (
        "A .json submission may be at most {limit} bytes; send a .zip of CSV files for large "
        "tables.",
        "Tệp .json chỉ được tối đa {limit} byte; với bảng lớn hãy gửi tệp .zip chứa các tệp CSV.",
    ),
    "zip_too_many_entries": (
        "The {what} holds {count} entries; at most {limit} are accepted.",
        "Tệp {what} có {count} mục; chỉ chấp nhận tối đa {limit} mục.",
    ),
    "zip_too_large": (
        "The {what} unpacks to {size} bytes; at most {limit} are accepted.",
        "Tệp {what} khi giải nén có {size} byte; chỉ chấp nhận tối đa {limit} byte.",
    ),
    "zip_too_large.forged": (
        "An entry of the {what} ({name}) unpacks to more than it declares; the file is damaged "
        "or malicious.",
        "Một mục của tệp {what} ({name}) giải nén ra nhiều hơn kích thước khai báo; tệp bị "
        "hỏng hoặc độc hại.",
    ),
    "unsafe_zip_path": (
        "Entry {name} has an absolute path or '..'; put the CSV files at the top of the archive "
        "or in one folder.",
        "Mục {name} có đường dẫn tuyệt đối hoặc '..'; hãy đặt các tệp CSV ở thư mục gốc của "
        "tệp nén hoặc trong một thư mục.",
    ),
    "too_many_rows": (
        "Table '{table}' has more than {limit} data rows; split the submission.",
        "Bảng '{table}' có hơn {limit} dòng dữ liệu; hãy tách báo cáo thành nhiều tệp.",
    ),
    "too_many_rows.sheet_extent": (
        "A sheet ({name}) spans {rows} rows x {cols} columns ({cells} cells, up to cell "
        "{corner}); at most {limit} cells are read. A value far below or to the right of the "
        "table (even a space) does this: delete the rows and columns after your data and save "
        "again.",
        "Một trang tính ({name}) trải trên {rows} dòng x {cols} cột ({cells} ô, đến ô "
        "{corner}); chỉ đọc tối đa {limit} ô. Nguyên nhân là một giá trị nằm xa bên dưới hoặc "
        "bên phải bảng (kể cả dấu cách): hãy xóa các dòng, cột sau dữ liệu rồi lưu lại.",
    ),
    "invalid_json": (
        "The file is not valid JSON: {detail} at line {line}, column {position}.",
        "Tệp không phải JSON hợp lệ: lỗi '{detail}' tại dòng {line}, cột {position}.",
    ),
    "invalid_json.encoding": (
        "The file is not UTF-8 JSON ({detail}); save it as UTF-8.",
        "Tệp không phải JSON mã hóa UTF-8 ({detail}); hãy lưu lại với mã hóa UTF-8.",
    ),
    "json_not_object": (
        'The JSON must be an object with one key per table, e.g. {{"submission": {{...}}}}.',
        'Tệp JSON phải là một đối tượng, mỗi bảng một khóa, ví dụ {{"submission": {{...}}}}.',
    ),
    "json_too_deep": ("The JSON is nested too deeply.", "Tệp JSON lồng quá nhiều cấp."),
    "json_too_deep.limit": (
        "The JSON is nested {depth} levels deep; at most {limit} are accepted.",
        "Tệp JSON lồng {depth} cấp; chỉ chấp nhận tối đa {limit} cấp.",
    ),
    "invalid_encoding.csv": (
        "{name} is not UTF-8 text (from about row {row}); save it as 'CSV UTF-8'.",
        "Tệp {name} không phải văn bản UTF-8 (từ khoảng dòng {row}); hãy lưu lại với định "
        "dạng 'CSV UTF-8'.",
    ),
    "malformed_csv": (
        "{name} is not valid CSV at row {row} ({detail}); check quotes and cell sizes.",
        "Tệp {name} không đúng định dạng CSV tại dòng {row} ({detail}); hãy kiểm tra dấu "
        "ngoặc kép và độ dài ô.",
    ),
    # -- tables and columns ------------------------------------------------------------------
    "unknown_table": (
        "The {what} {name} is not a table of the format; its data would be lost.{hint} "
        "Accepted tables: {accepted}. Rename it, or start its name with # to mark it as a note.",
        "Tên {what} {name} không phải là bảng của mẫu báo cáo; dữ liệu sẽ bị bỏ qua.{hint} Các "
        "bảng hợp lệ: {accepted}. Hãy đổi tên, hoặc thêm dấu # ở đầu tên nếu chỉ là ghi chú.",
    ),
    "duplicate_table": (
        "Both {first} and {second} hold table '{table}'; merge them into one.",
        "Cả {first} và {second} đều là bảng '{table}'; hãy gộp lại thành một.",
    ),
    "duplicate_table.json_key": (
        "Key {key} appears twice in the same object; keep one.",
        "Khóa {key} xuất hiện hai lần trong cùng một đối tượng; chỉ giữ một.",
    ),
    "invalid_table_shape": (
        "{name} must be {expected}, not {found}.",
        "{name} phải là {expected}, không phải {found}.",
    ),
    "invalid_row": (
        "Row {row} of {name} must be an object of column: value pairs.",
        "Dòng {row} của {name} phải là một đối tượng dạng cột: giá trị.",
    ),
    "unknown_column": (
        "Unknown column {name} in table '{table}'; its data would be lost.{hint} Accepted "
        "columns: {accepted}. Rename it, or start its name with # to mark it as a comment.",
        "Cột {name} trong bảng '{table}' không được chấp nhận; dữ liệu của cột sẽ bị bỏ qua."
        "{hint} Các cột hợp lệ: {accepted}. Hãy đổi tên cột, hoặc thêm dấu # ở đầu tên nếu đó "
        "là cột ghi chú.",
    ),
    "duplicate_column": (
        "Columns {first} and {second} both mean '{canonical}'; keep one.",
        "Cột {first} và cột {second} cùng là '{canonical}'; chỉ giữ một cột.",
    ),
    "duplicate_column.json_key": (
        "Key {key} appears twice in the same object; keep one.",
        "Khóa {key} xuất hiện hai lần trong cùng một đối tượng; chỉ giữ một.",
    ),
    "missing_column": (
        "Table '{table}' has no column {col}; it is required.",
        "Bảng '{table}' thiếu cột bắt buộc {col}.",
    ),
    "unnamed_column": (
        "Column {number} has data but no name in the header row; name it or delete the data.",
        "Cột thứ {number} có dữ liệu nhưng không có tên ở dòng tiêu đề; hãy đặt tên cột hoặc "
        "xóa dữ liệu.",
    ),
    # -- the submission table ------------------------------------------------------------------
    "missing_table": (
        "The submission has no 'submission' table (sheet, submission.csv or key) with locality, "
        "period and submitted_on.",
        "Báo cáo thiếu bảng 'submission' (trang tính, tệp submission.csv hoặc khóa) gồm "
        "locality, period và submitted_on.",
    ),
    "unknown_field": (
        "Unknown field {name} in submission.{hint} Accepted fields: {accepted}.",
        "Trường {name} của bảng submission không hợp lệ.{hint} Các trường hợp lệ: {accepted}.",
    ),
    "duplicate_field": (
        "Field '{field}' is given twice (also on row {first}); keep one.",
        "Trường '{field}' được ghi hai lần (cả ở dòng {first}); chỉ giữ một.",
    ),
    "duplicate_field.json_key": (
        "Key {key} appears twice in the same object; keep one.",
        "Khóa {key} xuất hiện hai lần trong cùng một đối tượng; chỉ giữ một.",
    ),
    "missing_field": (
        "Field {col} is required: {description}",
        "Trường {col} là bắt buộc: {description}",
    ),
    "invalid_period": (
        "{col}: {text} is not a period; write 2022 (year), 2022-H1 (half), 2022-Q3 (quarter) "
        "or 2022-07 (month).",
        "{col}: {text} không phải kỳ báo cáo; hãy ghi 2022 (năm), 2022-H1 (6 tháng), 2022-Q3 "
        "(quý) hoặc 2022-07 (tháng).",
    ),
    "unknown_locality": (
        "{col}: {text} names no unit that existed on {day} (period {period}). {reason}",
        "{col}: {text} không phải đơn vị hành chính tồn tại vào ngày {day} (kỳ {period}). {reason}",
    ),
    "unknown_locality.ambiguous": (
        "{col}, period {period}: {reason}",
        "{col}, kỳ {period}: {reason}",
    ),
    "submitted_before_period": (
        "submitted_on ({submitted}) is before the period {period} starts ({start}); check both.",
        "Ngày báo cáo ({submitted}) trước ngày bắt đầu kỳ {period} ({start}); hãy kiểm tra lại "
        "cả hai.",
    ),
    # -- values --------------------------------------------------------------------------------
    "invalid_type": (
        "{col}: a list or object is not allowed here; write a single value.",
        "{col}: không được ghi danh sách hay đối tượng; hãy ghi một giá trị.",
    ),
    "invalid_number": (
        "{col}: {text} is not a number; write it like 99,2 or 1.234 (decimal comma, dot for "
        "thousands).",
        "{col}: {text} không phải là số; hãy ghi như 99,2 hoặc 1.234 (dấu phẩy thập phân, dấu "
        "chấm ngăn cách hàng nghìn).",
    ),
    "ambiguous_number": (
        "{col}: {text} can be read as {grouped} (thousands separator) or as {decimal} (decimal "
        "separator), and both fit this column; the warehouse never guesses. Write {grouped_plain} "
        "for {grouped}, or the decimal part with more or fewer than three digits (e.g. "
        "{decimal_alt}) for {decimal}.",
        "{col}: {text} có thể hiểu là {grouped} (dấu ngăn cách hàng nghìn) hoặc {decimal} (dấu "
        "thập phân), và cả hai đều hợp lệ với cột này; hệ thống không tự đoán. Hãy ghi "
        "{grouped_plain} nếu là {grouped}, hoặc ghi phần thập phân khác ba chữ số (ví dụ "
        "{decimal_alt}) nếu là {decimal}.",
    ),
    "not_integer": (
        "{col}: {text} is not a whole number.",
        "{col}: {text} không phải là số nguyên.",
    ),
    "not_integer.indicator": (
        "{what}: {text} is not a whole number (a {kind}).",
        "{what}: {text} không phải là số nguyên (chỉ số loại {kind}).",
    ),
    "invalid_date": (
        "{col}: {text} is not a full date; write day/month/year like 24/3/2022 or 2022-03-24.",
        "{col}: {text} không phải ngày đầy đủ; hãy ghi ngày/tháng/năm như 24/3/2022 hoặc "
        "2022-03-24.",
    ),
    "invalid_boolean": (
        "{col}: {text} is not yes/no; write có or không (yes/no, 1/0).",
        "{col}: {text} không phải có/không; hãy ghi có hoặc không (yes/no, 1/0).",
    ),
    "invalid_choice": (
        "{col}: {text} is not an allowed value; use one of {choices}.",
        "{col}: {text} không phải giá trị hợp lệ; hãy dùng một trong {choices}.",
    ),
    "invalid_email": (
        "{col}: {text} is not an e-mail address such as name@example.gov.vn.",
        "{col}: {text} không phải địa chỉ email, ví dụ ten@example.gov.vn.",
    ),
    "invalid_encoding": (
        "{col}: {text} holds a character that is not text (NUL, or half of a UTF-16 pair) and "
        "cannot be stored; delete it and type the text again.",
        "{col}: {text} chứa ký tự không phải văn bản (NUL hoặc nửa cặp UTF-16) nên không lưu "
        "được; hãy xóa và gõ lại nội dung.",
    ),
    "missing_value": (
        "{col} is required but blank.",
        "{col} là bắt buộc nhưng đang để trống.",
    ),
    "out_of_range": (
        "{what}: {text} is outside the allowed range ({range}).",
        "{what}: {text} nằm ngoài khoảng cho phép ({range}).",
    ),
    "duplicate_key": (
        "{names} '{key}' is already used on row {first}; each must be unique.",
        "{names} '{key}' đã có ở dòng {first}; giá trị này không được trùng.",
    ),
    "unknown_indicator": (
        "indicator_code: {text} is not in the indicator catalog.{hint} See the indicators sheet "
        "of the template for every code.",
        "Mã chỉ số (indicator_code) {text} không có trong danh mục chỉ số.{hint} Xem trang "
        "indicators của mẫu báo cáo để biết các mã hợp lệ.",
    ),
    "numerator_exceeds_denominator": (
        "{part} ({amount}) is greater than {whole} ({whole_amount}, row {whole_row}); a part "
        "cannot exceed its whole.",
        "{part} ({amount}) lớn hơn {whole} ({whole_amount}, dòng {whole_row}); phần không thể "
        "lớn hơn tổng.",
    ),
    "numerator_exceeds_denominator.goals": (
        "goals_achieved + goals_in_progress ({achieved} + {in_progress}) is greater than "
        "goals_total ({total}).",
        "Số mục tiêu đạt + đang triển khai ({achieved} + {in_progress}) lớn hơn tổng số mục "
        "tiêu ({total}).",
    ),
    "incomplete_coordinates": (
        "{col} is blank while the other coordinate is given; give both or neither.",
        "{col} để trống trong khi tọa độ còn lại có giá trị; hãy ghi cả hai hoặc bỏ trống cả hai.",
    ),
    "coordinates_outside_vietnam": (
        "{col}: {text} is outside Vietnam ({low} to {high}, decimal degrees).{swapped}",
        "{col}: {text} nằm ngoài lãnh thổ Việt Nam (từ {low} đến {high}, độ thập phân).{swapped}",
    ),
    "percent_disagrees": (
        "{what}: reported {reported}% but {ratio} is {part}/{whole} = {computed}%. " + _WARN_ONLY,
        "{what}: báo cáo {reported}% nhưng {ratio} là {part}/{whole} = {computed}%. "
        + _WARN_ONLY_VI,
    ),
    "count_disagrees": (
        "{what}: reported {reported} but {listed} lists {counted}. " + _WARN_ONLY,
        "{what}: báo cáo {reported} nhưng {listed} liệt kê {counted}. " + _WARN_ONLY_VI,
    ),
    "summary_disagrees": (
        "{column}: {reported} disagrees with {against} ({expected}). " + _WARN_ONLY,
        "{column}: {reported} không khớp với {against} ({expected}). " + _WARN_ONLY_VI,
    ),
    "percent_looks_like_fraction": (
        "{what}: {text} is read as {reading}%; if you meant {percent}%, write {percent} "
        "(percentages are written 0-100).",
        "{what}: {text} được hiểu là {reading}%; nếu ý là {percent}% hãy ghi {percent} (tỷ lệ "
        "ghi từ 0 đến 100).",
    ),
    "too_many_problems": (
        "{hidden} more problems of code '{code}' in this table are not listed ({count} in all); "
        "fix the ones listed and submit again.",
        "Còn {hidden} vấn đề loại '{code}' khác trong bảng này không được liệt kê (tổng cộng "
        "{count}); hãy sửa các vấn đề đã nêu rồi gửi lại.",
    ),
    "internal_error": (
        "The file could not be checked because of an internal error ({detail}); the operators "
        "have been notified. Please keep the file and try again later.",
        "Không thể kiểm tra tệp do lỗi nội bộ ({detail}); bộ phận vận hành đã được thông báo. "
        "Vui lòng giữ tệp và gửi lại sau.",
    ),
    # -- the locality registry (reasons quoted in unknown_locality) ------------------------------
    "locality.unknown": (
        "No Vietnamese administrative unit matches {text}.",
        "Không tìm thấy đơn vị hành chính nào khớp với {text}.",
    ),
    "locality.legacy_list": (
        " Reports for periods before {reform} are matched against the list of units as it stood "
        "on {legacy_end} (the last day of the 63 provinces): a unit merged, split or renamed "
        "before that day is not in it. Write the name or code the unit had on {legacy_end}, or "
        "the unit that absorbed it.",
        " Báo cáo của các kỳ trước ngày {reform} được đối chiếu với danh sách đơn vị hành chính "
        "tại ngày {legacy_end} (ngày cuối cùng của 63 tỉnh): đơn vị đã sáp nhập, chia tách hoặc "
        "đổi tên trước ngày đó không có trong danh sách. Hãy ghi tên hoặc mã của đơn vị tại "
        "ngày {legacy_end}, hoặc đơn vị đã tiếp nhận đơn vị đó.",
    ),
    "locality.outside": (
        "No unit named {target} lies within {within} (in {text}).",
        "Không có đơn vị nào tên {target} thuộc {within} (trong {text}).",
    ),
    "locality.from_reform": (
        "{unit} only exists from {reform}, not on {day}.",
        "{unit} chỉ tồn tại từ ngày {reform}, chưa có vào ngày {day}.",
    ),
    "locality.province_gone": (
        "{name} province ceased to exist on {legacy_end}; it is now part of {now}.",
        "{name} không còn tồn tại từ sau ngày {legacy_end}; nay thuộc {now}.",
    ),
    "locality.unit_gone": (
        "{unit} ceased to exist on {legacy_end}; it is now part of {now}.",
        "{unit} không còn tồn tại từ sau ngày {legacy_end}; nay thuộc {now}.",
    ),
    "locality.district_gone": (
        "{unit} ceased to exist on {legacy_end} (district level abolished); its area is now "
        "part of {now}.",
        "{unit} không còn tồn tại từ sau ngày {legacy_end} (bỏ cấp huyện); địa bàn nay thuộc "
        "{now}.",
    ),
    "locality.others": (
        " Other units named {text} on other dates: {others}.",
        " Các đơn vị khác cùng tên {text} ở thời điểm khác: {others}.",
    ),
    "locality.ambiguous": (
        "it matches {listed}{also}; add the unit type or its parents, e.g. '{example}'.",
        "khớp với {listed}{also}; hãy ghi rõ loại đơn vị hoặc đơn vị cấp trên, ví dụ '{example}'.",
    ),
    "locality.also_until": (
        "; it also names {unit}, which existed until {legacy_end}",
        "; tên này cũng là {unit}, tồn tại đến ngày {legacy_end}",
    ),
    "locality.also_from": (
        "; it also names {unit}, which exists from {reform}",
        "; tên này cũng là {unit}, có từ ngày {reform}",
    ),
    "locality.ambiguous_alone": (
        "{text} is ambiguous on {day}: {reason}",
        "{text} không rõ ràng vào ngày {day}: {reason}",
    ),
    # -- feedback --------------------------------------------------------------------------------
    "feedback.title": ("Submission check", "Kết quả kiểm tra báo cáo"),
    "feedback.accepted": (
        "**Accepted** as submission #{id}: {locality}, period {period}, {rows} rows loaded.",
        "**Báo cáo được chấp nhận** (mã #{id}): {locality}, kỳ {period}, đã nạp {rows} dòng.",
    ),
    "feedback.accepted_clean": (
        "No problem was found.",
        "Không phát hiện vấn đề nào.",
    ),
    "feedback.accepted_warnings": (
        "{warnings} warning(s) below: the report counts as it is, but correct the figures and "
        "send the report again if they are wrong.",
        "Có {warnings} cảnh báo dưới đây: báo cáo vẫn được ghi nhận như đã gửi, nhưng nếu số "
        "liệu sai hãy sửa và gửi lại báo cáo.",
    ),
    "feedback.supersedes": (
        "It replaces submission #{previous} of the same locality and period in the published "
        "figures; both are kept.",
        "Báo cáo này thay thế báo cáo #{previous} cùng địa phương và kỳ trong số liệu công bố; "
        "cả hai đều được lưu lại.",
    ),
    "feedback.duplicate": (
        "**Duplicate**: the same bytes were already loaded as submission #{id}; nothing was "
        "loaded again. To correct a report, change the file and send it again.",
        "**Tệp trùng lặp**: nội dung giống hệt báo cáo đã nạp (mã #{id}); không nạp lại. Muốn "
        "sửa báo cáo, hãy sửa tệp rồi gửi lại.",
    ),
    "feedback.rejected": (
        "**Rejected**: {errors} error(s), {warnings} warning(s). Nothing was loaded. Fix the "
        "errors below and send the whole file again.",
        "**Báo cáo bị từ chối**: {errors} lỗi, {warnings} cảnh báo. Không có dữ liệu nào được "
        "nạp. Hãy sửa các lỗi dưới đây rồi gửi lại toàn bộ tệp.",
    ),
    "feedback.held": (
        "**Held**: submission #{id} was loaded, but the data-quality check of the warehouse "
        "held it out of the published figures on {held_at}. Rule: {reason}{description}.",
        "**Báo cáo bị tạm giữ**: báo cáo #{id} đã được nạp, nhưng kiểm tra chất lượng dữ liệu "
        "của hệ thống đã tạm giữ, chưa đưa vào số liệu công bố (ngày {held_at}). Quy tắc: "
        "{reason}{description}.",
    ),
    "feedback.held_todo": (
        "What to do: if the figures are right, ask the warehouse's data engineers to review and "
        "release the hold; if they are wrong, send a corrected report for the same locality and "
        "period: it replaces this one.",
        "Cần làm gì: nếu số liệu đúng, hãy đề nghị bộ phận kỹ thuật dữ liệu của hệ thống xem xét "
        "và bỏ tạm giữ; nếu số liệu sai, hãy gửi báo cáo đã sửa cho cùng địa phương và kỳ: báo "
        "cáo mới sẽ thay thế báo cáo này.",
    ),
    "feedback.summary": ("Summary", "Tổng hợp"),
    "feedback.details": ("Details", "Chi tiết"),
    "feedback.more": (
        "… and {more} more in the CSV file.",
        "… và {more} vấn đề khác trong tệp CSV.",
    ),
    # -- the template and the docs ---------------------------------------------------------------
    "doc.type_text": ("text", "văn bản"),
    "doc.type_number": ("number (99,2 / 1.234 / 99,2%)", "số (99,2 / 1.234 / 99,2%)"),
    "doc.type_integer": ("whole number", "số nguyên"),
    "doc.type_date": ("date (24/3/2022 or 2022-03-24)", "ngày (24/3/2022 hoặc 2022-03-24)"),
    "doc.type_bool": ("yes/no (có/không, 1/0)", "có/không (yes/no, 1/0)"),
    "doc.type_choice": ("one of the listed values", "một trong các giá trị liệt kê"),
    "doc.type_email": ("e-mail address", "địa chỉ email"),
    "doc.type_period": (
        "period (2022, 2022-H1, 2022-Q3, 2022-07)",
        "kỳ (2022, 2022-H1, 2022-Q3, 2022-07)",
    ),
    "doc.type_locality": ("official code or name", "mã hoặc tên đơn vị hành chính"),
}

#: The kinds of indicators in Vietnamese (for `not_integer.indicator`).
KIND_VI = {"count": "số lượng", "rank": "thứ hạng", "percent": "tỷ lệ", "score": "điểm"}

#: Lines of the template's README (each line bilingual: Vietnamese / English).
README_INTRO = [
    "Mẫu báo cáo chuyển đổi số — Digital-transformation report template (dx-warehouse)",
    "Mỗi trang tính là một bảng; dòng đầu tiên là tên cột. Không đổi tên trang tính và tên cột. "
    "/ One sheet per table; the first row holds the column names. Do not rename them.",
    "Bảng submission là bắt buộc (locality, period, submitted_on); các bảng khác có thể để "
    "trống. / The submission table is required; the other tables are optional.",
    "Số ghi kiểu Việt Nam: 99,2 ; 1.234 ; 99,2%. Ngày: 24/3/2022. / Numbers the Vietnamese way: "
    "99,2 ; 1.234 ; 99,2%. Dates: 24/3/2022.",
    "Tỷ lệ ghi từ 0 đến 100 (99,2 chứ không phải 0,992); ô định dạng phần trăm của Excel được "
    "đọc đúng như hiển thị. / Percentages are 0-100; Excel percent cells are read as shown.",
    "Cột hoặc trang tính có tên bắt đầu bằng # là ghi chú, không được đọc. / Columns and sheets "
    "whose name starts with # are notes and are not read.",
    "Tên cột có thể ghi bằng nhãn tiếng Việt. / Column names may be written as the Vietnamese "
    "labels.",
]
README_HEADER = [
    "bảng / table",
    "cột / column",
    "nhãn tiếng Việt / Vietnamese label",
    "tên khác / aliases",
    "kiểu / type",
    "bắt buộc / required",
    "mô tả",
    "description",
    "giá trị hợp lệ / allowed values",
]


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
