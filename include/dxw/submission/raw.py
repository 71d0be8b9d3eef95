"""What a reader hands to the validator: the header fields and row streams of each table."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from dxw.submission.limits import DEFAULT_LIMITS, ReadLimits
from dxw.submission.problems import Problem, ProblemSink

#: Marks a position of a row whose header cell was blank.
UNNAMED = "\0unnamed"
#: Marks a position of a row whose header is a `#` comment.
COMMENT = "\0comment"

RowStream = Callable[[ProblemSink], Iterator[tuple[int, Sequence[object]]]]


@dataclass(frozen=True, slots=True)
class HeaderEntry:
    """One field of the `submission` table as given: row (None in JSON), name, raw value."""

    row: int | None
    name: str
    value: object


@dataclass(frozen=True)
class RawTable:
    """One data table: canonical name, where it came from, its header, a stream of its rows.

    `columns[i]` is the canonical column at position i, or UNNAMED/COMMENT/None (unknown,
    already reported). `rows(sink)` yields (row number as the locality sees it, cells) and may be
    called again; reading problems met while streaming (bad encoding, row limit) go to `sink`.
    """

    name: str
    source: str
    columns: tuple[str, ...]
    rows: RowStream


@dataclass(frozen=True)
class RawSubmission:
    """A readable submission: carrier, header fields, row tables, problems met while reading."""

    carrier: str
    source_name: str
    header: tuple[HeaderEntry, ...] | None
    tables: dict[str, RawTable] = field(default_factory=dict)
    problems: tuple[Problem, ...] = ()
    limits: ReadLimits = DEFAULT_LIMITS
