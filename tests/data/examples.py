"""Example submissions loaded into `raw` through the real loader, for the dbt and GX tests.

For developing and testing the dbt layer without reading files: the reference figures of the
seeds (Hạ Long 2022-H1, Quảng Ninh 2024-Q1 against 09-NQ/TU) plus a few cases that exercise the
rules (a superseded submission, growth against the previous reported period and year-end,
counts derived from network_links rows, goal-level detail, a legacy Hải Dương district rolled
up into Hải Phòng, a commune report covered by its district's, provinces whose reports cover
them partly or wholly, the DTI of merged provinces). Illustrative figures are marked as such.
Each is loaded with `dxw.ingest.loader.load_submission` (COPY, lineage, supersede), as a file
would be.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import psycopg

from dxw.ingest.loader import Header, Lineage, load_submission
from dxw.localities import registry
from dxw.submission.periods import parse_period
from dxw.submission.spec import DATA_TABLES

ICT = timezone(timedelta(hours=7))


@dataclass
class Submission:
    """One accepted file: header fields and row tables (tuples in raw column order)."""

    locality_key: str
    period: str
    submitted_on: date
    received_at: datetime | None = None
    framework: str | None = None
    indicators: dict[str, float | int] = field(default_factory=dict)
    #: (point_id, name, commune, latitude, longitude, status, commissioned_on)
    wifi_points: list[tuple[Any, ...]] = field(default_factory=list)
    #: (unit_name, unit_level, connected, connected_on, bandwidth_mbps)
    network_links: list[tuple[Any, ...]] = field(default_factory=list)
    #: (goal_code, pillar, status, framework, title, target_year)
    goals: list[tuple[Any, ...]] = field(default_factory=list)
    #: (framework, pillar, goals_total, goals_achieved, goals_in_progress, reported_pct)
    goal_summary: list[tuple[Any, ...]] = field(default_factory=list)
    label: str = ""

    def rows(self) -> dict[str, list[tuple[Any, ...]]]:
        """Row tuples per raw table, in the loader's column order."""
        return {
            "indicators": [(code, value, None) for code, value in self.indicators.items()],
            "wifi_points": self.wifi_points,
            "network_links": self.network_links,
            "goals": self.goals,
            "goal_summary": self.goal_summary,
        }


def _numbered(rows: Iterable[tuple[Any, ...]]) -> list[tuple[int, tuple[Any, ...]]]:
    """(row number as in a sheet, the header being row 1, row) pairs."""
    return [(n, tuple(row)) for n, row in enumerate(rows, start=2)]


def insert_submission(conn: psycopg.Connection, sub: Submission) -> int:
    """Load one submission and its rows with the real loader; returns its submission_id."""
    unit = registry().by_key(sub.locality_key)
    period = parse_period(sub.period)
    received = sub.received_at or datetime.combine(
        sub.submitted_on + timedelta(days=1), datetime.min.time(), ICT
    )
    name = f"{sub.label or sub.locality_key}-{sub.period}-{sub.submitted_on}-{received}.json"
    digest = hashlib.sha256(repr((name, sub)).encode()).hexdigest()
    header = Header(
        locality_input=unit.code, locality_key=unit.key, locality_code=unit.code,
        locality_name=unit.name, locality_level=unit.level, locality_era=unit.era,
        period=period.code, period_type=period.type, period_start=period.start,
        period_end=period.end, submitted_on=sub.submitted_on, agency=f"UBND {unit.full_name}",
        contact_email=None, framework=sub.framework, warning_count=0,
    )  # fmt: skip
    lineage = Lineage(name, digest, 1024, "json", received, "examples")
    tables = {t: _numbered(rows) for t, rows in sub.rows().items() if rows and t in DATA_TABLES}
    result = load_submission(conn, header, lineage, tables)
    assert result.submission_id is not None, f"{name} is a duplicate of #{result.duplicate_of}"
    return result.submission_id


def _wifi(prefix: str, count: int, commune: str, lat: float, lon: float) -> list[tuple[Any, ...]]:
    return [
        (
            f"{prefix}-{n:03d}",
            f"Điểm wifi {n}",
            commune,
            round(lat + n * 0.0001, 6),
            round(lon + n * 0.0001, 6),
            "active",
            date(2022, 5, 15),
        )
        for n in range(1, count + 1)
    ]


#: The Quảng Ninh goal summary against 09-NQ/TU, 2024-Q1, as reported (seed 004).
QUANG_NINH_2024_Q1_SUMMARY = [
    ("09-NQ/TU", "all", 20, 7, 13, 40),
    ("09-NQ/TU", "digital_government", 10, 3, 7, 60),
    ("09-NQ/TU", "digital_economy", 5, 1, 4, 30),
    ("09-NQ/TU", "digital_society", 5, 3, 2, 40),
]


