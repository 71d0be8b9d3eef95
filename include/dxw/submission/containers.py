"""Inside the zip containers (.zip submissions, .xlsx workbooks): guards against bombs and unsafe
paths, and the cells an .xlsx formats as a percentage (python-calamine does not expose formats)."""

from __future__ import annotations

import contextlib
import re
import struct
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from dxw.submission.messages import Problem, Quoted, problem

_CHUNK = 1 << 16
#: A zip local file header: fixed part, then the name and the extra field (APPNOTE 4.3.7).
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


def is_unsafe_path(name: str) -> bool:
    """An absolute path, a drive letter, or a `..` component: never accepted in a zip."""
    if name.startswith(("/", "\\")) or PureWindowsPath(name).drive:
        return True
    parts = PurePosixPath(name.replace("\\", "/")).parts
    return ".." in parts


def entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's name, repaired when a tool stored UTF-8 without setting the UTF-8 flag."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeError):
            name = name.encode("cp437").decode("utf-8")
    return name


def check_archive(
    archive: zipfile.ZipFile, *, max_entries: int, max_bytes: int, what: str
) -> list[Problem]:
    """Entry count, declared total size, encryption and paths of an archive."""
    infos = archive.infolist()
    if len(infos) > max_entries:
        return [
            problem(
                "zip_too_many_entries",
                value=len(infos),
                what=what,
                count=len(infos),
                limit=max_entries,
            )
        ]
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        return [problem("zip_too_large", value=total, what=what, size=total, limit=max_bytes)]
    problems = []
    for info in infos:
        name = entry_name(info)
        if is_unsafe_path(name):
            problems.append(problem("unsafe_zip_path", value=name, name=Quoted(name)))
        elif info.flag_bits & 0x1:
            problems.append(
                problem("unreadable_file.encrypted_entry", value=name, name=Quoted(name))
            )
    return problems


def _inflated_size(handle: BinaryIO, info: zipfile.ZipInfo, cap: int) -> int:
    """Bytes the entry really inflates to, counting at most cap + 1 (without keeping them)."""
    handle.seek(info.header_offset)
    fields = _LOCAL_HEADER.unpack(handle.read(_LOCAL_HEADER.size))
    handle.seek(info.header_offset + _LOCAL_HEADER.size + fields[10] + fields[11])
    if info.compress_type == zipfile.ZIP_STORED:
        return info.compress_size
    if info.compress_type != zipfile.ZIP_DEFLATED:
        raise zipfile.BadZipFile(f"unsupported compression {info.compress_type}")
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, total = info.compress_size, 0
    while left > 0 and total <= cap:
        chunk = handle.read(min(_CHUNK, left))
        if not chunk:
            break
        left -= len(chunk)
        while chunk and total <= cap:
            total += len(inflater.decompress(chunk, _CHUNK))
            chunk = inflater.unconsumed_tail
    return total


def check_true_sizes(path: Path, archive: zipfile.ZipFile, what: str) -> list[Problem]:
    """Entries that inflate to more than they declare (a forged bomb) are refused."""
    with path.open("rb") as handle:
        for info in archive.infolist():
            if _inflated_size(handle, info, info.file_size) > info.file_size:
                name = entry_name(info)
                return [problem("zip_too_large.forged", value=name, what=what, name=Quoted(name))]
    return []


