"""Human descriptions of tables and columns, shared by the template, the schema and the docs."""

from __future__ import annotations

from dxw.submission.tables import ColumnSpec, TableSpec

TYPE_TEXT: dict[str, tuple[str, str]] = {
    "text": ("text", "văn bản"),
    "number": ("number (99,2 / 1.234 / 99,2%)", "số (99,2 / 1.234 / 99,2%)"),
    "integer": ("whole number", "số nguyên"),
    "date": ("date (24/3/2022 or 2022-03-24)", "ngày (24/3/2022 hoặc 2022-03-24)"),
    "bool": ("yes/no (có/không, 1/0)", "có/không (yes/no, 1/0)"),
    "choice": ("one of the listed values", "một trong các giá trị liệt kê"),
    "email": ("e-mail address", "địa chỉ email"),
    "period": ("period (2022, 2022-H1, 2022-Q3, 2022-07)", "kỳ (2022, 2022-H1, 2022-Q3, 2022-07)"),
    "locality": ("official code or name", "mã hoặc tên đơn vị hành chính"),
}


def accepted_values(column: ColumnSpec) -> str:
    """Allowed values of a choice column with their accepted Vietnamese spellings."""
    parts = []
    for choice in column.choices:
        spellings = ", ".join((choice.label_vi, *choice.aliases))
        parts.append(f"{choice.value} ({spellings})")
    return "; ".join(parts)


def column_rows(table: TableSpec) -> list[list[str]]:
    """One documentation row per column: name, label, aliases, type, required, vi, en, values."""
    rows = []
    for column in table.columns:
        en_type, vi_type = TYPE_TEXT[column.type]
        rows.append(
            [
                table.name,
                column.name,
                column.label_vi,
                ", ".join(column.aliases),
                f"{vi_type} / {en_type}",
                "bắt buộc / required" if column.required else "",
                column.description_vi,
                column.description_en,
                accepted_values(column),
            ]
        )
    return rows


README_HEADER = [
    "bảng / table",
    "cột / column",
    "nhãn tiếng Việt / Vietnamese label",
    "tên khác / aliases",
    "kiểu / type",
    "bắt buộc / required",
    "mô tả",
    "description",
    "giá trị hợp lệ / allowed values",
]
README_INTRO = [
    "Mẫu báo cáo chuyển đổi số — Digital-transformation report template (dx-warehouse)",
    "Mỗi trang tính là một bảng; dòng đầu tiên là tên cột. Không đổi tên trang tính và tên cột. "
    "/ One sheet per table; the first row holds the column names. Do not rename them.",
    "Bảng submission là bắt buộc (locality, period, submitted_on); các bảng khác có thể để "
    "trống. / The submission table is required; the other tables are optional.",
    "Số ghi kiểu Việt Nam: 99,2 ; 1.234 ; 99,2%. Ngày: 24/3/2022. / Numbers the Vietnamese way: "
    "99,2 ; 1.234 ; 99,2%. Dates: 24/3/2022.",
    "Tỷ lệ ghi từ 0 đến 100 (99,2 chứ không phải 0,992). / Percentages are 0-100.",
    "Cột hoặc trang tính có tên bắt đầu bằng # là ghi chú, không được đọc. / Columns and sheets "
    "whose name starts with # are notes and are not read.",
    "Tên cột có thể ghi bằng nhãn tiếng Việt. / Column names may be written as the Vietnamese "
    "labels.",
]
