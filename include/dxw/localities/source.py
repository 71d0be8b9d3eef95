"""Read every unit of both eras from the data files of the `vietnamadminunits` package (MIT).

The package ships a SQLite table per era (admin_units_legacy: 63 provinces, 696 districts, 10,035
communes as of 30/6/2025; admin_units: 34 provinces, 3,321 communes) and the old-to-new converter
table (converter_2025.json) keyed by unaccented names. Its files are read directly, without
importing the package (whose import loads its address parser and geo libraries).
"""

from __future__ import annotations

import importlib.util
import json
import sqlite3
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from dxw.localities.model import LEGACY_END, REFORM_START, Locality
from dxw.localities.names import split_prefix


@dataclass(frozen=True, slots=True)
class SourceUnit:
    """A unit as read from the data, with what the registry needs beyond `Locality`."""

    locality: Locality
    unit_type: str
    successor_code_2025: str | None  # legacy communes (and island districts): the 2025 commune
    aliases: tuple[str, ...] = ()


def data_dir() -> Path:
    """Folder of the installed `vietnamadminunits` data files."""
    spec = importlib.util.find_spec("vietnamadminunits")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the package vietnamadminunits is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def _split(full_name: str) -> tuple[str, str, str]:
    """(unit type, bare name, canonical full name) of a full name from the data."""
    unit_type, rest = split_prefix(full_name)
    if unit_type is None:
        raise ValueError(f"no administrative prefix in {full_name!r}")
    name = f"{unit_type} {rest}" if rest.isdigit() else rest  # "Quận 1", "Phường 12" keep it
    return unit_type, name, f"{unit_type} {rest}"


def _unit(
    code: str, full: str, level: str, era: str, province: str, district: str | None, p2025: str
) -> tuple[Locality, str]:
    """Build a Locality of either era, returning it with its unit type."""
    unit_type, name, full_name = _split(full)
    legacy = era == "legacy"
    loc = Locality(
        code=code,
        name=name,
        full_name=full_name,
        level=level,
        era=era,
        valid_from=None if legacy else REFORM_START,
        valid_to=LEGACY_END if legacy else None,
        province_code=province,
        district_code=district,
        province_code_2025=p2025,
    )
    return loc, unit_type


def _aliases(raw: str | None) -> tuple[str, ...]:
    """Province aliases stored as a JSON list ("hn", "hcm")."""
    return tuple(json.loads(raw)) if raw else ()


def load_units(folder: Path | None = None) -> list[SourceUnit]:
    """Every unit of both eras, legacy first, each era ordered by level then code."""
    folder = folder or data_dir()
    with sqlite3.connect(f"file:{folder / 'dataset.db'}?mode=ro", uri=True) as conn:
        legacy_rows = conn.execute(
            "SELECT provinceCode, province, provinceKey, provinceAlias, districtCode, district,"
            " districtKey, wardCode, ward, wardKey FROM admin_units_legacy"
        ).fetchall()
        new_rows = conn.execute(
            "SELECT provinceCode, province, provinceKey, provinceAlias, wardCode, ward, wardKey"
            " FROM admin_units"
        ).fetchall()
    converter = json.loads((folder / "converter_2025.json").read_text(encoding="utf-8"))

    # 2025 era: provinces and communes, and their converter keys.
    new_provinces: dict[str, tuple[str, str | None]] = {}
    new_ward_code: dict[tuple[str, str], str] = {}
    new_province_code: dict[str, str] = {}
    units_2025: list[SourceUnit] = []
    for p_code, p_name, p_key, p_alias, w_code, w_name, w_key in new_rows:
        new_provinces[p_code] = (p_name, p_alias)
        new_province_code[p_key] = p_code
        new_ward_code[(p_key, w_key)] = w_code
        loc, unit_type = _unit(w_code, w_name, "commune", "2025", p_code, None, p_code)
        units_2025.append(SourceUnit(loc, unit_type, None))
    for p_code, (p_name, p_alias) in new_provinces.items():
        loc, unit_type = _unit(p_code, p_name, "province", "2025", p_code, None, p_code)
        units_2025.append(SourceUnit(loc, unit_type, None, _aliases(p_alias)))

    # Old-to-new: each legacy "province_district_ward" key goes to one 2025 commune, or to several
    # when the old commune was divided; then the data flags one of them as the default.
    successor: dict[str, str] = {}
    for p_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for w_key, old_keys in wards.items():
            for old in old_keys:
                successor[old] = new_ward_code[(p_key, w_key)]
    for p_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, options in divided.items():
            default = next(o for o in options if o["isDefaultNewWard"])
            successor[old] = new_ward_code[(p_key, default["newWardKey"])]
    province_2025_of_key = {
        old: new_province_code[new]
        for new, olds in converter["DICT_PROVINCE"].items()
        for old in olds
    }
    province_2025_of_commune = {
        loc.code: loc.province_code for u in units_2025 if (loc := u.locality).level == "commune"
    }

    # Legacy era: communes carry their successor; districts and provinces follow their communes.
    provinces: dict[str, tuple[str, str, str | None]] = {}
    districts: dict[str, tuple[str, str]] = {}
    district_targets: dict[str, Counter[str]] = {}
    district_successor: dict[str, str] = {}
    units_legacy: list[SourceUnit] = []
    for p_code, p_name, p_key, p_alias, d_code, d_name, d_key, w_code, w_name, w_key in legacy_rows:
        provinces[p_code] = (p_name, p_key, p_alias)
        districts[d_code] = (d_name, p_code)
        target = successor[f"{p_key}_{d_key}_{w_key or ''}"]
        target_province = province_2025_of_commune[target]
        district_targets.setdefault(d_code, Counter())[target_province] += 1
        if w_code is None:  # island districts without communes (Bạch Long Vĩ, Cồn Cỏ, ...)
            district_successor[d_code] = target
            continue
        loc, unit_type = _unit(w_code, w_name, "commune", "legacy", p_code, d_code, target_province)
        units_legacy.append(SourceUnit(loc, unit_type, target))
    for d_code, (d_name, p_code) in districts.items():
        counts = district_targets[d_code]
        # the 2025 province holding most of its communes; ties go to the lowest code
        p2025 = min(counts, key=lambda code: (-counts[code], code))
        loc, unit_type = _unit(d_code, d_name, "district", "legacy", p_code, None, p2025)
        units_legacy.append(SourceUnit(loc, unit_type, district_successor.get(d_code)))
    for p_code, (p_name, p_key, p_alias) in provinces.items():
        p2025 = province_2025_of_key[p_key]
        loc, unit_type = _unit(p_code, p_name, "province", "legacy", p_code, None, p2025)
        units_legacy.append(SourceUnit(loc, unit_type, None, _aliases(p_alias)))

    order = {"province": 0, "district": 1, "commune": 2}
    return sorted(units_legacy, key=lambda u: (order[u.locality.level], u.locality.code)) + sorted(
        units_2025, key=lambda u: (order[u.locality.level], u.locality.code)
    )
