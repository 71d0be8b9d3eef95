"""Streaming a raw table into typed row tuples: types, blanks, required values, ranges, keys."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Sequence
from operator import call, itemgetter
from typing import Protocol

from dxw.submission.convert import Bad, bad_value, converter_for
from dxw.submission.problems import Problem, ProblemSink, error
from dxw.submission.raw import UNNAMED, RawTable
from dxw.submission.tables import ColumnSpec, TableSpec
from dxw.submission.tabular import stray_positions, unnamed_column
from dxw.submission.values import format_number_vi

Row = tuple[object, ...]
#: Whole-number columns are stored as PostgreSQL `integer`: a larger value is out of range.
INTEGER_MAX = 2_147_483_647


class TableRules(Protocol):
    """Table-specific checks run on each typed row (may fill defaults); False drops the row."""

    def check(self, row: int, out: list[object], sink: ProblemSink) -> bool: ...


def fmt(value: float | int) -> tuple[str, str]:
    """A number written for English and for Vietnamese messages."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return (f"{value:g}" if isinstance(value, float) else str(value)), format_number_vi(value)


def range_text(low: float | None, high: float | None) -> tuple[str, str]:
    """An allowed range for messages in English and Vietnamese."""
    lo, hi = (fmt(low) if low is not None else None), (fmt(high) if high is not None else None)
    if lo and hi:
        return f"{lo[0]} to {hi[0]}", f"từ {lo[1]} đến {hi[1]}"
    if lo:
        return f"at least {lo[0]}", f"không nhỏ hơn {lo[1]}"
    assert hi is not None
    return f"at most {hi[0]}", f"không lớn hơn {hi[1]}"


def out_of_range(
    table: str,
    row: int,
    column: ColumnSpec,
    value: float,
    low: float | None,
    high: float | None,
    what: str = "",
) -> Problem:
    """The error for a number outside its allowed range."""
    en_range, vi_range = range_text(low, high)
    en_v, vi_v = fmt(value)
    return error(
        "out_of_range",
        f"{column.name} ({column.label_vi}){what}: {en_v} is outside the allowed range "
        f"({en_range}).",
        f"{column.name} ({column.label_vi}){what}: {vi_v} nằm ngoài khoảng cho phép ({vi_range}).",
        table=table,
        row=row,
        column=column.name,
        value=value,
    )


def _duplicate(table: str, row: int, spec: TableSpec, key: object, first: int) -> Problem:
    """The error for a second row with the same key."""
    shown = key if not isinstance(key, tuple) else " / ".join(str(k) for k in key)
    names = ", ".join(spec.key)
    return error(
        "duplicate_key",
        f"{names} '{shown}' is already used on row {first}; each must be unique.",
        f"{names} '{shown}' đã có ở dòng {first}; giá trị này không được trùng.",
        table=table,
        row=row,
        column=spec.key[-1],
        value=shown,
    )


def convert_table(
    raw: RawTable, spec: TableSpec, sink: ProblemSink, rules: TableRules | None = None
) -> tuple[list[Row], array[int]]:
    """Typed rows of a raw table in `spec.columns` order and the row number of each (kept only
    while no error was seen)."""
    rows: list[Row] = []
    numbers = array("l")
    for number, row in iter_table(raw, spec, sink, rules):
        rows.append(row)
        numbers.append(number)
    if sink.has_errors:
        rows.clear()
        del numbers[:]
    return rows, numbers


def _tuple_getter(indices: Sequence[int]) -> Callable[[Sequence[object]], tuple[object, ...]]:
    """`itemgetter` that always returns a tuple (also for one or no index)."""
    if len(indices) >= 2:
        return itemgetter(*indices)
    if len(indices) == 1:
        only = indices[0]
        return lambda seq: (seq[only],)
    return lambda seq: ()


def _blank(value: object) -> None:
    """The converter of a position that is not a column of the table."""
    return None