# -- worksheets: the grid a reader would allocate ------------------------------------------------
# calamine loads a sheet as a dense grid from its first to its last non-empty cell, so one value
# in XFD1048576 (a 5 KB file) asks for 17 billion cells and aborts the process. The cells are
# located here first, from the XML, the way calamine does: a cell's `r` attribute, else the next
# column of the current row; self-closing cells are empty and never loaded.
_XML_CHUNK = 1 << 24
_FAST_REF = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,10})"')
_PREFIXED_CELL = re.compile(rb"<[A-Za-z_][\w.-]*:c[\s/>]")
#: Elements whose name starts with c but are not cells (<cols>, <cfRule>, ...).
_NOT_CELL = re.compile(rb"<c[\w.:-]")
_TAG = re.compile(
    rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])"
    rb"((?:\s+[\w.:-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*(/?)>"
)
_ATTR = re.compile(rb"""([\w.:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"([A-Za-z]{0,3})([0-9]{1,10})")


def _position(attrs: bytes) -> tuple[bytes, int] | None:
    """(column letters, row) of an `r` attribute, or None when there is none."""
    for key, double, single in _ATTR.findall(attrs):
        if key == b"r":
            ref = _REF.fullmatch(double or single)
            return (ref.group(1), int(ref.group(2))) if ref else None
    return None


def _column_number(letters: bytes) -> int:
    """1-based column of its letters (A = 1, XFD = 16384)."""
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _column_letters(number: int) -> str:
    """Letters of a 1-based column."""
    out = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        out = chr(65 + rest) + out
    return out


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """A part's bytes in large pieces that never split a tag's opening '<' from its name."""
    tail = b""
    with archive.open(info) as stream:
        while piece := stream.read(_XML_CHUNK):
            data = tail + piece
            cut = data.rfind(b"<")
            if cut <= 0 or len(data) - cut > _XML_CHUNK:
                cut = len(data)
            yield data[:cut]
            tail = data[cut:]
    if tail:
        yield tail


class _Extent:
    """Rows and columns spanned by the cells seen (1-based, inclusive)."""

    def __init__(self) -> None:
        self.rows = self.cols = (0, 0)

    def add(self, row: int, col: int) -> None:
        low, high = self.rows
        self.rows = (min(low, row) if low else row, max(high, row))
        low, high = self.cols
        self.cols = (min(low, col) if low else col, max(high, col))

    @property
    def cells(self) -> int:
        if not self.rows[1]:
            return 0
        return (self.rows[1] - self.rows[0] + 1) * (self.cols[1] - self.cols[0] + 1)

    @property
    def corner(self) -> str:
        return f"{_column_letters(self.cols[1])}{self.rows[1]}"


def _fast_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Extent | None:
    """Extent from `<c r="…"` cells counted from A1, or None when some cell is written otherwise."""
    extent = _Extent()
    for chunk in _chunks(archive, info):
        cells = chunk.count(b"<c") - len(_NOT_CELL.findall(chunk))
        refs = _FAST_REF.findall(chunk)
        if len(refs) != cells or _PREFIXED_CELL.search(chunk):
            return None
        if refs:
            row = max(map(int, (r for _, r in refs)))
            col = max(_column_number(c) for c in {c for c, _ in refs})
            extent.add(1, 1)
            extent.add(row, col)
    return extent


def _exact_extent(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> _Extent:
    """Extent of the non-empty cells, placing cells without `r` as calamine does."""
    extent = _Extent()
    row = col = 1
    for chunk in _chunks(archive, info):
        for closing, name, attrs, empty in _TAG.findall(chunk):
            if closing or empty:
                if name == b"row" and closing:
                    row, col = row + 1, 1
                continue
            ref = _position(attrs)
            if name == b"row":
                row = ref[1] if ref is not None else row
            elif ref is not None and ref[0]:
                col = _column_number(ref[0])
                extent.add(ref[1], col)
                col += 1
            else:
                extent.add(row, col)
                col += 1
    return extent


def check_sheet_extents(archive: zipfile.ZipFile, max_cells: int) -> list[Problem]:
    """Worksheets whose cells span more than `max_cells` (rows x columns) are refused."""
    for info in archive.infolist():
        if info.is_dir() or not info.file_size:
            continue
        extent = _fast_extent(archive, info)
        if extent is None or extent.cells > max_cells:
            extent = _exact_extent(archive, info)
        if extent.cells > max_cells:
            rows = extent.rows[1] - extent.rows[0] + 1
            cols = extent.cols[1] - extent.cols[0] + 1
            return [
                problem(
                    "too_many_rows.sheet_extent",
                    value=extent.corner,
                    name=Quoted(info.filename),
                    rows=rows,
                    cols=cols,
                    cells=extent.cells,
                    corner=extent.corner,
                    limit=max_cells,
                )
            ]
    return []


# -- percent-formatted cells of an .xlsx -----------------------------------------------------------
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#: Built-in number formats that are percentages: 0% and 0.00%.
_BUILTIN_PERCENT = frozenset({9, 10})
#: Quoted text, escaped characters and [colour]/[condition] blocks of a format code.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
_XML_PART_LIMIT = 16 << 20


def is_percent_format(code: str) -> bool:
    """Whether a number format shows positive numbers as a percentage (`0.0%`, `#,##0%`)."""
    first = _FORMAT_LITERALS.sub("", code).split(";", 1)[0]
    return "%" in first


def _xml(archive: zipfile.ZipFile, name: str) -> ElementTree.Element | None:
    """A small XML part, parsed; None when absent, too large or declaring a DOCTYPE (entities
    are never expanded: calamine refuses such workbooks anyway)."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > _XML_PART_LIMIT:
        return None
    data = archive.read(info)
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        return None
    try:
        return ElementTree.fromstring(data)  # noqa: S314 - no DOCTYPE, so no entity
    except ElementTree.ParseError:
        return None


def _number(text: str | None) -> int:
    """An attribute's whole number; -1 when absent or malformed."""
    return int(text) if text and text.isdecimal() and len(text) < 10 else -1


def _local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1]


