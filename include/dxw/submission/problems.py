"""Problems found in a submission: one record per problem, bilingual, with its location."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

_MAX_VALUE_CHARS = 200
#: NUL (PostgreSQL text cannot hold it) and halves of UTF-16 pairs (UTF-8 cannot encode them).
_UNPRINTABLE = re.compile(r"[\x00\ud800-\udfff]")


def printable(text: str) -> str:
    """Text every UTF-8 sink accepts: NUL and lone surrogates written as escapes (\\x00)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: "\\x00" if m[0] == "\x00" else f"\\u{ord(m[0]):04x}", text)


class Severity(StrEnum):
    """An error rejects the submission; a warning accepts it and is recorded."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: where (table, row as the locality sees it, column), what, and why in EN/VI."""

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


def show(value: object) -> str | None:
    """The offending value as text for a report, shortened."""
    if value is None:
        return None
    text = (
        value if isinstance(value, str) else repr(value) if isinstance(value, float) else str(value)
    )
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return printable(text)


def _problem(
    severity: Severity,
    code: str,
    en: str,
    vi: str,
    table: str | None,
    row: int | None,
    column: str | None,
    value: object,
) -> Problem:
    """A problem whose texts can be stored and written anywhere (they quote the file's text)."""
    return Problem(
        severity,
        printable(table) if table else table,
        row,
        printable(column) if column else column,
        show(value),
        code,
        printable(en),
        printable(vi),
    )


def error(
    code: str,
    en: str,
    vi: str,
    *,
    table: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
) -> Problem:
    """An error problem."""
    return _problem(Severity.ERROR, code, en, vi, table, row, column, value)


def warning(
    code: str,
    en: str,
    vi: str,
    *,
    table: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
) -> Problem:
    """A warning problem."""
    return _problem(Severity.WARNING, code, en, vi, table, row, column, value)


