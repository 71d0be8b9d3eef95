"""Reading the .zip carrier: one UTF-8 CSV per table (BOM optional; `,` `;` or tab delimited)."""

from __future__ import annotations

import csv
import io
import itertools
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath

from dxw.submission.limits import ReadLimits
from dxw.submission.problems import Problem, ProblemSink, error
from dxw.submission.raw import HeaderEntry, RawSubmission, RawTable
from dxw.submission.sources import duplicate_table, unknown_table
from dxw.submission.tables import find_table, is_ignored_name
from dxw.submission.tabular import Source, make_header, make_table
from dxw.submission.zipsafe import check_archive, entry_name

_DELIMITERS = (",", ";", "\t")


def _delimiter(first_line: str) -> str:
    """The delimiter of a CSV, guessed from its header line (column names hold none)."""
    counts = {d: first_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _stream_problem(table: str, entry: str, row: int, exc: Exception) -> Problem:
    """A problem met while streaming a CSV entry."""
    if isinstance(exc, UnicodeDecodeError):
        return error(
            "invalid_encoding",
            f"'{entry}' is not UTF-8 text (from about row {row}); save it as 'CSV UTF-8'.",
            f"Tệp '{entry}' không phải văn bản UTF-8 (từ khoảng dòng {row}); hãy lưu lại với "
            "định dạng 'CSV UTF-8'.",
            table=table,
            row=row,
        )
    if isinstance(exc, csv.Error):
        return error(
            "malformed_csv",
            f"'{entry}' is not valid CSV at row {row} ({exc}); check quotes and cell sizes.",
            f"Tệp '{entry}' không đúng định dạng CSV tại dòng {row} ({exc}); kiểm tra dấu "
            "ngoặc kép và độ dài ô.",
            table=table,
            row=row,
        )
    return error(
        "unreadable_file",
        f"'{entry}' could not be read from row {row} on ({type(exc).__name__}).",
        f"Không đọc được tệp '{entry}' từ dòng {row} ({type(exc).__name__}).",
        table=table,
        row=row,
    )


def _csv_source(path: Path, info: zipfile.ZipInfo, table: str) -> Source:
    """Records of a CSV entry numbered as a spreadsheet shows them (header = 1)."""
    name = entry_name(info)

    def source(sink: ProblemSink) -> Iterator[tuple[int, Sequence[object]]]:
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


def _ignored(name: str) -> bool:
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
    problems: list[Problem] = []
    header: tuple[HeaderEntry, ...] | None = None
    tables: dict[str, RawTable] = {}
    seen: dict[str, str] = {}
    for info in infos:
        name = entry_name(info)
        if _ignored(name):
            continue
        entry = PurePosixPath(name.replace("\\", "/"))
        table = find_table(entry.stem) if entry.suffix.lower() == ".csv" else None
        if table is None:
            problems.append(unknown_table(name, "entry"))
            continue
        if table in seen:
            problems.append(duplicate_table(table, seen[table], name))
            continue
        seen[table] = name
        source = _csv_source(path, info, table)
        if table == "submission":
            header, found = make_header(source, limits)
        else:
            raw_table, found = make_table(table, name, source, limits)
            if raw_table is not None:
                tables[table] = raw_table
        problems.extend(found)
    return RawSubmission("zip", path.name, header, tables, tuple(problems), limits)
