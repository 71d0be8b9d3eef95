"""From a validated submission to what the loader writes: the header row and COPY rows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from dxw.ingest.loader import Header
from dxw.submission import ValidatedSubmission
from dxw.submission.validate import Header as TypedHeader


def header_of(validated: ValidatedSubmission | TypedHeader, warning_count: int) -> Header:
    """The `raw.submissions` fields, with the resolved locality beside what the locality wrote
    (from a validated submission, or from the checked header of a validation in progress)."""
    assert validated.resolution is not None and validated.resolution.locality is not None
    assert validated.period is not None and validated.locality_text is not None
    locality = validated.resolution.locality
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


def rows_of(validated: ValidatedSubmission) -> dict[str, Iterable[tuple[int, Sequence[object]]]]:
    """(source_row, values) per non-empty table: the row the locality sees in its file."""
    return {
        name: zip(validated.source_rows[name], rows, strict=True)
        for name, rows in validated.tables.items()
        if rows
    }
