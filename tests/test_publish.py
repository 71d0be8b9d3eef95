"""Write, audit, publish: BI reads only marts that passed the marts gate, whole publications.

One warehouse for the module, filled with the example submissions and built once through
`dxw.transform.dbt.build` (dbt into marts_build, the marts gate, publication into marts).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.transform import publish
from dxw.transform.dbt import audit_and_publish, build, ensure_manifest

from .conftest import own_warehouse
from .data.examples import Submission, insert_reference_submissions, insert_submission
from .data.warehouse_checks import mart_checksums

pytestmark = pytest.mark.slow

HA_LONG_WARD = "legacy:commune:06688"


@pytest.fixture(scope="module")
def published() -> Iterator[Settings]:
    with own_warehouse("dxw-publish-") as config:
        insert_reference_submissions(warehouse_url("loader", config))
        result = build(config)
        assert result.code == 0, result.message
        yield config


def _bi(config: Settings, statement: str, *params: object) -> list[tuple]:
    with psycopg.connect(warehouse_url("bi", config)) as conn:
        return conn.execute(statement, params).fetchall()  # type: ignore[arg-type]


def _published_oids(config: Settings) -> dict[str, int]:
    rows = _bi(
        config,
        "select c.relname, c.oid::int from pg_class c join pg_namespace n"
        " on n.oid = c.relnamespace where n.nspname = 'marts' and c.relkind = 'r'",
    )
    return dict(rows)


def _new_report(config: Settings, wifi: int, day: int) -> None:
    """A new report of the ward's Wi-Fi points for 2023-H1 (it supersedes the last one)."""
    points = [
        (f"WP-{n:04d}", f"Điểm {n}", None, 20.95, 107.07, "active", date(2023, 1, 2))
        for n in range(1, wifi + 1)
    ]
    with psycopg.connect(warehouse_url("loader", config)) as conn:
        insert_submission(
            conn,
            Submission(HA_LONG_WARD, "2023-H1", date(2023, 7, day), wifi_points=points),
        )


def test_bi_reads_the_published_marts_and_nothing_being_built(published: Settings) -> None:
    assert _bi(published, "select count(*) from marts.dim_locality")[0][0] > 10_000
    for schema in (publish.BUILD, publish.PREVIOUS):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _bi(published, f"select count(*) from {schema}.dim_locality")  # noqa: S608


def test_the_marts_hold_their_own_relations_only(published: Settings) -> None:
    """Tables with indexes named after them (no `__dbt_tmp` leftovers), and the BI views."""
    rows = _bi(
        published,
        "select c.relname, c.relkind::text from pg_class c join pg_namespace n"
        " on n.oid = c.relnamespace where n.nspname = 'marts'",
    )
    tables = sorted(name for name, kind in rows if kind == "r")
    assert tables == publish.mart_tables(ensure_manifest(published))
    indexes = sorted(name for name, kind in rows if kind == "i")
    assert indexes == sorted(f"{table}_pkey" for table in tables)
    views = sorted(name for name, kind in rows if kind == "v")
    assert views == ["dq_results", "held_submissions", "publications"]
    assert not [name for name, _ in rows if "dbt" in name]
    ((last,),) = _bi(published, "select tables from marts.publications order by 1 desc limit 1")
    assert last == tables


