"""Table rules (catalog, coordinates, goals) and the checks across tables of one submission."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from dxw.submission.catalog import Catalog, Indicator
from dxw.submission.headers import hint
from dxw.submission.problems import Problem, ProblemSink, error, warning
from dxw.submission.rows import INTEGER_MAX, fmt, out_of_range
from dxw.submission.tables import INDICATORS, WIFI_POINTS

#: Bounding box of Vietnam incl. the Hoàng Sa (Paracel) and Trường Sa (Spratly) archipelagos.
LAT_MIN, LAT_MAX = 8.0, 23.5
LON_MIN, LON_MAX = 102.0, 117.9
#: A reported percentage may differ from the one computed from counts by this many points.
PERCENT_TOLERANCE = 1.0
PILLAR_NAMES = ("digital_government", "digital_economy", "digital_society")


def _pct(part: float, whole: float) -> float:
    """100 * part / whole, rounded to one decimal."""
    return round(100.0 * part / whole, 1)


def fraction_warning(table: str, row: int, column: str, value: float) -> Problem:
    """A percentage of 0-1 that probably came from an Excel percent cell (99,2% is 0.992)."""
    en_v, vi_v = fmt(value)
    en_p, vi_p = fmt(round(value * 100, 4))
    return warning(
        "percent_looks_like_fraction",
        f"{column}: {en_v} is read as {en_v}%; if you meant {en_p}%, write {en_p} (an Excel cell "
        "formatted as percent stores a fraction).",
        f"{column}: {vi_v} được hiểu là {vi_v}%; nếu ý là {vi_p}% hãy ghi {vi_p} (ô Excel định "
        "dạng phần trăm lưu giá trị dạng phân số).",
        table=table,
        row=row,
        column=column,
        value=value,
    )


def percent_disagrees(
    table: str,
    row: int,
    column: str,
    reported: float,
    part: float,
    whole: float,
    what: str,
    what_vi: str,
    label: str | None = None,
) -> Problem:
    """A reported percentage that disagrees with its counts by more than the tolerance."""
    computed = _pct(part, whole)
    en_r, vi_r = fmt(reported)
    en_c, vi_c = fmt(computed)
    en_p, vi_p = fmt(part)
    en_w, vi_w = fmt(whole)
    return warning(
        "percent_disagrees",
        f"{label or column}: reported {en_r}% but {what} is {en_p}/{en_w} = {en_c}%. "
        "This warning does not reject the report; correct the wrong figure.",
        f"{label or column}: báo cáo {vi_r}% nhưng {what_vi} là {vi_p}/{vi_w} = {vi_c}%. "
        "Cảnh báo này không làm báo cáo bị từ chối; hãy sửa số liệu sai.",
        table=table,
        row=row,
        column=column,
        value=reported,
    )


def count_disagrees(
    table: str,
    row: int | None,
    column: str,
    reported: float,
    counted: int,
    what: str,
    what_vi: str,
    label: str | None = None,
) -> Problem:
    """A reported count that disagrees with the rows listed in another table."""
    return warning(
        "count_disagrees",
        f"{label or column}: reported {fmt(reported)[0]} but {what} lists {counted}. "
        "This warning does not reject the report; correct the wrong figure.",
        f"{label or column}: báo cáo {fmt(reported)[1]} nhưng {what_vi} liệt kê {counted}. "
        "Cảnh báo này không làm báo cáo bị từ chối; hãy sửa số liệu sai.",
        table=table,
        row=row,
        column=column,
        value=reported,
    )


@dataclass
class IndicatorRules:
    """Catalog codes, integer kinds, catalog ranges; collects values for cross checks."""

    catalog: Catalog
    values: dict[str, tuple[float, int]] = field(default_factory=dict)

    def check(self, row: int, out: list[object], sink: ProblemSink) -> bool:
        """Resolve the code, check the value; drop rows with neither value nor note."""
        code, value, note = out
        if code is None:
            return True
        indicator = self.catalog.find(str(code))
        if indicator is None:
            en, vi = hint(str(code), list(self.catalog.codes()))
            sink.add(
                error(
                    "unknown_indicator",
                    f"indicator_code: '{code}' is not in the indicator catalog.{en} See the "
                    "indicators sheet of the template for every code.",
                    f"indicator_code: '{code}' không có trong danh mục chỉ số.{vi} Xem trang "
                    "indicators của mẫu báo cáo để biết các mã hợp lệ.",
                    table="indicators",
                    row=row,
                    column="indicator_code",
                    value=code,
                )
            )
            return True
        out[0] = indicator.code
        if value is None:
            return note is not None
        if indicator.is_integer and isinstance(value, float):
            if not value.is_integer():
                sink.add(self._not_integer(row, indicator, value))
                return True
            out[1] = value = int(value)
        assert isinstance(value, int | float)
        # Counts and ranks are whole numbers the marts hold as PostgreSQL integers.
        high = indicator.max
        if high is None and indicator.is_integer:
            high = INTEGER_MAX
        if (indicator.min is not None and value < indicator.min) or (
            high is not None and value > high
        ):
            sink.add(
                out_of_range(
                    "indicators",
                    row,
                    INDICATORS.column("value"),
                    value,
                    indicator.min,
                    high,
                    f" of {indicator.code}",
                )
            )
        elif indicator.kind == "percent" and 0 < value <= 1 and (indicator.min or 0) >= 0:
            sink.add(fraction_warning("indicators", row, "value", value))
        self.values[indicator.code] = (value, row)
        return True

    @staticmethod
    def _not_integer(row: int, indicator: Indicator, value: float) -> Problem:
        """A fractional value for a count or a rank."""
        return error(
            "not_integer",
            f"value of {indicator.code}: {fmt(value)[0]} is not a whole number ({indicator.kind}).",
            f"value của {indicator.code}: {fmt(value)[1]} không phải là số nguyên.",
            table="indicators",
            row=row,
            column="value",
            value=value,
        )

    def finish(self, sink: ProblemSink) -> None:
        """Numerators above denominators (errors); percentages against their counts (warnings)."""
        for indicator in self.catalog.indicators:
            if indicator.code not in self.values or indicator.denominator is None:
                continue
            value, row = self.values[indicator.code]
            whole = self.values.get(indicator.denominator)
            if whole is None:
                continue
            if indicator.kind == "count" and value > whole[0]:
                sink.add(
                    error(
                        "numerator_exceeds_denominator",
                        f"{indicator.code} ({fmt(value)[0]}) is greater than "
                        f"{indicator.denominator} ({fmt(whole[0])[0]}, row {whole[1]}); a part "
                        "cannot exceed its whole.",
                        f"{indicator.code} ({fmt(value)[1]}) lớn hơn {indicator.denominator} "
                        f"({fmt(whole[0])[1]}, dòng {whole[1]}); phần không thể lớn hơn tổng.",
                        table="indicators",
                        row=row,
                        column="value",
                        value=value,
                    )
                )
            part = self.values.get(indicator.numerator or "")
            if (
                indicator.kind == "percent"
                and part is not None
                and whole[0] > 0
                and abs(value - _pct(part[0], whole[0])) > PERCENT_TOLERANCE
            ):
                sink.add(
                    percent_disagrees(
                        "indicators",
                        row,
                        "value",
                        value,
                        part[0],
                        whole[0],
                        f"{indicator.numerator}/{indicator.denominator}",
                        f"{indicator.numerator}/{indicator.denominator}",
                        f"value of {indicator.code}",
                    )
                )


@dataclass
class WifiRules:
    """Coordinates inside Vietnam and given in pairs; counts active points."""

    rows: int = 0
    active: int = 0

    def check(self, row: int, out: list[object], sink: ProblemSink) -> bool:
        """Check one point."""
        self.rows += 1
        if out[5] == "active":
            self.active += 1
        lat, lon = out[3], out[4]
        if (lat is None) != (lon is None):
            missing = "longitude" if lon is None else "latitude"
            label = WIFI_POINTS.column(missing).label_vi
            sink.add(
                error(
                    "incomplete_coordinates",
                    f"{missing} ({label}) is blank while the other coordinate is given; give "
                    "both or neither.",
                    f"{missing} ({label}) để trống trong khi tọa độ còn lại có giá trị; hãy ghi "
                    "cả hai hoặc bỏ trống cả hai.",
                    table="wifi_points",
                    row=row,
                    column=missing,
                )
            )
        elif isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            lat, lon = float(lat), float(lon)
            if not (LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX):
                self._box(row, lat, lon, sink)
            out[3], out[4] = lat, lon
        return True

    @staticmethod
    def _box(row: int, lat: float, lon: float, sink: ProblemSink) -> None:
        """Coordinates outside Vietnam's bounding box (with a hint when they look swapped)."""
        lat_ok = LAT_MIN <= lat <= LAT_MAX
        lon_ok = LON_MIN <= lon <= LON_MAX
        if lat_ok and lon_ok:
            return
        swapped = LAT_MIN <= lon <= LAT_MAX and LON_MIN <= lat <= LON_MAX
        tip_en = " Latitude and longitude look swapped." if swapped else ""
        tip_vi = " Có vẻ vĩ độ và kinh độ bị ghi đảo ngược." if swapped else ""
        for column, value, ok, low, high in (
            ("latitude", lat, lat_ok, LAT_MIN, LAT_MAX),
            ("longitude", lon, lon_ok, LON_MIN, LON_MAX),
        ):
            if ok:
                continue
            label = WIFI_POINTS.column(column).label_vi
            sink.add(
                error(
                    "coordinates_outside_vietnam",
                    f"{column} ({label}): {fmt(value)[0]} is outside Vietnam ({low}-{high}, "
                    f"decimal degrees).{tip_en}",
                    f"{column} ({label}): {fmt(value)[1]} nằm ngoài lãnh thổ Việt Nam "
                    f"({fmt(low)[1]}-{fmt(high)[1]}, độ thập phân).{tip_vi}",
                    table="wifi_points",
                    row=row,
                    column=column,
                    value=value,
                )
            )


