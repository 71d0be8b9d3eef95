"""The locality registry: facts of both eras, date-aware resolution, names, the dbt seed."""

from __future__ import annotations

import csv
import json
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dxw.localities import Locality, LocalityRegistry, normalise_name, registry
from dxw.localities.source import load_units

IN_2022 = date(2022, 7, 8)
IN_2026 = date(2026, 1, 1)
LAST_LEGACY_DAY = date(2025, 6, 30)
FIRST_2025_DAY = date(2025, 7, 1)


def nfd(text: str) -> str:
    """The decomposed form some sources send."""
    return unicodedata.normalize("NFD", text)


def resolved(text: str, on: date) -> Locality:
    """The unit a text resolves to, failing the test with the message otherwise."""
    result = registry().resolve(text, on)
    assert result.locality is not None, result.message_en
    assert result.message_en is None and result.message_vi is None
    return result.locality


@dataclass(frozen=True)
class Failure:
    """A failed resolution's messages and candidates."""

    en: str
    vi: str
    candidates: tuple[Locality, ...]


def failed(text: str, on: date) -> Failure:
    """A resolution that must fail with messages in both languages."""
    result = registry().resolve(text, on)
    assert result.locality is None, f"{text!r} unexpectedly resolved to {result.locality}"
    assert result.message_en and result.message_vi
    return Failure(result.message_en, result.message_vi, result.candidates)


# --- facts of the data --------------------------------------------------------------------------


def test_counts_per_era_and_level() -> None:
    counts = Counter((loc.era, loc.level) for loc in registry().all())
    assert counts[("legacy", "province")] == 63
    assert counts[("2025", "province")] == 34
    assert counts[("2025", "district")] == 0
    assert 690 <= counts[("legacy", "district")] <= 710
    assert 10_000 <= counts[("legacy", "commune")] <= 10_700
    assert 3_300 <= counts[("2025", "commune")] <= 3_330
    assert len(registry().provinces_2025()) == 34


def test_keys_are_unique_and_codes_padded() -> None:
    units = registry().all()
    assert len({loc.key for loc in units}) == len(units)
    width = {"province": 2, "district": 3, "commune": 5}
    assert all(len(loc.code) == width[loc.level] and loc.code.isdigit() for loc in units)


def test_names_are_nfc_without_prefix() -> None:
    reg = registry()
    for loc in reg.all():
        assert unicodedata.is_normalized("NFC", loc.full_name)
        assert loc.full_name in (f"{reg.unit_type(loc)} {loc.name}", loc.name)
    assert reg.by_key("legacy:district:760").name == "Quận 1"  # numbered units keep the type
    assert reg.by_key("legacy:district:193").name == "Hạ Long"
    assert reg.by_key("legacy:commune:19780").full_name == "Phường Phường Đúc"  # a real name
    assert resolved("Phường Đúc", IN_2022).code == "19780"


def test_validity_of_each_era() -> None:
    for loc in registry().all():
        if loc.era == "legacy":
            assert (loc.valid_from, loc.valid_to) == (None, LAST_LEGACY_DAY)
            assert (loc.district_code is not None) == (loc.level == "commune")
        else:
            assert (loc.valid_from, loc.valid_to) == (FIRST_2025_DAY, None)
            assert loc.district_code is None
            assert loc.province_code_2025 == loc.province_code
        if loc.level == "province":
            assert loc.province_code == loc.code


def test_quang_ninh_keeps_code_22_in_both_eras() -> None:
    reg = registry()
    for era in ("legacy", "2025"):
        province = reg.by_key(f"{era}:province:22")
        assert (province.name, province.full_name) == ("Quảng Ninh", "Tỉnh Quảng Ninh")
        assert province.province_code_2025 == "22"


def test_district_193_is_ha_long() -> None:
    ha_long = registry().by_key("legacy:district:193")
    assert (ha_long.name, ha_long.full_name) == ("Hạ Long", "Thành phố Hạ Long")
    assert (ha_long.province_code, ha_long.province_code_2025) == ("22", "22")
    assert resolved("193", IN_2022) == ha_long


@pytest.mark.parametrize(
    ("legacy", "now", "now_name"),
    [("30", "31", "Hải Phòng"), ("58", "56", "Khánh Hòa"), ("22", "22", "Quảng Ninh")],
)
def test_legacy_provinces_map_to_2025(legacy: str, now: str, now_name: str) -> None:
    reg = registry()
    assert reg.by_key(f"legacy:province:{legacy}").province_code_2025 == now
    assert reg.by_key(f"2025:province:{now}").name == now_name


