"""The indicator catalog shipped as `indicators.yml`: codes, names, units, kinds and ranges."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from dxw.submission.values import normalise_key

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
