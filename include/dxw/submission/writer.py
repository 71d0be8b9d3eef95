"""Writing files: submissions in each carrier, the empty templates, and the JSON schema.

One xlsxwriter driver (`write_workbook`) writes every workbook, from sheet descriptions: the
documents of the samples and tests (typed cells: dates as date cells, numbers as numbers) and the
template (README, bold headers with comments, text-formatted columns, drop-down lists).

A document is a dict: {"submission": {field: value}, "<table>": [{column: value}, ...]}. Values
are Python objects; each writer renders them the way its carrier would carry them: xlsx cells
are typed, JSON uses numbers and ISO dates, and CSV text is written the Vietnamese way (99,2 and
24/3/2022). Every file is written with a fixed timestamp, so the same document gives the same
bytes (a rewritten sample is a duplicate, not a new report).
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

import xlsxwriter

from dxw.submission.messages import README_HEADER, README_INTRO, both, render
from dxw.submission.spec import (
    COMMENT_PREFIX,
    DATA_TABLES,
    SUBMISSION,
    TABLES,
    ColumnSpec,
    TableSpec,
    load_catalog,
)

Submission = dict[str, Any]
TemplateFormat = Literal["xlsx", "json", "zip"]
#: Written into every file instead of "now": the same document always gives the same bytes,
#: so rewriting a sample is recognised as a duplicate rather than loaded again.
FIXED_TIMESTAMP = datetime(2025, 1, 1)
#: Note columns pre-filled on the indicators sheet (ignored when read: they start with #).
INDICATOR_NOTES = (
    f"# {render('doc.note_indicator_vi', 'vi')}",
    f"# {render('doc.note_indicator_en', 'en')}",
    f"# {both('doc.note_unit')}",
    f"# {both('doc.note_range')}",
)
SUBMISSION_NOTE = f"# {both('doc.note_description')}"
#: A decimal comma followed by exactly three digits reads two ways (1,234): written as 1,2340.
_AMBIGUOUS_DECIMAL = re.compile(r"-?[1-9]\d{0,2},\d{3}")


# -- the one xlsx driver ---------------------------------------------------------------------------
@dataclass
class Sheet:
    """One worksheet to write: its cells, and how it is dressed."""

    name: str
    grid: list[list[Any]]
    start_row: int = 0
    #: Row index (in `grid`) -> xlsxwriter format properties for every cell of that row.
    row_formats: dict[int, dict[str, Any]] = field(default_factory=dict)
    #: (first column, last column, width, format properties or None).
    columns: list[tuple[int, int, int, dict[str, Any] | None]] = field(default_factory=list)
    #: (row, column, text, options) comments.
    comments: list[tuple[int, int, str, dict[str, Any]]] = field(default_factory=list)
    #: (first row, first column, last row, last column, options) data validations.
    validations: list[tuple[int, int, int, int, dict[str, Any]]] = field(default_factory=list)
    freeze_header: bool = False


def write_workbook(path: Path, sheets: Iterable[Sheet]) -> Path:
    """Write a workbook: typed cells (bool, date, number, text), formats, comments, lists."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIMESTAMP})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    formats: dict[tuple[tuple[str, Any], ...], Any] = {}

    def fmt(properties: dict[str, Any] | None) -> Any:
        if properties is None:
            return None
        key = tuple(sorted(properties.items()))
        if key not in formats:
            formats[key] = book.add_format(properties)
        return formats[key]

    try:
        for spec in sheets:
            sheet = book.add_worksheet(spec.name)
            if spec.freeze_header:
                sheet.freeze_panes(1, 0)
            for first, last, width, properties in spec.columns:
                sheet.set_column(first, last, width, fmt(properties))
            for r, values in enumerate(spec.grid):
                row = r + spec.start_row
                style = fmt(spec.row_formats.get(r))
                for c, value in enumerate(values):
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        sheet.write_boolean(row, c, value, style)
                    elif isinstance(value, datetime | date):
                        sheet.write_datetime(row, c, value, day)
                    elif isinstance(value, int | float):
                        sheet.write_number(row, c, value, style)
                    else:
                        sheet.write_string(row, c, str(value), style)
            for row, column, text, options in spec.comments:
                sheet.write_comment(row, column, text, options)
            for first_row, first_col, last_row, last_col, options in spec.validations:
                sheet.data_validation(first_row, first_col, last_row, last_col, options)
    finally:
        book.close()
    return path


