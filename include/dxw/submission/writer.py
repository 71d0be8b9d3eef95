"""Writing a submission document as a real file in each carrier (samples, tests, tools).

A document is a dict: {"submission": {field: value}, "<table>": [{column: value}, ...]}.
Values are Python objects; each writer renders them the way its carrier would carry them:
xlsx cells are typed (dates as date cells), JSON uses numbers and ISO dates, and CSV text is
written the Vietnamese way (99,2 and 24/3/2022).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

Submission = dict[str, Any]
#: Written into every file instead of "now": the same document always gives the same bytes,
#: so rewriting a sample is recognised as a duplicate rather than loaded again.
FIXED_TIMESTAMP = datetime(2025, 1, 1)


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


def _header_rows(header: dict[str, Any]) -> list[list[Any]]:
    """The field/value rows of a tabular submission table."""
    return [["field", "value"], *[[k, v] for k, v in header.items()]]


def _table_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    """Header row plus data rows of a table."""
    columns = _columns(rows)
    return [columns, *[[row.get(c) for c in columns] for row in rows]]


def _sheets(sub: Submission) -> dict[str, list[list[Any]]]:
    """Every table as a grid, header first."""
    out: dict[str, list[list[Any]]] = {}
    for name, value in sub.items():
        out[name] = _header_rows(value) if isinstance(value, dict) else _table_rows(value)
    return out


def write_xlsx(sub: Submission, path: Path, *, start_row: int = 0) -> Path:
    """One sheet per table; dates as date cells, numbers as numbers, text as text."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIMESTAMP})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, grid in _sheets(sub).items():
        sheet = book.add_worksheet(name)
        for r, values in enumerate(grid):
            for c, value in enumerate(values):
                row = r + start_row
                if value is None:
                    continue
                if isinstance(value, bool):
                    sheet.write_boolean(row, c, value)
                elif isinstance(value, datetime | date):
                    sheet.write_datetime(row, c, value, day)
                elif isinstance(value, int | float):
                    sheet.write_number(row, c, value)
                else:
                    sheet.write_string(row, c, str(value))
    book.close()
    return path


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
    """A cell as a Vietnamese locality would type it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, date):
        return f"{value.day}/{value.month}/{value.year}"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
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
        for name, grid in _sheets(sub).items():
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
