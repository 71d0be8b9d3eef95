"""Builders of real submission files (xlsx, json, zip) for tests, checked with the real registry.

A submission is a dict: {"submission": {field: value}, "<table>": [{column: value}, ...]}.
Values are Python objects; each writer renders them the way its carrier would carry them:
xlsx cells are typed (dates as date cells), JSON uses numbers and ISO dates, and CSV text is
written the Vietnamese way (99,2 and 24/3/2022).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from dxw.submission.writer import (  # noqa: F401 - re-exported for the tests
    csv_bytes,
    csv_text,
    write_json,
    write_submission,
    write_xlsx,
    write_zip,
)

Submission = dict[str, Any]
CARRIERS = ("xlsx", "json", "zip")


# --- submissions ---------------------------------------------------------------------------


def ha_long_2022_h1() -> Submission:
    """Seed 000: Hạ Long city, first half of 2022, against Plan 122/KH-UBND (09-NQ/TU)."""
    plan = "Kế hoạch 122/KH-UBND ngày 24/3/2022"
    return {
        "submission": {
            "locality": "193",
            "period": "2022-H1",
            "submitted_on": date(2022, 7, 8),
            "agency": "UBND thành phố Hạ Long",
            "contact_email": "cds@halong.gov.vn",
            "framework": "09-NQ/TU",
        },
        "indicators": [
            {"indicator_code": "wifi_points_in_service", "value": 123, "note": None},
            {"indicator_code": "network_connection_points", "value": 38, "note": None},
            {
                "indicator_code": "digital_certificate_units_pct",
                "value": 100,
                "note": "100% phòng, ban, đơn vị được cấp chứng thư số",
            },
            {"indicator_code": "plan_indicators_on_track", "value": 3, "note": plan},
            {"indicator_code": "plan_indicators_total", "value": 23, "note": plan},
            {"indicator_code": "plan_criteria_on_track", "value": 13, "note": plan},
            {"indicator_code": "plan_criteria_total", "value": 23, "note": plan},
        ],
    }


def quang_ninh_2024_q1() -> Submission:
    """Seed 004: Quảng Ninh province, 2024 Q1, 20 targets of 09-NQ/TU with its percentages."""
    return {
        "submission": {
            "locality": "Quảng Ninh",
            "period": "2024-Q1",
            "submitted_on": date(2024, 3, 19),
            "agency": "UBND tỉnh Quảng Ninh",
            "framework": "09-NQ/TU",
        },
        "goal_summary": [
            {
                "pillar": "all",
                "goals_total": 20,
                "goals_achieved": 7,
                "goals_in_progress": 13,
                "reported_pct": 40,
            },
            {
                "pillar": "digital_government",
                "goals_total": 10,
                "goals_achieved": 3,
                "goals_in_progress": 7,
                "reported_pct": 60,
            },
            {
                "pillar": "digital_economy",
                "goals_total": 5,
                "goals_achieved": 1,
                "goals_in_progress": 4,
                "reported_pct": 30,
            },
            {
                "pillar": "digital_society",
                "goals_total": 5,
                "goals_achieved": 3,
                "goals_in_progress": 2,
                "reported_pct": 40,
            },
        ],
    }


def minimal(**fields: Any) -> Submission:
    """A valid submission with only the required fields (override or add fields by keyword)."""
    header = {"locality": "22", "period": "2023", "submitted_on": date(2024, 1, 15)}
    header.update(fields)
    return {"submission": header}


def wifi_rows(count: int, *, active: int | None = None, start: int = 1) -> list[dict[str, Any]]:
    """Wi-Fi points around Hạ Long; the first `active` (default all) are active."""
    active = count if active is None else active
    return [
        {
            "point_id": f"HL-{start + i:04d}",
            "name": f"Điểm wifi {start + i}",
            "commune": "Phường Hồng Hải",
            "latitude": 20.95 + i * 1e-4,
            "longitude": 107.08 + i * 1e-4,
            "status": "active" if i < active else "inactive",
            "commissioned_on": date(2022, 5, 15),
        }
        for i in range(count)
    ]


def with_table(sub: Submission, table: str, rows: list[dict[str, Any]]) -> Submission:
    """A copy of a submission with a table set."""
    out = copy.deepcopy(sub)
    out[table] = rows
    return out


# --- writers live in the package: dxw.submission.writer ------------------------------------


def data_row(carrier: str, index: int = 0) -> int:
    """Row number the locality sees for the index-th data row (xlsx/csv: header is row 1)."""
    return index + 1 if carrier == "json" else index + 2


def field_row(carrier: str, sub: Submission, name: str) -> int | None:
    """Row number of a submission field (None in JSON, where fields are keys)."""
    if carrier == "json":
        return None
    return list(sub["submission"]).index(name) + 2


# --- running -------------------------------------------------------------------------------


def resolve(text: str, on: date) -> Any:
    """The real locality registry's resolution (the validator's only resolver)."""
    from dxw.localities import registry

    return registry().resolve(text, on)


def check_file(path: Path) -> tuple[Any, list[Any]]:
    """Read and validate a file with the real registry: (ValidatedSubmission or None, problems)."""
    from dxw.submission import read_submission, validate
    from dxw.submission.messages import CODES

    raw = read_submission(path)
    result, problems = (None, raw) if isinstance(raw, list) else validate(raw, resolve)
    unknown = {p.code for p in problems} - set(CODES)
    assert not unknown, f"problem codes missing from the catalog: {unknown}"
    for problem in problems:
        assert problem.message_en and problem.message_vi
    return result, problems


def check(sub: Submission, carrier: str, directory: Path) -> tuple[Any, list[Any]]:
    """Write a submission in a carrier, read and validate it."""
    return check_file(write_submission(sub, carrier, directory))


def codes(problems: Iterable[Any], severity: str | None = None) -> list[str]:
    """Problem codes, optionally of one severity."""
    return [p.code for p in problems if severity is None or p.severity == severity]


def find(problems: Iterable[Any], code: str) -> list[Any]:
    """Problems of one code."""
    return [p for p in problems if p.code == code]