# -- documents in each carrier ---------------------------------------------------------------------
def _entry(name: str) -> zipfile.ZipInfo:
    """A zip entry with a fixed timestamp and deflate compression."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _columns(rows: Iterable[dict[str, Any]]) -> list[str]:
    """Union of the row keys in first-seen order."""
    seen: dict[str, None] = {}
    for row in rows:
        for key in row:
            seen.setdefault(key, None)
    return list(seen)


def _grids(sub: Submission) -> dict[str, list[list[Any]]]:
    """Every table as a grid, header first (the submission table as field/value rows)."""
    out: dict[str, list[list[Any]]] = {}
    for name, value in sub.items():
        if isinstance(value, dict):
            out[name] = [["field", "value"], *[[k, v] for k, v in value.items()]]
        else:
            columns = _columns(value)
            out[name] = [columns, *[[row.get(c) for c in columns] for row in value]]
    return out


def write_xlsx(sub: Submission, path: Path, *, start_row: int = 0) -> Path:
    """One sheet per table; dates as date cells, numbers as numbers, text as text."""
    return write_workbook(
        path, [Sheet(name, grid, start_row) for name, grid in _grids(sub).items()]
    )


def _json_value(value: Any) -> Any:
    """Dates as ISO text; everything else as is."""
    return value.isoformat() if isinstance(value, date) else value


def write_json(sub: Submission, path: Path) -> Path:
    """An object with one key per table."""
    document: dict[str, Any] = {}
    for name, value in sub.items():
        if isinstance(value, dict):
            document[name] = {k: _json_value(v) for k, v in value.items()}
        else:
            document[name] = [{k: _json_value(v) for k, v in row.items()} for row in value]
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def csv_text(value: Any) -> str:
    """A cell as a Vietnamese locality would type it, never ambiguous: a decimal comma before
    exactly three digits gets a fourth (1.234 is written 1,2340, not 1,234)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, date):
        return f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, float):
        text = repr(value).replace(".", ",")
        return text + "0" if _AMBIGUOUS_DECIMAL.fullmatch(text) else text
    return str(value)


def csv_bytes(grid: list[list[Any]], *, bom: bool = True, delimiter: str = ",") -> bytes:
    """A CSV file's bytes, UTF-8 (with BOM by default)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for values in grid:
        writer.writerow([csv_text(v) for v in values])
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode("utf-8")


def write_zip(
    sub: Submission,
    path: Path,
    *,
    bom: bool = True,
    delimiter: str = ",",
    folder: str = "",
    extra: dict[str, bytes] | None = None,
) -> Path:
    """One CSV per table (optionally inside a folder), plus extra raw entries."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, grid in _grids(sub).items():
            archive.writestr(
                _entry(f"{folder}{name}.csv"), csv_bytes(grid, bom=bom, delimiter=delimiter)
            )
        for name, data in (extra or {}).items():
            archive.writestr(_entry(name), data)
    return path


def write_submission(sub: Submission, carrier: str, directory: Path, name: str = "report") -> Path:
    """Write a submission in one carrier into a directory."""
    path = directory / f"{name}.{carrier}"
    if carrier == "xlsx":
        return write_xlsx(sub, path)
    if carrier == "json":
        return write_json(sub, path)
    if carrier == "zip":
        return write_zip(sub, path)
    raise ValueError(f"unknown carrier {carrier!r}")


# -- describing tables and columns (template README, schema, docs) ---------------------------------
def type_text(column: ColumnSpec) -> tuple[str, str]:
    """A column's type in English and Vietnamese."""
    return render(f"doc.type_{column.type}", "en"), render(f"doc.type_{column.type}", "vi")


def accepted_values(column: ColumnSpec) -> str:
    """Allowed values of a choice column with their accepted Vietnamese spellings."""
    parts = []
    for choice in column.choices:
        spellings = ", ".join((choice.label_vi, *choice.aliases))
        parts.append(f"{choice.value} ({spellings})")
    return "; ".join(parts)


def column_rows(table: TableSpec) -> list[list[str]]:
    """One documentation row per column: name, label, aliases, type, required, vi, en, values."""
    rows = []
    for column in table.columns:
        en_type, vi_type = type_text(column)
        rows.append(
            [
                table.name,
                column.name,
                column.label_vi,
                ", ".join(column.aliases),
                f"{vi_type} / {en_type}",
                both("doc.required") if column.required else "",
                column.description_vi,
                column.description_en,
                accepted_values(column),
            ]
        )
    return rows


