"""`validate`: every rule of the submission format, all problems collected, none fatal early.

The `submission` table is checked at once (fields, period, the locality resolved on the
period's date); each data table is then streamed into typed row tuples in storage order, with
its table rules (`dxw.submission.rules`) applied row by row, and the checks across tables run
at the end.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import call, itemgetter
from typing import Any, Protocol

from dxw.submission.messages import (
    Both,
    Col,
    M,
    Part,
    Problem,
    ProblemSink,
    Quoted,
    Read,
    problem,
)
from dxw.submission.periods import Period, parse_period
from dxw.submission.read import (
    UNNAMED,
    HeaderEntry,
    RawSubmission,
    RawTable,
    hint,
    stray_positions,
    unnamed_column,
)
from dxw.submission.rules import (
    GoalRules,
    IndicatorRules,
    NetworkRules,
    RawCells,
    SummaryRules,
    TableRules,
    WifiRules,
    check_counts,
    check_summary,
    out_of_range,
)
from dxw.submission.spec import DATA_TABLES, SUBMISSION, TABLES, TableSpec, load_catalog
from dxw.submission.values import (
    INTEGER_MAX,
    Bad,
    cell_text,
    convert_date,
    convert_email,
    convert_text,
    converter_for,
)
from dxw.submission.values import bad_value as _bad_value

Row = tuple[object, ...]
_CODE_WIDTHS = {1: 2, 4: 5}


# -- the locality resolver this module is given -----------------------------------------------
class Locality(Protocol):
    """An administrative unit of one era, as the locality registry describes it."""

    @property
    def code(self) -> str: ...

    @property
    def level(self) -> str: ...

    @property
    def era(self) -> str: ...

    @property
    def key(self) -> str: ...

    @property
    def name(self) -> str: ...


class LocalityResolution(Protocol):
    """The unit a text names on a day, or None with the reason (a catalog message) and whether
    the text named several units (`dxw.localities.Resolution`)."""

    @property
    def locality(self) -> Locality | None: ...

    @property
    def reason(self) -> Any: ...

    @property
    def ambiguous(self) -> bool: ...


Resolver = Callable[[str, date], LocalityResolution]


# -- the outcome -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ValidatedSubmission:
    """A valid submission; row tuples follow `TABLES[name].columns`, ready for COPY.

    Row types: indicators (code str, value int|float|None, note str|None); wifi_points
    (point_id, name, commune, latitude float, longitude float, status 'active'|'inactive',
    commissioned_on date); network_links (unit_name, unit_level, connected bool, connected_on
    date, bandwidth_mbps); goals (goal_code, pillar, status, framework, title, target_year int);
    goal_summary (framework, pillar, goals_total, goals_achieved, goals_in_progress,
    reported_pct). Blank cells are None. `source_rows[name][i]` is the row number of
    `tables[name][i]` in the file (xlsx/csv: spreadsheet row; json: array index + 1).
    """

    carrier: str
    source_name: str
    locality_text: str
    resolution: LocalityResolution
    period: Period
    submitted_on: date
    agency: str | None
    contact_email: str | None = field(repr=False)
    framework: str | None
    indicators: list[Row] = field(default_factory=list, repr=False)
    wifi_points: list[Row] = field(default_factory=list, repr=False)
    network_links: list[Row] = field(default_factory=list, repr=False)
    goals: list[Row] = field(default_factory=list, repr=False)
    goal_summary: list[Row] = field(default_factory=list, repr=False)
    warnings: tuple[Problem, ...] = ()
    #: Per table, the row number (as the locality sees it) of each row tuple, for lineage.
    source_rows: Mapping[str, Sequence[int]] = field(default_factory=dict, repr=False)

    @property
    def locality(self) -> Locality:
        """The resolved locality."""
        assert self.resolution.locality is not None
        return self.resolution.locality

    @property
    def tables(self) -> dict[str, list[Row]]:
        """Row tuples per table name."""
        return {
            "indicators": self.indicators,
            "wifi_points": self.wifi_points,
            "network_links": self.network_links,
            "goals": self.goals,
            "goal_summary": self.goal_summary,
        }


# -- the submission table ----------------------------------------------------------------------
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


def _field_col(name: str) -> Col:
    column = SUBMISSION.column(name)
    return Col(column.name, column.label_vi)


def _collect_fields(entries: tuple[HeaderEntry, ...], sink: ProblemSink) -> dict[str, HeaderEntry]:
    """Field entries by canonical name; unknown and repeated fields are errors."""
    fields: dict[str, HeaderEntry] = {}
    spellings = [s for c in SUBMISSION.columns for s in c.spellings]
    accepted = ", ".join(f"{c.name} ({c.label_vi})" for c in SUBMISSION.columns)
    for entry in entries:
        name = cell_text(entry.name) or ""
        if name.startswith("#"):
            continue
        canonical = SUBMISSION.find_column(name) if name else None
        if canonical is None:
            sink.add(
                problem(
                    "unknown_field",
                    table="submission",
                    row=entry.row,
                    column=name or "field",
                    value=name,
                    name=Quoted(name),
                    hint=hint(name, spellings) if name else M("part.none"),
                    accepted=accepted,
                )
            )
        elif canonical in fields:
            sink.add(
                problem(
                    "duplicate_field",
                    table="submission",
                    row=entry.row,
                    column=canonical,
                    value=name,
                    field=canonical,
                    first=fields[canonical].row,
                )
            )
        else:
            fields[canonical] = entry
    return fields


def _resolve(
    text: str, entry: HeaderEntry, period: Period, resolve: Resolver, sink: ProblemSink
) -> LocalityResolution | None:
    """The locality on the period's resolution date, or an error with the registry's reason."""
    on = period.resolution_date
    resolution = resolve(text, on)
    if resolution.locality is not None:
        return resolution
    reason = resolution.reason if isinstance(resolution.reason, Part) else M("part.none")
    sink.add(
        problem(
            "unknown_locality.ambiguous" if resolution.ambiguous else "unknown_locality",
            table="submission",
            row=entry.row,
            column="locality",
            value=text,
            col=_field_col("locality"),
            text=Quoted(text),
            day=on,
            period=period.code,
            reason=reason,
        )
    )
    return None


def validate_header(raw: RawSubmission, resolve: Resolver, sink: ProblemSink) -> Header:
    """Check the submission table: required fields, types, period, locality."""
    header = Header()
    if raw.header is None:
        sink.add(problem("missing_table", table="submission"))
        return header
    fields = _collect_fields(raw.header, sink)
    for column in SUBMISSION.columns:
        entry = fields.get(column.name)
        if column.required and (entry is None or cell_text(entry.value) is None):
            sink.add(
                problem(
                    "missing_field",
                    table="submission",
                    row=entry.row if entry else None,
                    column=column.name,
                    col=_field_col(column.name),
                    description=Both(column.description_en, column.description_vi),
                )
            )
    if (entry := fields.get("period")) and cell_text(entry.value) is not None:
        try:
            header.period = parse_period(entry.value)
        except ValueError:
            sink.add(
                problem(
                    "invalid_period",
                    table="submission",
                    row=entry.row,
                    column="period",
                    value=entry.value,
                    col=_field_col("period"),
                    text=Quoted(entry.value),
                )
            )
    if (entry := fields.get("submitted_on")) and cell_text(entry.value) is not None:
        typed = convert_date(entry.value)
        if isinstance(typed, Bad):
            sink.add(
                _bad_value(
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
                    _bad_value(typed, SUBMISSION.column(name), "submission", entry.row, entry.value)
                )
            else:
                setattr(header, name, typed)
    if (entry := fields.get("locality")) is not None:
        header.locality_text = locality_text(entry.value)
        typed = convert_text(entry.value)
        if isinstance(typed, Bad) and cell_text(entry.value) is not None:
            sink.add(
                _bad_value(
                    typed, SUBMISSION.column("locality"), "submission", entry.row, entry.value
                )
            )
        if header.locality_text is not None and header.period is not None:
            header.resolution = _resolve(header.locality_text, entry, header.period, resolve, sink)
    if header.period and header.submitted_on and header.submitted_on < header.period.start:
        sink.add(
            problem(
                "submitted_before_period",
                table="submission",
                row=fields["submitted_on"].row,
                column="submitted_on",
                value=header.submitted_on,
                submitted=header.submitted_on,
                period=header.period.code,
                start=header.period.start,
            )
        )
    return header


# -- the data tables, streamed -----------------------------------------------------------------
def _tuple_getter(indices: Sequence[int]) -> Callable[[Sequence[object]], tuple[object, ...]]:
    """`itemgetter` that always returns a tuple (also for one or no index)."""
    if len(indices) >= 2:
        return itemgetter(*indices)
    if len(indices) == 1:
        only = indices[0]
        return lambda seq: (seq[only],)
    return lambda seq: ()


def _blank(value: object) -> None:
    """The converter of a position that is not a column of the table."""
    return None


def _duplicate(table: str, row: int, spec: TableSpec, key: object, first: int) -> Problem:
    """The error for a second row with the same key."""
    shown = key if not isinstance(key, tuple) else " / ".join(str(k) for k in key)
    return problem(
        "duplicate_key", table=table, row=row, column=spec.key[-1], value=shown,
        names=", ".join(spec.key), key=shown, first=first,
    )  # fmt: skip


def iter_table(
    raw: RawTable, spec: TableSpec, sink: ProblemSink, rules: TableRules | None = None
) -> Iterator[tuple[int, Row]]:
    """Stream a raw table: (row number, typed row in `spec.columns` order) for each good row.

    Every row is checked, but rows are yielded only while `sink` holds no error: a consumer
    that loads them as they come (COPY) must discard what it loaded if the submission ends up
    with errors. Iterate to the end: the last rows' problems are only known then.

    Per row, the cells are converted by one `map` over the converters of their positions (the
    converters return None for blank cells), then put in the table's column order with one
    `itemgetter`: no Python-level loop over the cells unless a cell is of the wrong type.
    """
    table = spec.name
    index = {c.name: j for j, c in enumerate(spec.columns)}
    mapped = [
        (i, index[name], spec.columns[index[name]])
        for i, name in enumerate(raw.columns)
        if name in index
    ]
    width = len(raw.columns)
    last = max((i for i, _, _ in mapped), default=-1) + 1
    converters: list[Callable[[object], object]] = [_blank] * last
    position_of = [-1] * len(spec.columns)  # -1: the None appended after the typed cells
    deferred = rules.deferred if rules is not None else frozenset()
    for i, j, column in mapped:
        converters[i] = converter_for(column, decide=column.name not in deferred)
        position_of[j] = i
    in_table_order = _tuple_getter(position_of)
    present = {name for name in raw.columns if name in index}
    required = [(index[c.name], c) for c in spec.columns if c.required and c.name in present]
    required_values = _tuple_getter([j for j, _ in required])
    ranged = [
        (index[c.name], c, c.min, INTEGER_MAX if c.max is None and c.type == "integer" else c.max)
        for c in spec.columns
        if c.name in present
        and c.type in ("number", "integer")
        and (c.min is not None or c.max is not None or c.type == "integer")
        and c.name not in ("latitude", "longitude")
    ]
    key_at = [index[k] for k in spec.key]
    single_key = key_at[0] if len(key_at) == 1 else None
    watch_stray = UNNAMED in raw.columns
    stray_seen: set[int] = set()
    seen: dict[object, int] = {}
    check = rules.check if rules is not None else None
    written = RawCells({name: i for i, name in enumerate(raw.columns) if name in index})
    for number, cells in raw.rows(sink):
        typed = list(map(call, converters, cells))
        if len(typed) < last:
            typed.extend([None] * (last - len(typed)))
        typed.append(None)
        empty = typed.count(None) == len(typed)
        out = list(in_table_order(typed))
        bad = Bad in map(type, typed)
        if bad:
            for i, j, column in mapped:
                value = typed[i]
                if type(value) is Bad:
                    sink.add(_bad_value(value, column, table, number, cells[i]))
                    out[j] = None
        if watch_stray or len(cells) > width:
            for position in stray_positions(raw.columns, cells):
                empty = False
                if position not in stray_seen:
                    stray_seen.add(position)
                    sink.add(unnamed_column(table, number, position, cells[position]))
        if empty:
            continue
        if None in required_values(out):
            for j, column in required:
                if out[j] is None and not _was_bad(cells, raw.columns, column.name):
                    sink.add(
                        problem(
                            "missing_value",
                            table=table,
                            row=number,
                            column=column.name,
                            col=Col(column.name, column.label_vi),
                        )
                    )
        written.cells = cells
        for j, column, low, high in ranged:
            value = out[j]
            if isinstance(value, int | float) and (
                (low is not None and value < low) or (high is not None and value > high)
            ):
                text = Read(written.get(column.name), value, column.name != "target_year")
                sink.add(
                    out_of_range(table, number, column.name, Col(column.name, column.label_vi),
                                 text, low, high, grouped=column.name != "target_year")
                )  # fmt: skip
        if check is not None and not check(number, out, written, sink):
            continue
        if key_at:
            key = out[single_key] if single_key is not None else tuple(out[k] for k in key_at)
            if out[key_at[-1]] is not None:
                first = seen.setdefault(key, number)
                if first != number:
                    sink.add(_duplicate(table, number, spec, key, first))
        if not bad and not sink.has_errors:
            yield number, tuple(out)


def _was_bad(cells: object, columns: tuple[str, ...], name: str) -> bool:
    """Whether a blank typed value came from a cell that was present but of the wrong type."""
    position = columns.index(name)
    value = cells[position] if position < len(cells) else None  # type: ignore[arg-type,index]
    return value is not None and not (isinstance(value, str) and not value.strip())


def convert_table(
    raw: RawTable, spec: TableSpec, sink: ProblemSink, rules: TableRules | None = None
) -> tuple[list[Row], array[int]]:
    """Typed rows of a raw table in `spec.columns` order and the row number of each (kept only
    while no error was seen)."""
    rows: list[Row] = []
    numbers = array("l")
    for number, row in iter_table(raw, spec, sink, rules):
        rows.append(row)
        numbers.append(number)
    if sink.has_errors:
        rows.clear()
        del numbers[:]
    return rows, numbers


# -- the whole submission ----------------------------------------------------------------------
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
