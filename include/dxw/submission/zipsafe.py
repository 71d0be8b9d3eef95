"""Guards for zip containers (.zip submissions and .xlsx workbooks): bombs and unsafe paths."""

from __future__ import annotations

import contextlib
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import BinaryIO

from dxw.submission.problems import Problem, error

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
            error(
                "zip_too_many_entries",
                f"The {what} holds {len(infos)} entries; at most {max_entries} are accepted.",
                f"Tệp {what} có {len(infos)} mục; chỉ chấp nhận tối đa {max_entries}.",
                value=len(infos),
            )
        ]
    total = sum(i.file_size for i in infos)
    if total > max_bytes:
        return [
            error(
                "zip_too_large",
                f"The {what} unpacks to {total:,} bytes; at most {max_bytes:,} are accepted.",
                f"Tệp {what} khi giải nén có {total:,} byte; chỉ chấp nhận tối đa {max_bytes:,}.",
                value=total,
            )
        ]
    problems = []
    for info in infos:
        name = entry_name(info)
        if is_unsafe_path(name):
            problems.append(
                error(
                    "unsafe_zip_path",
                    f"Entry '{name}' has an absolute path or '..'; put the CSV files at the top "
                    "of the archive or in one folder.",
                    f"Mục '{name}' có đường dẫn tuyệt đối hoặc '..'; hãy đặt các tệp CSV ở thư "
                    "mục gốc của tệp nén hoặc trong một thư mục.",
                    value=name,
                )
            )
        elif info.flag_bits & 0x1:
            problems.append(
                error(
                    "unreadable_file",
                    f"Entry '{name}' is encrypted; send the archive without a password.",
                    f"Mục '{name}' được đặt mật khẩu; hãy gửi tệp nén không có mật khẩu.",
                    value=name,
                )
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
                return [
                    error(
                        "zip_too_large",
                        f"An entry of the {what} ('{entry_name(info)}') unpacks to more than it "
                        "declares; the file is damaged or malicious.",
                        f"Một mục của tệp {what} ('{entry_name(info)}') giải nén ra nhiều hơn kích "
                        "thước khai báo; tệp bị hỏng hoặc độc hại.",
                        value=entry_name(info),
                    )
                ]
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
                error(
                    "too_many_rows",
                    f"A sheet ('{info.filename}') spans {rows:,} rows x {cols:,} columns "
                    f"({extent.cells:,} cells, up to cell {extent.corner}); at most "
                    f"{max_cells:,} cells are read. A value far below or to the right of the "
                    "table (even a space) does this: delete the rows and columns after your "
                    "data and save again.",
                    f"Một trang tính ('{info.filename}') trải trên {rows:,} dòng x {cols:,} cột "
                    f"({extent.cells:,} ô, đến ô {extent.corner}); chỉ đọc tối đa "
                    f"{max_cells:,} ô. Nguyên nhân là một giá trị nằm xa bên dưới hoặc bên phải "
                    "bảng (kể cả dấu cách): hãy xóa các dòng, cột sau dữ liệu rồi lưu lại.",
                    value=extent.corner,
                )
            ]
    return []
