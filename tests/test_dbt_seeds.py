"""The committed dbt seeds equal a fresh generation from their sources."""

from __future__ import annotations

import csv
from pathlib import Path

from dxw.transform.seeds import (
    INDICATOR_SEED,
    LOCALITY_SEED,
    indicator_seed_text,
    write_indicator_seed,
    write_locality_seed,
)

REQUIRED_INDICATORS = {
    "wifi_points_in_service", "bts_4g_in_service", "bts_4g_new", "coverage_4g_districts_pct",
    "coverage_4g_communes_pct", "network_connection_points", "network_units_connected",
    "network_units_total", "digital_certificate_units_pct", "plan_indicators_on_track",
    "plan_indicators_total", "plan_criteria_on_track", "plan_criteria_total", "dti_score",
    "dti_rank",
}  # fmt: skip


def test_locality_seed_equals_a_fresh_generation(tmp_path: Path) -> None:
    fresh = tmp_path / "seed_localities.csv"
    rows = write_locality_seed(fresh)
    assert rows > 14_000
    assert fresh.read_bytes() == LOCALITY_SEED.read_bytes(), (
        "dbt_project/seeds/seed_localities.csv is stale: regenerate it with "
        "dxw.transform.seeds.write_locality_seed()"
    )


def test_locality_seed_keeps_leading_zeros() -> None:
    with LOCALITY_SEED.open(encoding="utf-8") as handle:
        rows = {row["locality_key"]: row for row in csv.DictReader(handle)}
    assert rows["legacy:commune:06688"]["code"] == "06688"
    assert rows["2025:commune:06688"]["name"] == "Hạ Long"
    assert rows["legacy:province:01"]["code"] == "01"
    assert rows["legacy:district:288"]["province_code_2025"] == "31"


def test_indicator_seed_equals_a_fresh_generation(tmp_path: Path) -> None:
    fresh = tmp_path / "seed_indicators.csv"
    write_indicator_seed(fresh)
    assert fresh.read_text(encoding="utf-8") == INDICATOR_SEED.read_text(encoding="utf-8"), (
        "dbt_project/seeds/seed_indicators.csv is stale: regenerate it with "
        "dxw.transform.seeds.write_indicator_seed()"
    )


def test_indicator_seed_has_the_catalog_codes_and_names() -> None:
    rows = list(csv.DictReader(indicator_seed_text().splitlines()))
    codes = {row["indicator_code"] for row in rows}
    assert codes >= REQUIRED_INDICATORS
    assert all(row["name_vi"] and row["name_en"] and row["unit"] for row in rows)


def test_indicator_seed_reads_any_catalog_yaml(tmp_path: Path) -> None:
    catalog = tmp_path / "indicators.yml"
    catalog.write_text(
        "indicators:\n"
        "  - {code: x_pct, name_vi: 'Tỷ lệ X', name_en: X share, unit: '%', kind: percent,"
        " min: 0, max: 100.5, numerator: a, denominator: b}\n",
        encoding="utf-8",
    )
    seed = tmp_path / "seed.csv"
    assert write_indicator_seed(seed, catalog) == 1
    assert seed.read_text(encoding="utf-8").splitlines()[1] == (
        "x_pct,Tỷ lệ X,X share,%,percent,0,100.5,a,b"
    )