def test_merged_provinces_end_on_30_june_2025() -> None:
    assert resolved("30", IN_2022).name == "Hải Dương"
    gone = failed("30", IN_2026)
    assert gone.en == (
        "Hải Dương province ceased to exist on 2025-06-30; it is now part of Hải Phòng (31)."
    )
    assert gone.vi == (
        "Tỉnh Hải Dương không còn tồn tại từ sau ngày 30/6/2025; nay thuộc Thành phố Hải Phòng"
        " (31)."
    )
    assert "Khánh Hòa (56)" in failed("Tỉnh Ninh Thuận", IN_2026).en


def test_province_2025_mapping_agrees_at_every_level() -> None:
    """Communes via the converter, districts by their communes, provinces via the province table."""
    reg = registry()
    legacy = [loc for loc in reg.all() if loc.era == "legacy"]
    by_district: dict[str, Counter[str]] = {}
    by_province: dict[str, Counter[str]] = {}
    for loc in legacy:
        if loc.level == "commune":
            successor = reg.successor_2025(loc)
            assert successor is not None and successor.era == "2025"
            assert loc.province_code_2025 == successor.province_code
            by_district.setdefault(loc.district_code or "", Counter())[loc.province_code_2025] += 1
            by_province.setdefault(loc.province_code, Counter())[loc.province_code_2025] += 1
    for loc in legacy:
        if loc.level == "district" and loc.code in by_district:
            assert loc.province_code_2025 == by_district[loc.code].most_common(1)[0][0]
        if loc.level == "province":
            assert by_province[loc.code] == Counter(
                {loc.province_code_2025: sum(by_province[loc.code].values())}
            )
    absorbed = Counter(loc.province_code_2025 for loc in legacy if loc.level == "province")
    assert set(absorbed) == {p.code for p in reg.provinces_2025()}
    assert sum(absorbed.values()) == 63


# --- resolution ---------------------------------------------------------------------------------


def test_code_06688_depends_on_the_date() -> None:
    for text in ("06688", "6688"):
        before = resolved(text, IN_2022)
        after = resolved(text, IN_2026)
        assert (before.key, before.full_name, before.district_code) == (
            "legacy:commune:06688",
            "Phường Hồng Hải",
            "193",
        )
        assert (after.key, after.full_name, after.province_code) == (
            "2025:commune:06688",
            "Phường Hạ Long",
            "22",
        )
    assert resolved("06688", LAST_LEGACY_DAY).era == "legacy"
    assert resolved("06688", FIRST_2025_DAY).era == "2025"
    assert resolved("06688", datetime(2025, 7, 1, 8, 30)).era == "2025"


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("TP Hạ Long", "legacy:district:193"),
        ("TP. Hạ Long", "legacy:district:193"),
        ("tp.Hạ Long", "legacy:district:193"),
        ("Thành phố Hạ Long", "legacy:district:193"),
        ("Hạ Long", "legacy:district:193"),  # the district outranks Xã Hạ Long (Vân Đồn)
        ("tỉnh Quảng Ninh", "legacy:province:22"),
        ("Quảng Ninh", "legacy:province:22"),  # the province outranks Huyện Quảng Ninh
        ("Q. 1", "legacy:district:760"),
        ("Quận 1", "legacy:district:760"),
        ("H. Đông Anh", "legacy:district:017"),
        ("P. Hồng Hải", "legacy:commune:06688"),
        ("X. Dân Chủ, TP Hạ Long", "legacy:commune:07051"),
        ("Phường Hồng Hải, Thành phố Hạ Long, Tỉnh Quảng Ninh", "legacy:commune:06688"),
        ("Hồng Hải, Quảng Ninh", "legacy:commune:06688"),
        ("06688, Quảng Ninh", "legacy:commune:06688"),
        ("TP.HCM", "legacy:province:79"),
        ("Khánh Hoà", "legacy:province:56"),  # old-style tone placement
        ("Bà Rịa–Vũng Tàu", "legacy:province:77"),
    ],
)
def test_names_with_prefixes_and_parents(text: str, key: str) -> None:
    assert resolved(text, IN_2022).key == key
    assert resolved(nfd(text), IN_2022).key == key
    assert resolved(text.upper(), IN_2022).key == key