class ProblemSink:
    """Collects every problem; beyond `cap` of one code in one table only counts them."""

    def __init__(self, cap: int = 1000) -> None:
        self.cap = cap
        self._problems: list[Problem] = []
        self._counts: Counter[tuple[str | None, str, Severity]] = Counter()
        self.has_errors = False

    def add(self, problem: Problem) -> None:
        """Record a problem (counted only, once its code passed the cap in its table)."""
        key = (problem.table, problem.code, problem.severity)
        self._counts[key] += 1
        if problem.severity is Severity.ERROR:
            self.has_errors = True
        if self._counts[key] <= self.cap:
            self._problems.append(problem)

    def extend(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    def finish(self) -> list[Problem]:
        """All problems kept, plus one summary per capped code, errors first, then in order."""
        out = list(self._problems)
        for (table, code, severity), count in self._counts.items():
            if count > self.cap:
                hidden = count - self.cap
                out.append(
                    Problem(
                        severity,
                        table,
                        None,
                        None,
                        str(count),
                        "too_many_problems",
                        f"{hidden} more problems of code '{code}' in this table are not listed "
                        f"({count} in all); fix the ones listed and submit again.",
                        f"Còn {hidden} lỗi loại '{code}' khác trong bảng này không được liệt kê "
                        f"(tổng cộng {count}); hãy sửa các lỗi đã nêu rồi gửi lại.",
                    )
                )
        out.sort(key=lambda p: p.severity is not Severity.ERROR)
        return out


#: Every problem code: severity and what it means (English, Vietnamese). Documented in
#: docs/submission-format.md; tests check that every problem raised has its code listed here.
PROBLEM_CODES: dict[str, tuple[Severity, str, str]] = {
    # the file
    "unknown_carrier": (
        Severity.ERROR,
        "The file is not .xlsx, .json or .zip.",
        "Tệp không phải .xlsx, .json hoặc .zip.",
    ),
    "unreadable_file": (
        Severity.ERROR,
        "The file (or a zip entry) cannot be opened or parsed.",
        "Không mở hoặc đọc được tệp (hoặc một mục trong tệp nén).",
    ),
    "file_too_large": (
        Severity.ERROR,
        "The file is larger than allowed.",
        "Tệp lớn hơn mức cho phép.",
    ),
    "zip_too_large": (
        Severity.ERROR,
        "The archive unpacks to more than allowed, or to more than it declares (zip bomb).",
        "Tệp nén giải nén ra quá lớn (zip bomb).",
    ),
    "zip_too_many_entries": (
        Severity.ERROR,
        "The archive has too many entries.",
        "Tệp nén có quá nhiều mục.",
    ),
    "unsafe_zip_path": (
        Severity.ERROR,
        "A zip entry has an absolute path or '..'.",
        "Một mục trong tệp nén có đường dẫn tuyệt đối hoặc '..'.",
    ),
    "invalid_json": (
        Severity.ERROR,
        "The file is not valid UTF-8 JSON.",
        "Tệp không phải JSON UTF-8 hợp lệ.",
    ),
    "json_not_object": (
        Severity.ERROR,
        "The JSON document is not an object.",
        "Tài liệu JSON không phải là một đối tượng.",
    ),
    "json_too_deep": (Severity.ERROR, "The JSON is nested too deeply.", "JSON lồng quá sâu."),
    "invalid_encoding": (
        Severity.ERROR,
        "A CSV is not UTF-8, or a text holds a character that cannot be stored (NUL).",
        "Tệp CSV không mã hóa UTF-8, hoặc văn bản chứa ký tự không lưu được (NUL).",
    ),
    "malformed_csv": (
        Severity.ERROR,
        "A CSV cannot be parsed (quotes, oversized cell).",
        "Tệp CSV sai định dạng (dấu ngoặc kép, ô quá dài).",
    ),
    "too_many_rows": (
        Severity.ERROR,
        "A table has more rows than allowed.",
        "Một bảng có nhiều dòng hơn mức cho phép.",
    ),
    # tables and columns
    "missing_table": (Severity.ERROR, "The submission table is missing.", "Thiếu bảng submission."),
    "unknown_table": (
        Severity.ERROR,
        "A sheet, CSV entry or JSON key names no table.",
        "Trang tính, tệp CSV hoặc khóa JSON không phải bảng hợp lệ.",
    ),
    "duplicate_table": (
        Severity.ERROR,
        "Two sheets/entries/keys hold the same table.",
        "Hai trang tính/tệp/khóa cùng là một bảng.",
    ),
    "invalid_table_shape": (
        Severity.ERROR,
        "A JSON table has the wrong type (object/array).",
        "Bảng JSON sai kiểu (đối tượng/mảng).",
    ),
    "invalid_row": (
        Severity.ERROR,
        "A JSON row is not an object.",
        "Một dòng JSON không phải là đối tượng.",
    ),
    "unknown_column": (
        Severity.ERROR,
        "A column name is not part of its table.",
        "Tên cột không thuộc bảng.",
    ),
    "duplicate_column": (
        Severity.ERROR,
        "Two columns (or JSON keys) mean the same column.",
        "Hai cột (hoặc khóa JSON) cùng là một cột.",
    ),
    "missing_column": (Severity.ERROR, "A required column is missing.", "Thiếu cột bắt buộc."),
    "unnamed_column": (
        Severity.ERROR,
        "Data stands in a column without a name.",
        "Có dữ liệu trong cột không có tên.",
    ),
    # the submission table
    "unknown_field": (
        Severity.ERROR,
        "A field of the submission table is unknown.",
        "Trường của bảng submission không hợp lệ.",
    ),
    "duplicate_field": (
        Severity.ERROR,
        "A field of the submission table is given twice.",
        "Một trường của bảng submission được ghi hai lần.",
    ),
    "missing_field": (
        Severity.ERROR,
        "A required field (locality, period, submitted_on) is missing or blank.",
        "Thiếu trường bắt buộc (locality, period, submitted_on).",
    ),
    "invalid_period": (Severity.ERROR, "The period is malformed.", "Kỳ báo cáo sai định dạng."),
    "unknown_locality": (
        Severity.ERROR,
        "The locality is unknown or did not exist in the period.",
        "Địa phương không xác định hoặc không tồn tại trong kỳ.",
    ),
    # values
    "missing_value": (Severity.ERROR, "A required cell is blank.", "Ô bắt buộc để trống."),
    "invalid_type": (
        Severity.ERROR,
        "A JSON list or object stands where a value is expected.",
        "Có danh sách/đối tượng JSON ở vị trí của một giá trị.",
    ),
    "invalid_number": (Severity.ERROR, "Not a number.", "Không phải là số."),
    "not_integer": (Severity.ERROR, "Not a whole number.", "Không phải là số nguyên."),
    "invalid_date": (Severity.ERROR, "Not a full date.", "Không phải ngày đầy đủ."),
    "invalid_boolean": (Severity.ERROR, "Not yes/no.", "Không phải có/không."),
    "invalid_choice": (
        Severity.ERROR,
        "Not one of the allowed values.",
        "Không phải giá trị hợp lệ.",
    ),
    "invalid_email": (Severity.ERROR, "Not an e-mail address.", "Không phải địa chỉ email."),
    "out_of_range": (
        Severity.ERROR,
        "A number outside its allowed range (catalog, percent 0-100, negative count).",
        "Số nằm ngoài khoảng cho phép.",
    ),
    "unknown_indicator": (
        Severity.ERROR,
        "An indicator code is not in the catalog.",
        "Mã chỉ số không có trong danh mục.",
    ),
    "numerator_exceeds_denominator": (
        Severity.ERROR,
        "A part is greater than its whole.",
        "Phần lớn hơn tổng.",
    ),
    "duplicate_key": (
        Severity.ERROR,
        "A key (point_id, goal_code, indicator_code, ...) repeats.",
        "Khóa (point_id, goal_code, indicator_code, ...) bị trùng.",
    ),
    "coordinates_outside_vietnam": (
        Severity.ERROR,
        "Coordinates outside Vietnam's bounding box.",
        "Tọa độ nằm ngoài lãnh thổ Việt Nam.",
    ),
    "incomplete_coordinates": (
        Severity.ERROR,
        "Only one of latitude/longitude is given.",
        "Chỉ ghi một trong hai tọa độ.",
    ),
    # warnings
    "percent_disagrees": (
        Severity.WARNING,
        "A reported percentage is more than one point away from its counts.",
        "Tỷ lệ báo cáo lệch quá 1 điểm so với số liệu.",
    ),
    "count_disagrees": (
        Severity.WARNING,
        "A reported count disagrees with the rows listed.",
        "Số liệu báo cáo không khớp với số dòng liệt kê.",
    ),
    "summary_disagrees": (
        Severity.WARNING,
        "goal_summary disagrees with its pillars or with the goals table.",
        "Bảng goal_summary không khớp với các trục hoặc bảng goals.",
    ),
    "submitted_before_period": (
        Severity.WARNING,
        "submitted_on is before the period starts.",
        "Ngày báo cáo trước ngày bắt đầu kỳ.",
    ),
    "percent_looks_like_fraction": (
        Severity.WARNING,
        "A percentage of 0-1 looks like a fraction (an Excel percent cell).",
        "Tỷ lệ 0-1 có vẻ là phân số (ô phần trăm của Excel).",
    ),
    "too_many_problems": (
        Severity.ERROR,
        "More problems of one code than are listed (also a warning when the code is a warning).",
        "Còn nhiều lỗi cùng loại không được liệt kê.",
    ),
}
