"""What a submission is: its tables, columns, choices, the indicator catalog and the limits.

Everything here is data the readers, the validator, the template and the docs share; nothing
reads a file but `load_catalog` (the `indicators.yml` shipped beside this module).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

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


def _load_tables() -> dict[str, Any]:
    """The parsed `tables.yml` shipped beside this module."""
    text = resources.files("dxw.submission").joinpath("tables.yml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return dict(yaml.load(text, Loader=loader))  # noqa: S506 - a safe loader


def _table(name: str, entry: dict[str, Any], choices: dict[str, tuple[Choice, ...]]) -> TableSpec:
    """A TableSpec of its `tables.yml` entry."""
    columns = tuple(
        ColumnSpec(
            c["name"],
            c["label_vi"],
            c["type"],
            c["en"],
            c["vi"],
            required=c.get("required", False),
            aliases=tuple(c.get("aliases", ())),
            choices=tuple(choice for group in c.get("choices", ()) for choice in choices[group]),
            min=c.get("min"),
            max=c.get("max"),
            personal=c.get("personal", False),
            example=str(c.get("example", "")),
        )
        for c in entry["columns"]
    )
    return TableSpec(
        name,
        entry["label_vi"],
        entry["en"],
        entry["vi"],
        columns,
        aliases=tuple(entry.get("aliases", ())),
        key=tuple(entry.get("key", ())),
        required=entry.get("required", False),
    )


_DOCUMENT = _load_tables()
_CHOICES = {
    group: tuple(Choice(c["value"], c["label_vi"], tuple(c.get("aliases", ()))) for c in items)
    for group, items in _DOCUMENT["choices"].items()
}
#: Every table by canonical name, `submission` first; `columns` fix the order of row tuples.
TABLES: dict[str, TableSpec] = {
    name: _table(name, entry, _CHOICES) for name, entry in _DOCUMENT["tables"].items()
}
SUBMISSION = TABLES["submission"]
WIFI_POINTS = TABLES["wifi_points"]
#: Layout of the `submission` sheet / CSV: two columns, `field` and `value`.
SUBMISSION_LAYOUT = _table("submission", _DOCUMENT["submission_layout"], _CHOICES)
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
