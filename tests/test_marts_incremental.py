"""Incremental builds equal a full refresh after any sequence of events: a property-based
(hypothesis stateful) test on the real warehouse with real dbt builds.

The events are what happens to a warehouse in operation: new reports, corrections (a report
of a period that already has one, dated later, the same day, or earlier: an older one arriving
late, possibly years after the period), holds placed by the raw gate after a build used the
report, releases and withdrawals. Each example loads a few reports and builds, then runs
rounds of 1-3 events, each round followed by `dxw.transform.dbt.build` (incremental), a
snapshot of every mart and every incremental model, a `--full-refresh` build, and the check
that both hold exactly the same rows. The incremental models' own state is then put back, so
the next round starts from what the incremental builds made, not from the full refresh:
drift would accumulate and be seen. A deterministic scenario replays the issue's cases.

Bounded to run in a few minutes on 2 cores: 4 examples of up to 2 rounds, builds of the
models only (seeds once; data tests in tests/test_dbt_models.py). Runs on the shared
warehouse with units of Tuyên Quang (2025 province 08: legacy Hà Giang and Tuyên Quang),
which no other test uses. With the post-hook of fct_wifi_points removed (the issue's drift),
both tests fail.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.submission.periods import parse_period
from dxw.transform.dbt import build, ensure_manifest

from .data.examples import ICT, Submission, insert_submission

pytestmark = pytest.mark.slow

LEGACY_UNITS = (
    "legacy:province:02",
    "legacy:province:08",
    "legacy:district:026",
    "legacy:district:070",
    "legacy:commune:00712",
    "legacy:commune:00715",
)
UNITS_2025 = ("2025:province:08", "2025:commune:00691")
LEGACY_PERIODS = ("2019", "2019-H2", "2020-H1", "2020-Q3", "2020")
PERIODS_2025 = ("2025-H2", "2026-H1", "2026")
#: Models only: the data tests run in tests/test_dbt_models.py, on a warehouse of their own.
MODELS = "resource_type:model"
STATE_SCHEMA = "incremental_state"


# -- the warehouse side ---------------------------------------------------------------------------
def _incremental_models(config: Settings) -> list[str]:
    """schema.name of every incremental model of the project (from the dbt manifest)."""
    manifest = json.loads(ensure_manifest(config).read_text())
    return sorted(
        f"{node['schema']}.{node['alias']}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    )


def _compared_relations(conn: psycopg.Connection, incremental: list[str]) -> list[str]:
    """Every mart dbt builds (tables of `marts_build`: these builds do not publish), and every
    incremental model."""
    marts = [
        f"marts_build.{name}"
        for (name,) in conn.execute(
            "select table_name from information_schema.tables"
            " where table_schema = 'marts_build' and table_type = 'BASE TABLE' order by 1"
        ).fetchall()
    ]
    return sorted(set(marts) | set(incremental))


def _copy(conn: psycopg.Connection, relation: str) -> str:
    name = f"{STATE_SCHEMA}.{relation.replace('.', '__')}"
    conn.execute(f"drop table if exists {name}")
    conn.execute(f"create table {name} as select * from {relation}")  # noqa: S608
    return name


def _differences(conn: psycopg.Connection, relation: str, copy: str) -> int:
    row = conn.execute(
        f"select (select count(*) from (select * from {relation} except all"  # noqa: S608
        f" select * from {copy}) as missing)"
        f" + (select count(*) from (select * from {copy} except all"
        f" select * from {relation}) as extra)"
    ).fetchone()
    return int(row[0]) if row else -1


class Warehouse:
    """Builds and compares, as the owner (who may copy and restore every relation)."""

    def __init__(self, config: Settings) -> None:
        self.config = config
        self.incremental = _incremental_models(config)
        self.builds = 0

    def owner(self) -> psycopg.Connection:
        return psycopg.connect(warehouse_url("owner", self.config), autocommit=True)

    def build(self, full_refresh: bool = False) -> None:
        built = build(self.config, full_refresh=full_refresh, select=MODELS, publish_marts=False)
        assert built.code == 0, "dbt failed"
        self.builds += 1

    def incremental_equals_full_refresh(self) -> None:
        self.build()
        with self.owner() as conn:
            relations = _compared_relations(conn, self.incremental)
            snapshot = {relation: _copy(conn, relation) for relation in relations}
        self.build(full_refresh=True)
        with self.owner() as conn:
            differing = {
                relation: count
                for relation, copy in snapshot.items()
                if (count := _differences(conn, relation, copy))
            }
            # Put the incremental models back as the incremental builds left them.
            for relation in self.incremental:
                conn.execute(f"truncate {relation}")
                conn.execute(f"insert into {relation} select * from {snapshot[relation]}")  # noqa: S608
        assert differing == {}, f"incremental build differs from --full-refresh: {differing}"


# -- the events ----------------------------------------------------------------------------------
def _content(draw: st.DrawFn, label: str) -> dict[str, Any]:
    """Figures of one report (any subset), Wi-Fi points listed (maybe none), goals."""
    indicators: dict[str, float | int] = {}
    if draw(st.booleans()):
        indicators["wifi_points_in_service"] = draw(st.integers(0, 60))
    if draw(st.booleans()):
        indicators["bts_4g_in_service"] = draw(st.integers(0, 600))
    if draw(st.booleans()):
        total = draw(st.integers(1, 40))
        indicators["network_units_total"] = total
        indicators["network_units_connected"] = draw(st.integers(0, total))
    if draw(st.booleans()):
        indicators["dti_score"] = draw(st.integers(30, 90)) / 100
    points = [
        (f"P{n}", None, None, 22.8 + n / 1000, 105.0, "active", date(2018, 1, 1))
        for n in range(draw(st.sampled_from((0, 2, 3))))
    ]
    statuses = st.sampled_from(("achieved", "in_progress", "not_achieved"))
    goals = [
        (f"MT{n}", "digital_society", draw(statuses), "KH-08", None, 2025)
        for n in range(draw(st.integers(0, 2)))
    ]
    return {"indicators": indicators, "wifi_points": points, "goals": goals, "label": label}


@st.composite
def contents(draw: st.DrawFn) -> dict[str, object]:
    return _content(draw, f"pbt-{uuid.uuid4().hex[:12]}")


@st.composite
def reports(draw: st.DrawFn) -> tuple[str, str, int, int, dict[str, object]]:
    """(unit, period, days after the period ended, hours after that, content)."""
    era = draw(st.sampled_from(("legacy", "2025")))
    units, periods = (
        (LEGACY_UNITS, LEGACY_PERIODS) if era == "legacy" else (UNITS_2025, PERIODS_2025)
    )
    return (
        draw(st.sampled_from(units)),
        draw(st.sampled_from(periods)),
        draw(st.integers(1, 20)),
        draw(st.sampled_from((0, 0, 6, 30))),  # the same arrival is frequent: ties are decided
        draw(contents()),
    )


class IncrementalMachine(RuleBasedStateMachine):
    """Rounds of events on the warehouse, each followed by incremental build == full refresh."""

    def __init__(self, warehouse: Warehouse) -> None:
        super().__init__()
        self.warehouse = warehouse
        self.held: set[int] = set()
        self.withdrawn: set[int] = set()
        self.reported: dict[int, tuple[str, str, date]] = {}

    def report(self, unit: str, period: str, submitted: date, hours: int, content: dict) -> int:
        """Insert a report as the loader would; arrival the day after its date, plus hours."""
        arrived = datetime.combine(submitted + timedelta(days=1), datetime.min.time(), ICT)
        sub = Submission(
            unit,
            period,
            submitted,
            received_at=arrived + timedelta(hours=hours),
            indicators=content["indicators"],
            wifi_points=content["wifi_points"],
            goals=content["goals"],
            label=str(content["label"]),
        )
        with psycopg.connect(warehouse_url("loader", self.warehouse.config)) as conn:
            submission_id = insert_submission(conn, sub)
        self.reported[submission_id] = (unit, period, submitted)
        return submission_id

    def hold(self, submission: int) -> None:
        """What the raw gate does with a critical failure (maybe after a build used it)."""
        with psycopg.connect(warehouse_url("loader", self.warehouse.config)) as conn:
            conn.execute(
                "insert into audit.held_submissions (submission_id, validation_id, reason)"
                " values (%s, %s, 'raw.test:property') on conflict (submission_id) do update"
                " set released_at = null",
                (submission, uuid.uuid4()),
            )
        self.held.add(submission)

    def release(self, submission: int) -> None:
        with psycopg.connect(warehouse_url("loader", self.warehouse.config)) as conn:
            conn.execute(
                "update audit.held_submissions set released_at = now() where submission_id = %s",
                (submission,),
            )
        self.held.discard(submission)

    def withdraw(self, submission: int) -> None:
        with psycopg.connect(warehouse_url("loader", self.warehouse.config)) as conn:
            conn.execute(
                "insert into audit.withdrawn_submissions (submission_id, reason)"
                " values (%s, 'property test')",
                (submission,),
            )
        self.withdrawn.add(submission)

    def _event(self, data: st.DataObject) -> None:
        active = sorted(set(self.reported) - self.withdrawn)
        kinds = ["new report"]
        if active:
            kinds += ["correction", "correction", "withdraw"]
        if set(active) - self.held:
            kinds += ["hold", "hold"]
        if self.held:
            kinds.append("release")
        kind = data.draw(st.sampled_from(kinds), label="event")
        if kind == "new report":
            unit, period, days, hours, content = data.draw(reports(), label="report")
            self.report(unit, period, parse_period(period).end + timedelta(days), hours, content)
        elif kind == "correction":
            # Dated later (up to years after the period), the same day, or earlier: an older
            # report arriving late.
            unit, period, submitted = self.reported[data.draw(st.sampled_from(active))]
            shift = data.draw(st.sampled_from((-3, 0, 0, 5, 900)), label="days later")
            hours = data.draw(st.sampled_from((0, 6)), label="hours later")
            content = data.draw(contents(), label="content")
            self.report(unit, period, submitted + timedelta(days=shift), hours, content)
        elif kind == "hold":
            self.hold(data.draw(st.sampled_from(sorted(set(active) - self.held))))
        elif kind == "release":
            self.release(data.draw(st.sampled_from(sorted(self.held))))
        else:
            self.withdraw(data.draw(st.sampled_from(active)))

    @initialize(first=reports(), data=st.data())
    def reports_then_a_build(
        self, first: tuple[str, str, int, int, dict[str, object]], data: st.DataObject
    ) -> None:
        """A few reports, built incrementally: the events of the rounds happen after a build."""
        unit, period, days, hours, content = first
        self.report(unit, period, parse_period(period).end + timedelta(days), hours, content)
        for _ in range(data.draw(st.integers(0, 2), label="more reports")):
            self._event(data)
        self.warehouse.build()

    @rule(events=st.integers(1, 3), data=st.data())
    def events_then_builds(self, events: int, data: st.DataObject) -> None:
        for _ in range(events):
            self._event(data)
        self.warehouse.incremental_equals_full_refresh()


@pytest.fixture(scope="module")
def prepared(warehouse: Settings) -> Iterator[Warehouse]:
    with pytest.MonkeyPatch.context() as patch:
        # Models without their data tests (dbt's indirect selection would add them).
        patch.setenv("DBT_INDIRECT_SELECTION", "empty")
        assert build(warehouse, select="resource_type:seed").code == 0
        prepared = Warehouse(warehouse)
        prepared.build()
        with prepared.owner() as conn:
            conn.execute(f"create schema if not exists {STATE_SCHEMA}")
        yield prepared
        with prepared.owner() as conn:
            conn.execute(f"drop schema if exists {STATE_SCHEMA} cascade")


@pytest.mark.timeout(1500)
def test_incremental_build_equals_full_refresh_after_any_events(prepared: Warehouse) -> None:
    run_state_machine_as_test(
        lambda: IncrementalMachine(prepared),
        settings=settings(
            max_examples=4,
            stateful_step_count=2,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        ),
    )
    assert prepared.builds >= 3, "the machine compared the builds"


def _points(count: int) -> dict[str, Any]:
    return {
        "indicators": {"bts_4g_in_service": 100 + count},
        "wifi_points": [
            (f"P{n}", None, None, 22.8, 105.0, "active", date(2018, 1, 1)) for n in range(count)
        ],
        "goals": [],
        "label": f"scenario-{uuid.uuid4().hex[:12]}",
    }


@pytest.mark.timeout(900)
def test_the_events_that_made_the_incremental_marts_drift(prepared: Warehouse) -> None:
    """The issue's cases, each after a build: a correction listing no Wi-Fi points, a hold
    placed after the build that used the report, the previous report coming back when the
    correction is held or withdrawn, a released hold, a correction years after its period."""
    events = IncrementalMachine(prepared)
    unit, other = "legacy:district:070", "legacy:commune:00712"
    first = events.report(unit, "2019-H2", date(2020, 1, 10), 0, _points(3))
    old = events.report(other, "2019", date(2020, 1, 20), 0, _points(2))
    prepared.incremental_equals_full_refresh()
    correction = events.report(unit, "2019-H2", date(2020, 1, 25), 0, _points(0))
    events.hold(old)
    prepared.incremental_equals_full_refresh()
    events.hold(correction)  # the first report counts again
    events.release(old)
    events.report(other, "2019", date(2024, 3, 1), 0, _points(1))  # years later
    prepared.incremental_equals_full_refresh()
    events.withdraw(first)
    events.release(correction)
    prepared.incremental_equals_full_refresh()
