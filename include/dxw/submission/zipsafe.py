"""Guards for zip containers (.zip submissions and .xlsx workbooks): bombs and unsafe paths."""

from __future__ import annotations

import contextlib
import struct
import zipfile
import zlib
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
