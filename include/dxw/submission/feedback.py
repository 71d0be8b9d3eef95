"""`write_feedback`: the problems of a submission as a CSV for Excel and a bilingual summary."""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path, PurePath

from dxw.submission.problems import Problem, Severity, printable

CSV_COLUMNS = ("severity", "table", "row", "column", "value", "code", "message_en", "message_vi")
#: Cells starting with one of these are formulas to Excel: prefixed with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f<>:\"/\\|?*]+")
_MD_LISTED = 500


def neutralise(cell: str) -> str:
    """Text Excel will not evaluate: a leading apostrophe before =, +, -, @, tab, CR."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def feedback_stem(source_name: str) -> str:
    """A safe file-name stem of the submission's name (no directories, no control characters)."""
    base = PurePath(source_name.replace("\\", "/")).name
    stem = PurePath(base).stem if "." in base else base
    stem = _UNSAFE_NAME.sub("_", stem).strip(" .")
    return stem or "submission"


def _csv(problems: Sequence[Problem], path: Path) -> None:
    """The CSV, UTF-8 with BOM, formula-looking cells neutralised."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(CSV_COLUMNS)
        for p in problems:
            cells = (
                p.severity.value,
                p.table,
                p.row,
                p.column,
                p.value,
                p.code,
                p.message_en,
                p.message_vi,
            )
            writer.writerow(["" if c is None else neutralise(str(c)) for c in cells])


def _md_cell(value: object) -> str:
    """A Markdown table cell: no pipes, no newlines, no HTML."""
    if value is None:
        return ""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def _markdown(problems: Sequence[Problem], source_name: str) -> str:
    """A bilingual summary: verdict, counts per code, then the problems."""
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    lines = [f"# Kết quả kiểm tra báo cáo / Submission check: {_md_cell(source_name)}", ""]
    if errors:
        lines += [
            f"**Báo cáo bị từ chối**: {errors} lỗi, {warnings} cảnh báo. Hãy sửa các lỗi dưới "
            "đây rồi gửi lại.",
            "",
            f"**Submission rejected**: {errors} errors, {warnings} warnings. Fix the errors "
            "below and submit again.",
        ]
    else:
        lines += [
            f"**Báo cáo được chấp nhận**, kèm {warnings} cảnh báo cần xem lại.",
            "",
            f"**Submission accepted**, with {warnings} warnings to review.",
        ]
    if problems:
        lines += [
            "",
            "## Tổng hợp / Summary",
            "",
            "| mức độ / severity | mã / code | số lượng / count |",
            "|---|---|---|",
        ]
        counts = Counter((p.severity.value, p.code) for p in problems)
        for (severity, code), count in sorted(counts.items()):
            lines.append(f"| {severity} | {code} | {count} |")
        lines += [
            "",
            "## Chi tiết / Details",
            "",
            "| mức độ / severity | bảng / table | dòng / row | cột / column | giá trị / value "
            "| mã / code | Tiếng Việt | English |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for p in problems[:_MD_LISTED]:
            cells = (
                p.severity.value,
                p.table,
                p.row,
                p.column,
                p.value,
                p.code,
                p.message_vi,
                p.message_en,
            )
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        if len(problems) > _MD_LISTED:
            more = len(problems) - _MD_LISTED
            lines += ["", f"… và {more} vấn đề khác trong tệp CSV / and {more} more in the CSV."]
    return "\n".join(lines) + "\n"


def write_feedback(problems: Sequence[Problem], out_dir: Path, source_name: str) -> list[Path]:
    """Write `<name>.feedback.csv` and `<name>.feedback.md` into out_dir; returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = feedback_stem(source_name)
    csv_path = out_dir / f"{stem}.feedback.csv"
    md_path = out_dir / f"{stem}.feedback.md"
    _csv(problems, csv_path)
    md_path.write_text(_markdown(problems, printable(PurePath(source_name).name)), encoding="utf-8")
    return [csv_path, md_path]
