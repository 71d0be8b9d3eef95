"""Reading the .json carrier: an object with one key per table (rows are arrays of objects).

Row numbers in JSON are the 0-based array index + 1: the first object of an array is row 1.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from dxw.submission.headers import map_header
from dxw.submission.limits import ReadLimits
from dxw.submission.problems import Problem, ProblemSink, error
from dxw.submission.raw import HeaderEntry, RawSubmission, RawTable
from dxw.submission.sources import duplicate_table, unknown_table
from dxw.submission.tables import TABLES, find_table, is_ignored_name
from dxw.submission.tabular import too_many_rows


class _Object(dict[str, Any]):
    """A JSON object that remembers keys it saw twice (plain json keeps the last silently)."""

    duplicates: tuple[str, ...] = ()


def _pairs(pairs: list[tuple[str, Any]]) -> _Object:
    """object_pairs_hook: build the object, noting duplicate keys."""
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        twice: list[str] = []
        for key, _ in pairs:
            if key in seen:
                twice.append(key)
            seen.add(key)
        obj.duplicates = tuple(twice)
    return obj


def _depth(document: object, limit: int) -> int:
    """Nesting depth of a parsed document, stopping once past `limit`."""
    deepest = 0
    stack: list[tuple[object, int]] = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > limit:
            return deepest
        children: Iterable[object] = (
            node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        )
        for child in children:
            if isinstance(child, dict | list):
                stack.append((child, depth + 1))
    return deepest


def _fatal(code: str, en: str, vi: str) -> list[Problem]:
    """A single fatal reading problem."""
    return [error(code, en, vi)]


def _parse(path: Path, limits: ReadLimits) -> Any | list[Problem]:
    """The parsed document, or the fatal problem."""
    data = path.read_bytes()
    try:
        document = json.loads(data, object_pairs_hook=_pairs, parse_constant=str)
    except RecursionError:
        return _fatal("json_too_deep", "The JSON is nested too deeply.", "Tệp JSON lồng quá sâu.")
    except json.JSONDecodeError as exc:
        return _fatal(
            "invalid_json",
            f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            f"Tệp không phải JSON hợp lệ: lỗi '{exc.msg}' tại dòng {exc.lineno}, cột {exc.colno}.",
        )
    except ValueError as exc:  # undecodable bytes
        return _fatal(
            "invalid_json",
            f"The file is not UTF-8 JSON ({exc}).",
            f"Tệp không phải JSON mã hóa UTF-8 ({exc}).",
        )
    if not isinstance(document, dict):
        return _fatal(
            "json_not_object",
            'The JSON must be an object with one key per table, e.g. {"submission": {...}}.',
            'Tệp JSON phải là một đối tượng, mỗi bảng một khóa, ví dụ {"submission": {...}}.',
        )
    depth = _depth(document, limits.max_json_depth)
    if depth > limits.max_json_depth:
        return _fatal(
            "json_too_deep",
            f"The JSON is nested {depth} levels deep; at most {limits.max_json_depth} accepted.",
            f"Tệp JSON lồng {depth} cấp; chỉ chấp nhận tối đa {limits.max_json_depth} cấp.",
        )
    return document


def _shape(table: str, expected_en: str, expected_vi: str, value: object) -> Problem:
    """A table (or row) of the wrong JSON type."""
    return error(
        "invalid_table_shape",
        f"'{table}' must be {expected_en}, not {type(value).__name__}.",
        f"'{table}' phải là {expected_vi}, không phải {type(value).__name__}.",
        table=table,
        value=type(value).__name__,
    )


def _duplicate_keys(
    table: str | None, row: int | None, keys: Sequence[str], code: str
) -> list[Problem]:
    """Keys written twice in one JSON object."""
    return [
        error(
            code,
            f"Key '{key}' appears twice in the same object; keep one.",
            f"Khóa '{key}' xuất hiện hai lần trong cùng một đối tượng; chỉ giữ một.",
            table=table,
            row=row,
            column=key,
            value=key,
        )
        for key in keys
    ]


def _table(
    table: str, key: str, items: list[Any], limits: ReadLimits
) -> tuple[RawTable, list[Problem]]:
    """A RawTable of an array of row objects."""
    problems: list[Problem] = []
    if len(items) > limits.max_rows_per_table:
        problems.append(too_many_rows(table, limits.max_rows_per_table, limits.max_rows_per_table))
        items = items[: limits.max_rows_per_table]
    first_rows: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(
                error(
                    "invalid_row",
                    f"Row {index} of '{key}' must be an object of column: value pairs.",
                    f"Dòng {index} của '{key}' phải là một đối tượng dạng cột: giá trị.",
                    table=table,
                    row=index,
                    value=type(item).__name__,
                )
            )
            continue
        for name in item:
            first_rows.setdefault(name, index)
        problems.extend(
            _duplicate_keys(table, index, getattr(item, "duplicates", ()), "duplicate_column")
        )
    names = list(first_rows)
    columns, header_problems = map_header(TABLES[table], names, 1, first_rows)

    def rows(sink: ProblemSink) -> Iterator[tuple[int, Sequence[object]]]:
        for index, item in enumerate(items, start=1):
            if isinstance(item, dict):
                yield index, [item.get(name) for name in names]

    return RawTable(table, key, columns, rows), problems + header_problems


def read_json(path: Path, limits: ReadLimits) -> RawSubmission | list[Problem]:
    """Read a JSON submission; a malformed document is fatal, table problems carried along."""
    if path.stat().st_size > limits.max_json_bytes:
        return _fatal(
            "file_too_large",
            f"A .json submission may be at most {limits.max_json_bytes:,} bytes; send a .zip "
            "of CSV files for large tables.",
            f"Tệp .json chỉ được tối đa {limits.max_json_bytes:,} byte; với bảng lớn hãy gửi "
            "tệp .zip chứa các tệp CSV.",
        )
    document = _parse(path, limits)
    if isinstance(document, list):
        return document
    problems = _duplicate_keys(None, None, document.duplicates, "duplicate_table")
    header: tuple[HeaderEntry, ...] | None = None
    tables: dict[str, RawTable] = {}
    seen: dict[str, str] = {}
    for key, value in document.items():
        if is_ignored_name(key):
            continue
        table = find_table(key)
        if table is None:
            problems.append(unknown_table(key, "key"))
            continue
        if table in seen:
            problems.append(duplicate_table(table, seen[table], key))
            continue
        seen[table] = key
        if table == "submission":
            if isinstance(value, dict):
                header = tuple(HeaderEntry(None, k, v) for k, v in value.items())
                problems.extend(
                    _duplicate_keys(
                        table, None, getattr(value, "duplicates", ()), "duplicate_field"
                    )
                )
            else:
                header = ()
                problems.append(
                    _shape(
                        key,
                        "an object of field: value pairs",
                        "một đối tượng dạng trường: giá trị",
                        value,
                    )
                )
        elif value is None or (isinstance(value, list) and not value):
            continue
        elif not isinstance(value, list):
            problems.append(
                _shape(key, "an array of row objects", "một mảng các đối tượng (dòng)", value)
            )
        else:
            tables[table], found = _table(table, key, value, limits)
            problems.extend(found)
    return RawSubmission("json", path.name, header, tables, tuple(problems), limits)
