"""What a submission is: its tables, columns, choices, the indicator catalog and the limits.

Everything here is data the readers, the validator, the template and the docs share; nothing
reads a file but `load_catalog` (the `indicators.yml` shipped beside this module).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import yaml


def normalise_key(text: str) -> str:
    """Matching key of a name: NFC, case-folded, `_`/`-` as spaces, whitespace collapsed."""
    folded = unicodedata.normalize("NFC", text).casefold().replace("_", " ").replace("-", " ")
    return unicodedata.normalize("NFC", " ".join(folded.split()))


# -- tables and columns ------------------------------------------------------------------------
ColumnType = Literal[
    "text", "number", "integer", "date", "bool", "choice", "email", "period", "locality"
]
#: The three file formats a submission may come in.
CARRIERS: tuple[str, ...] = ("xlsx", "json", "zip")
#: Sheet, zip entry and JSON key names that are never data (templates ship a README).
IGNORED_NAMES = frozenset({"readme", "hướng dẫn", "huong dan", "$schema"})
#: A column, sheet or entry whose name starts with this is a comment and is ignored.
COMMENT_PREFIX = "#"


@dataclass(frozen=True, slots=True)
class Choice:
    """One allowed value of a choice column and its accepted spellings."""

    value: str
    label_vi: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """A column (or, for `submission`, a field): name, Vietnamese label, type, rules, docs."""

    name: str
    label_vi: str
    type: ColumnType
    description_en: str
    description_vi: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    choices: tuple[Choice, ...] = ()
    min: float | None = None
    max: float | None = None
    personal: bool = False
    example: str = ""

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every accepted header spelling: the name, the Vietnamese label, the aliases."""
        return (self.name, self.label_vi, *self.aliases)

    def choice_lookup(self) -> dict[str, str]:
        """Normalised spelling -> canonical value, for choice columns."""
        out: dict[str, str] = {}
        for choice in self.choices:
            for spelling in (choice.value, choice.label_vi, *choice.aliases):
                out[normalise_key(spelling)] = choice.value
        return out


