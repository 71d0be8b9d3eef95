"""Table rules (catalog, coordinates, goals) and the checks across the tables of one submission.

A table's rules see each typed row as it streams by (`check`), with the cells as written in the
file at hand so that every problem quotes what the locality typed; the checks across tables run
once every row has been read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from dxw.submission.messages import (
    KIND_VI,
    Both,
    Col,
    M,
    Part,
    Plain,
    Problem,
    ProblemSink,
    Quoted,
    Read,
)
from dxw.submission.messages import problem as _problem
from dxw.submission.read import hint
from dxw.submission.spec import TABLES, WIFI_POINTS, Catalog, Indicator
from dxw.submission.values import INTEGER_MAX, Ambiguous, Bad, ambiguous_problem

#: Bounding box of Vietnam incl. the Hoàng Sa (Paracel) and Trường Sa (Spratly) archipelagos.
LAT_MIN, LAT_MAX = 8.0, 23.5
LON_MIN, LON_MAX = 102.0, 117.9
#: A reported percentage may differ from the one computed from counts by this many points.
PERCENT_TOLERANCE = 1.0
PILLAR_NAMES = ("digital_government", "digital_economy", "digital_society")
GOAL_SUMMARY = TABLES["goal_summary"]


class RawCells:
    """The cells of the row being checked, by canonical column: what the rules quote."""

    def __init__(self, position_of: Mapping[str, int]) -> None:
        self._position_of = position_of
        self.cells: Sequence[object] = ()

    def get(self, column: str) -> object:
        """The cell as written in the file for a column (None when absent)."""
        position = self._position_of.get(column)
        if position is None or position >= len(self.cells):
            return None
        return self.cells[position]


class TableRules(Protocol):
    """Table-specific checks run on each typed row (may fill defaults); False drops the row.

    `deferred` names the columns whose ambiguous numbers the rules decide themselves."""

    deferred: frozenset[str]

    def check(self, row: int, out: list[object], written: RawCells, sink: ProblemSink) -> bool: ...


def _pct(part: float, whole: float) -> float:
    """100 * part / whole, rounded to one decimal."""
    return round(100.0 * part / whole, 1)


def _is_percent_cell(cell: object) -> bool:
    """Whether a cell came from an Excel cell formatted as a percentage."""
    return bool(getattr(cell, "is_percent_cell", False))


def out_of_range(
    table: str,
    row: int,
    column: str,
    what: Part,
    text: Part,
    low: float | None,
    high: float | None,
    *,
    grouped: bool = True,
) -> Problem:
    """The error for a number outside its allowed range."""

    def bound(number: float) -> object:
        return number if grouped else Plain(int(number))

    if low is not None and high is not None:
        allowed = M("part.range_between", low=bound(low), high=bound(high))
    elif low is not None:
        allowed = M("part.range_min", low=bound(low))
    else:
        allowed = M("part.range_max", high=bound(high or 0))
    return _problem(
        "out_of_range", table=table, row=row, column=column, value=_value_of(text),
        what=what, text=text, range=allowed,
    )  # fmt: skip


def _value_of(text: Part) -> object:
    """The `value` of a problem about a cell: the text as written, or the number read."""
    if isinstance(text, Read):
        return text.written if text.written is not None else text.value
    if isinstance(text, Quoted):
        return text.text
    return None


def fraction_warning(table: str, row: int, column: str, what: Part, text: Read) -> Problem:
    """A percentage of 0-1 typed as a plain number: probably a fraction (99,2% as 0,992)."""
    value = float(text.value or 0)
    return _problem(
        "percent_looks_like_fraction", table=table, row=row, column=column,
        value=_value_of(text), what=what, text=text, reading=value,
        percent=round(value * 100, 4),
    )  # fmt: skip


def percent_disagrees(
    table: str,
    row: int,
    column: str,
    what: Part,
    reported: float,
    part: float,
    whole: float,
    ratio: Part,
) -> Problem:
    """A reported percentage that disagrees with its counts by more than the tolerance."""
    return _problem(
        "percent_disagrees", table=table, row=row, column=column, value=reported, what=what,
        reported=reported, ratio=ratio, part=part, whole=whole, computed=_pct(part, whole),
    )  # fmt: skip


@dataclass
class IndicatorRules:
    """Catalog codes, integer kinds, catalog ranges; collects values for cross checks."""

    catalog: Catalog
    #: code -> (value, row, the value as written)
    values: dict[str, tuple[float, int, object]] = field(default_factory=dict)
    deferred: frozenset[str] = frozenset({"value"})

    def check(self, row: int, out: list[object], written: RawCells, sink: ProblemSink) -> bool:
        """Resolve the code, check the value; drop rows with neither value nor note."""
        code, value, note = out
        if code is None:
            return True
        indicator = self.catalog.find(str(code))
        if indicator is None:
            sink.add(
                _problem(
                    "unknown_indicator",
                    table="indicators",
                    row=row,
                    column="indicator_code",
                    value=code,
                    text=Quoted(code),
                    hint=hint(str(code), list(self.catalog.codes())),
                )
            )
            return True
        out[0] = indicator.code
        if value is None:
            return note is not None
        raw = written.get("value")
        what = M("part.of_indicator", indicator=indicator.code)
        high = INTEGER_MAX if indicator.max is None and indicator.is_integer else indicator.max
        if isinstance(value, Ambiguous):
            chosen = value.choose(indicator.is_integer, indicator.min, high)
            if isinstance(chosen, Bad):
                out[1] = None
                sink.add(
                    ambiguous_problem(value, what, "indicators", row, "value")
                    if chosen.ambiguous is not None
                    else self._not_integer(row, indicator, raw, value.vietnamese)
                )
                return True
            out[1] = value = chosen
        assert isinstance(value, int | float)
        if indicator.is_integer and isinstance(value, float):
            if not value.is_integer():
                sink.add(self._not_integer(row, indicator, raw, value))
                return True
            out[1] = value = int(value)
        text = Read(raw, value)
        if (indicator.min is not None and value < indicator.min) or (
            high is not None and value > high
        ):
            sink.add(out_of_range("indicators", row, "value", what, text, indicator.min, high))
        elif (
            indicator.kind == "percent"
            and 0 < value <= 1
            and (indicator.min or 0) >= 0
            and not _is_percent_cell(raw)
        ):
            sink.add(fraction_warning("indicators", row, "value", what, text))
        self.values[indicator.code] = (value, row, raw)
        return True

    @staticmethod
    def _not_integer(row: int, indicator: Indicator, raw: object, value: float) -> Problem:
        """A fractional value for a count or a rank."""
        return _problem(
            "not_integer.indicator", table="indicators", row=row, column="value",
            value=raw if raw is not None else value,
            what=M("part.of_indicator", indicator=indicator.code), text=Read(raw, value),
            kind=Both(indicator.kind, KIND_VI[indicator.kind]),
        )  # fmt: skip

    def finish(self, sink: ProblemSink) -> None:
        """Numerators above denominators (errors); percentages against their counts (warnings)."""
        for indicator in self.catalog.indicators:
            if indicator.code not in self.values or indicator.denominator is None:
                continue
            value, row, raw = self.values[indicator.code]
            whole = self.values.get(indicator.denominator)
            if whole is None:
                continue
            if indicator.kind == "count" and value > whole[0]:
                sink.add(
                    _problem(
                        "numerator_exceeds_denominator",
                        table="indicators",
                        row=row,
                        column="value",
                        value=raw if raw is not None else value,
                        part=indicator.code,
                        amount=Read(raw, value),
                        whole=indicator.denominator,
                        whole_amount=Read(whole[2], whole[0]),
                        whole_row=whole[1],
                    )
                )
            part = self.values.get(indicator.numerator or "")
            if (
                indicator.kind == "percent"
                and part is not None
                and whole[0] > 0
                and abs(value - _pct(part[0], whole[0])) > PERCENT_TOLERANCE
            ):
                ratio = M(
                    "part.ratio", numerator=indicator.numerator, denominator=indicator.denominator
                )
                sink.add(
                    percent_disagrees(
                        "indicators",
                        row,
                        "value",
                        M("part.of_indicator", indicator=indicator.code),
                        value,
                        part[0],
                        whole[0],
                        ratio,
                    )
                )


@dataclass
class WifiRules:
    """Coordinates inside Vietnam and given in pairs; counts active points."""

    rows: int = 0
    active: int = 0
    deferred: frozenset[str] = frozenset()

    def check(self, row: int, out: list[object], written: RawCells, sink: ProblemSink) -> bool:
        """Check one point."""
        self.rows += 1
        if out[5] == "active":
            self.active += 1
        lat, lon = out[3], out[4]
        if (lat is None) != (lon is None):
            missing = "longitude" if lon is None else "latitude"
            column = WIFI_POINTS.column(missing)
            sink.add(
                _problem(
                    "incomplete_coordinates",
                    table="wifi_points",
                    row=row,
                    column=missing,
                    col=Col(missing, column.label_vi),
                )
            )
        elif isinstance(lat, int | float) and isinstance(lon, int | float):
            lat, lon = float(lat), float(lon)
            if not (LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX):
                self._box(row, lat, lon, written, sink)
            out[3], out[4] = lat, lon
        return True

    @staticmethod
    def _box(row: int, lat: float, lon: float, written: RawCells, sink: ProblemSink) -> None:
        """Coordinates outside Vietnam's bounding box (with a hint when they look swapped)."""
        lat_ok = LAT_MIN <= lat <= LAT_MAX
        lon_ok = LON_MIN <= lon <= LON_MAX
        swapped = LAT_MIN <= lon <= LAT_MAX and LON_MIN <= lat <= LON_MAX
        for column, value, ok, low, high in (
            ("latitude", lat, lat_ok, LAT_MIN, LAT_MAX),
            ("longitude", lon, lon_ok, LON_MIN, LON_MAX),
        ):
            if ok:
                continue
            raw = written.get(column)
            sink.add(
                _problem(
                    "coordinates_outside_vietnam",
                    table="wifi_points",
                    row=row,
                    column=column,
                    value=raw if raw is not None else value,
                    col=Col(column, WIFI_POINTS.column(column).label_vi),
                    text=Read(raw, value),
                    low=low,
                    high=high,
                    swapped=M("part.swapped" if swapped else "part.none"),
                )
            )


