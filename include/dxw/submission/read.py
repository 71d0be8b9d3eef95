"""Reading a submission file into header fields and row streams, whatever its carrier.

`read_submission` chooses the reader by the file ending: `.xlsx` (python-calamine, one sheet per
table), `.json` (one key per table) or `.zip` (one UTF-8 CSV per table). Every reader maps the
column names the locality wrote to canonical columns and hands `validate` a `RawSubmission`:
the `submission` fields, and per table a re-openable stream of (row as the locality sees it,
cells). Reading never raises on bad input: what makes a file unreadable is a list of problems,
what does not travels with the tables.
"""

from __future__ import annotations

import csv
import difflib
import io
import itertools
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from python_calamine import CalamineError, CalamineSheet, CalamineWorkbook, SheetTypeEnum

from dxw.submission.containers import (
    check_archive,
    check_sheet_extents,
    check_true_sizes,
    entry_name,
    percent_cells,
)
from dxw.submission.messages import M, Problem, ProblemSink, Quoted, problem
from dxw.submission.spec import (
    COMMENT_PREFIX,
    DEFAULT_LIMITS,
    SUBMISSION_LAYOUT,
    TABLES,
    ReadLimits,
    TableSpec,
    find_table,
    is_ignored_name,
    normalise_key,
)
from dxw.submission.values import PercentCell, cell_text, is_blank

#: Marks a position of a row whose header cell was blank.
UNNAMED = "\0unnamed"
#: Marks a position of a row whose header is a `#` comment.
COMMENT = "\0comment"

Rows = Iterator[tuple[int, Sequence[object]]]
RowStream = Callable[[ProblemSink], Rows]
#: A re-openable source of (row number, cells), header included.
Source = Callable[[ProblemSink], Rows]


@dataclass(frozen=True, slots=True)
class HeaderEntry:
    """One field of the `submission` table as given: row (None in JSON), name, raw value."""

    row: int | None
    name: str
    value: object


@dataclass(frozen=True)
class RawTable:
    """One data table: canonical name, where it came from, its header, a stream of its rows.

    `columns[i]` is the canonical column at position i, or UNNAMED/COMMENT/"" (unknown,
    already reported). `rows(sink)` yields (row number as the locality sees it, cells) and may be
    called again; reading problems met while streaming (bad encoding, row limit) go to `sink`.
    """

    name: str
    source: str
    columns: tuple[str, ...]
    rows: RowStream


@dataclass(frozen=True)
class RawSubmission:
    """A readable submission: carrier, header fields, row tables, problems met while reading."""

    carrier: str
    source_name: str
    header: tuple[HeaderEntry, ...] | None
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    limits: ReadLimits = DEFAULT_LIMITS


# -- names: tables, columns, "did you mean" ------------------------------------------------------
def suggest(text: str, spellings: Sequence[str]) -> str | None:
    """The accepted spelling closest to a misspelt one, if any is close."""
    keys = {normalise_key(s): s for s in spellings}
    found = difflib.get_close_matches(normalise_key(text), list(keys), n=1, cutoff=0.75)
    return keys[found[0]] if found else None


def hint(text: str, spellings: Sequence[str]) -> M:
    """A "did you mean" sentence, or nothing."""
    best = suggest(text, spellings)
    return M("part.none") if best is None else M("part.did_you_mean", best=best)


def _accepted_tables() -> str:
    """The canonical tables with their Vietnamese labels, for messages."""
    return ", ".join(f"{t.name} ({t.label_vi})" for t in TABLES.values())


def unknown_table(name: str, what: str) -> Problem:
    """A sheet/entry/key that names no table: an error, its data would be lost."""
    spellings = [s for t in TABLES.values() for s in t.spellings]
    return problem(
        "unknown_table",
        value=name,
        what=M(f"part.{what}"),
        name=Quoted(name),
        hint=hint(name, spellings),
        accepted=_accepted_tables(),
    )


def duplicate_table(table: str, first: str, second: str) -> Problem:
    """Two sources name the same table."""
    return problem(
        "duplicate_table", table=table, value=second, first=Quoted(first), second=Quoted(second)
    )


