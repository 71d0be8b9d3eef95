"""Problems about table sources (sheets, zip entries, JSON keys) shared by the readers."""

from __future__ import annotations

from dxw.submission.headers import hint
from dxw.submission.problems import Problem, error
from dxw.submission.tables import TABLES


def _names() -> list[str]:
    """Every accepted table spelling."""
    return [s for t in TABLES.values() for s in t.spellings]


def _accepted() -> str:
    """The canonical tables with their Vietnamese labels, for messages."""
    return ", ".join(f"{t.name} ({t.label_vi})" for t in TABLES.values())


def unknown_table(name: str, what: str) -> Problem:
    """A sheet/entry/key that names no table: an error, its data would be lost."""
    en, vi = hint(name, _names())
    what_vi = {"sheet": "Trang tính", "entry": "Tệp", "key": "Khóa"}[what]
    return error(
        "unknown_table",
        f"The {what} '{name}' is not a table of the format; its data would be lost.{en} "
        f"Accepted tables: {_accepted()}. Rename it, or start its name with # to mark it as a "
        "note.",
        f"{what_vi} '{name}' không phải là bảng của mẫu báo cáo; dữ liệu sẽ bị bỏ qua.{vi} "
        f"Các bảng hợp lệ: {_accepted()}. Hãy đổi tên, hoặc thêm dấu # ở đầu tên nếu chỉ là "
        "ghi chú.",
        table=None,
        column=None,
        value=name,
    )


def duplicate_table(table: str, first: str, second: str) -> Problem:
    """Two sources name the same table."""
    return error(
        "duplicate_table",
        f"Both '{first}' and '{second}' hold table '{table}'; merge them into one.",
        f"Cả '{first}' và '{second}' đều là bảng '{table}'; hãy gộp lại thành một.",
        table=table,
        value=second,
    )