@dataclass
class NetworkRules:
    """Counts listed and connected units."""

    rows: int = 0
    connected: int = 0

    def check(self, row: int, out: list[object], sink: ProblemSink) -> bool:
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

    def check(self, row: int, out: list[object], sink: ProblemSink) -> bool:
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

    def check(self, row: int, out: list[object], sink: ProblemSink) -> bool:
        """Check one summary row."""
        if out[0] is None:
            out[0] = self.framework
        framework, pillar, total, achieved, in_progress, reported = out
        if not isinstance(total, int) or not isinstance(achieved, int):
            return True
        counted = achieved + (in_progress if isinstance(in_progress, int) else 0)
        if counted > total:
            sink.add(
                error(
                    "numerator_exceeds_denominator",
                    f"goals_achieved + goals_in_progress ({achieved} + {in_progress or 0}) is "
                    f"greater than goals_total ({total}).",
                    f"Số mục tiêu đạt + đang triển khai ({achieved} + {in_progress or 0}) lớn "
                    f"hơn tổng số mục tiêu ({total}).",
                    table="goal_summary",
                    row=row,
                    column="goals_achieved",
                    value=counted,
                )
            )
        if isinstance(reported, int | float) and 0 <= reported <= 100:
            if 0 < reported <= 1:
                sink.add(fraction_warning("goal_summary", row, "reported_pct", reported))
            if total > 0 and abs(reported - _pct(achieved, total)) > PERCENT_TOLERANCE:
                sink.add(
                    percent_disagrees(
                        "goal_summary",
                        row,
                        "reported_pct",
                        reported,
                        achieved,
                        total,
                        "goals_achieved/goals_total",
                        "số mục tiêu đạt/tổng số mục tiêu",
                    )
                )
        progress = in_progress if isinstance(in_progress, int) else None
        counts = {"goals_total": total, "goals_achieved": achieved, "goals_in_progress": progress}
        self.rows.setdefault((framework, pillar), SummaryRow(counts, row))
        return True