def test_nfd_input() -> None:
    text = nfd("PHƯỜNG HỒNG HẢI, thành phố hạ long")
    assert text != unicodedata.normalize("NFC", text)
    assert resolved(text, IN_2022).key == "legacy:commune:06688"


def test_ambiguous_names_list_candidates_with_parents() -> None:
    result = failed("Tân Thành", IN_2022)
    assert len(result.candidates) > 5
    assert all(c.name == "Tân Thành" and c.exists_on(IN_2022) for c in result.candidates)
    assert "ambiguous" in result.en and "không rõ ràng" in result.vi
    first = result.candidates[0]
    district, province = registry().parents(first)
    assert f"{first.full_name} ({first.code}, {district.full_name}, {province.full_name})" in (
        result.en
    )
    assert resolved(f"Tân Thành, {district.full_name}, {province.name}", IN_2022) == first


def test_a_gone_higher_level_namesake_makes_a_name_ambiguous() -> None:
    result = failed("Hạ Long", IN_2026)
    assert {c.key for c in result.candidates} == {"2025:commune:06688", "legacy:district:193"}
    assert "which existed until 2025-06-30" in result.en
    assert resolved("Phường Hạ Long", IN_2026).key == "2025:commune:06688"
    assert resolved("Phường Hạ Long, Quảng Ninh", IN_2026).key == "2025:commune:06688"
    assert len(failed("Hạ Long, Quảng Ninh", IN_2026).candidates) == 2  # both are in Quảng Ninh


def test_2025_unit_does_not_exist_in_2022() -> None:
    result = failed("Phường Hạ Long", IN_2022)
    assert result.candidates == (registry().by_key("2025:commune:06688"),)
    assert "only exists from 2025-07-01, not on 2022-07-08" in result.en
    assert "chỉ tồn tại từ ngày 1/7/2025, chưa có vào ngày 8/7/2022" in result.vi
    # a 2022 report: the legacy list is the one of 30/6/2025, and the feedback says so
    assert "as it stood on 2025-06-30" in result.en
    assert "tại ngày 30/6/2025" in result.vi


def test_legacy_unit_does_not_exist_in_2026() -> None:
    result = failed("Phường Hồng Hải, TP Hạ Long", IN_2026)
    assert "ceased to exist on 2025-06-30" in result.en
    assert "Phường Hạ Long (06688)" in result.en
    assert "không còn tồn tại" in result.vi
    district = failed("TP Hạ Long", IN_2026)
    assert "Tỉnh Quảng Ninh (22)" in district.en
    assert failed("193", IN_2026).candidates == (registry().by_key("legacy:district:193"),)


def test_a_unit_merged_before_the_2025_list_is_explained() -> None:
    """The legacy era is the list of 30/6/2025 (no history before it): Hoành Bồ district,
    merged into Hạ Long city in 2019, is absent, and the message says why."""
    result = failed("Huyện Hoành Bồ", date(2018, 7, 1))
    assert result.en.startswith("No Vietnamese administrative unit matches 'Huyện Hoành Bồ'.")
    assert "matched against the list of units as it stood on 2025-06-30" in result.en
    assert "merged, split or renamed before that day is not in it" in result.en
    assert "danh sách đơn vị hành chính tại ngày 30/6/2025" in result.vi
    assert "sáp nhập, chia tách hoặc đổi tên trước ngày đó" in result.vi
    after = failed("Huyện Hoành Bồ", IN_2026)
    assert "30/6/2025" not in after.vi, "after the reform the 2025 list is meant"


@pytest.mark.parametrize("text", ["Atlantis", "", "  ,  ", "123456", "Phường Hồng Hải, Hà Nội"])
def test_unknown_text(text: str) -> None:
    result = failed(text, IN_2022)
    assert result.candidates == ()


