"""Loading one validated submission into `raw` with COPY, all or nothing."""

from __future__ import annotations

import itertools
import queue
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg import sql

from dxw.submission.spec import DATA_TABLES, TABLES

#: Columns of each raw row table after (submission_id, source_row), in COPY order: the
#: submission format's column order, which the raw tables mirror (tests/test_ingest.py checks).
RAW_COLUMNS: dict[str, tuple[str, ...]] = {name: TABLES[name].column_names for name in DATA_TABLES}


@dataclass(frozen=True, slots=True)
class Lineage:
    """Where a submission came from and when (`received_at`: when the file arrived)."""

    file_name: str
    file_sha256: str
    file_size_bytes: int
    carrier: str
    received_at: datetime
    run_id: str


@dataclass(frozen=True, slots=True)
class Header:
    """The `submission` table of a validated file, with the resolved locality."""

    locality_input: str
    locality_key: str
    locality_code: str
    locality_name: str
    locality_level: str
    locality_era: str
    period: str
    period_type: str
    period_start: object
    period_end: object
    submitted_on: object
    agency: str | None
    contact_email: str | None
    framework: str | None
    warning_count: int


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What happened to a file in the database."""

    submission_id: int | None
    duplicate_of: int | None
    supersedes: int | None
    rows_loaded: dict[str, int]


def lock_key(locality_key: str, period: str) -> int:
    """A stable 32-bit advisory-lock key for one locality and period."""
    return zlib.crc32(f"{locality_key}|{period}".encode())


def find_duplicate(conn: psycopg.Connection, sha256: str) -> int | None:
    """Submission id already loaded from a file with these exact bytes, if any."""
    row = conn.execute(
        "select submission_id from raw.submissions where file_sha256 = %s", (sha256,)
    ).fetchone()
    return int(row[0]) if row else None


def counting_submission(conn: psycopg.Connection, locality_key: str, period: str) -> int | None:
    """The submission that counts now for this locality and period (`raw.counting_submissions`:
    the one rule of the warehouse, held and withdrawn submissions excluded), if any."""
    row = conn.execute(
        "select submission_id from raw.counting_submissions"
        " where locality_key = %s and period = %s",
        (locality_key, period),
    ).fetchone()
    return int(row[0]) if row else None


def _insert_header(conn: psycopg.Connection, header: Header, lineage: Lineage) -> int:
    row = conn.execute(
        """
        insert into raw.submissions (
            file_name, file_sha256, file_size_bytes, carrier, received_at, load_run_id,
            locality_input, locality_key, locality_code, locality_name, locality_level,
            locality_era, period, period_type, period_start, period_end, submitted_on,
            agency, contact_email, framework, warning_count
        ) values (
            %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s
        ) returning submission_id
        """,
        (
            lineage.file_name,
            lineage.file_sha256,
            lineage.file_size_bytes,
            lineage.carrier,
            lineage.received_at,
            lineage.run_id,
            header.locality_input,
            header.locality_key,
            header.locality_code,
            header.locality_name,
            header.locality_level,
            header.locality_era,
            header.period,
            header.period_type,
            header.period_start,
            header.period_end,
            header.submitted_on,
            header.agency,
            header.contact_email,
            header.framework,
            header.warning_count,
        ),
    ).fetchone()
    assert row is not None
    return int(row[0])


#: Column types whose binary COPY format psycopg writes from the values validation produces
#: (numeric is not: its binary dumper takes no float, so those tables are copied as text).
_BINARY_TYPES = frozenset(
    {"bigint", "integer", "smallint", "text", "date", "boolean", "double precision"}
)
_column_types: dict[str, tuple[str, ...]] = {}


def _types(conn: psycopg.Connection, table: str, columns: Sequence[str]) -> tuple[str, ...]:
    """The database types of `raw.<table>`'s COPY columns (looked up once per process)."""
    if table not in _column_types:
        found: dict[str, str] = dict(
            conn.execute(
                "select attname, format_type(atttypid, null) from pg_attribute"
                " where attrelid = %s::regclass and attnum > 0 and not attisdropped",
                (f"raw.{table}",),
            ).fetchall()
        )
        _column_types[table] = tuple(found[c] for c in columns)
    return _column_types[table]


#: Rows per COPY statement of a large table. PostgreSQL checks the foreign key of each row at
#: the end of its statement (3 µs a row, a third of a raw COPY's time): with several statements,
#: the server checks one chunk while this process reads and validates the next.
COPY_CHUNK_ROWS = 50_000
#: Tables with more rows than this are read and validated in a thread of their own.
_PREFETCH_AFTER = 5_000
_BATCH_ROWS = 1_000
_QUEUE_BATCHES = 100

Rows = Iterable[tuple[int, Sequence[object]]]