def _summary_warning(
    row: int, column: str, reported: int, expected: int, en: str, vi: str
) -> Problem:
    """A goal_summary count that disagrees with the pillars or with the goals table."""
    return warning(
        "summary_disagrees",
        f"{column}: {reported} disagrees with {en} ({expected}).",
        f"{column}: {reported} không khớp với {vi} ({expected}).",
        table="goal_summary",
        row=row,
        column=column,
        value=reported,
    )


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
                sink.add(
                    _summary_warning(
                        whole.row,
                        column,
                        reported,
                        expected,
                        "the sum of the three pillars",
                        "tổng của ba trục",
                    )
                )


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
                sink.add(
                    _summary_warning(
                        given.row,
                        column,
                        reported,
                        counted,
                        "the rows of the goals table",
                        "các dòng của bảng goals",
                    )
                )


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
        checks.append(
            (
                "wifi_points_in_service",
                wifi.active,
                "wifi_points (status active)",
                "bảng wifi_points (trạng thái hoạt động)",
            )
        )
    if network is not None and network.rows:
        checks.append(
            (
                "network_units_connected",
                network.connected,
                "network_links (connected)",
                "bảng network_links (đã kết nối)",
            )
        )
        checks.append(("network_units_total", network.rows, "network_links", "bảng network_links"))
    for code, counted, en, vi in checks:
        if code in values and values[code][0] != counted:
            value, row = values[code]
            sink.add(
                count_disagrees(
                    "indicators", row, "value", value, counted, en, vi, f"value of {code}"
                )
            )
