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
from typing import Any

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
            return self._unknown(text, day)
        found, unit_type = self._match(parts[0])
        found = [loc for loc in found if self._type[loc.key] == unit_type] or found
        if not found:
            return self._unknown(text, day)
        for parent_part in parts[1:]:
            named = {p.key for p in self._match(parent_part)[0]}
            found = [loc for loc in found if any(p.key in named for p in self.parents(loc))]
        if not found:
            return self._outside(text, parts[0], parts[1:], day)
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
            return Resolution(best[0], None, (best[0],))
        return self._ambiguous(text, day, self._ordered(on_day), self._ordered(higher_gone))

    # --- messages (worded by the catalog, dxw.submission.messages) -------------------------

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

    def _gone(self, loc: Locality, day: date) -> Any:
        """Why a unit that matches does not exist on that day."""
        from dxw.submission.messages import Both, M

        if loc.era == "2025":
            reason = M("locality.from_reform", unit=self._describe(loc), reform=REFORM_START,
                       day=day)  # fmt: skip
            return M("part.joined", first=reason, then=self._legacy_note(day))
        p = self._province_2025(loc)
        now = f"{p.full_name} ({p.code})"
        successor = self.successor_2025(loc)
        if loc.level == "province":
            name = Both(loc.name, loc.full_name)
            now_named = Both(f"{p.name} ({p.code})", now)
            return M("locality.province_gone", name=name, legacy_end=LEGACY_END, now=now_named)
        if successor is not None:
            now = f"{successor.full_name} ({successor.code}), {now}"
            return M("locality.unit_gone", unit=self._describe(loc), legacy_end=LEGACY_END, now=now)
        return M("locality.district_gone", unit=self._describe(loc), legacy_end=LEGACY_END, now=now)

    @staticmethod
    def _legacy_note(day: date) -> Any:
        """For a day before the reform: the legacy list is the one of 30/6/2025 (no history)."""
        from dxw.submission.messages import M

        if day >= REFORM_START:
            return M("part.none")
        return M("locality.legacy_list", reform=REFORM_START, legacy_end=LEGACY_END)

    def _unknown(self, text: str, day: date) -> Resolution:
        """No unit of any era matches."""
        from dxw.submission.messages import M, Quoted

        reason = M("locality.unknown", text=Quoted(text))
        return Resolution(None, M("part.joined", first=reason, then=self._legacy_note(day)))

    def _outside(self, text: str, target: str, parents: list[str], day: date) -> Resolution:
        """The name exists, but not within the parents given."""
        from dxw.submission.messages import M, Quoted

        reason = M("locality.outside", target=Quoted(target), within=Quoted(", ".join(parents)),
                   text=Quoted(text))  # fmt: skip
        return Resolution(None, M("part.joined", first=reason, then=self._legacy_note(day)))

    def _absent(self, text: str, day: date, off_day: list[Locality]) -> Resolution:
        """Matching units exist only on other days: say when they existed."""
        from dxw.submission.messages import M, Quoted

        ordered = self._ordered(off_day)
        others = "; ".join(self._describe(loc) for loc in ordered[1:_MAX_LISTED])
        more = M("locality.others", text=Quoted(text), others=others) if others else M("part.none")
        return Resolution(
            None, M("part.joined", first=self._gone(ordered[0], day), then=more), tuple(ordered)
        )

    def _ambiguous(
        self, text: str, day: date, on_day: list[Locality], higher_gone: list[Locality]
    ) -> Resolution:
        """Several units could be meant: list them, never guess."""
        from dxw.submission.messages import Joined, M, Quoted

        listed = "; ".join(self._describe(loc) for loc in on_day[:_MAX_LISTED])
        if len(on_day) > _MAX_LISTED:
            listed += f" (+{len(on_day) - _MAX_LISTED})"
        also = [
            M("locality.also_until", unit=self._describe(loc), legacy_end=LEGACY_END)
            if loc.era == "legacy"
            else M("locality.also_from", unit=self._describe(loc), reform=REFORM_START)
            for loc in higher_gone[:_MAX_LISTED]
        ]
        first = on_day[0]
        province = self._by_key[f"{first.era}:province:{first.province_code}"]
        example = first.full_name if first is province else f"{first.full_name}, {province.name}"
        reason = M("locality.ambiguous", listed=listed, also=Joined(also, ""), example=example)
        reason = M("locality.ambiguous_alone", text=Quoted(text), day=day, reason=reason)
        return Resolution(None, reason, tuple(on_day + higher_gone), ambiguous=True)


@cache
def registry() -> LocalityRegistry:
    """The registry built once per process from the installed `vietnamadminunits` data."""
    return LocalityRegistry(load_units())