def copy_rows(conn: psycopg.Connection, table: str, submission_id: int, rows: Rows) -> int:
    """COPY (source_row, values…) rows of one table for one submission; returns the count.

    `rows` may be a stream (rows validated as the file is read): the COPY starts with its first
    row, and runs no statement at all for a stream without rows. A large table is read and
    validated in a thread while this one writes the COPY, in statements of `COPY_CHUNK_ROWS`
    rows, so the server inserts and checks rows while the next ones are being read. Tables
    whose column types allow it are copied in the binary format (for the Wi-Fi points, about
    six times less CPU here than text, and no text parsing in the server).
    """
    stream = iter(rows)
    head = list(itertools.islice(stream, _PREFETCH_AFTER))
    if not head:
        return 0
    columns = ("submission_id", "source_row", *RAW_COLUMNS[table])
    types = _types(conn, table, columns)
    binary = _BINARY_TYPES.issuperset(types)
    statement = sql.SQL("copy raw.{} ({}) from stdin{}").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(" (format binary)" if binary else ""),
    )
    if len(head) < _PREFETCH_AFTER:
        return _copy_batches(conn, statement, types if binary else None, submission_id, [head])
    with _Prefetch(stream) as rest:
        return _copy_batches(
            conn, statement, types if binary else None, submission_id, itertools.chain([head], rest)
        )


def _copy_batches(
    conn: psycopg.Connection,
    statement: sql.Composed,
    binary_types: Sequence[str] | None,
    submission_id: int,
    batches: Iterable[list[tuple[int, Sequence[object]]]],
) -> int:
    """Write batches of rows with one COPY statement per `COPY_CHUNK_ROWS` rows."""
    count = 0
    source = iter(batches)
    batch = next(source, None)
    while batch is not None:
        in_statement = 0
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            if binary_types is not None:
                copy.set_types(list(binary_types))
            write = copy.write_row
            while batch is not None and in_statement < COPY_CHUNK_ROWS:
                for source_row, values in batch:
                    write((submission_id, source_row, *values))
                in_statement += len(batch)
                batch = next(source, None)
        count += in_statement
    return count


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


_END = object()


class _Prefetch:
    """Runs an iterator in a thread of its own and hands its items over in batches, through a
    bounded queue (memory stays bounded); its exceptions are raised again in the consumer."""

    def __init__(self, stream: Iterator[tuple[int, Sequence[object]]]) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=_QUEUE_BATCHES)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._produce, args=(stream,), name="dxw-read-validate", daemon=True
        )

    def __enter__(self) -> Iterator[list[tuple[int, Sequence[object]]]]:
        self._thread.start()
        return self._consume()

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _produce(self, stream: Iterator[tuple[int, Sequence[object]]]) -> None:
        try:
            batch: list[tuple[int, Sequence[object]]] = []
            for item in stream:
                batch.append(item)
                if len(batch) >= _BATCH_ROWS:
                    if not self._put(batch):
                        return
                    batch = []
            if batch and not self._put(batch):
                return
            self._put(_END)
        except BaseException as error:  # handed to the consumer, raised there
            self._put(_Failure(error))

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _consume(self) -> Iterator[list[tuple[int, Sequence[object]]]]:
        while True:
            item = self._queue.get()
            if item is _END:
                return
            if isinstance(item, _Failure):
                raise item.error
            yield item  # type: ignore[misc]


def load_submission(
    conn: psycopg.Connection,
    header: Header,
    lineage: Lineage,
    tables: Mapping[str, Rows],
    finish: Callable[[], int] | None = None,
) -> LoadResult:
    """Insert the header and COPY every table in one transaction, serialised per locality+period.

    Exact re-sends (same SHA-256) are detected under the lock and load nothing. With `finish`,
    the tables may be streams still being validated: `finish()` runs after the last COPY, in
    the transaction, and returns the warning count to store in the header, or raises to roll
    the whole load back.
    """
    with conn.transaction():
        conn.execute(
            "select pg_advisory_xact_lock(%s)", (lock_key(header.locality_key, header.period),)
        )
        duplicate = find_duplicate(conn, lineage.file_sha256)
        if duplicate is not None:
            return LoadResult(None, duplicate, None, {})
        previous = counting_submission(conn, header.locality_key, header.period)
        submission_id = _insert_header(conn, header, lineage)
        # The new file supersedes the report that counted until now only if it counts now (a
        # late-arriving older report supersedes nothing): the view decides, as for the marts.
        if counting_submission(conn, header.locality_key, header.period) != submission_id:
            previous = None
        loaded = {name: copy_rows(conn, name, submission_id, rows) for name, rows in tables.items()}
        if finish is not None:
            warning_count = finish()
            if warning_count != header.warning_count:
                conn.execute(
                    "update raw.submissions set warning_count = %s where submission_id = %s",
                    (warning_count, submission_id),
                )
    return LoadResult(submission_id, None, previous, {k: n for k, n in loaded.items() if n})
