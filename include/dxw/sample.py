"""`dxw sample`: a deterministic, realistic set of submissions, including a few faulty ones."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dxw.submission.periods import parse_period
from dxw.submission.writer import Submission, write_submission

#: Approximate centres of the provinces in the sample, for plausible Wi-Fi coordinates.
CENTRES = {
    "22": (21.0064, 107.2925),
    "30": (20.9373, 106.3146),
    "31": (20.8449, 106.6881),
    "56": (12.2388, 109.1967),
    "58": (11.5750, 108.9889),
}
PILLARS = ("digital_government",) * 10 + ("digital_economy",) * 5 + ("digital_society",) * 5
HALVES = ("2021-H2", "2022-H1", "2022-H2", "2023-H1", "2023-H2", "2024-H1", "2024-H2", "2025-H1")


@dataclass(frozen=True, slots=True)
class SampleFile:
    """One file of the sample and why it is there."""

    name: str
    carrier: str
    document: Submission | None
    purpose: str
    expect: str  # accepted | rejected
    raw_bytes: bytes | None = None


def _header(locality: str, period: str, framework: str = "09-NQ/TU", days: int = 8,
            agency: str = "Sở Khoa học và Công nghệ") -> dict[str, Any]:  # fmt: skip
    end = parse_period(period).end
    return {
        "locality": locality, "period": period, "submitted_on": end + timedelta(days=days),
        "agency": agency, "contact_email": "chuyendoiso@example.gov.vn", "framework": framework,
    }  # fmt: skip


def _indicators(**values: float | int) -> list[dict[str, Any]]:
    return [{"indicator_code": code, "value": value} for code, value in values.items()]


def _wifi(rng: random.Random, province: str, prefix: str, count: int, inactive: int,
          period_end: date) -> list[dict[str, Any]]:  # fmt: skip
    lat, lon = CENTRES[province]
    rows = []
    for n in range(1, count + 1):
        rows.append({
            "point_id": f"{prefix}-{n:04d}", "name": f"Điểm wifi công cộng {n}",
            "commune": None, "latitude": round(lat + rng.uniform(-0.08, 0.08), 6),
            "longitude": round(lon + rng.uniform(-0.08, 0.08), 6),
            "status": "inactive" if n <= inactive else "active",
            "commissioned_on": period_end - timedelta(days=rng.randint(30, 900)),
        })  # fmt: skip
    return rows


def _goals(achieved: int, in_progress: int) -> list[dict[str, Any]]:
    """20 goals of 09-NQ/TU (10/5/5 by pillar); the first `achieved` are done, and so on."""
    rows = []
    for n, pillar in enumerate(PILLARS, start=1):
        status = ("achieved" if n <= achieved else
                  "in_progress" if n <= achieved + in_progress else "not_achieved")  # fmt: skip
        rows.append({"goal_code": f"MT{n:02d}", "pillar": pillar, "status": status,
                     "title": f"Mục tiêu {n}", "target_year": 2025})  # fmt: skip
    return rows


def _quang_ninh(rng: random.Random) -> Iterator[SampleFile]:
    carriers = ("xlsx", "json", "zip")
    for i, period in enumerate((*HALVES, "2025-H2", "2026-H1")):
        end = parse_period(period).end
        wifi_total = 1400 + 60 * i
        document: Submission = {
            "submission": _header("Tỉnh Quảng Ninh" if i % 2 else "22", period),
            "indicators": _indicators(
                wifi_points_in_service=wifi_total, bts_4g_in_service=3000 + 170 * i,
                bts_4g_new=170, coverage_4g_districts_pct=100, coverage_4g_communes_pct=100,
                network_connection_points=400 + 10 * i,
                network_units_connected=min(240 + 2 * i, 253),
                network_units_total=253, digital_certificate_units_pct=100,
                dti_score=round(0.55 + 0.02 * i, 3), dti_rank=max(1, 6 - i // 3),
            ),
        }  # fmt: skip
        if period in ("2024-H2", "2025-H2", "2026-H1"):
            achieved = {"2024-H2": 9, "2025-H2": 14, "2026-H1": 16}[period]
            document["goals"] = _goals(achieved, 20 - achieved - 1)
        if period == "2026-H1":
            document["wifi_points"] = _wifi(rng, "22", "QN", 40, 2, end)
            document["indicators"][0]["value"] = 38
        yield SampleFile(
            f"quang_ninh_{period}.{carriers[i % 3]}",
            carriers[i % 3],
            document,
            "Quảng Ninh half-yearly report, kept its borders in 2025",
            "accepted",
        )
    # A corrected resubmission supersedes the first 2023-H1 report.
    corrected = {
        "submission": _header("22", "2023-H1", days=30),
        "indicators": _indicators(bts_4g_in_service=3555, bts_4g_new=190,
                                  coverage_4g_communes_pct=100, network_units_connected=247,
                                  network_units_total=253),
    }  # fmt: skip
    yield SampleFile(
        "quang_ninh_2023-H1_corrected.zip",
        "zip",
        corrected,
        "later corrected report: supersedes quang_ninh_2023-H1",
        "accepted",
    )


def _seed_reports(rng: random.Random) -> Iterator[SampleFile]:
    end = parse_period("2022-H1").end
    ha_long: Submission = {
        "submission": {**_header("TP Hạ Long", "2022-H1", framework="122/KH-UBND"),
                       "submitted_on": date(2022, 7, 8), "agency": "UBND thành phố Hạ Long"},
        "indicators": _indicators(
            wifi_points_in_service=123, network_connection_points=38,
            digital_certificate_units_pct=100, plan_indicators_on_track=3,
            plan_indicators_total=23, plan_criteria_on_track=13, plan_criteria_total=23,
        ),
        "wifi_points": _wifi(rng, "22", "HL", 123, 0, end),
    }  # fmt: skip
    yield SampleFile("ha_long_2022-H1.xlsx", "xlsx", ha_long,
                     "seed 000: Hạ Long city (legacy district 193), 6-month review 2022",
                     "accepted")  # fmt: skip
    quang_ninh: Submission = {
        "submission": {**_header("Quảng Ninh", "2024-Q1"), "submitted_on": date(2024, 3, 19)},
        "goal_summary": [
            {"pillar": "all", "goals_total": 20, "goals_achieved": 7, "goals_in_progress": 13,
             "reported_pct": 40},
            {"pillar": "digital_government", "goals_total": 10, "goals_achieved": 3,
             "goals_in_progress": 7, "reported_pct": 60},
            {"pillar": "digital_economy", "goals_total": 5, "goals_achieved": 1,
             "goals_in_progress": 4, "reported_pct": 30},
            {"pillar": "digital_society", "goals_total": 5, "goals_achieved": 3,
             "goals_in_progress": 2, "reported_pct": 40},
        ],
    }  # fmt: skip
    yield SampleFile("quang_ninh_2024-Q1_nghi_quyet_09.json", "json", quang_ninh,
                     "seed 004: 2 years of Resolution 09, percentages disagree with counts",
                     "accepted")  # fmt: skip


def _merged_provinces(rng: random.Random) -> Iterator[SampleFile]:
    for i, period in enumerate(("2022-H1", "2023-H1", "2024-H2")):
        yield SampleFile(f"hai_duong_{period}.zip", "zip", {
            "submission": _header("Hải Dương", period),
            "indicators": _indicators(wifi_points_in_service=300 + 40 * i,
                                      bts_4g_in_service=2100 + 120 * i, bts_4g_new=120,
                                      network_units_connected=180 + 5 * i, network_units_total=200,
                                      coverage_4g_communes_pct=98 + i),
        }, "legacy province merged into Hải Phòng on 1/7/2025", "accepted")  # fmt: skip
    yield SampleFile("chi_linh_2023-H1.json", "json", {
        "submission": _header("Thành phố Chí Linh", "2023-H1", agency="UBND thành phố Chí Linh"),
        "indicators": _indicators(wifi_points_in_service=45, network_units_connected=19,
                                  network_units_total=20, plan_indicators_on_track=8,
                                  plan_indicators_total=15),
    }, "legacy district of Hải Dương: rolls up to Hải Phòng (31)", "accepted")  # fmt: skip
    for i, period in enumerate(("2023-H1", "2024-H2", "2025-H2", "2026-H1")):
        carrier = ("xlsx", "json", "zip", "xlsx")[i]
        yield SampleFile(f"hai_phong_{period}.{carrier}", carrier, {
            "submission": _header("31" if i % 2 else "Thành phố Hải Phòng", period),
            "indicators": _indicators(wifi_points_in_service=900 + 80 * i,
                                      bts_4g_in_service=4200 + 300 * i + (2400 if i >= 2 else 0),
                                      bts_4g_new=300, network_units_connected=300 + 10 * i,
                                      network_units_total=330 + (200 if i >= 2 else 0),
                                      coverage_4g_communes_pct=100),
        }, "Hải Phòng before and after absorbing Hải Dương", "accepted")  # fmt: skip
    for name, locality, period in (("ninh_thuan_2024-H1", "Ninh Thuận", "2024-H1"),
                                   ("khanh_hoa_2024-H1", "Khánh Hòa", "2024-H1"),
                                   ("khanh_hoa_2025-H2", "56", "2025-H2")):  # fmt: skip
        yield SampleFile(f"{name}.json", "json", {
            "submission": _header(locality, period),
            "indicators": _indicators(wifi_points_in_service=rng.randint(150, 600),
                                      bts_4g_in_service=rng.randint(1500, 3500), bts_4g_new=90,
                                      network_units_connected=150, network_units_total=160),
        }, "Ninh Thuận merged into Khánh Hòa", "accepted")  # fmt: skip


def _communes(rng: random.Random) -> Iterator[SampleFile]:
    yield SampleFile("hong_hai_2023-H2.xlsx", "xlsx", {
        "submission": _header("06688", "2023-H2", agency="UBND phường Hồng Hải"),
        "indicators": _indicators(wifi_points_in_service=12),
        "wifi_points": _wifi(rng, "22", "HH", 12, 0, parse_period("2023-H2").end),
    }, "code 06688 before 1/7/2025: Phường Hồng Hải", "accepted")  # fmt: skip
    yield SampleFile("phuong_ha_long_2026-H1.zip", "zip", {
        "submission": _header("06688", "2026-H1", agency="UBND phường Hạ Long"),
        "indicators": _indicators(wifi_points_in_service=20),
        "wifi_points": _wifi(rng, "22", "PHL", 21, 1, parse_period("2026-H1").end),
    }, "the same code 06688 after 1/7/2025: Phường Hạ Long", "accepted")  # fmt: skip


def _faulty(rng: random.Random) -> Iterator[SampleFile]:
    yield SampleFile("hai_duong_2026-H1.json", "json", {
        "submission": _header("Hải Dương", "2026-H1"),
        "indicators": _indicators(wifi_points_in_service=500),
    }, "FAULTY: Hải Dương no longer exists in 2026", "rejected")  # fmt: skip
    wifi = _wifi(rng, "56", "KH", 5, 0, parse_period("2025-H2").end)
    wifi[1]["point_id"] = wifi[0]["point_id"]
    wifi[2]["latitude"], wifi[2]["longitude"] = 35.6, 139.7
    yield SampleFile("khanh_hoa_2026-H1_errors.xlsx", "xlsx", {
        "submission": _header("Tỉnh Khánh Hòa", "2026-H1"),
        "indicators": _indicators(network_units_connected=260, network_units_total=253,
                                  coverage_4g_communes_pct=120, wifi_points_in_service=5),
        "wifi_points": wifi,
    }, "FAULTY: 260/253 units, 120% coverage, duplicate point, point in Tokyo",
        "rejected")  # fmt: skip
    yield SampleFile("ninh_thuan_2024-H3.zip", "zip", {
        "submission": _header("Ninh Thuận", "2024-H1") | {"period": "2024-H3"},
        "indicators": _indicators(wifi_points_in_service=100, bogus_indicator=1),
    }, "FAULTY: period 2024-H3 and an unknown indicator code", "rejected")  # fmt: skip
    yield SampleFile("bao_cao_hong.xlsx", "xlsx", None, "FAULTY: not a workbook at all",
                     "rejected", raw_bytes=b"this is not an Excel file\x00\x01")  # fmt: skip


def sample_files(seed: int = 2025) -> list[SampleFile]:
    """Every file of the sample, in a stable order."""
    rng = random.Random(seed)  # noqa: S311 - sample data, not security
    groups = (_seed_reports, _quang_ninh, _merged_provinces, _communes, _faulty)
    return [item for group in groups for item in group(rng)]


def write_sample(out: Path, seed: int = 2025) -> list[Path]:
    """Write the sample into `out` (created if needed); returns the files written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for item in sample_files(seed):
        if item.document is None:
            path = out / item.name
            path.write_bytes(item.raw_bytes or b"")
        else:
            stem = item.name.rsplit(".", 1)[0]
            path = write_submission(item.document, item.carrier, out, stem)
        written.append(path)
    return written
