"""What the xlsx and zip readers share: turning a sheet of rows into a RawTable or header."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from dxw.submission.headers import map_header
from dxw.submission.limits import ReadLimits
from dxw.submission.problems import Problem, ProblemSink, error
from dxw.submission.raw import UNNAMED, HeaderEntry, RawTable, RowStream
from dxw.submission.tables import SUBMISSION_LAYOUT, TABLES
from dxw.submission.values import is_blank

#: A re-openable source of (row number, cells), header included.
Source = Callable[[ProblemSink], Iterator[tuple[int, Sequence[object]]]]


def too_many_rows(table: str, limit: int, row: int) -> Problem:
    """The row limit was reached; the rest of the table is not read."""
    return error(
        "too_many_rows",
        f"Table '{table}' has more than {limit:,} data rows; split the submission.",
        f"Bảng '{table}' có hơn {limit:,} dòng dữ liệu; hãy tách báo cáo thành nhiều tệp.",
        table=table,
        row=row,
    )


def stray_positions(columns: Sequence[str], cells: Sequence[object]) -> list[int]:
    """Positions holding data under a blank header cell or beyond the header."""
    width = len(columns)
    out = [i for i in range(width, len(cells)) if not is_blank(cells[i])]
    return [
        i
        for i, c in enumerate(columns)
        if c == UNNAMED and i < len(cells) and not is_blank(cells[i])
    ] + out


def unnamed_column(table: str, row: int, position: int, value: object) -> Problem:
    """Data in a column without a name: an error (reported once per column)."""
    number = position + 1
    return error(
        "unnamed_column",
        f"Column {number} has data but no name in the header row; name it or delete the data.",
        f"Cột thứ {number} có dữ liệu nhưng không có tên ở dòng tiêu đề; hãy đặt tên cột hoặc "
        "xóa dữ liệu.",
        table=table,
        row=row,
        column=f"#{number}",
        value=value,
    )


def split_header(source: Source, sink: ProblemSink) -> tuple[int, Sequence[object]] | None:
    """The first non-blank row (the header) of a source, or None for an empty one."""
    for number, cells in source(sink):
        if any(not is_blank(c) for c in cells):
            return number, cells
    return None


def data_rows(source: Source, header_row: int, table: str, limits: ReadLimits) -> RowStream:
    """A row stream of the rows after the header, stopping at the row limit."""

    def rows(sink: ProblemSink) -> Iterator[tuple[int, Sequence[object]]]:
        limit = limits.max_rows_per_table
        count = 0
        for number, cells in source(sink):
            if number <= header_row:
                continue
            count += 1
            if count > limit:
                sink.add(too_many_rows(table, limit, number))
                return
            yield number, cells

    return rows


def make_table(
    table: str, source_name: str, source: Source, limits: ReadLimits
) -> tuple[RawTable | None, list[Problem]]:
    """A RawTable of a tabular source whose first non-blank row holds the column names."""
    sink = ProblemSink(limits.max_problems_per_code)
    found = split_header(source, sink)
    problems = sink.finish()
    if found is None:
        return None, problems
    header_row, names = found
    columns, header_problems = map_header(TABLES[table], names, header_row)
    rows = data_rows(source, header_row, table, limits)
    return RawTable(table, source_name, columns, rows), problems + header_problems


def make_header(
    source: Source, limits: ReadLimits
) -> tuple[tuple[HeaderEntry, ...], list[Problem]]:
    """The field/value entries of a tabular `submission` table."""
    sink = ProblemSink(limits.max_problems_per_code)
    found = split_header(source, sink)
    if found is None:
        return (), sink.finish()
    header_row, names = found
    columns, problems = map_header(SUBMISSION_LAYOUT, names, header_row)
    entries: list[HeaderEntry] = []
    reported: set[int] = set()
    for number, cells in data_rows(source, header_row, "submission", limits)(sink):
        named = dict(zip(columns, cells, strict=False))
        name, value = named.get("field"), named.get("value")
        for position in stray_positions(columns, cells):
            if position not in reported:
                reported.add(position)
                problems.append(unnamed_column("submission", number, position, cells[position]))
        if is_blank(name) and is_blank(value):
            continue
        entries.append(HeaderEntry(number, "" if is_blank(name) else str(name), value))
    return tuple(entries), problems + sink.finish()