@dataclass
class NetworkRules:
    """Counts listed and connected units."""

    rows: int = 0
    connected: int = 0
    deferred: frozenset[str] = frozenset()

    def check(self, row: int, out: list[object], written: RawCells, sink: ProblemSink) -> bool:
        """Count one unit."""
        self.rows += 1
        if out[2] is True:
            self.connected += 1
        return True


@dataclass
class GoalRules:
    """Default framework; counts goals by framework, pillar and status."""

    framework: str | None
    counts: Counter[tuple[object, object, object]] = field(default_factory=Counter)
    deferred: frozenset[str] = frozenset()

    def check(self, row: int, out: list[object], written: RawCells, sink: ProblemSink) -> bool:
        """Fill the framework and count the goal."""
        if out[3] is None:
            out[3] = self.framework
        if out[0] is not None and out[2] is not None:
            self.counts[(out[3], out[1], out[2])] += 1
        return True


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """The counts of one goal_summary row and where it stands."""

    counts: dict[str, int | None]
    row: int


@dataclass
class SummaryRules:
    """Default framework; parts within totals; reported percentage against the counts."""

    framework: str | None
    rows: dict[tuple[object, object], SummaryRow] = field(default_factory=dict)
    deferred: frozenset[str] = frozenset()

    def check(self, row: int, out: list[object], written: RawCells, sink: ProblemSink) -> bool:
        """Check one summary row."""
        if out[0] is None:
            out[0] = self.framework
        framework, pillar, total, achieved, in_progress, reported = out
        if not isinstance(total, int) or not isinstance(achieved, int):
            return True
        counted = achieved + (in_progress if isinstance(in_progress, int) else 0)
        if counted > total:
            sink.add(
                _problem(
                    "numerator_exceeds_denominator.goals",
                    table="goal_summary",
                    row=row,
                    column="goals_achieved",
                    value=counted,
                    achieved=achieved,
                    in_progress=in_progress or 0,
                    total=total,
                )
            )
        if isinstance(reported, int | float) and 0 <= reported <= 100:
            raw = written.get("reported_pct")
            what = Col("reported_pct", GOAL_SUMMARY.column("reported_pct").label_vi)
            if 0 < reported <= 1 and not _is_percent_cell(raw):
                sink.add(
                    fraction_warning("goal_summary", row, "reported_pct", what, Read(raw, reported))
                )
            if total > 0 and abs(reported - _pct(achieved, total)) > PERCENT_TOLERANCE:
                sink.add(
                    percent_disagrees(
                        "goal_summary",
                        row,
                        "reported_pct",
                        what,
                        reported,
                        achieved,
                        total,
                        M("part.goals_ratio"),
                    )
                )
        progress = in_progress if isinstance(in_progress, int) else None
        counts = {"goals_total": total, "goals_achieved": achieved, "goals_in_progress": progress}
        self.rows.setdefault((framework, pillar), SummaryRow(counts, row))
        return True


