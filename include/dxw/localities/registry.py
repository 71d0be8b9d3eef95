"""The registry of all units of both eras, and the date-aware resolution of codes and names.

Resolution of `text` on a date `on`:

1. `text` is split at commas; the first part names the unit, later parts name its parents
   (district, province; any order). All-digit parts are official codes: 1-2 digits a province,
   3 digits a district, 4-5 digits a commune (leading zeros optional).
2. A name may carry a prefix ("TP", "Q.", "Huyện", ...). The prefix restricts the levels
   ("Tỉnh" province; "Thành phố" province or district; "Quận", "Huyện", "Thị xã" district;
   "Phường", "Xã", "Thị trấn", "Đặc khu" commune); among the units that exist on `on`, those of
   exactly that type are preferred (the data is a snapshot of 30/6/2025, so a "Thị xã" upgraded to
   "Thành phố" in 2024 is still found as "Thị xã").
3. Of the units that match and exist on `on`, the highest level wins only when it holds exactly
   one unit (province "Quảng Ninh" over district "Huyện Quảng Ninh"); otherwise the text is
   ambiguous and the candidates are listed.
4. Never a silent guess: the text is also ambiguous when a unit of a higher level than the best
   match has the same name but does not exist on `on` ("Hạ Long" on 2026-01-01 is Phường Hạ Long,
   but it was Thành phố Hạ Long in 2022; write "Phường Hạ Long" to choose).
5. When the text matches units only outside `on`, the message tells when they existed and where
   they went ("Hải Dương province ceased to exist on 30/6/2025; it is now part of Hải Phòng (31)").
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import cache
from pathlib import Path

from dxw.localities.model import LEGACY_END, REFORM_START, Locality, Resolution
from dxw.localities.names import UNIT_TYPE_LEVELS, clean_text, name_key
from dxw.localities.source import SourceUnit, load_units

_RANK = {"province": 3, "district": 2, "commune": 1}
_MAX_LISTED = 10
CSV_COLUMNS = (
    "locality_key",
    "code",
    "name",
    "full_name",
    "unit_type",
    "level",
    "era",
    "valid_from",
    "valid_to",
    "province_code",
    "district_code",
    "province_code_2025",
    "successor_code_2025",
)


def _dmy(day: date) -> str:
    """Vietnamese date style: 1/7/2025."""
    return f"{day.day}/{day.month}/{day.year}"


def _code_part(text: str) -> tuple[str, str] | None:
    """(level, zero-padded code) when the text is an official code, else None."""
    if not (text.isascii() and text.isdigit()) or len(text) > 5:
        return None
    if len(text) <= 2:
        return "province", text.zfill(2)
    if len(text) == 3:
        return "district", text
    return "commune", text.zfill(5)


class LocalityRegistry:
    """All administrative units of both eras, indexed by key, code and name."""

    def __init__(self, units: Iterable[SourceUnit]) -> None:
        """Index the given units."""
        self._units = tuple(units)
        self._all = tuple(u.locality for u in self._units)
        self._by_key = {u.locality.key: u.locality for u in self._units}
        self._type = {u.locality.key: u.unit_type for u in self._units}
        self._successor = {
            u.locality.key: u.successor_code_2025 for u in self._units if u.successor_code_2025
        }
        self._by_code: dict[tuple[str, str], list[Locality]] = {}
        self._by_name: dict[str, list[Locality]] = {}
        for u in self._units:
            loc = u.locality
            self._by_code.setdefault((loc.level, loc.code), []).append(loc)
            names = (loc.full_name, loc.name, *u.aliases)  # name: "Phường Đúc" is a real name
            keys = {name_key(n)[1] for n in names}
            for key in keys:
                self._by_name.setdefault(key, []).append(loc)

    def all(self) -> Sequence[Locality]:
        """Every unit: legacy then 2025, each by level then code."""
        return self._all

    def by_key(self, key: str) -> Locality:
        """The unit with that key ("2025:commune:06688"); KeyError when there is none."""
        return self._by_key[key]

    def provinces_2025(self) -> Sequence[Locality]:
        """The 34 provinces from 1/7/2025, by code."""
        return tuple(loc for loc in self._all if loc.era == "2025" and loc.level == "province")

    def unit_type(self, locality: Locality) -> str:
        """The administrative type of a unit ("Thành phố", "Phường", "Đặc khu", ...)."""
        return self._type[locality.key]

    def successor_2025(self, locality: Locality) -> Locality | None:
        """The 2025 commune a legacy commune (or island district) became; if split, the default."""
        code = self._successor.get(locality.key)
        return self._by_key[f"2025:commune:{code}"] if code else None

    def parents(self, locality: Locality) -> tuple[Locality, ...]:
        """Its district (legacy communes) and province, nearest first; empty for a province."""
        if locality.level == "province":
            return ()
        province = self._by_key[f"{locality.era}:province:{locality.province_code}"]
        if locality.district_code is None:
            return (province,)
        return (self._by_key[f"legacy:district:{locality.district_code}"], province)

    def write_csv(self, path: Path) -> int:
        """Write every unit as the dim_locality dbt seed; returns the number of rows written."""
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(CSV_COLUMNS)
            for u in self._units:
                loc = u.locality
                writer.writerow(
                    (
                        loc.key,
                        loc.code,
                        loc.name,
                        loc.full_name,
                        u.unit_type,
                        loc.level,
                        loc.era,
                        loc.valid_from.isoformat() if loc.valid_from else "",
                        loc.valid_to.isoformat() if loc.valid_to else "",
                        loc.province_code,
                        loc.district_code or "",
                        loc.province_code_2025,
                        u.successor_code_2025 or "",
                    )
                )
        return len(self._units)

    # --- resolution ---------------------------------------------------------------------------

    def _match(self, part: str) -> tuple[list[Locality], str | None]:
        """Units of any era that one comma-separated part names, with the prefix type it carried."""
        code = _code_part(part)
        if code is not None:
            return list(self._by_code.get(code, ())), None
        unit_type, key = name_key(part)
        found = self._by_name.get(key, [])
        if unit_type is not None:
            levels = UNIT_TYPE_LEVELS[unit_type]
            found = [loc for loc in found if loc.level in levels]
        return found, unit_type

    def resolve(self, text: str, on: date) -> Resolution:
        """Resolve a code or name, optionally qualified by parents after commas, on a given day."""
        day = on.date() if isinstance(on, datetime) else on
        parts = [p for p in (clean_text(x) for x in clean_text(text).split(",")) if p]
        if not parts:
            return self._unknown(text)
        found, unit_type = self._match(parts[0])
        found = [loc for loc in found if self._type[loc.key] == unit_type] or found
        if not found:
            return self._unknown(text)
        for parent_part in parts[1:]:
            named = {p.key for p in self._match(parent_part)[0]}
            found = [loc for loc in found if any(p.key in named for p in self.parents(loc))]
        if not found:
            return self._outside(text, parts[0], parts[1:])
        on_day = [loc for loc in found if loc.exists_on(day)]
        off_day = [loc for loc in found if not loc.exists_on(day)]
        if not on_day:
            return self._absent(text, day, off_day)
        top = max(_RANK[loc.level] for loc in on_day)
        best = [loc for loc in on_day if _RANK[loc.level] == top]
        levels_on_day = {loc.level for loc in on_day}
        higher_gone = [
            loc for loc in off_day if _RANK[loc.level] > top and loc.level not in levels_on_day
        ]
        if len(best) == 1 and not higher_gone:
            return Resolution(best[0], None, None, (best[0],))
        return self._ambiguous(text, day, self._ordered(on_day), self._ordered(higher_gone))

    # --- messages -----------------------------------------------------------------------------

    @staticmethod
    def _ordered(units: Iterable[Locality]) -> list[Locality]:
        """Highest level first, then era, then code."""
        return sorted(units, key=lambda loc: (-_RANK[loc.level], loc.era != "legacy", loc.code))

    def _describe(self, loc: Locality) -> str:
        """Name, code and parents: Phường Hồng Hải (06688, Thành phố Hạ Long, Tỉnh Quảng Ninh)."""
        parents = "".join(f", {p.full_name}" for p in self.parents(loc))
        return f"{loc.full_name} ({loc.code}{parents})"

    def _province_2025(self, loc: Locality) -> Locality:
        """The 2025 province that holds the unit now."""
        return self._by_key[f"2025:province:{loc.province_code_2025}"]

    def _gone(self, loc: Locality, day: date) -> tuple[str, str]:
        """Why a unit that matches does not exist on that day, in English and Vietnamese."""
        if loc.era == "2025":
            return (
                f"{self._describe(loc)} only exists from {_dmy(REFORM_START)}, not on {_dmy(day)}",
                f"{self._describe(loc)} chỉ tồn tại từ ngày {_dmy(REFORM_START)}, "
                f"chưa có vào ngày {_dmy(day)}",
            )
        end = _dmy(LEGACY_END)
        p = self._province_2025(loc)
        successor = self.successor_2025(loc)
        if loc.level == "province":
            return (
                f"{loc.name} province ceased to exist on {end}; "
                f"it is now part of {p.name} ({p.code})",
                f"{loc.full_name} không còn tồn tại từ sau ngày {end}; "
                f"nay thuộc {p.full_name} ({p.code})",
            )
        if successor is not None:
            new = f"{successor.full_name} ({successor.code}), {p.full_name} ({p.code})"
            return (
                f"{self._describe(loc)} ceased to exist on {end}; it is now part of {new}",
                f"{self._describe(loc)} không còn tồn tại từ sau ngày {end}; nay thuộc {new}",
            )
        return (
            f"{self._describe(loc)} ceased to exist on {end} (district level abolished); "
            f"its area is now part of {p.full_name} ({p.code})",
            f"{self._describe(loc)} không còn tồn tại từ sau ngày {end} (bỏ cấp huyện); "
            f"địa bàn nay thuộc {p.full_name} ({p.code})",
        )

    @staticmethod
    def _unknown(text: str) -> Resolution:
        """No unit of any era matches."""
        return Resolution(
            None,
            f"No Vietnamese administrative unit matches {text!r}",
            f"Không tìm thấy đơn vị hành chính nào khớp với «{text}»",
        )

    @staticmethod
    def _outside(text: str, target: str, parents: list[str]) -> Resolution:
        """The name exists, but not within the parents given."""
        within = ", ".join(parents)
        return Resolution(
            None,
            f"No unit named {target!r} lies within {within!r} (in {text!r})",
            f"Không có đơn vị nào tên «{target}» thuộc «{within}» (trong «{text}»)",
        )

    def _absent(self, text: str, day: date, off_day: list[Locality]) -> Resolution:
        """Matching units exist only on other days: say when they existed."""
        ordered = self._ordered(off_day)
        en, vi = self._gone(ordered[0], day)
        if len(ordered) > 1:
            others = "; ".join(self._describe(loc) for loc in ordered[1:_MAX_LISTED])
            en += f" (other units named {text!r} on other dates: {others})"
            vi += f" (các đơn vị khác cùng tên ở thời điểm khác: {others})"
        return Resolution(None, en, vi, tuple(ordered))

    def _ambiguous(
        self, text: str, day: date, on_day: list[Locality], higher_gone: list[Locality]
    ) -> Resolution:
        """Several units could be meant: list them, never guess."""
        listed = "; ".join(self._describe(loc) for loc in on_day[:_MAX_LISTED])
        if len(on_day) > _MAX_LISTED:
            listed += f" (+{len(on_day) - _MAX_LISTED})"
        en = f"{text!r} is ambiguous on {_dmy(day)}: it matches {listed}"
        vi = f"«{text}» không rõ ràng vào ngày {_dmy(day)}: khớp với {listed}"
        for loc in higher_gone[:_MAX_LISTED]:
            gone = loc.era == "legacy"
            when_en = (
                f"existed until {_dmy(LEGACY_END)}" if gone else f"exists from {_dmy(REFORM_START)}"
            )
            when_vi = (
                f"tồn tại đến ngày {_dmy(LEGACY_END)}"
                if gone
                else f"có từ ngày {_dmy(REFORM_START)}"
            )
            en += f"; it also names {self._describe(loc)}, which {when_en}"
            vi += f"; tên này cũng là {self._describe(loc)}, {when_vi}"
        first = on_day[0]
        province = self._by_key[f"{first.era}:province:{first.province_code}"]
        example = first.full_name if first is province else f"{first.full_name}, {province.name}"
        en += f"; add the unit type or its parents, e.g. {example!r}"
        vi += f"; hãy ghi rõ loại đơn vị hoặc đơn vị cấp trên, ví dụ «{example}»"
        return Resolution(None, en, vi, tuple(on_day + higher_gone))


@cache
def registry() -> LocalityRegistry:
    """The registry built once per process from the installed `vietnamadminunits` data."""
    return LocalityRegistry(load_units())
