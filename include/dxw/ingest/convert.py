"""From the checked header of a submission to the `raw.submissions` row the loader writes."""

from __future__ import annotations

from dxw.ingest.loader import Header
from dxw.submission.validate import Header as TypedHeader


def header_of(validated: TypedHeader) -> Header:
    """The `raw.submissions` fields, with the resolved locality beside what the locality wrote.

    The warning count starts at 0: the loader sets it once the rows have been validated."""
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
        warning_count=0,
    )