def map_header(
    spec: TableSpec,
    names: Sequence[object],
    header_row: int | None,
    first_rows: Mapping[str, int] | None = None,
) -> tuple[tuple[str, ...], list[Problem]]:
    """Canonical column per position (or UNNAMED/COMMENT, or "" when unknown), and problems.

    Unknown, duplicate and missing required columns are errors; `#` columns are comments.
    """
    table = spec.name
    columns: list[str] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    spellings = [s for c in spec.columns for s in c.spellings]
    accepted = ", ".join(f"{c.name} ({c.label_vi})" for c in spec.columns)
    for raw in names:
        text = cell_text(raw) if not isinstance(raw, dict | list) else None
        row = first_rows.get(str(raw), header_row) if first_rows else header_row
        if text is None:
            columns.append(UNNAMED)
        elif text.startswith(COMMENT_PREFIX):
            columns.append(COMMENT)
        elif (canonical := spec.find_column(text)) is None:
            problems.append(
                problem(
                    "unknown_column",
                    table=table,
                    row=row,
                    column=text,
                    value=text,
                    name=Quoted(text),
                    hint=hint(text, spellings),
                    accepted=accepted,
                )
            )
            columns.append("")
        elif canonical in seen:
            problems.append(
                problem(
                    "duplicate_column",
                    table=table,
                    row=row,
                    column=text,
                    value=text,
                    first=Quoted(seen[canonical]),
                    second=Quoted(text),
                    canonical=canonical,
                )
            )
            columns.append("")
        else:
            seen[canonical] = text
            columns.append(canonical)
    for column in spec.columns:
        if column.required and column.name not in seen:
            problems.append(
                problem(
                    "missing_column",
                    table=table,
                    row=header_row,
                    column=column.name,
                    col=f"'{column.name}' ({column.label_vi})",
                )
            )
    return tuple(columns), problems


# -- tabular sources (xlsx sheets, CSV entries) ----------------------------------------------------
def too_many_rows(table: str, limit: int, row: int) -> Problem:
    """The row limit was reached; the rest of the table is not read."""
    return problem("too_many_rows", table=table, row=row, limit=limit)


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
    return problem(
        "unnamed_column", table=table, row=row, column=f"#{number}", value=value, number=number
    )


def _split_header(source: Source, sink: ProblemSink) -> tuple[int, Sequence[object]] | None:
    """The first non-blank row (the header) of a source, or None for an empty one."""
    for number, cells in source(sink):
        if any(not is_blank(c) for c in cells):
            return number, cells
    return None


def _data_rows(source: Source, header_row: int, table: str, limits: ReadLimits) -> RowStream:
    """A row stream of the rows after the header, stopping at the row limit."""

    def rows(sink: ProblemSink) -> Rows:
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


def _tabular(
    table: str, source_name: str, source: Source, limits: ReadLimits
) -> tuple[RawTable | tuple[HeaderEntry, ...] | None, list[Problem]]:
    """A RawTable (or, for `submission`, its field entries) of a tabular source whose first
    non-blank row holds the column names."""
    sink = ProblemSink(limits.max_problems_per_code)
    found = _split_header(source, sink)
    if found is None:
        return (() if table == "submission" else None), sink.finish()
    header_row, names = found
    spec = SUBMISSION_LAYOUT if table == "submission" else TABLES[table]
    columns, problems = map_header(spec, names, header_row)
    rows = _data_rows(source, header_row, table, limits)
    if table != "submission":
        return RawTable(table, source_name, columns, rows), sink.finish() + problems
    entries: list[HeaderEntry] = []
    reported: set[int] = set()
    for number, cells in rows(sink):
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


