"""Mapping the column names a locality wrote to canonical columns, reporting what does not fit."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from dxw.submission.problems import Problem, error
from dxw.submission.raw import COMMENT, UNNAMED
from dxw.submission.tables import COMMENT_PREFIX, TableSpec
from dxw.submission.values import clean_text, normalise_key


def suggest(text: str, spellings: Sequence[str]) -> str | None:
    """The accepted spelling closest to a misspelt one, if any is close."""
    keys = {normalise_key(s): s for s in spellings}
    found = difflib.get_close_matches(normalise_key(text), list(keys), n=1, cutoff=0.75)
    return keys[found[0]] if found else None


def hint(text: str, spellings: Sequence[str]) -> tuple[str, str]:
    """A "did you mean" sentence in English and Vietnamese, or empty strings."""
    best = suggest(text, spellings)
    if best is None:
        return "", ""
    return f" Did you mean '{best}'?", f" Có phải là '{best}'?"


def accepted(spec: TableSpec) -> str:
    """The canonical columns with their Vietnamese labels, for messages."""
    return ", ".join(f"{c.name} ({c.label_vi})" for c in spec.columns)


def map_header(
    spec: TableSpec,
    names: Sequence[object],
    header_row: int | None,
    first_rows: Mapping[str, int] | None = None,
    table: str | None = None,
) -> tuple[tuple[str, ...], list[Problem]]:
    """Canonical column per position (or UNNAMED/COMMENT, or "" when unknown), and problems.

    Unknown, duplicate and missing required columns are errors; `#` columns are comments.
    """
    table = table or spec.name
    columns: list[str] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    spellings = [s for c in spec.columns for s in c.spellings]
    for raw in names:
        text = clean_text(raw) if not isinstance(raw, dict | list) else None
        row = first_rows.get(str(raw), header_row) if first_rows else header_row
        if text is None:
            columns.append(UNNAMED)
            continue
        if text.startswith(COMMENT_PREFIX):
            columns.append(COMMENT)
            continue
        canonical = spec.find_column(text)
        if canonical is None:
            en, vi = hint(text, spellings)
            problems.append(
                error(
                    "unknown_column",
                    f"Unknown column '{text}' in table '{table}'; its data would be lost.{en} "
                    f"Accepted columns: {accepted(spec)}. Rename it, or start its name with # "
                    "to mark it as a comment.",
                    f"Cột '{text}' trong bảng '{table}' không được chấp nhận; dữ liệu của cột sẽ "
                    f"bị bỏ qua.{vi} Các cột hợp lệ: {accepted(spec)}. Hãy đổi tên cột, hoặc "
                    "thêm dấu # ở đầu tên nếu đó là cột ghi chú.",
                    table=table,
                    row=row,
                    column=text,
                    value=text,
                )
            )
            columns.append("")
            continue
        if canonical in seen:
            problems.append(
                error(
                    "duplicate_column",
                    f"Columns '{seen[canonical]}' and '{text}' both mean '{canonical}'; keep one.",
                    f"Cột '{seen[canonical]}' và cột '{text}' cùng là '{canonical}'; "
                    "chỉ giữ một cột.",
                    table=table,
                    row=row,
                    column=text,
                    value=text,
                )
            )
            columns.append("")
            continue
        seen[canonical] = text
        columns.append(canonical)
    for column in spec.columns:
        if column.required and column.name not in seen:
            problems.append(
                error(
                    "missing_column",
                    f"Table '{table}' has no column '{column.name}' ({column.label_vi}); "
                    "it is required.",
                    f"Bảng '{table}' thiếu cột bắt buộc '{column.name}' ({column.label_vi}).",
                    table=table,
                    row=header_row,
                    column=column.name,
                )
            )
    return tuple(columns), problems