def _summary_warning(row: int, column: str, reported: int, expected: int, against: str) -> Problem:
    """A goal_summary count that disagrees with the pillars or with the goals table."""
    return _problem(
        "summary_disagrees", table="goal_summary", row=row, column=column, value=reported,
        reported=reported, against=M(against), expected=expected,
    )  # fmt: skip


SUMMARY_COUNTS = ("goals_total", "goals_achieved", "goals_in_progress")
_STATUS_OF = {"goals_total": None, "goals_achieved": "achieved", "goals_in_progress": "in_progress"}


def _pillar_sums(summary: SummaryRules, sink: ProblemSink) -> None:
    """Each framework's `all` row against the sum of its three pillar rows."""
    for framework in {framework for framework, _ in summary.rows}:
        whole = summary.rows.get((framework, "all"))
        parts = [summary.rows.get((framework, p)) for p in PILLAR_NAMES]
        if whole is None or any(p is None for p in parts):
            continue
        for column in SUMMARY_COUNTS:
            reported = whole.counts[column]
            values = [p.counts[column] for p in parts if p is not None]
            if reported is None or any(v is None for v in values):
                continue
            expected = sum(v for v in values if v is not None)
            if reported != expected:
                sink.add(_summary_warning(whole.row, column, reported, expected, "part.pillar_sum"))