@dataclass(frozen=True)
class TableSpec:
    """A table: name, Vietnamese label, aliases, columns in storage order, unique key."""

    name: str
    label_vi: str
    description_en: str
    description_vi: str
    columns: tuple[ColumnSpec, ...]
    aliases: tuple[str, ...] = ()
    key: tuple[str, ...] = ()
    required: bool = False
    _lookup: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for column in self.columns:
            for spelling in column.spellings:
                self._lookup.setdefault(normalise_key(spelling), column.name)

    @property
    def column_names(self) -> tuple[str, ...]:
        """Canonical column names in storage (COPY) order."""
        return tuple(c.name for c in self.columns)

    @property
    def spellings(self) -> tuple[str, ...]:
        """Every accepted table name: the name, the Vietnamese label, the aliases."""
        return (self.name, self.label_vi, *self.aliases)

    def column(self, name: str) -> ColumnSpec:
        """The column with that canonical name."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    def find_column(self, text: str) -> str | None:
        """Canonical column name for a header spelling, or None when unknown."""
        return self._lookup.get(normalise_key(text))


def _col(name: str, label_vi: str, type_: ColumnType, en: str, vi: str, **kw: object) -> ColumnSpec:
    """Shorthand for a column spec."""
    return ColumnSpec(name, label_vi, type_, en, vi, **kw)  # type: ignore[arg-type]


PILLARS = (
    Choice("digital_government", "chính quyền số", ("chính phủ số",)),
    Choice("digital_economy", "kinh tế số"),
    Choice("digital_society", "xã hội số"),
)
PILLAR_ALL = Choice("all", "tất cả", ("tổng", "tổng cộng", "chung", "toàn bộ", "tổng số"))
GOAL_STATUSES = (
    Choice("achieved", "đạt", ("hoàn thành", "đã đạt", "đã hoàn thành")),
    Choice(
        "in_progress",
        "đang triển khai",
        ("đang trong lộ trình", "đang thực hiện", "đang triển khai thực hiện"),
    ),
    Choice("not_achieved", "chưa đạt", ("không đạt", "chưa hoàn thành", "không hoàn thành")),
)
WIFI_STATUSES = (
    Choice("active", "hoạt động", ("đang hoạt động", "đang sử dụng", "in service")),
    Choice("inactive", "ngừng hoạt động", ("không hoạt động", "tạm ngừng", "out of service")),
)
UNIT_LEVELS = (
    Choice("province", "cấp tỉnh", ("tỉnh",)),
    Choice("department", "sở, ban, ngành", ("sở", "ban", "ngành", "sở ban ngành", "cấp sở")),
    Choice("district", "cấp huyện", ("huyện", "quận", "thị xã")),
    Choice("commune", "cấp xã", ("xã", "phường", "thị trấn", "đặc khu")),
)

SUBMISSION = TableSpec(
    "submission",
    "thông tin chung",
    "Who reports, for which period, when. In xlsx/csv two columns `field`, `value`.",
    "Đơn vị báo cáo, kỳ báo cáo, ngày báo cáo. Trong xlsx/csv gồm hai cột `field`, `value`.",
    (
        _col(
            "locality",
            "địa phương",
            "locality",
            "Official code (legacy or 2025) or name of the reporting province, district or "
            "commune.",
            "Mã (cũ hoặc từ 2025) hoặc tên tỉnh, huyện, xã báo cáo.",
            required=True,
            aliases=("mã địa phương", "tên địa phương", "đơn vị báo cáo"),
            example="193",
        ),
        _col(
            "period",
            "kỳ báo cáo",
            "period",
            "Reporting period: 2022 (year), 2022-H1 (half), 2022-Q3 (quarter), 2022-07 (month).",
            "Kỳ báo cáo: 2022 (năm), 2022-H1 (6 tháng), 2022-Q3 (quý), 2022-07 (tháng).",
            required=True,
            aliases=("kỳ",),
            example="2022-H1",
        ),
        _col(
            "submitted_on",
            "ngày báo cáo",
            "date",
            "Date of the report.",
            "Ngày ký/gửi báo cáo.",
            required=True,
            aliases=("ngày gửi", "ngày nộp"),
            example="8/7/2022",
        ),
        _col(
            "agency",
            "cơ quan báo cáo",
            "text",
            "Reporting agency.",
            "Cơ quan lập báo cáo.",
            aliases=("cơ quan",),
            example="UBND thành phố Hạ Long",
        ),
        _col(
            "contact_email",
            "email liên hệ",
            "email",
            "E-mail of the contact person (personal data: not published).",
            "Email người liên hệ (dữ liệu cá nhân: không công bố).",
            aliases=("thư điện tử", "email"),
            personal=True,
            example="cds@halong.gov.vn",
        ),
        _col(
            "framework",
            "văn bản căn cứ",
            "text",
            "Resolution or plan reported against; default framework of goals and goal_summary.",
            "Nghị quyết, kế hoạch làm căn cứ; mặc định cho bảng goals và goal_summary.",
            aliases=("nghị quyết", "căn cứ"),
            example="09-NQ/TU",
        ),
    ),
    aliases=("báo cáo",),
    required=True,
)
#: Layout of the `submission` sheet / CSV: two columns.
SUBMISSION_LAYOUT = TableSpec(
    "submission",
    "thông tin chung",
    "Field/value layout of the submission table.",
    "Bố cục trường/giá trị của bảng submission.",
    (
        _col(
            "field",
            "trường",
            "text",
            "Field name.",
            "Tên trường.",
            required=True,
            aliases=("thông tin", "mục"),
        ),
        _col("value", "giá trị", "text", "Field value.", "Giá trị.", aliases=("nội dung",)),
    ),
)
INDICATORS = TableSpec(
    "indicators",
    "chỉ số",
    "One row per catalog indicator reported (see indicators.yml).",
    "Mỗi dòng một chỉ số trong danh mục (xem indicators.yml).",
    (
        _col(
            "indicator_code",
            "mã chỉ số",
            "text",
            "Catalog code (or its Vietnamese/English name).",
            "Mã chỉ số trong danh mục (hoặc tên tiếng Việt/tiếng Anh).",
            required=True,
            aliases=("mã chỉ tiêu", "mã"),
            example="wifi_points_in_service",
        ),
        _col(
            "value",
            "giá trị",
            "number",
            "The figure; percentages as 0-100 (99,2 or 99,2%); blank = not reported.",
            "Số liệu; tỷ lệ ghi từ 0-100 (99,2 hoặc 99,2%); để trống = không báo cáo.",
            aliases=("số liệu",),
            example="123",
        ),
        _col("note", "ghi chú", "text", "Free note.", "Ghi chú.", example=""),
    ),
    aliases=("chỉ tiêu",),
    key=("indicator_code",),
)
WIFI_POINTS = TableSpec(
    "wifi_points",
    "điểm wifi",
    "Free public Wi-Fi points, one row per point.",
    "Các điểm phát sóng wifi miễn phí, mỗi điểm một dòng.",
    (
        _col(
            "point_id",
            "mã điểm",
            "text",
            "Identifier, unique in the submission.",
            "Mã điểm, không trùng trong báo cáo.",
            required=True,
            aliases=("mã điểm wifi",),
            example="HL-001",
        ),
        _col(
            "name",
            "tên điểm",
            "text",
            "Name or place of the point.",
            "Tên, vị trí điểm.",
            aliases=("tên",),
            example="Quảng trường 30/10",
        ),
        _col(
            "commune",
            "xã/phường",
            "text",
            "Ward or commune of the point.",
            "Phường, xã nơi đặt điểm.",
            aliases=("xã", "phường", "xã, phường", "phường, xã"),
            example="Phường Hồng Hải",
        ),
        _col(
            "latitude",
            "vĩ độ",
            "number",
            "Latitude, decimal degrees (WGS 84), 8.0-23.5.",
            "Vĩ độ, độ thập phân (WGS 84), 8,0-23,5.",
            min=8.0,
            max=23.5,
            example="20,9510",
        ),
        _col(
            "longitude",
            "kinh độ",
            "number",
            "Longitude, decimal degrees (WGS 84), 102.0-117.9.",
            "Kinh độ, độ thập phân (WGS 84), 102,0-117,9.",
            min=102.0,
            max=117.9,
            example="107,0800",
        ),
        _col(
            "status",
            "trạng thái",
            "choice",
            "Whether the point is in service.",
            "Điểm đang hoạt động hay đã ngừng.",
            required=True,
            aliases=("tình trạng", "tình trạng hoạt động"),
            choices=WIFI_STATUSES,
            example="active",
        ),
        _col(
            "commissioned_on",
            "ngày đưa vào sử dụng",
            "date",
            "Date put into service.",
            "Ngày đưa vào sử dụng.",
            aliases=("ngày hoạt động", "ngày lắp đặt"),
            example="15/5/2022",
        ),
    ),
    aliases=("điểm phát sóng wifi", "wifi"),
    key=("point_id",),
)
NETWORK_LINKS = TableSpec(
    "network_links",
    "kết nối mạng",
    "Units and their connection to the specialised data network.",
    "Các đơn vị và việc kết nối mạng truyền số liệu chuyên dùng.",
    (
        _col(
            "unit_name",
            "tên đơn vị",
            "text",
            "Name of the unit.",
            "Tên đơn vị.",
            required=True,
            aliases=("đơn vị",),
            example="Phòng Văn hóa và Thông tin",
        ),
        _col(
            "unit_level",
            "cấp",
            "choice",
            "Level of the unit.",
            "Cấp của đơn vị.",
            aliases=("cấp đơn vị",),
            choices=UNIT_LEVELS,
            example="district",
        ),
        _col(
            "connected",
            "đã kết nối",
            "bool",
            "Whether connected: yes/no, có/không, 1/0.",
            "Đã kết nối chưa: có/không, yes/no, 1/0.",
            required=True,
            aliases=("kết nối",),
            example="có",
        ),
        _col(
            "connected_on",
            "ngày kết nối",
            "date",
            "Date of connection.",
            "Ngày kết nối.",
            example="1/3/2022",
        ),
        _col(
            "bandwidth_mbps",
            "băng thông (mbps)",
            "number",
            "Bandwidth in Mbit/s, >= 0.",
            "Băng thông (Mbps), >= 0.",
            aliases=("băng thông",),
            min=0.0,
            example="100",
        ),
    ),
    aliases=("mạng truyền số liệu", "mạng truyền số liệu chuyên dùng"),
)
GOALS = TableSpec(
    "goals",
    "mục tiêu",
    "Targets of a resolution or plan and their status in the period.",
    "Các mục tiêu của nghị quyết/kế hoạch và kết quả trong kỳ.",
    (
        _col(
            "goal_code",
            "mã mục tiêu",
            "text",
            "Code of the target, unique per framework.",
            "Mã mục tiêu, không trùng trong một văn bản.",
            required=True,
            example="CQS-01",
        ),
        _col(
            "pillar",
            "trục",
            "choice",
            "Pillar of the target.",
            "Trục của mục tiêu.",
            aliases=("trụ cột",),
            choices=PILLARS,
            example="digital_government",
        ),
        _col(
            "status",
            "kết quả",
            "choice",
            "Status in the period.",
            "Kết quả trong kỳ.",
            required=True,
            aliases=("trạng thái", "tình trạng"),
            choices=GOAL_STATUSES,
            example="đạt",
        ),
        _col(
            "framework",
            "văn bản căn cứ",
            "text",
            "Resolution or plan; blank = the submission's framework.",
            "Nghị quyết/kế hoạch; để trống = văn bản căn cứ của báo cáo.",
            aliases=("nghị quyết",),
            example="09-NQ/TU",
        ),
        _col(
            "title",
            "nội dung mục tiêu",
            "text",
            "Wording of the target.",
            "Nội dung mục tiêu.",
            aliases=("tên mục tiêu", "mục tiêu"),
            example="",
        ),
        _col(
            "target_year",
            "năm mục tiêu",
            "integer",
            "Year the target is due (2000-2100).",
            "Năm phải đạt mục tiêu (2000-2100).",
            aliases=("năm đích",),
            min=2000,
            max=2100,
            example="2025",
        ),
    ),
    key=("framework", "goal_code"),
)
GOAL_SUMMARY = TableSpec(
    "goal_summary",
    "tổng hợp mục tiêu",
    "Counts of targets per pillar (or `all`) and the percentage the locality reported.",
    "Số mục tiêu theo trục (hoặc `all` = tất cả) và tỷ lệ địa phương báo cáo.",
    (
        _col(
            "framework",
            "văn bản căn cứ",
            "text",
            "Resolution or plan; blank = the submission's framework.",
            "Nghị quyết/kế hoạch; để trống = văn bản căn cứ của báo cáo.",
            aliases=("nghị quyết",),
            example="09-NQ/TU",
        ),
        _col(
            "pillar",
            "trục",
            "choice",
            "A pillar, or `all` for the whole framework.",
            "Trục, hoặc `all` (tất cả) cho toàn bộ văn bản.",
            required=True,
            aliases=("trụ cột",),
            choices=(*PILLARS, PILLAR_ALL),
            example="all",
        ),
        _col(
            "goals_total",
            "tổng số mục tiêu",
            "integer",
            "Number of targets, >= 0.",
            "Tổng số mục tiêu, >= 0.",
            required=True,
            min=0,
            example="20",
        ),
        _col(
            "goals_achieved",
            "số mục tiêu đạt",
            "integer",
            "Targets achieved, >= 0.",
            "Số mục tiêu đạt, >= 0.",
            required=True,
            aliases=("số mục tiêu hoàn thành",),
            min=0,
            example="7",
        ),
        _col(
            "goals_in_progress",
            "số mục tiêu đang triển khai",
            "integer",
            "Targets in progress, >= 0.",
            "Số mục tiêu đang triển khai, >= 0.",
            aliases=("số mục tiêu đang trong lộ trình",),
            min=0,
            example="13",
        ),
        _col(
            "reported_pct",
            "tỷ lệ báo cáo (%)",
            "number",
            "Percentage achieved as the locality reported it (0-100).",
            "Tỷ lệ đạt theo số liệu địa phương báo cáo (0-100).",
            aliases=("tỷ lệ đạt (%)", "tỷ lệ đạt", "tỷ lệ"),
            min=0,
            max=100,
            example="40",
        ),
    ),
    key=("framework", "pillar"),
)

#: Every table by canonical name, `submission` first; `columns` fix the order of row tuples.
TABLES: dict[str, TableSpec] = {
    t.name: t for t in (SUBMISSION, INDICATORS, WIFI_POINTS, NETWORK_LINKS, GOALS, GOAL_SUMMARY)
}
#: The optional row tables, in load order.
DATA_TABLES: tuple[str, ...] = tuple(name for name in TABLES if name != "submission")
_TABLE_LOOKUP = {normalise_key(s): t.name for t in TABLES.values() for s in t.spellings}


def find_table(text: str) -> str | None:
    """Canonical table name for a sheet/entry/key name, or None when unknown."""
    return _TABLE_LOOKUP.get(normalise_key(text))


def is_ignored_name(text: str) -> bool:
    """Whether a sheet, zip entry or JSON key is documentation or a comment, not data."""
    stripped = text.strip()
    return stripped.startswith(COMMENT_PREFIX) or normalise_key(stripped) in IGNORED_NAMES


# -- limits ------------------------------------------------------------------------------------
MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Every limit; exceeding one is a Problem, never an exception."""

    #: Size of the submitted file itself.
    max_file_bytes: int = 200 * MIB
    #: A .json file is parsed whole in memory, so it gets a tighter size limit.
    max_json_bytes: int = 50 * MIB
    #: Sum of the uncompressed sizes of a .zip's entries (also of the parts of an .xlsx).
    max_uncompressed_bytes: int = 2048 * MIB
    #: Entries of a .zip (directories included).
    max_zip_entries: int = 50
    #: Parts of an .xlsx container (an .xlsx is itself a zip archive).
    max_xlsx_parts: int = 1000
    #: Cells of the grid a worksheet spans, first to last value (rows x columns): the reader
    #: holds that grid in memory, about 32 bytes a cell.
    max_sheet_cells: int = 20_000_000
    #: Nesting depth of a .json document (object > array > row object > value is 4).
    max_json_depth: int = 16
    #: Data rows in one table.
    max_rows_per_table: int = 2_000_000
    #: Problems of one code in one table listed one by one; beyond, they are only counted.
    max_problems_per_code: int = 1000


