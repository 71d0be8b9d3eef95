"""`read_submission`: choose the carrier by the file ending and read it; never raises."""

from __future__ import annotations

import zipfile
from pathlib import Path

from python_calamine import CalamineError

from dxw.submission.limits import DEFAULT_LIMITS, ReadLimits
from dxw.submission.problems import Problem, error
from dxw.submission.raw import RawSubmission
from dxw.submission.read_json import read_json
from dxw.submission.read_xlsx import read_xlsx
from dxw.submission.read_zip import read_zip

_READERS = {".xlsx": read_xlsx, ".json": read_json, ".zip": read_zip}
_ADVICE = {
    ".xls": (
        "Save it as an Excel Workbook (.xlsx).",
        "Hãy lưu lại dưới dạng Excel Workbook (.xlsx).",
    ),
    ".csv": (
        "Put the CSV files in a .zip, one per table.",
        "Hãy nén các tệp CSV (mỗi bảng một tệp) thành .zip.",
    ),
    ".ods": ("Save it as .xlsx.", "Hãy lưu lại dưới dạng .xlsx."),
}


def _unknown_carrier(path: Path) -> list[Problem]:
    """The file ending names no carrier."""
    suffix = path.suffix.lower()
    en, vi = _ADVICE.get(suffix, ("", ""))
    return [
        error(
            "unknown_carrier",
            f"'{path.name}' is not a submission file: send .xlsx, .json or .zip. {en}".strip(),
            f"'{path.name}' không phải tệp báo cáo: hãy gửi tệp .xlsx, .json hoặc .zip. "
            f"{vi}".strip(),
            value=suffix or path.name,
        )
    ]


def _unreadable(path: Path, reason: str) -> list[Problem]:
    """The file could not be opened or parsed as its carrier."""
    return [
        error(
            "unreadable_file",
            f"'{path.name}' could not be read as {path.suffix.lower() or 'a file'}: {reason}. "
            "Open and save it again with the template's format.",
            f"Không đọc được tệp '{path.name}' theo định dạng {path.suffix.lower() or 'tệp'}: "
            f"{reason}. Hãy mở và lưu lại đúng định dạng của mẫu.",
            value=path.name,
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
    return [
        error(
            "unreadable_file",
            f"'{path.name}' is a password-protected (encrypted) workbook or an old Excel 97-2003 "
            "file, not an .xlsx. Remove the password (File > Info > Protect Workbook) and save "
            "it as Excel Workbook (.xlsx).",
            f"Tệp '{path.name}' là bảng tính có đặt mật khẩu (mã hóa) hoặc tệp Excel 97-2003 "
            "cũ, không phải .xlsx. Hãy bỏ mật khẩu (File > Info > Protect Workbook) và lưu lại "
            "dưới dạng Excel Workbook (.xlsx).",
            value=path.name,
        )
    ]


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
        return _unknown_carrier(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        return _unreadable(path, exc.strerror or type(exc).__name__)
    if size > limits.max_file_bytes:
        return [
            error(
                "file_too_large",
                f"'{path.name}' is {size:,} bytes; at most {limits.max_file_bytes:,} accepted.",
                f"Tệp '{path.name}' có {size:,} byte; chỉ chấp nhận tối đa "
                f"{limits.max_file_bytes:,}.",
                value=size,
            )
        ]
    try:
        if reader is read_xlsx and (ole := _ole_workbook(path)):
            return ole
        return reader(path, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError):
        return _unreadable(path, "not a valid zip container")
    except CalamineError as exc:
        return _unreadable(path, f"not a valid workbook ({exc})")
    except OSError as exc:
        return _unreadable(path, exc.strerror or type(exc).__name__)
    except Exception as exc:  # a malformed file must never crash the ingest
        return _unreadable(path, f"{type(exc).__name__}: {exc}")