def check_summary(summary: SummaryRules, goals: GoalRules | None, sink: ProblemSink) -> None:
    """`all` rows against the sum of their pillars; summaries against the goals table."""
    _pillar_sums(summary, sink)
    if goals is None or not goals.counts:
        return
    for (framework, pillar), given in summary.rows.items():
        listed = [(k, n) for k, n in goals.counts.items() if k[0] == framework]
        if not listed:
            continue
        for column in SUMMARY_COUNTS:
            status = _STATUS_OF[column]
            counted = sum(
                n
                for (_, p, s), n in listed
                if (pillar == "all" or p == pillar) and (status is None or s == status)
            )
            reported = given.counts[column]
            if reported is not None and reported != counted:
                sink.add(_summary_warning(given.row, column, reported, counted, "part.goals_rows"))


def check_counts(
    indicators: IndicatorRules | None,
    wifi: WifiRules | None,
    network: NetworkRules | None,
    sink: ProblemSink,
) -> None:
    """Indicator counts against the rows listed in wifi_points and network_links."""
    values = indicators.values if indicators else {}
    checks = []
    if wifi is not None and wifi.rows:
        checks.append(("wifi_points_in_service", wifi.active, "part.wifi_active"))
    if network is not None and network.rows:
        checks.append(("network_units_connected", network.connected, "part.links_connected"))
        checks.append(("network_units_total", network.rows, "part.links_rows"))
    for code, counted, listed in checks:
        if code in values and values[code][0] != counted:
            value, row, _ = values[code]
            sink.add(
                _problem(
                    "count_disagrees",
                    table="indicators",
                    row=row,
                    column="value",
                    value=value,
                    what=M("part.of_indicator", indicator=code),
                    reported=value,
                    listed=M(listed),
                    counted=counted,
                )
            )