class _Collector:
    """Sources of one file, by table: header entries, raw tables, reading problems."""

    def __init__(self, carrier: str, source_name: str, limits: ReadLimits) -> None:
        self.carrier, self.source_name, self.limits = carrier, source_name, limits
        self.header: tuple[HeaderEntry, ...] | None = None
        self.tables: dict[str, RawTable] = {}
        self.problems: list[Problem] = []
        self._seen: dict[str, str] = {}

    def claim(self, name: str, what: str, table: str | None) -> str | None:
        """The table a source holds, once; unknown and repeated tables are errors."""
        if table is None:
            self.problems.append(unknown_table(name, what))
            return None
        if table in self._seen:
            self.problems.append(duplicate_table(table, self._seen[table], name))
            return None
        self._seen[table] = name
        return table

    def add_tabular(self, table: str, name: str, source: Source) -> None:
        """A sheet or CSV entry."""
        found, problems = _tabular(table, name, source, self.limits)
        if isinstance(found, RawTable):
            self.tables[table] = found
        elif found is not None:
            self.header = found
        self.problems.extend(problems)

    def result(self) -> RawSubmission:
        return RawSubmission(
            self.carrier,
            self.source_name,
            self.header,
            self.tables,
            tuple(self.problems),
            self.limits,
        )


# -- .xlsx -----------------------------------------------------------------------------------------
def _sheet_source(sheet: CalamineSheet, percent: frozenset[tuple[int, int]]) -> Source:
    """Rows of a loaded sheet numbered as Excel shows them (calamine pads rows from row 1 and
    columns from the first used one); cells formatted as a percentage are read as displayed."""
    first_column = (sheet.start or (0, 0))[1] if percent else 0
    by_row: dict[int, list[int]] = {}
    for row, column in percent:
        by_row.setdefault(row, []).append(column - first_column)

    def source(sink: ProblemSink) -> Rows:
        for index, cells in enumerate(sheet.iter_rows()):
            if index in by_row:
                cells = list(cells)
                for position in by_row[index]:
                    stored = cells[position] if 0 <= position < len(cells) else None
                    if type(stored) is float:
                        cells[position] = PercentCell.of_fraction(stored)
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
        percent = percent_cells(archive)
    workbook = CalamineWorkbook.from_path(str(path))
    found = _Collector("xlsx", path.name, limits)
    try:
        for meta in workbook.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet or is_ignored_name(meta.name):
                continue
            table = found.claim(meta.name, "sheet", find_table(meta.name))
            if table is not None:
                sheet = workbook.get_sheet_by_name(meta.name)
                cells = percent.get(meta.name, frozenset())
                found.add_tabular(table, meta.name, _sheet_source(sheet, cells))
    finally:
        workbook.close()
    return found.result()


# -- .zip of CSV files -----------------------------------------------------------------------------
_DELIMITERS = (",", ";", "\t")


def _delimiter(first_line: str) -> str:
    """The delimiter of a CSV, guessed from its header line (column names hold none)."""
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _stream_problem(table: str, entry: str, row: int, exc: Exception) -> Problem:
    """A problem met while streaming a CSV entry."""
    name = Quoted(entry)
    if isinstance(exc, UnicodeDecodeError):
        return problem("invalid_encoding.csv", table=table, row=row, name=name)
    if isinstance(exc, csv.Error):
        return problem("malformed_csv", table=table, row=row, name=name, detail=str(exc))
    return problem(
        "unreadable_file.entry", table=table, row=row, name=name, detail=type(exc).__name__
    )


def _csv_source(path: Path, info: zipfile.ZipInfo, table: str) -> Source:
    """Records of a CSV entry numbered as a spreadsheet shows them (header = 1)."""
    name = entry_name(info)

    def source(sink: ProblemSink) -> Rows:
        number = 0
        try:
            with zipfile.ZipFile(path) as archive, archive.open(info) as raw:
                # ZipExtFile never yields more than the declared size, checked against limits.
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                first = text.readline()
                lines = itertools.chain([first], text)
                for number, cells in enumerate(
                    csv.reader(lines, delimiter=_delimiter(first)), start=1
                ):
                    yield number, cells
        except (
            UnicodeDecodeError,
            csv.Error,
            OSError,
            zipfile.BadZipFile,
            EOFError,
            ValueError,
        ) as exc:
            sink.add(_stream_problem(table, name, number + 1, exc))

    return source


def _not_data(name: str) -> bool:
    """Directories, macOS metadata, hidden files, READMEs and `#` notes are not tables."""
    path = PurePosixPath(name.replace("\\", "/"))
    return (
        name.endswith("/")
        or path.parts[:1] == ("__MACOSX",)
        or path.name.startswith(".")
        or is_ignored_name(path.stem)
        or is_ignored_name(path.name)
    )


