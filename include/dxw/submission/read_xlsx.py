"""Reading the .xlsx carrier with python-calamine: one sheet per table, names in the first row."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from python_calamine import CalamineSheet, CalamineWorkbook, SheetTypeEnum

from dxw.submission.limits import ReadLimits
from dxw.submission.problems import Problem, ProblemSink
from dxw.submission.raw import HeaderEntry, RawSubmission, RawTable
from dxw.submission.sources import duplicate_table, unknown_table
from dxw.submission.tables import find_table, is_ignored_name
from dxw.submission.tabular import Source, make_header, make_table
from dxw.submission.zipsafe import check_archive, check_sheet_extents, check_true_sizes


def _sheet_source(sheet: CalamineSheet) -> Source:
    """Rows of a loaded sheet numbered as Excel shows them (calamine starts at row 1)."""

    def source(sink: ProblemSink) -> Iterator[tuple[int, Sequence[object]]]:
        for index, cells in enumerate(sheet.iter_rows()):
            yield index + 1, cells

    return source


def read_xlsx(path: Path, limits: ReadLimits) -> RawSubmission | list[Problem]:
    """Read a workbook; container problems are fatal, table problems are carried along."""
    with zipfile.ZipFile(path) as archive:
        fatal = (
            check_archive(
                archive,
                max_entries=limits.max_xlsx_parts,
                max_bytes=limits.max_uncompressed_bytes,
                what="xlsx",
            )
            or check_true_sizes(path, archive, "xlsx")
            or check_sheet_extents(archive, limits.max_sheet_cells)
        )
    if fatal:
        return fatal
    workbook = CalamineWorkbook.from_path(str(path))
    problems: list[Problem] = []
    header: tuple[HeaderEntry, ...] | None = None
    tables: dict[str, RawTable] = {}
    seen: dict[str, str] = {}
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or is_ignored_name(meta.name):
                continue
            table = find_table(meta.name)
            if table is None:
                problems.append(unknown_table(meta.name, "sheet"))
                continue
            if table in seen:
                problems.append(duplicate_table(table, seen[table], meta.name))
                continue
            seen[table] = meta.name
            source = _sheet_source(workbook.get_sheet_by_name(meta.name))
            if table == "submission":
                header, found = make_header(source, limits)
            else:
                raw_table, found = make_table(table, meta.name, source, limits)
                if raw_table is not None:
                    tables[table] = raw_table
            problems.extend(found)
    finally:
        workbook.close()
    return RawSubmission("xlsx", path.name, header, tables, tuple(problems), limits)
