"""`validate`: every rule of the submission format, all problems collected, none fatal early."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date

from dxw.submission.catalog import load_catalog
from dxw.submission.checks import (
    GoalRules,
    IndicatorRules,
    NetworkRules,
    SummaryRules,
    WifiRules,
    check_counts,
    check_summary,
)
from dxw.submission.convert import Bad, bad_value, convert_date, convert_email, convert_text
from dxw.submission.headers import hint
from dxw.submission.locality import LocalityResolution, Resolver
from dxw.submission.model import Row, ValidatedSubmission
from dxw.submission.periods import Period, parse_period
from dxw.submission.problems import Problem, ProblemSink, error, warning
from dxw.submission.raw import HeaderEntry, RawSubmission
from dxw.submission.rows import TableRules, convert_table, iter_table
from dxw.submission.tables import DATA_TABLES, SUBMISSION, TABLES
from dxw.submission.values import clean_text, format_date_vi

_CODE_WIDTHS = {1: 2, 4: 5}


@dataclass
class Header:
    """The typed header fields (None where missing or invalid)."""

    locality_text: str | None = None
    resolution: LocalityResolution | None = None
    period: Period | None = None
    submitted_on: date | None = None
    agency: str | None = None
    contact_email: str | None = None
    framework: str | None = None


def locality_text(value: object) -> str | None:
    """Locality text; a code typed as a number keeps its leading zero (6688 -> 06688)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        digits = str(value)
        return digits.zfill(_CODE_WIDTHS.get(len(digits), len(digits)))
    text = convert_text(value)
    return text if isinstance(text, str) else None


def _field_problem(
    code: str, row: int | None, name: str, en: str, vi: str, value: object = None
) -> Problem:
    """An error about one submission field."""
    return error(code, en, vi, table="submission", row=row, column=name, value=value)


def _collect_fields(entries: tuple[HeaderEntry, ...], sink: ProblemSink) -> dict[str, HeaderEntry]:
    """Field entries by canonical name; unknown and repeated fields are errors."""
    fields: dict[str, HeaderEntry] = {}
    spellings = [s for c in SUBMISSION.columns for s in c.spellings]
    for entry in entries:
        name = clean_text(entry.name) or ""
        if name.startswith("#"):
            continue
        canonical = SUBMISSION.find_column(name) if name else None
        if canonical is None:
            en, vi = hint(name, spellings) if name else ("", "")
            accepted = ", ".join(f"{c.name} ({c.label_vi})" for c in SUBMISSION.columns)
            sink.add(
                _field_problem(
                    "unknown_field",
                    entry.row,
                    name or "field",
                    f"Unknown field '{name}' in submission.{en} Accepted fields: {accepted}.",
                    f"Trường '{name}' của bảng submission không hợp lệ.{vi} Các trường hợp lệ: "
                    f"{accepted}.",
                    name,
                )
            )
        elif canonical in fields:
            sink.add(
                _field_problem(
                    "duplicate_field",
                    entry.row,
                    canonical,
                    f"Field '{canonical}' is given twice (also on row {fields[canonical].row}); "
                    "keep one.",
                    f"Trường '{canonical}' được ghi hai lần (cả ở dòng {fields[canonical].row}); "
                    "chỉ giữ một.",
                    name,
                )
            )
        else:
            fields[canonical] = entry
    return fields


def _period(entry: HeaderEntry, sink: ProblemSink) -> Period | None:
    """The period field, or an error."""
    try:
        return parse_period(entry.value)
    except ValueError:
        sink.add(
            _field_problem(
                "invalid_period",
                entry.row,
                "period",
                f"period (kỳ báo cáo): '{clean_text(entry.value)}' is not a period; write 2022 "
                "(year), 2022-H1 (half), 2022-Q3 (quarter) or 2022-07 (month).",
                f"period (kỳ báo cáo): '{clean_text(entry.value)}' không phải kỳ báo cáo; hãy "
                "ghi 2022 (năm), 2022-H1 (6 tháng), 2022-Q3 (quý) hoặc 2022-07 (tháng).",
                entry.value,
            )
        )
        return None


def _resolve(
    text: str, entry: HeaderEntry, period: Period, resolve: Resolver, sink: ProblemSink
) -> LocalityResolution | None:
    """The locality on the period's resolution date, or an error with the resolver's reason."""
    on = period.resolution_date
    resolution = resolve(text, on)
    if resolution.locality is not None:
        return resolution
    day = format_date_vi(on)
    sink.add(
        _field_problem(
            "unknown_locality",
            entry.row,
            "locality",
            f"locality (địa phương): '{text}' names no unit that existed on {on.isoformat()} "
            f"(period {period.code}). {resolution.message_en or ''}".strip(),
            f"locality (địa phương): '{text}' không phải đơn vị hành chính tồn tại vào ngày "
            f"{day} (kỳ {period.code}). {resolution.message_vi or ''}".strip(),
            text,
        )
    )
    return None