def read_zip(path: Path, limits: ReadLimits) -> RawSubmission | list[Problem]:
    """Read a zip of CSV files; archive problems are fatal, table problems carried along."""
    with zipfile.ZipFile(path) as archive:
        fatal = check_archive(
            archive,
            max_entries=limits.max_zip_entries,
            max_bytes=limits.max_uncompressed_bytes,
            what="zip",
        )
        infos = archive.infolist()
    if fatal:
        return fatal
    found = _Collector("zip", path.name, limits)
    for info in infos:
        name = entry_name(info)
        if _not_data(name):
            continue
        entry = PurePosixPath(name.replace("\\", "/"))
        known = find_table(entry.stem) if entry.suffix.lower() == ".csv" else None
        table = found.claim(name, "entry", known)
        if table is not None:
            found.add_tabular(table, name, _csv_source(path, info, table))
    return found.result()


# -- .json -----------------------------------------------------------------------------------------
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


def _parse_json(path: Path, limits: ReadLimits) -> Any | list[Problem]:
    """The parsed document, or the fatal problem."""
    data = path.read_bytes()
    try:
        document = json.loads(data, object_pairs_hook=_pairs, parse_constant=str)
    except RecursionError:
        return [problem("json_too_deep")]
    except json.JSONDecodeError as exc:
        return [problem("invalid_json", detail=exc.msg, line=exc.lineno, position=exc.colno)]
    except ValueError as exc:  # undecodable bytes
        return [problem("invalid_json.encoding", detail=str(exc))]
    if not isinstance(document, dict):
        return [problem("json_not_object")]
    depth = _depth(document, limits.max_json_depth)
    if depth > limits.max_json_depth:
        return [problem("json_too_deep.limit", depth=depth, limit=limits.max_json_depth)]
    return document


def _shape(table: str, expected: str, value: object) -> Problem:
    """A table of the wrong JSON type."""
    found = type(value).__name__
    return problem(
        "invalid_table_shape",
        table=table,
        value=found,
        name=Quoted(table),
        expected=M(f"part.{expected}"),
        found=found,
    )


def _duplicate_keys(
    table: str | None, row: int | None, keys: Sequence[str], code: str
) -> list[Problem]:
    """Keys written twice in one JSON object."""
    return [
        problem(f"{code}.json_key", table=table, row=row, column=key, value=key, key=Quoted(key))
        for key in keys
    ]