#: The default limits (a frozen, shareable instance).
DEFAULT_LIMITS = ReadLimits()


# -- the indicator catalog ----------------------------------------------------------------------
Kind = Literal["count", "percent", "score", "rank"]
KINDS: tuple[Kind, ...] = ("count", "percent", "score", "rank")
#: Kinds whose values are whole numbers.
INTEGER_KINDS = frozenset({"count", "rank"})


@dataclass(frozen=True, slots=True)
class Indicator:
    """One catalog entry."""

    code: str
    name_vi: str
    name_en: str
    unit: str
    kind: Kind
    min: float | None
    max: float | None
    numerator: str | None = None
    denominator: str | None = None

    @property
    def is_integer(self) -> bool:
        """Whether values must be whole numbers."""
        return self.kind in INTEGER_KINDS

    def range_text(self) -> str:
        """The allowed range for messages: "0-100", ">= 0", "1-63"."""
        low = _fmt(self.min)
        high = _fmt(self.max)
        if low is not None and high is not None:
            return f"{low}-{high}"
        if low is not None:
            return f">= {low}"
        return f"<= {high}" if high is not None else "any"


def _fmt(bound: float | None) -> str | None:
    """A bound without a spurious .0."""
    if bound is None:
        return None
    return str(int(bound)) if float(bound).is_integer() else str(bound)