# -- the templates ---------------------------------------------------------------------------------
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
            f"{'(' + render('doc.required', 'vi') + ') ' if c.required else ''}"
            f"{c.description_vi} / {c.description_en} {both('doc.example')} {c.example}",
        ]
        for c in SUBMISSION.columns
    ]


_BOLD_HEADER = {"bold": True, "bg_color": "#DDEBF7", "border": 1}
_TEXT = {"num_format": "@"}
_NOTE = {"italic": True, "font_color": "#595959"}


def _template_sheet(table: TableSpec, head: list[str], rows: list[list[str]]) -> Sheet:
    """One data sheet: bold header with comments, text-formatted cells, drop-down lists."""
    sheet = Sheet(table.name, [head, *rows], row_formats={0: _BOLD_HEADER}, freeze_header=True)
    for position, name in enumerate(head):
        is_note = name.startswith(COMMENT_PREFIX)
        sheet.columns.append(
            (position, position, 40 if is_note else 22, _NOTE if is_note else _TEXT)
        )
        if table.name == "submission" or is_note:
            continue
        column = table.column(name)
        sheet.comments.append(
            (
                0,
                position,
                f"{column.label_vi}: {column.description_vi}\n{column.description_en}",
                {"x_scale": 2, "y_scale": 1.5},
            )
        )
        if column.choices:
            values = [c.value for c in column.choices]
            values += [c.label_vi for c in column.choices if "," not in c.label_vi]
            sheet.validations.append(
                (1, position, 100_000, position,
                 {"validate": "list", "source": values, "error_type": "warning"})
            )  # fmt: skip
    return sheet


def _readme_sheet() -> Sheet:
    """The README sheet: the rules in both languages, then every column of every table."""
    grid: list[list[Any]] = [[line] for line in README_INTRO]
    grid += [[], list(README_HEADER)]
    grid += [values for table in TABLES.values() for values in column_rows(table)]
    bold = {"bold": True}
    return Sheet(
        "README",
        grid,
        row_formats={0: bold, len(README_INTRO) + 1: bold},
        columns=[(0, 3, 20, None), (4, 8, 36, {"text_wrap": True, "valign": "top"})],
    )


def _template_tables() -> list[tuple[TableSpec, list[str], list[list[str]]]]:
    """(table, header, pre-filled rows) of every table of the template, in order."""
    out = [
        (SUBMISSION, ["field", "value", SUBMISSION_NOTE], _submission_rows()),
        (
            TABLES["indicators"],
            [*TABLES["indicators"].column_names, *INDICATOR_NOTES],
            _indicator_rows(),
        ),
    ]
    out += [(TABLES[n], list(TABLES[n].column_names), []) for n in DATA_TABLES if n != "indicators"]
    return out


def _readme_markdown() -> str:
    """The README.md shipped in the zip template."""
    lines = [f"# {README_INTRO[0]}", "", *[f"- {line}" for line in README_INTRO[1:]], ""]
    lines.append("| " + " | ".join(README_HEADER) + " |")
    lines.append("|" + "---|" * len(README_HEADER))
    for table in TABLES.values():
        for values in column_rows(table):
            lines.append("| " + " | ".join(v.replace("|", "/") for v in values) + " |")
    return "\n".join(lines) + "\n"