def _json_table(
    table: str, key: str, items: list[Any], limits: ReadLimits
) -> tuple[RawTable, list[Problem]]:
    """A RawTable of an array of row objects (row numbers: array index + 1)."""
    problems: list[Problem] = []
    if len(items) > limits.max_rows_per_table:
        problems.append(too_many_rows(table, limits.max_rows_per_table, limits.max_rows_per_table))
        items = items[: limits.max_rows_per_table]
    first_rows: dict[str, int] = {}
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(
                problem(
                    "invalid_row",
                    table=table,
                    row=index,
                    value=type(item).__name__,
                    name=Quoted(key),
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

    def rows(sink: ProblemSink) -> Rows:
        for index, item in enumerate(items, start=1):
            if isinstance(item, dict):
                yield index, [item.get(name) for name in names]

    return RawTable(table, key, columns, rows), problems + header_problems


def read_json(path: Path, limits: ReadLimits) -> RawSubmission | list[Problem]:
    """Read a JSON submission; a malformed document is fatal, table problems carried along."""
    if path.stat().st_size > limits.max_json_bytes:
        return [problem("file_too_large.json", limit=limits.max_json_bytes)]
    document = _parse_json(path, limits)
    if isinstance(document, list):
        return document
    found = _Collector("json", path.name, limits)
    found.problems.extend(_duplicate_keys(None, None, document.duplicates, "duplicate_table"))
    for key, value in document.items():
        if is_ignored_name(key):
            continue
        table = found.claim(key, "key", find_table(key))
        if table is None:
            continue
        if table == "submission":
            if isinstance(value, dict):
                found.header = tuple(HeaderEntry(None, k, v) for k, v in value.items())
                found.problems.extend(
                    _duplicate_keys(
                        table, None, getattr(value, "duplicates", ()), "duplicate_field"
                    )
                )
            else:
                found.header = ()
                found.problems.append(_shape(key, "object", value))
        elif value is None or (isinstance(value, list) and not value):
            continue
        elif not isinstance(value, list):
            found.problems.append(_shape(key, "array", value))
        else:
            found.tables[table], problems = _json_table(table, key, value, limits)
            found.problems.extend(problems)
    return found.result()


# -- choosing the reader ---------------------------------------------------------------------------
_READERS: dict[str, Callable[[Path, ReadLimits], RawSubmission | list[Problem]]] = {
    ".xlsx": read_xlsx,
    ".json": read_json,
    ".zip": read_zip,
}
_ADVICE = {".csv": "part.advice_csv", ".ods": "part.advice_spreadsheet"}
#: Endings of spreadsheets that are not a carrier but are plainly meant as one: a file with one
#: of these is refused with advice rather than left unread (also when it is byte-identical to a
#: file loaded before).
WRONG_CARRIERS = (".xls", ".xlsb", ".ods")


def unknown_carrier(path: Path) -> list[Problem]:
    """The file ending names no carrier (an .xls, a lone .csv, ...)."""
    suffix = path.suffix.lower()
    if suffix == ".xls":
        return [problem("unknown_carrier.xls", value=suffix, name=Quoted(path.name))]
    advice = M(_ADVICE.get(suffix, "part.advice_spreadsheet" if suffix == ".xlsb" else "part.none"))
    return [problem("unknown_carrier", value=suffix or path.name, name=Quoted(path.name),
                    advice=advice)]  # fmt: skip


def is_carrier(path: Path) -> bool:
    """Whether the file ending names a carrier (.xlsx, .json, .zip)."""
    return path.suffix.lower() in _READERS


def _unreadable(path: Path, reason: M) -> list[Problem]:
    """The file could not be opened or parsed as its carrier."""
    carrier = path.suffix.lower() or "?"
    return [
        problem(
            "unreadable_file",
            value=path.name,
            name=Quoted(path.name),
            carrier=carrier,
            reason=reason,
        )
    ]


#: The signature of an OLE compound file: what Excel writes for a password-protected workbook
#: (and for the old .xls format), never an .xlsx.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _ole_workbook(path: Path) -> list[Problem]:
    """An .xlsx that is an OLE container: encrypted with a password, or an .xls renamed."""
    with path.open("rb") as handle:
        if handle.read(len(_OLE_SIGNATURE)) != _OLE_SIGNATURE:
            return []
    return [problem("unreadable_file.ole", value=path.name, name=Quoted(path.name))]


def read_submission(
    path: Path, *, limits: ReadLimits = DEFAULT_LIMITS
) -> RawSubmission | list[Problem]:
    """A readable submission, or the problems that make it unreadable (never raises on bad input).

    Table, column and reading problems that do not stop reading travel in `RawSubmission.problems`
    and are reported by `validate` together with everything else.
    """
    path = Path(path)
    reader = _READERS.get(path.suffix.lower())
    if reader is None:
        return unknown_carrier(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _unreadable(path, M("part.os_error", detail=exc.strerror or type(exc).__name__))
    if size > limits.max_file_bytes:
        return [
            problem(
                "file_too_large",
                value=size,
                name=Quoted(path.name),
                size=size,
                limit=limits.max_file_bytes,
            )
        ]
    try:
        if reader is read_xlsx and (ole := _ole_workbook(path)):
            return ole
        return reader(path, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        return _unreadable(path, M("part.not_a_zip"))
    except CalamineError as exc:
        return _unreadable(path, M("part.not_a_workbook", detail=str(exc)))
    except OSError as exc:
        return _unreadable(path, M("part.os_error", detail=exc.strerror or type(exc).__name__))
    except Exception as exc:  # a malformed file must never crash the ingest
        return _unreadable(path, M("part.parse_error", detail=f"{type(exc).__name__}: {exc}"))