class Catalog:
    """All indicators, by code and by every accepted spelling."""

    def __init__(self, indicators: tuple[Indicator, ...]) -> None:
        self.indicators = indicators
        self.by_code = {i.code: i for i in indicators}
        self._lookup: dict[str, Indicator] = {}
        for item in indicators:
            for spelling in (item.code, item.name_vi, item.name_en):
                self._lookup.setdefault(normalise_key(spelling), item)

    def find(self, text: str) -> Indicator | None:
        """The indicator a code or a name (Vietnamese or English) designates."""
        return self._lookup.get(normalise_key(text))

    def __getitem__(self, code: str) -> Indicator:
        return self.by_code[code]

    def codes(self) -> tuple[str, ...]:
        """Every code in catalog order."""
        return tuple(i.code for i in self.indicators)


def _parse(data: dict[str, object]) -> Catalog:
    """Build and check a catalog from the parsed YAML document."""
    items = []
    for entry in data["indicators"]:  # type: ignore[attr-defined]
        kind = entry["kind"]
        if kind not in KINDS:
            raise ValueError(f"indicator {entry['code']}: unknown kind {kind!r}")
        items.append(
            Indicator(
                code=entry["code"],
                name_vi=entry["name_vi"],
                name_en=entry["name_en"],
                unit=str(entry["unit"]),
                kind=kind,
                min=entry.get("min"),
                max=entry.get("max"),
                numerator=entry.get("numerator"),
                denominator=entry.get("denominator"),
            )
        )
    catalog = Catalog(tuple(items))
    codes = set(catalog.codes())
    if len(codes) != len(items):
        raise ValueError("indicator codes must be unique")
    for item in items:
        for ref in (item.numerator, item.denominator):
            if ref is not None and ref not in codes:
                raise ValueError(f"indicator {item.code}: unknown reference {ref!r}")
    return catalog


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with this package."""
    text = resources.files("dxw.submission").joinpath("indicators.yml").read_text("utf-8")
    return _parse(yaml.safe_load(text))