def _percent_styles(archive: zipfile.ZipFile) -> frozenset[int]:
    """Indexes of the cell formats (`cellXfs`) whose number format is a percentage."""
    styles = _xml(archive, "xl/styles.xml")
    if styles is None:
        return frozenset()
    custom = {
        _number(e.get("numFmtId")): e.get("formatCode", "")
        for e in styles.iter()
        if _local(e.tag) == "numFmt"
    }
    percent: set[int] = set()
    for xfs in (e for e in styles.iter() if _local(e.tag) == "cellXfs"):
        for index, xf in enumerate(x for x in xfs if _local(x.tag) == "xf"):
            fmt = _number(xf.get("numFmtId"))
            if fmt in _BUILTIN_PERCENT or (fmt in custom and is_percent_format(custom[fmt])):
                percent.add(index)
    return frozenset(percent)


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> its part in the archive (from the workbook and its relationships)."""
    book = _xml(archive, "xl/workbook.xml")
    rels = _xml(archive, "xl/_rels/workbook.xml.rels")
    if book is None or rels is None:
        return {}
    targets = {
        r.get("Id"): r.get("Target", "") for r in rels.iter() if _local(r.tag) == "Relationship"
    }
    parts = {}
    for sheet in (e for e in book.iter() if _local(e.tag) == "sheet"):
        target = targets.get(sheet.get(f"{{{_DOC_RELS}}}id"), "")
        if target:
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            parts[sheet.get("name", "")] = str(PurePosixPath(part))
    return parts


_CELL_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{1,3})([0-9]{1,7})["']""")
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def _styled_cells(
    archive: zipfile.ZipFile, part: str, styles: frozenset[int]
) -> set[tuple[int, int]]:
    """(0-based row, 0-based column) of the cells of a sheet that carry one of `styles`.

    Only the style attributes are searched for (a literal search, fast on large sheets); the
    cell tag around each hit gives its reference. A cell without an `r` attribute is skipped."""
    ids = b"|".join(str(s).encode() for s in sorted(styles))
    pattern = re.compile(rb"""\ss\s*=\s*["'](?:""" + ids + rb""")["']""")
    cells: set[tuple[int, int]] = set()
    try:
        info = archive.getinfo(part)
    except KeyError:
        return cells
    for chunk in _chunks(archive, info):
        for hit in pattern.finditer(chunk):
            start = chunk.rfind(b"<", 0, hit.start())
            if start < 0 or not _CELL_TAG.match(chunk, start):
                continue
            end = chunk.find(b">", start)
            ref = _CELL_REF.search(chunk, start, end if end > 0 else len(chunk))
            if ref is not None:
                cells.add((int(ref.group(2)) - 1, _column_number(ref.group(1)) - 1))
    return cells


def percent_cells(archive: zipfile.ZipFile) -> dict[str, frozenset[tuple[int, int]]]:
    """Sheet name -> cells formatted as a percentage; empty (and nothing scanned) when the
    workbook defines no percentage format."""
    styles = _percent_styles(archive)
    if not styles:
        return {}
    out = {}
    for name, part in _sheet_parts(archive).items():
        cells = _styled_cells(archive, part, styles)
        if cells:
            out[name] = frozenset(cells)
    return out
