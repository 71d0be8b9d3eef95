"""The one rule for the submission that counts, in the warehouse (`raw.counting_submissions`,
`raw.submission_status`), and the loader's side of it: arrival time, supersede report.

Runs on the shared warehouse with units of Sơn La (14), which no other test of the session
uses, so its reports rank only among themselves.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.ingest.service import ingest_file, ingest_paths

from .data.examples import ICT, Submission, insert_submission
from .unit import submission_builders as b


@pytest.fixture
def loader(warehouse: Settings) -> Iterator[psycopg.Connection]:
    with psycopg.connect(warehouse_url("loader", warehouse), autocommit=True) as conn:
        yield conn


def _status(conn: psycopg.Connection, *ids: int) -> dict[int, tuple[str, int | None]]:
    rows = conn.execute(
        "select submission_id, status, counting_submission_id from raw.submission_status"
        " where submission_id = any(%s)",
        (list(ids),),
    ).fetchall()
    return {int(r[0]): (r[1], r[2]) for r in rows}


def _counting(conn: psycopg.Connection, key: str, period: str) -> int | None:
    row = conn.execute(
        "select submission_id from raw.counting_submissions where locality_key = %s"
        " and period = %s",
        (key, period),
    ).fetchone()
    return int(row[0]) if row else None


def test_latest_report_then_latest_arrival_then_a_fixed_order(loader: psycopg.Connection) -> None:
    key, period = "legacy:district:116", "2017-H1"

    def sub(day: int, arrived: datetime, label: str) -> int:
        return insert_submission(
            loader,
            Submission(key, period, date(2017, 7, day), received_at=arrived, label=label),
        )

    noon = datetime(2017, 7, 12, 12, tzinfo=ICT)
    early = sub(5, datetime(2017, 7, 6, tzinfo=ICT), "early")
    late_arrival = sub(8, noon, "late-arrival")
    first_arrival = sub(8, datetime(2017, 7, 10, tzinfo=ICT), "first-arrival")
    twin_a, twin_b = sub(8, noon, "twin-a"), sub(8, noon, "twin-b")
    # A report dated later wins; on the same date the later arrival; arrivals in the same
    # microsecond are ordered by the file's SHA-256, whatever the order they were loaded in.
    shas = dict(
        loader.execute(
            "select submission_id, file_sha256 from raw.submissions where submission_id = any(%s)",
            ([late_arrival, twin_a, twin_b],),
        ).fetchall()
    )
    winner = max((late_arrival, twin_a, twin_b), key=lambda i: shas[i])
    assert _counting(loader, key, period) == winner
    status = _status(loader, early, late_arrival, first_arrival, twin_a, twin_b)
    assert status[winner] == ("counting", winner)
    assert {s for i, (s, _) in status.items() if i != winner} == {"superseded"}
    assert {c for _, c in status.values()} == {winner}
    count = loader.execute(
        "select submissions_for_period from raw.counting_submissions where submission_id = %s",
        (winner,),
    ).fetchone()
    assert count == (5,)


def test_held_and_withdrawn_reports_never_count(
    loader: psycopg.Connection, warehouse: Settings
) -> None:
    key, period = "legacy:district:118", "2017-H2"
    first = insert_submission(loader, Submission(key, period, date(2018, 1, 5), label="first"))
    second = insert_submission(loader, Submission(key, period, date(2018, 1, 9), label="second"))
    assert _counting(loader, key, period) == second
    loader.execute(
        "insert into audit.held_submissions (submission_id, validation_id, reason)"
        " values (%s, gen_random_uuid(), 'raw.indicators:bts_4g_not_halved')",
        (second,),
    )
    assert _counting(loader, key, period) == first, "the report it replaced counts again"
    assert _status(loader, second)[second] == ("held", first)
    loader.execute(
        "insert into audit.withdrawn_submissions (submission_id, reason) values (%s, 'test')",
        (first,),
    )
    assert _counting(loader, key, period) is None
    assert _status(loader, first, second) == {first: ("withdrawn", None), second: ("held", None)}
    loader.execute(
        "update audit.held_submissions set released_at = now() where submission_id = %s",
        (second,),
    )
    assert _counting(loader, key, period) == second
    with psycopg.connect(warehouse_url("transformer", warehouse)) as conn:
        assert conn.execute(
            "select count(*) from raw.counting_submissions where submission_id = %s", (second,)
        ).fetchone() == (1,), "dbt reads the view"
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute("select * from audit.held_submissions")
    with (
        psycopg.connect(warehouse_url("bi", warehouse)) as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("select * from raw.counting_submissions")


def _report(folder: Path, name: str, period: str, submitted: date, marker: str) -> Path:
    sub = b.minimal(locality="119", period=period, submitted_on=submitted)
    sub["submission"]["agency"] = f"UBND huyện Thuận Châu {marker}"
    return b.write_submission(sub, "json", folder, name)


def _set_mtime(path: Path, when: datetime) -> None:
    stamp = int(when.timestamp() * 1_000_000) * 1000
    os.utime(path, ns=(stamp, stamp))


@pytest.mark.parametrize("workers", [1, 2])
def test_arrival_not_processing_order_decides_between_same_day_reports(
    warehouse: Settings, loader: psycopg.Connection, tmp_path: Path, workers: int
) -> None:
    """Two corrections dated the same day: the one that landed in the inbox later counts, even
    when it is processed first (by name, or by a faster worker)."""
    period = f"{2010 + workers}-H1"
    submitted = date(2010 + workers, 7, 5)
    later = _report(tmp_path, "a_correction", period, submitted, "later")
    earlier = _report(tmp_path, "b_original", period, submitted, "earlier")
    _set_mtime(earlier, datetime(2010 + workers, 7, 6, 9, 0, 0, 123456, tzinfo=UTC))
    _set_mtime(later, datetime(2010 + workers, 7, 6, 9, 0, 0, 123457, tzinfo=UTC))
    outcomes = {
        o.path.name: o
        for o in ingest_paths(
            sorted([later, earlier]),
            warehouse_url("loader", warehouse),
            run_id=f"test-arrival-{workers}",
            quarantine=tmp_path / "q",
            workers=workers,
        )
    }
    assert {o.outcome for o in outcomes.values()} == {"accepted"}
    counting = _counting(loader, "legacy:district:119", period)
    assert counting == outcomes[later.name].submission_id
    arrived = dict(
        loader.execute(
            "select file_name, received_at from raw.submissions where submission_id = any(%s)",
            ([o.submission_id for o in outcomes.values()],),
        ).fetchall()
    )
    assert arrived == {
        later.name: datetime(2010 + workers, 7, 6, 9, 0, 0, 123457, tzinfo=UTC),
        earlier.name: datetime(2010 + workers, 7, 6, 9, 0, 0, 123456, tzinfo=UTC),
    }
    if workers == 1:  # sorted by name: the later arrival was loaded first
        assert outcomes[earlier.name].supersedes is None, "an earlier arrival replaces nothing"


def test_an_explicit_arrival_time_and_the_supersede_report(
    warehouse: Settings, loader: psycopg.Connection, tmp_path: Path
) -> None:
    period = "2009-H2"
    first = _report(tmp_path, "first", period, date(2010, 1, 8), "first")
    second = _report(tmp_path, "second", period, date(2010, 1, 8), "second")
    told = datetime(2010, 1, 9, 8, 30, tzinfo=ICT)
    (one,) = ingest_paths(
        [first], warehouse_url("loader", warehouse), run_id="test-explicit",
        quarantine=tmp_path / "q", workers=1, arrivals={str(first): told},
    )  # fmt: skip
    stored = loader.execute(
        "select received_at from raw.submissions where submission_id = %s", (one.submission_id,)
    ).fetchone()
    assert stored == (told,)
    # The second file arrived (its mtime: now) after the first: it supersedes it.
    two = ingest_file(loader, second, run_id="test-explicit", quarantine=tmp_path / "q")
    assert two.supersedes == one.submission_id
    # Held, the second counts no more: a third report replaces the first again, not the held one.
    loader.execute(
        "insert into audit.held_submissions (submission_id, validation_id, reason)"
        " values (%s, gen_random_uuid(), 'test')",
        (two.submission_id,),
    )
    third = ingest_file(
        loader, _report(tmp_path, "third", period, date(2010, 1, 9), "third"),
        run_id="test-explicit", quarantine=tmp_path / "q",
    )  # fmt: skip
    assert third.supersedes == one.submission_id
    logged = loader.execute(
        "select supersedes from audit.load_log where submission_id = %s", (third.submission_id,)
    ).fetchone()
    assert logged == (one.submission_id,)
