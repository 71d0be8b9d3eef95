"""From a validated submission to what the loader writes: the header row and COPY rows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

from dxw.ingest.loader import RAW_COLUMNS, Header
from dxw.submission import ValidatedSubmission


def header_of(validated: ValidatedSubmission, warning_count: int) -> Header:
    """The `raw.submissions` fields, with the resolved locality beside what the locality wrote."""
    locality = validated.locality
    period = validated.period
    return Header(
        locality_input=validated.locality_text,
        locality_key=locality.key,
        locality_code=locality.code,
        locality_name=locality.name,
        locality_level=locality.level,
        locality_era=locality.era,
        period=period.code,
        period_type=period.type,
        period_start=period.start,
        period_end=period.end,
        submitted_on=validated.submitted_on,
        agency=validated.agency,
        contact_email=validated.contact_email,
        framework=validated.framework,
        warning_count=warning_count,
    )


def _numbered(
    rows: Sequence[tuple[object, ...]], numbers: Sequence[int] | None
) -> Iterator[tuple[int, Sequence[object]]]:
    if numbers is None:
        numbers = range(2, len(rows) + 2)
    return zip(numbers, rows, strict=True)


def rows_of(validated: ValidatedSubmission) -> dict[str, Iterable[tuple[int, Sequence[object]]]]:
    """(source_row, values) per non-empty raw table."""
    source_rows = getattr(validated, "source_rows", {}) or {}
    return {
        name: _numbered(rows, source_rows.get(name))
        for name, rows in validated.tables.items()
        if rows and name in RAW_COLUMNS
    }