def validate_header(raw: RawSubmission, resolve: Resolver, sink: ProblemSink) -> Header:
    """Check the submission table: required fields, types, period, locality."""
    header = Header()
    if raw.header is None:
        sink.add(
            error(
                "missing_table",
                "The submission has no 'submission' table (sheet, submission.csv or key) with "
                "locality, period and submitted_on.",
                "Báo cáo thiếu bảng 'submission' (trang tính, tệp submission.csv hoặc khóa) gồm "
                "locality, period và submitted_on.",
                table="submission",
            )
        )
        return header
    fields = _collect_fields(raw.header, sink)
    for column in SUBMISSION.columns:
        entry = fields.get(column.name)
        if column.required and (entry is None or clean_text(entry.value) is None):
            sink.add(
                _field_problem(
                    "missing_field",
                    entry.row if entry else None,
                    column.name,
                    f"Field {column.name} ({column.label_vi}) is required: {column.description_en}",
                    f"Trường {column.name} ({column.label_vi}) là bắt buộc: "
                    f"{column.description_vi}",
                )
            )
    if (entry := fields.get("period")) and clean_text(entry.value) is not None:
        header.period = _period(entry, sink)
    if (entry := fields.get("submitted_on")) and clean_text(entry.value) is not None:
        typed = convert_date(entry.value)
        if isinstance(typed, Bad):
            sink.add(
                bad_value(
                    typed, SUBMISSION.column("submitted_on"), "submission", entry.row, entry.value
                )
            )
        else:
            header.submitted_on = typed  # type: ignore[assignment]
    for name, convert in (
        ("agency", convert_text),
        ("framework", convert_text),
        ("contact_email", convert_email),
    ):
        if (entry := fields.get(name)) is not None:
            typed = convert(entry.value)
            if isinstance(typed, Bad):
                sink.add(
                    bad_value(typed, SUBMISSION.column(name), "submission", entry.row, entry.value)
                )
            else:
                setattr(header, name, typed)
    if (entry := fields.get("locality")) is not None:
        header.locality_text = locality_text(entry.value)
        typed = convert_text(entry.value)
        if isinstance(typed, Bad) and clean_text(entry.value) is not None:
            sink.add(
                bad_value(
                    typed, SUBMISSION.column("locality"), "submission", entry.row, entry.value
                )
            )
        if header.locality_text is not None and header.period is not None:
            header.resolution = _resolve(header.locality_text, entry, header.period, resolve, sink)
    if header.period and header.submitted_on and header.submitted_on < header.period.start:
        row = fields["submitted_on"].row
        sink.add(
            warning(
                "submitted_before_period",
                f"submitted_on ({header.submitted_on.isoformat()}) is before the period "
                f"{header.period.code} starts ({header.period.start.isoformat()}); check both.",
                f"Ngày báo cáo ({format_date_vi(header.submitted_on)}) trước ngày bắt đầu kỳ "
                f"{header.period.code} ({format_date_vi(header.period.start)}); hãy kiểm tra lại.",
                table="submission",
                row=row,
                column="submitted_on",
                value=header.submitted_on.isoformat(),
            )
        )
    return header


class Validation:
    """One submission's validation, in steps: the header at once, then each table as a stream.

    `validate` runs every step and keeps the typed rows in lists. A loader can instead take the
    typed rows of `streams()` as they are read (COPY them while the file is still being read,
    holding one row at a time), then call `finish()` for the checks across tables and keep the
    load only if `has_errors` is still false.
    """

    def __init__(self, raw: RawSubmission, resolve: Resolver) -> None:
        self.raw = raw
        self.sink = ProblemSink(raw.limits.max_problems_per_code)
        self.sink.extend(raw.problems)
        self.header = validate_header(raw, resolve, self.sink)
        self.indicators = IndicatorRules(load_catalog())
        self.wifi = WifiRules()
        self.network = NetworkRules()
        self.goals = GoalRules(self.header.framework)
        self.summary = SummaryRules(self.header.framework)
        self.rules: dict[str, TableRules] = {
            "indicators": self.indicators,
            "wifi_points": self.wifi,
            "network_links": self.network,
            "goals": self.goals,
            "goal_summary": self.summary,
        }
        #: The data tables the file holds, in the order they are checked.
        self.table_names = tuple(name for name in DATA_TABLES if name in raw.tables)

    @property
    def has_errors(self) -> bool:
        return self.sink.has_errors

    def streams(self) -> dict[str, Iterator[tuple[int, Row]]]:
        """(row number, typed row) per table, lazily; consume them in order and to the end."""
        return {
            name: iter_table(self.raw.tables[name], TABLES[name], self.sink, self.rules[name])
            for name in self.table_names
        }

    def finish(self) -> list[Problem]:
        """The checks across tables, then every problem (errors first)."""
        self.indicators.finish(self.sink)
        check_counts(self.indicators, self.wifi, self.network, self.sink)
        check_summary(self.summary, self.goals, self.sink)
        return self.sink.finish()


def validate(
    raw: RawSubmission, resolve: Resolver
) -> tuple[ValidatedSubmission | None, list[Problem]]:
    """Check a read submission; (typed submission, problems), or (None, problems) on any error.

    Every problem is collected; beyond `limits.max_problems_per_code` of one code in one table
    they are only counted (one `too_many_problems` entry says how many more).
    """
    validation = Validation(raw, resolve)
    header, sink = validation.header, validation.sink
    rows: dict[str, list[Row]] = {name: [] for name in DATA_TABLES}
    source_rows: dict[str, Sequence[int]] = {name: () for name in DATA_TABLES}
    for name in validation.table_names:
        rows[name], source_rows[name] = convert_table(
            raw.tables[name], TABLES[name], sink, validation.rules[name]
        )
    problems = validation.finish()
    if sink.has_errors:
        return None, problems
    assert header.resolution is not None and header.period is not None
    assert header.submitted_on is not None and header.locality_text is not None
    return (
        ValidatedSubmission(
            carrier=raw.carrier,
            source_name=raw.source_name,
            locality_text=header.locality_text,
            resolution=header.resolution,
            period=header.period,
            submitted_on=header.submitted_on,
            agency=header.agency,
            contact_email=header.contact_email,
            framework=header.framework,
            warnings=tuple(problems),
            source_rows=source_rows,
            **rows,
        ),
        problems,
    )