def reference_submissions() -> list[Submission]:
    """The example set, in load order."""
    ha_long_h1: dict[str, float | int] = {
        # Seed 000 (Hạ Long, 6 months 2022).
        "wifi_points_in_service": 123,
        "network_connection_points": 38,
        "digital_certificate_units_pct": 100,
        "plan_indicators_on_track": 3,
        "plan_indicators_total": 23,
        "plan_criteria_on_track": 13,
        "plan_criteria_total": 23,
        # Illustrative.
        "bts_4g_in_service": 500,
        "bts_4g_new": 50,
        "coverage_4g_districts_pct": 100,
        "coverage_4g_communes_pct": 100,
    }
    return [
        Submission(
            "legacy:district:193", "2021-H2", date(2022, 1, 10), framework="122/KH-UBND",
            indicators={"bts_4g_in_service": 450}, label="ha-long",
        ),
        # First 2022-H1 report of Hạ Long, superseded by the corrected one below.
        Submission(
            "legacy:district:193", "2022-H1", date(2022, 7, 5), framework="122/KH-UBND",
            indicators={**ha_long_h1, "wifi_points_in_service": 120, "bts_4g_in_service": 480},
            wifi_points=_wifi("HL-OLD", 120, "Phường Hồng Hải", 20.95, 107.08), label="ha-long",
        ),
        Submission(
            "legacy:district:193", "2022-H1", date(2022, 7, 8), framework="122/KH-UBND",
            indicators=ha_long_h1,
            wifi_points=_wifi("HL", 123, "Phường Hồng Hải", 20.95, 107.08), label="ha-long",
        ),
        # A ward of Hạ Long also reported Wi-Fi: covered by the district's report.
        Submission(
            "legacy:commune:06688", "2022-H1", date(2022, 7, 6),
            indicators={"wifi_points_in_service": 12}, label="hong-hai",
        ),
        # Quảng Ninh itself (illustrative): only the network units, "251/253".
        Submission(
            "legacy:province:22", "2022-H1", date(2022, 7, 15),
            indicators={"network_units_connected": 251, "network_units_total": 253},
            label="quang-ninh",
        ),
        # Seed 004.
        Submission(
            "legacy:province:22", "2024-Q1", date(2024, 3, 19), framework="09-NQ/TU",
            goal_summary=QUANG_NINH_2024_Q1_SUMMARY, label="quang-ninh",
        ),
        # Legacy Hải Dương districts (now Hải Phòng), illustrative.
        Submission(
            "legacy:district:288", "2022-H1", date(2022, 7, 10),
            indicators={"wifi_points_in_service": 40, "bts_4g_in_service": 300},
            label="tp-hai-duong",
        ),
        Submission(
            "legacy:district:290", "2022-H1", date(2022, 7, 11),
            network_links=[
                ("UBND thành phố Chí Linh", "district", True, date(2021, 3, 1), 100),
                ("Phòng Văn hóa và Thông tin", "department", True, date(2021, 3, 1), 50),
                ("UBND phường Sao Đỏ", "commune", True, date(2021, 6, 1), 20),
                ("UBND phường Cộng Hòa", "commune", False, None, None),
            ],
            label="chi-linh",
        ),
        # Hải Phòng before the reorganisation: 1,945 BTS at the end of 2021, 2,159 at mid-2022,
        # "tăng 11% so với cuối năm 2021" (the held-out figures).
        Submission(
            "legacy:province:31", "2021", date(2022, 1, 15),
            indicators={"bts_4g_in_service": 1945}, label="hai-phong",
        ),
        Submission(
            "legacy:province:31", "2022-H1", date(2022, 7, 12),
            indicators={"bts_4g_in_service": 2159}, label="hai-phong",
        ),
        # Hà Nội kept its borders: its own report covers every unit (illustrative).
        Submission(
            "legacy:province:01", "2022-H1", date(2022, 7, 14),
            indicators={"wifi_points_in_service": 1500, "bts_4g_in_service": 9000},
            label="ha-noi",
        ),
        # DTI 2024 (illustrative scores): Hải Phòng's and Hải Dương's give the 2025 Hải Phòng
        # their mean; a Hải Dương district's score never enters; Khánh Hòa without Ninh Thuận
        # has no official figure; Quảng Ninh kept its borders.
        Submission(
            "legacy:province:31", "2024", date(2025, 1, 20), indicators={"dti_score": 0.62},
            label="hai-phong",
        ),
        Submission(
            "legacy:province:30", "2024", date(2025, 1, 21), indicators={"dti_score": 0.54},
            label="hai-duong",
        ),
        Submission(
            "legacy:district:288", "2024", date(2025, 1, 22), indicators={"dti_score": 0.9},
            label="tp-hai-duong",
        ),
        Submission(
            "legacy:province:56", "2024", date(2025, 1, 23), indicators={"dti_score": 0.6},
            label="khanh-hoa",
        ),
        Submission(
            "legacy:province:22", "2024", date(2025, 1, 24), indicators={"dti_score": 0.7},
            label="quang-ninh",
        ),
        # Hải Phòng after the reorganisation, with goal-level detail (illustrative).
        Submission(
            "2025:province:31", "2025-H2", date(2026, 1, 15), framework="03-NQ/TU",
            indicators={"wifi_points_in_service": 900, "bts_4g_in_service": 5200},
            goals=[
                ("CQS-01", "digital_government", "achieved", None, "Dịch vụ công", 2025),
                ("CQS-02", "digital_government", "in_progress", None, None, 2025),
                ("KTS-01", "digital_economy", "achieved", None, None, 2025),
                ("XHS-01", "digital_society", "not_achieved", None, None, 2025),
            ],
            goal_summary=[("03-NQ/TU", "all", 4, 2, 1, 50)],
            label="hai-phong",
        ),
    ]  # fmt: skip


def insert_reference_submissions(url: str) -> dict[str, int]:
    """Insert the example set through `url` (loader or owner role); label -> last id."""
    ids: dict[str, int] = {}
    with psycopg.connect(url) as conn:
        for sub in reference_submissions():
            ids[f"{sub.label}:{sub.period}"] = insert_submission(conn, sub)
    return ids