def test_by_key_and_singleton() -> None:
    assert registry() is registry()
    loc = registry().by_key("2025:commune:06688")
    assert loc.key == "2025:commune:06688"
    with pytest.raises(KeyError):
        registry().by_key("2025:district:193")


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("TP Hạ Long", "hạ long"),
        ("  Thành   phố\u00a0Hạ Long ", "hạ long"),
        (nfd("THÀNH PHỐ HẠ LONG"), "hạ long"),
        ("tỉnh Quảng Ninh", "quảng ninh"),
        ("Q. 1", "quận 1"),
        ("Quận 01", "quận 1"),
        ("Xã Hoà Bình", "hòa bình"),
        ("Thuỷ Nguyên", "thủy nguyên"),
        ("Quỳ Hợp", "quỳ hợp"),
        ("Ea H’leo", "ea h'leo"),
        ("Bà Rịa – Vũng Tàu", "bà rịa-vũng tàu"),
    ],
)
def test_normalise_name(text: str, key: str) -> None:
    assert normalise_name(text) == key


_PREFIX_FORMS = {
    "Tỉnh": ["Tỉnh ", "tỉnh ", "TỈNH "],
    "Thành phố": ["Thành phố ", "thành phố ", "TP ", "TP.", "Tp. ", "tp "],
}


@st.composite
def province_variant(draw: st.DrawFn) -> tuple[Locality, str]:
    """A province of either era written with random prefix, Unicode form, case and spacing."""
    reg = registry()
    province = draw(st.sampled_from([loc for loc in reg.all() if loc.level == "province"]))
    prefix = draw(st.sampled_from(["", *_PREFIX_FORMS[reg.unit_type(province)]]))
    text = prefix + province.name
    if " - " in text:
        text = text.replace(" - ", draw(st.sampled_from([" - ", "-", " – ", "–"])))
    flips = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    text = "".join(c.upper() if flip else c.lower() for c, flip in zip(text, flips, strict=True))
    text = draw(st.sampled_from(["", " ", "  "])) + text + draw(st.sampled_from(["", " ", "\t"]))
    return province, unicodedata.normalize("NFD", text) if draw(st.booleans()) else text


@settings(max_examples=400, deadline=None)
@given(province_variant())
def test_every_province_name_variant_resolves_to_the_same_unit(case: tuple[Locality, str]) -> None:
    province, text = case
    on = IN_2022 if province.era == "legacy" else IN_2026
    assert resolved(text, on) == province
    assert normalise_name(text) == normalise_name(province.full_name)


# --- seed, speed, second source -----------------------------------------------------------------


def test_write_csv(tmp_path: Path) -> None:
    path = tmp_path / "seeds" / "dim_locality.csv"
    rows = registry().write_csv(path)
    assert rows == len(registry().all())
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(records) == rows
    by_key = {r["locality_key"]: r for r in records}
    assert by_key["legacy:commune:06688"]["code"] == "06688"
    assert by_key["legacy:commune:06688"]["successor_code_2025"] == "06688"
    assert by_key["legacy:province:30"]["province_code_2025"] == "31"
    assert by_key["2025:commune:06688"]["valid_from"] == "2025-07-01"
    assert by_key["2025:commune:06688"]["valid_to"] == ""
    assert by_key["legacy:district:193"]["unit_type"] == "Thành phố"


def test_a_fresh_registry_equals_the_shared_one() -> None:
    fresh = LocalityRegistry(load_units())
    assert len(fresh.all()) == len(registry().all())


def test_2025_divisions_agree_with_vietnam_provinces() -> None:
    """Cross-check with the second package (GPL, used here only): names per province always.

    Its 2025.x data (the last release for Python 3.11) still carries ~110 pre-publication ward
    codes, so codes are compared only from its 2026 releases, which agree with the GSO list.
    """
    vp = pytest.importorskip("vietnam_provinces")
    theirs: Counter[tuple[str, str]] = Counter()
    their_codes: dict[str, str] = {}
    for province in json.loads(Path(vp.NESTED_DIVISIONS_JSON_PATH).read_text(encoding="utf-8")):
        p_code = f"{province['code']:02d}"
        theirs[(p_code, normalise_name(province["name"]))] += 1
        for ward in province["wards"]:
            theirs[(p_code, normalise_name(ward["name"]))] += 1
            their_codes[f"{ward['code']:05d}"] = normalise_name(ward["name"])
    ours = [loc for loc in registry().all() if loc.era == "2025"]
    assert Counter((loc.province_code, normalise_name(loc.full_name)) for loc in ours) == theirs
    if int(vp.__version__.split(".")[0]) >= 2026:
        communes = {
            loc.code: normalise_name(loc.full_name) for loc in ours if loc.level == "commune"
        }
        assert communes == their_codes
