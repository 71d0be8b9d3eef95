"""`write_template`: an empty, documented submission a locality can fill in (xlsx, json, zip)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Literal

import xlsxwriter

from dxw.submission.catalog import load_catalog
from dxw.submission.describe import README_HEADER, README_INTRO, column_rows
from dxw.submission.tables import DATA_TABLES, SUBMISSION, TABLES, TableSpec

TemplateFormat = Literal["xlsx", "json", "zip"]
#: Note columns pre-filled on the indicators sheet (ignored when read: they start with #).
INDICATOR_NOTES = ("# tên chỉ số", "# indicator name", "# đơn vị / unit", "# khoảng / range")
SUBMISSION_NOTE = "# mô tả / description"


def _indicator_rows() -> list[list[str]]:
    """One row per catalog indicator: code, blank value and note, then the note columns."""
    return [
        [i.code, "", "", i.name_vi, i.name_en, i.unit, i.range_text()]
        for i in load_catalog().indicators
    ]


def _submission_rows() -> list[list[str]]:
    """One row per submission field: name, blank value, description."""
    return [
        [
            c.name,
            "",
            f"{'(bắt buộc) ' if c.required else ''}{c.description_vi} / "
            f"{c.description_en} Ví dụ / e.g. {c.example}",
        ]
        for c in SUBMISSION.columns
    ]


def _write_sheet(
    book: xlsxwriter.Workbook, table: TableSpec, head: list[str], rows: list[list[str]]
) -> None:
    """One data sheet: bold header with comments, text-formatted cells, dropdowns."""
    sheet = book.add_worksheet(table.name)
    bold = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    text = book.add_format({"num_format": "@"})
    note = book.add_format({"italic": True, "font_color": "#595959"})
    sheet.freeze_panes(1, 0)
    for position, name in enumerate(head):
        sheet.write_string(0, position, name, bold)
        is_note = name.startswith("#")
        sheet.set_column(position, position, 40 if is_note else 22, note if is_note else text)
        if table.name != "submission" and not is_note:
            column = table.column(name)
            sheet.write_comment(
                0,
                position,
                f"{column.label_vi}: {column.description_vi}\n{column.description_en}",
                {"x_scale": 2, "y_scale": 1.5},
            )
            if column.choices:
                values = [c.value for c in column.choices]
                values += [c.label_vi for c in column.choices if "," not in c.label_vi]
                sheet.data_validation(
                    1,
                    position,
                    100_000,
                    position,
                    {"validate": "list", "source": values, "error_type": "warning"},
                )
    for row, values in enumerate(rows, start=1):
        for position, value in enumerate(values):
            sheet.write_string(row, position, value)


def _write_xlsx(out: Path) -> None:
    """The xlsx template: README, submission, indicators (every code), other tables empty."""
    book = xlsxwriter.Workbook(str(out))
    try:
        readme = book.add_worksheet("README")
        bold = book.add_format({"bold": True})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        for row, line in enumerate(README_INTRO):
            readme.write_string(row, 0, line, bold if row == 0 else None)
        start = len(README_INTRO) + 1
        for position, name in enumerate(README_HEADER):
            readme.write_string(start, position, name, bold)
        readme.set_column(0, 3, 20)
        readme.set_column(4, 8, 36, wrap)
        row = start + 1
        for table in TABLES.values():
            for values in column_rows(table):
                readme.write_row(row, 0, values)
                row += 1
        _write_sheet(
            book, TABLES["submission"], ["field", "value", SUBMISSION_NOTE], _submission_rows()
        )
        _write_sheet(
            book,
            TABLES["indicators"],
            [*TABLES["indicators"].column_names, *INDICATOR_NOTES],
            _indicator_rows(),
        )
        for name in DATA_TABLES:
            if name != "indicators":
                _write_sheet(book, TABLES[name], list(TABLES[name].column_names), [])
    finally:
        book.close()


def _csv_bytes(head: list[str], rows: list[list[str]]) -> bytes:
    """A CSV with a BOM so that Excel opens Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _readme_markdown() -> str:
    """The README.md shipped in the zip template."""
    lines = [f"# {README_INTRO[0]}", "", *[f"- {line}" for line in README_INTRO[1:]], ""]
    lines.append("| " + " | ".join(README_HEADER) + " |")
    lines.append("|" + "---|" * len(README_HEADER))
    for table in TABLES.values():
        for values in column_rows(table):
            lines.append("| " + " | ".join(v.replace("|", "/") for v in values) + " |")
    return "\n".join(lines) + "\n"


def _write_zip(out: Path) -> None:
    """The zip template: one CSV per table plus README.md (ignored when read)."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.md", _readme_markdown())
        archive.writestr(
            "submission.csv", _csv_bytes(["field", "value", SUBMISSION_NOTE], _submission_rows())
        )
        archive.writestr(
            "indicators.csv",
            _csv_bytes([*TABLES["indicators"].column_names, *INDICATOR_NOTES], _indicator_rows()),
        )
        for name in DATA_TABLES:
            if name != "indicators":
                archive.writestr(f"{name}.csv", _csv_bytes(list(TABLES[name].column_names), []))


def template_document() -> dict[str, object]:
    """The JSON template: every field blank, every catalog indicator listed, tables empty."""
    document: dict[str, object] = {"submission": {c.name: "" for c in SUBMISSION.columns}}
    document["indicators"] = [
        {"indicator_code": code, "value": None, "note": None} for code in load_catalog().codes()
    ]
    for name in DATA_TABLES:
        if name != "indicators":
            document[name] = []
    return document


def write_template(fmt: TemplateFormat, out: Path) -> Path:
    """Write an empty, documented template in one carrier; returns the path written."""
    out = Path(out)
    if fmt == "xlsx":
        _write_xlsx(out)
    elif fmt == "zip":
        _write_zip(out)
    elif fmt == "json":
        out.write_text(
            json.dumps(template_document(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    else:
        raise ValueError(f"unknown template format {fmt!r}; use xlsx, json or zip")
    return out
