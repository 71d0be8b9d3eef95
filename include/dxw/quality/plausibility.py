"""Plausibility across periods, told to the locality: a stock figure that fell by more than half
or grew more than fivefold against its previous reported figure is a warning recorded with the
submission's problems (`audit.submission_problems`), so it appears in the locality's feedback.

The figures and their previous values come from the raw gate's own query
(`expectations/queries/raw.indicators.sql`: same unit, latest period that ended before this one
began, the report that counts), so the gate and the feedback see the same comparison. What the
gate's failure stops is decided by `expectations/severity.yml` (a halved BTS count is
critical, the rest are warnings); the feedback is a warning in every case: the file was valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from dxw.submission.messages import Both, Problem
from dxw.submission.messages import problem as catalog_problem

#: Problem code of the warning (joins the message catalog of include/dxw/submission).
CODE = "implausible_change"
#: indicator code -> (column prefix in the raw.indicators query, English name, Vietnamese name)
STOCKS = {
    "wifi_points_in_service": (
        "wifi_points",
        "Free public Wi-Fi points in service",
        "Số điểm phát sóng Wi-Fi miễn phí đang hoạt động",
    ),
    "bts_4g_in_service": ("bts_4g", "4G BTS stations in service", "Số trạm BTS 4G đang hoạt động"),
}


def implausible(value: Decimal, previous: Decimal) -> str | None:
    """'halved' or 'fivefold' when `value` fell by more than half or grew more than five times
    against `previous` (a previous value of 0 compares with nothing), else None."""
    if previous <= 0:
        return None
    if 2 * value < previous:
        return "halved"
    if value > 5 * previous:
        return "fivefold"
    return None


def problem(
    code: str, value: Decimal, previous: Decimal, period: str, previous_period: str, source_row: int
) -> Problem:
    """The bilingual warning for one figure of one submission (message catalog of
    include/dxw/submission)."""
    _, name_en, name_vi = STOCKS[code]
    return catalog_problem(
        f"{CODE}.{implausible(value, previous)}",
        table="indicators",
        row=source_row,
        column="value",
        value=_number(value),
        figure=Both(name_en, name_vi),
        number=_number(value),
        period=period,
        previous_period=previous_period,
        previous=_number(previous),
    )


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def findings(rows: Sequence[Mapping[str, Any]]) -> list[tuple[int, str, Decimal, Decimal, str]]:
    """(submission_id, indicator code, value, previous, previous period) of every implausible
    change in rows of the raw.indicators query."""
    found = []
    for row in rows:
        for code, (prefix, _, _) in STOCKS.items():
            value, previous = row.get(code), row.get(f"{code}_previous")
            previous_period = row.get(f"{prefix}_previous_period")
            if value is None or previous is None or previous_period is None:
                continue
            if implausible(Decimal(value), Decimal(previous)):
                found.append(
                    (
                        int(row["submission_id"]),
                        code,
                        Decimal(value),
                        Decimal(previous),
                        str(previous_period),
                    )
                )
    return found


def record_implausible_changes(url: str, submission_ids: Sequence[int], root: Path) -> list[int]:
    """Add the plausibility warnings of these submissions to their problems, once each (a
    second run of the gate adds nothing); returns the submissions that got one (their
    feedback changed). Submissions written without a load of the loader (no accepted
    `audit.load_log` row) are skipped."""
    import psycopg
    from psycopg.rows import dict_row

    from dxw.ingest.audit import add_problems
    from dxw.quality.config import load_gates

    spec = next(s for s in load_gates(root)["raw"].suites if s.name == "raw.indicators")
    warned: set[int] = set()
    with psycopg.connect(url) as conn:
        with conn.cursor(row_factory=dict_row) as cursor:
            rows = cursor.execute(spec.query(submission_ids).encode()).fetchall()
        for submission_id, code, value, previous, previous_period in findings(rows):
            found = conn.execute(
                "select l.load_id, s.period, i.source_row"
                " from audit.load_log l"
                " join raw.submissions s on s.submission_id = l.submission_id"
                " join raw.indicators i on i.submission_id = l.submission_id"
                " where l.submission_id = %s and l.outcome = 'accepted' and i.indicator_code = %s"
                " and not exists (select from audit.submission_problems p"
                "   where p.load_id = l.load_id and p.code = %s and p.row_number = i.source_row)"
                " order by l.load_id limit 1",
                (submission_id, code, CODE),
            ).fetchone()
            if found is None:
                continue
            load_id, period, source_row = found
            add_problems(
                conn, load_id, [problem(code, value, previous, period, previous_period, source_row)]
            )
            conn.execute(
                "update audit.load_log set warning_count = warning_count + 1 where load_id = %s",
                (load_id,),
            )
            warned.add(submission_id)
    return sorted(warned)