def _plain_csv(head: Sequence[str], rows: list[list[str]]) -> bytes:
    """A CSV with a BOM so that Excel opens Vietnamese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(head)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_document() -> dict[str, object]:
    """The JSON template: every field blank, every catalog indicator listed, and each other
    table with one blank row that shows its columns (a row of blanks is skipped when read)."""
    document: dict[str, object] = {"submission": {c.name: "" for c in SUBMISSION.columns}}
    document["indicators"] = [
        {"indicator_code": code, "value": None, "note": None} for code in load_catalog().codes()
    ]
    for name in DATA_TABLES:
        if name != "indicators":
            document[name] = [{column: None for column in TABLES[name].column_names}]
    return document


def write_template(fmt: TemplateFormat, out: Path) -> Path:
    """Write an empty, documented template in one carrier; returns the path written."""
    out = Path(out)
    if fmt == "xlsx":
        sheets = [_readme_sheet(), *(_template_sheet(*t) for t in _template_tables())]
        write_workbook(out, sheets)
    elif fmt == "zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(_entry("README.md"), _readme_markdown())
            for table, head, rows in _template_tables():
                archive.writestr(_entry(f"{table.name}.csv"), _plain_csv(head, rows))
    elif fmt == "json":
        text = json.dumps(template_document(), ensure_ascii=False, indent=2) + "\n"
        out.write_text(text, encoding="utf-8")
    else:
        raise ValueError(f"unknown template format {fmt!r}; use xlsx, json or zip")
    return out


# -- the JSON schema of the .json carrier ----------------------------------------------------------
SCHEMA_ID = "https://dx-warehouse.example/schemas/submission-format.schema.json"
_JSON_TYPES: dict[str, list[str]] = {
    "text": ["string", "number", "null"],
    "number": ["number", "string", "null"],
    "integer": ["integer", "number", "string", "null"],
    "date": ["string", "number", "null"],
    "bool": ["boolean", "integer", "string", "null"],
    "choice": ["string", "null"],
    "email": ["string", "null"],
    "period": ["string", "integer"],
    "locality": ["string", "integer"],
}
_COMMENTS = {f"^{COMMENT_PREFIX}": {"description": "A note; ignored."}}


def _column_schema(column: ColumnSpec) -> dict[str, Any]:
    """The schema of one cell."""
    description = (
        f"{column.description_en} [{type_text(column)[0]}] — {column.label_vi}: "
        f"{column.description_vi}"
    )
    if column.choices:
        description += f" Allowed / hợp lệ: {accepted_values(column)}."
    schema: dict[str, Any] = {"type": _JSON_TYPES[column.type], "description": description}
    if column.example:
        schema["examples"] = [column.example]
    if column.name == "indicator_code":
        schema["examples"] = list(load_catalog().codes())
    return schema


def _object_schema(columns: tuple[ColumnSpec, ...], title: str) -> dict[str, Any]:
    """An object whose keys are column names or their Vietnamese spellings."""
    properties: dict[str, Any] = {}
    for column in columns:
        cell = _column_schema(column)
        for spelling in column.spellings:
            properties[spelling] = (
                cell
                if spelling == column.name
                else {"$ref": f"#/$defs/cells/{column.name}", "description": f"= {column.name}"}
            )
    required = [
        {"anyOf": [{"required": [s]} for s in column.spellings]}
        for column in columns
        if column.required
    ]
    schema: dict[str, Any] = {
        "type": "object",
        "title": title,
        "properties": properties,
        "patternProperties": _COMMENTS,
        "additionalProperties": False,
    }
    if required:
        schema["allOf"] = required
    return schema


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a .json submission."""
    cells = {c.name: _column_schema(c) for t in TABLES.values() for c in t.columns}
    defs: dict[str, Any] = {"cells": cells}
    properties: dict[str, Any] = {
        "$schema": {"type": "string", "description": "Optional; ignored."}
    }
    defs["submission"] = _object_schema(SUBMISSION.columns, "submission")
    for spelling in SUBMISSION.spellings:
        properties[spelling] = {"$ref": "#/$defs/submission"}
    for name in DATA_TABLES:
        table = TABLES[name]
        defs[name] = {
            "type": ["array", "null"],
            "description": f"{table.description_en} — {table.label_vi}: {table.description_vi}",
            "items": _object_schema(table.columns, f"{name} row"),
        }
        for spelling in table.spellings:
            properties[spelling] = {"$ref": f"#/$defs/{name}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dx-warehouse submission (JSON carrier)",
        "description": (
            "One locality's digital-transformation report for one period. Keys are table names "
            "(or their Vietnamese labels); `submission` is an object of fields, the other tables "
            "are arrays of row objects. Row numbers in feedback are the array index + 1. "
            "The validator is more lenient than this schema about key spelling (case, Unicode "
            "form); see docs/submission-format.md."
        ),
        "type": "object",
        "properties": properties,
        "patternProperties": _COMMENTS,
        "additionalProperties": False,
        "anyOf": [{"required": [s]} for s in SUBMISSION.spellings],
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as written to docs/submission-format.schema.json."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_json_schema(out: Path) -> Path:
    """Write the schema file (regenerate docs/submission-format.schema.json with this)."""
    out = Path(out)
    out.write_text(schema_text(), encoding="utf-8")
    return out