def test_a_critical_failure_leaves_what_bi_reads_exactly_as_it_was(published: Settings) -> None:
    config = published
    before, oids = mart_checksums(warehouse_url("bi", config)), _published_oids(config)
    publications = len(_bi(config, "select * from marts.publications"))
    # A build whose facts break a critical expectation: attainment above 100 %.
    assert build(config, publish_marts=False).code == 0
    with psycopg.connect(warehouse_url("transformer", config), autocommit=True) as conn:
        changed = conn.execute(
            "update marts_build.fct_goal_attainment set attainment_pct = 150"
            " where locality_code = '22' and period = '2024-Q1' and pillar = 'all'"
        ).rowcount
    assert changed == 1
    run_id = "test-planted-defect"
    tables = publish.mart_tables(ensure_manifest(config))
    result = audit_and_publish(
        config, tables, warehouse_url("transformer", config), warehouse_url("loader", config),
        run_id,
    )  # fmt: skip
    assert result.code == 1 and "nothing was published" in result.message
    assert mart_checksums(warehouse_url("bi", config)) == before
    assert _published_oids(config) == oids
    assert len(_bi(config, "select * from marts.publications")) == publications
    failed = _bi(
        config,
        "select suite, expectation from marts.dq_results where run_id = %s and gate = 'marts'"
        " and severity = 'critical' and not success",
        run_id,
    )
    assert ("marts.fct_goal_attainment", "attainment_pct_within_0_100") in failed


def test_a_query_during_a_build_reads_the_previous_publication(published: Settings) -> None:
    """A BI session polls the published Wi-Fi points while a build with a new report runs: it
    sees the previous publication, then the new one, never anything in between."""
    config = published
    statement = (
        "select count(*), md5(coalesce(string_agg(t::text, '|' order by t::text), ''))"
        " from marts.fct_wifi_points t"
    )
    seen: list[tuple] = []
    done = threading.Event()

    def watch() -> None:
        with psycopg.connect(warehouse_url("bi", config), autocommit=True) as conn:
            while not done.is_set():
                state = conn.execute(statement).fetchone()
                if not seen or seen[-1] != state:
                    seen.append(state)
                time.sleep(0.05)

    before = _bi(config, statement)[0]
    _new_report(config, wifi=7, day=20)
    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        assert build(config).code == 0
    finally:
        done.set()
        watcher.join()
    after = _bi(config, statement)[0]
    assert before != after
    assert seen[0] == before and seen[-1] == after
    assert seen in ([before, after], [before], [after]), seen


def test_publication_after_publication_equals_a_full_refresh(published: Settings) -> None:
    """The table a publication moves back into marts_build is one build behind; the next
    incremental build catches up: after reports and builds, BI reads what a full refresh
    builds."""
    config = published
    for wifi, day in ((9, 21), (4, 22)):
        _new_report(config, wifi=wifi, day=day)
        assert build(config).code == 0
    incremental = mart_checksums(warehouse_url("bi", config))
    assert build(config, full_refresh=True).code == 0
    assert mart_checksums(warehouse_url("bi", config)) == incremental


def test_a_selection_publishes_what_it_built_only(published: Settings) -> None:
    config = published
    oids = _published_oids(config)
    result = build(config, select="fct_wifi_points")
    assert result.code == 0 and result.published == ["fct_wifi_points"]
    now = _published_oids(config)
    assert now["fct_wifi_points"] != oids["fct_wifi_points"]
    assert {t: o for t, o in now.items() if t != "fct_wifi_points"} == {
        t: o for t, o in oids.items() if t != "fct_wifi_points"
    }
    ((last,),) = _bi(config, "select tables from marts.publications order by 1 desc limit 1")
    assert last == ["fct_wifi_points"]


def test_a_replaced_table_of_another_shape_is_dropped_not_kept(published: Settings) -> None:
    """After an upgrade that changed a model's columns, the table a publication replaces
    cannot be built upon (an incremental model fails on a schema change): it is dropped, and
    the next build creates the model whole."""
    config = published
    with psycopg.connect(warehouse_url("owner", config), autocommit=True) as conn:
        conn.execute("alter table marts.fct_goal_status add column from_an_older_version int")
    assert build(config, select="fct_goal_status").code == 0
    with psycopg.connect(warehouse_url("owner", config), autocommit=True) as conn:
        left = conn.execute(
            "select n.nspname from pg_class c join pg_namespace n on n.oid = c.relnamespace"
            " where c.relname = 'fct_goal_status' and c.relkind = 'r'"
        ).fetchall()
    assert left == [("marts",)]
    assert build(config, select="fct_goal_status").code == 0
