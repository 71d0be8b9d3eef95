"""Generated submissions for the soak: many small files, valid and invalid mixed, all carriers.

    .venv/bin/python tests/data/make_soak.py OUT COUNT [SEED]

Every generated file is unique (its agency names it) and says what must become of it: a valid
file is accepted with exactly the rows it lists; an invalid one carries one fault that rejects
it with a known problem code. A few more are renamed copies of generated files (duplicates).
Localities are legacy provinces and districts, periods 2016-2024 (years, halves, quarters,
months), so everything resolves to the legacy administration.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from dxw.submission.periods import make_period
from dxw.submission.writer import write_submission

CARRIERS = ("xlsx", "json", "zip")
#: Share of invalid files.
INVALID_SHARE = 0.3


@dataclass(frozen=True)
class SoakFile:
    """One generated file and its expected fate."""

    name: str
    valid: bool
    code: str | None  # the problem code an invalid file must get
    rows: dict[str, int] = field(default_factory=dict)  # rows per raw table when valid
    copy_of: str | None = None  # the file it is a renamed byte-for-byte copy of


def _localities() -> list[str]:
    """Codes of legacy provinces and districts (existing throughout 2016-2024)."""
    from dxw.localities import registry

    levels = ("province", "district")
    return sorted(u.code for u in registry().all() if u.era == "legacy" and u.level in levels)


def _period(rng: random.Random) -> tuple[str, date, date]:
    year = rng.randint(2016, 2024)
    kind = rng.choice(("year", "half", "quarter", "month"))
    part = {"year": 1, "half": rng.randint(1, 2), "quarter": rng.randint(1, 4)}.get(
        kind, rng.randint(1, 12)
    )
    period = make_period(year, kind, part)  # type: ignore[arg-type]
    return period.code, period.start, period.end


def _indicators(rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for part, whole in (
        ("plan_indicators_on_track", "plan_indicators_total"),
        ("plan_criteria_on_track", "plan_criteria_total"),
        ("bts_4g_new", "bts_4g_in_service"),
    ):
        if rng.random() < 0.6:
            total = rng.randint(0, 500)
            rows += [
                {"indicator_code": whole, "value": total},
                {"indicator_code": part, "value": rng.randint(0, total)},
            ]
    if rng.random() < 0.5:
        rows.append({"indicator_code": "coverage_4g_communes_pct", "value": rng.randint(2, 100)})
    if rng.random() < 0.3:
        rows.append({"indicator_code": "dti_score", "value": round(rng.uniform(0.1, 0.9), 4)})
    if rng.random() < 0.3:
        rows.append({"indicator_code": "dti_rank", "value": rng.randint(1, 63)})
    return rows


def _wifi(rng: random.Random, n: int) -> list[dict[str, Any]]:
    return [
        {
            "point_id": f"W{n}-{i}",
            "name": f"Điểm wifi {i} «{n}»",
            "commune": rng.choice(("Phường 1", "Xã Đông Hưng", None)),
            "latitude": round(rng.uniform(9.0, 22.5), 5),
            "longitude": round(rng.uniform(103.0, 109.0), 5),
            "status": rng.choice(("active", "hoạt động", "inactive")),
            "commissioned_on": date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000)),
        }
        for i in range(rng.randint(0, 6))
    ]


def _links(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "unit_name": f"Đơn vị {i}",
            "unit_level": rng.choice(("district", "commune", "department")),
            "connected": rng.choice((True, False)),
            "bandwidth_mbps": rng.randint(0, 1000),
        }
        for i in range(rng.randint(0, 3))
    ]


def _goals(rng: random.Random) -> list[dict[str, Any]]:
    pillars = ("digital_government", "digital_economy", "digital_society")
    return [
        {
            "goal_code": f"G-{i}",
            "pillar": rng.choice(pillars),
            "status": rng.choice(("achieved", "in_progress", "not_achieved")),
            "title": f"Mục tiêu {i}",
            "target_year": rng.randint(2020, 2030),
        }
        for i in range(rng.randint(0, 4))
    ]


def _summary(rng: random.Random) -> list[dict[str, Any]]:
    if rng.random() < 0.6:
        return []
    total = rng.randint(1, 40)
    achieved = rng.randint(0, total)
    return [
        {
            "pillar": "all",
            "goals_total": total,
            "goals_achieved": achieved,
            "goals_in_progress": rng.randint(0, total - achieved),
            "reported_pct": round(100 * achieved / total, 1),
        }
    ]


#: Faults and the code each must produce.
FAULTS = {
    "bad_period": "invalid_period",
    "unknown_locality": "unknown_locality",
    "bad_status": "invalid_choice",
    "impossible_date": "invalid_date",
    "duplicate_point": "duplicate_key",
    "not_a_number": "invalid_number",
    "unknown_indicator": "unknown_indicator",
    "outside_vietnam": "coordinates_outside_vietnam",
    "part_above_whole": "numerator_exceeds_denominator",
    "no_date": "missing_field",
    "too_big": "out_of_range",
}


def _break(sub: dict[str, Any], fault: str, rng: random.Random) -> None:
    """Make a valid submission invalid in one way."""
    head = sub["submission"]
    point = {"point_id": "X-1", "status": "active", "latitude": 21.0, "longitude": 105.8}
    if fault == "bad_period":
        head["period"] = rng.choice(("2019-H3", "2020-Q5", "2021-13", "năm 2020"))
    elif fault == "unknown_locality":
        head["locality"] = rng.choice(("Tỉnh Không Tồn Tại", "99", "'; drop table x; --"))
    elif fault == "bad_status":
        sub["wifi_points"] = [dict(point, status="có lẽ")]
    elif fault == "impossible_date":
        sub["wifi_points"] = [dict(point, commissioned_on="31/2/2022")]
    elif fault == "duplicate_point":
        sub["wifi_points"] = [point, dict(point)]
    elif fault == "not_a_number":
        sub["indicators"] = [{"indicator_code": "bts_4g_in_service", "value": "nhiều"}]
    elif fault == "unknown_indicator":
        sub["indicators"] = [{"indicator_code": "so_diem_bi_mat", "value": 1}]
    elif fault == "outside_vietnam":
        sub["wifi_points"] = [dict(point, latitude=48.85, longitude=2.35)]
    elif fault == "part_above_whole":
        sub["indicators"] = [
            {"indicator_code": "plan_indicators_total", "value": 3},
            {"indicator_code": "plan_indicators_on_track", "value": 5},
        ]
    elif fault == "no_date":
        del head["submitted_on"]
    elif fault == "too_big":
        sub["goal_summary"] = [{"pillar": "all", "goals_total": 2**31, "goals_achieved": 1}]


def write_soak(
    out: Path, count: int, seed: int = 7, prefix: str = "soak", copies: int | None = None
) -> list[SoakFile]:
    """Write `count` files into `out` (deterministic for a seed), then `copies` (default 2 %)
    renamed copies of some of them: of a valid file exactly one of the group is accepted and
    the others are duplicates, an invalid one is rejected each time. Returns the expectations."""
    rng = random.Random(seed)
    localities = _localities()
    out.mkdir(parents=True, exist_ok=True)
    files = []
    for n in range(count):
        code, _, end = _period(rng)
        sub: dict[str, Any] = {
            "submission": {
                "locality": rng.choice(localities),
                "period": code,
                "submitted_on": end + timedelta(days=rng.randint(1, 60)),
                "agency": f"Soak {prefix} #{n}",
                "framework": rng.choice(("09-NQ/TU", "KH 122/KH-UBND", None)),
            }
        }
        for table, rows in (
            ("indicators", _indicators(rng)),
            ("wifi_points", _wifi(rng, n)),
            ("network_links", _links(rng)),
            ("goals", _goals(rng)),
            ("goal_summary", _summary(rng)),
        ):
            if rows:
                sub[table] = rows
        if sub["submission"]["framework"] is None:
            del sub["submission"]["framework"]
        fault = rng.choice(sorted(FAULTS)) if rng.random() < INVALID_SHARE else None
        if fault:
            _break(sub, fault, rng)
        carrier = CARRIERS[n % 3]
        path = write_submission(sub, carrier, out, f"{prefix}-{n:05d}")
        rows = {t: len(v) for t, v in sub.items() if t != "submission" and v}
        files.append(SoakFile(path.name, fault is None, FAULTS.get(fault or ""), rows))
    originals = list(files)
    for n in range(count // 50 if copies is None else copies):
        original = rng.choice(originals)
        name = f"{prefix}-copy-{n:04d}{Path(original.name).suffix}"
        shutil.copyfile(out / original.name, out / name)
        files.append(replace(original, name=name, copy_of=original.name))
    return files


if __name__ == "__main__":
    target, total = Path(sys.argv[1]), int(sys.argv[2])
    written = write_soak(target, total, int(sys.argv[3]) if len(sys.argv) > 3 else 7)
    print(
        json.dumps(
            {
                "files": len(written),
                "valid": sum(f.valid for f in written),
                "copies": sum(f.copy_of is not None for f in written),
            }
        )
    )