def iter_table(
    raw: RawTable, spec: TableSpec, sink: ProblemSink, rules: TableRules | None = None
) -> Iterator[tuple[int, Row]]:
    """Stream a raw table: (row number, typed row in `spec.columns` order) for each good row.

    Every row is checked, but rows are yielded only while `sink` holds no error: a consumer
    that loads them as they come (COPY) must discard what it loaded if the submission ends up
    with errors. Iterate to the end: the last rows' problems are only known then.

    Per row, the cells are converted by one `map` over the converters of their positions (the
    converters return None for blank cells), then put in the table's column order with one
    `itemgetter`: no Python-level loop over the cells unless a cell is of the wrong type.
    """
    table = spec.name
    index = {c.name: j for j, c in enumerate(spec.columns)}
    mapped = [
        (i, index[name], spec.columns[index[name]])
        for i, name in enumerate(raw.columns)
        if name in index
    ]
    width = len(raw.columns)
    last = max((i for i, _, _ in mapped), default=-1) + 1
    converters: list[Callable[[object], object]] = [_blank] * last
    position_of = [-1] * len(spec.columns)  # -1: the None appended after the typed cells
    for i, j, column in mapped:
        converters[i] = converter_for(column)
        position_of[j] = i
    in_table_order = _tuple_getter(position_of)
    present = {name for name in raw.columns if name in index}
    required = [(index[c.name], c) for c in spec.columns if c.required and c.name in present]
    required_values = _tuple_getter([j for j, _ in required])
    ranged = [
        (index[c.name], c, c.min, INTEGER_MAX if c.max is None and c.type == "integer" else c.max)
        for c in spec.columns
        if c.name in present
        and c.type in ("number", "integer")
        and (c.min is not None or c.max is not None or c.type == "integer")
        and c.name not in ("latitude", "longitude")
    ]
    key_at = [index[k] for k in spec.key]
    single_key = key_at[0] if len(key_at) == 1 else None
    watch_stray = UNNAMED in raw.columns
    stray_seen: set[int] = set()
    seen: dict[object, int] = {}
    check = rules.check if rules is not None else None
    for number, cells in raw.rows(sink):
        typed = list(map(call, converters, cells))
        if len(typed) < last:
            typed.extend([None] * (last - len(typed)))
        typed.append(None)
        empty = typed.count(None) == len(typed)
        out = list(in_table_order(typed))
        bad = Bad in map(type, typed)
        if bad:
            for i, j, column in mapped:
                value = typed[i]
                if type(value) is Bad:
                    sink.add(bad_value(value, column, table, number, cells[i]))
                    out[j] = None
        if watch_stray or len(cells) > width:
            for position in stray_positions(raw.columns, cells):
                empty = False
                if position not in stray_seen:
                    stray_seen.add(position)
                    sink.add(unnamed_column(table, number, position, cells[position]))
        if empty:
            continue
        if None in required_values(out):
            for j, column in required:
                if out[j] is None and not _was_bad(cells, raw.columns, column.name):
                    sink.add(
                        error(
                            "missing_value",
                            f"{column.name} ({column.label_vi}) is required but blank.",
                            f"{column.name} ({column.label_vi}) là bắt buộc nhưng đang để trống.",
                            table=table,
                            row=number,
                            column=column.name,
                        )
                    )
        for j, column, low, high in ranged:
            value = out[j]
            if isinstance(value, int | float) and (
                (low is not None and value < low) or (high is not None and value > high)
            ):
                sink.add(out_of_range(table, number, column, value, low, high))
        if check is not None and not check(number, out, sink):
            continue
        if key_at:
            key = out[single_key] if single_key is not None else tuple(out[k] for k in key_at)
            if out[key_at[-1]] is not None:
                first = seen.setdefault(key, number)
                if first != number:
                    sink.add(_duplicate(table, number, spec, key, first))
        if not bad and not sink.has_errors:
            yield number, tuple(out)


def _was_bad(cells: object, columns: tuple[str, ...], name: str) -> bool:
    """Whether a blank typed value came from a cell that was present but of the wrong type."""
    position = columns.index(name)
    value = cells[position] if position < len(cells) else None  # type: ignore[arg-type,index]
    return value is not None and not (isinstance(value, str) and not value.strip())
