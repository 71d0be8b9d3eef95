"""Soak and replay: generated submissions through `dxw ingest`, then the marts, twice over.

A warehouse of its own. `make test` runs 500 generated files (about 30 % invalid, one fault
each, and 10 renamed copies) plus the hostile corpus; `pytest -m reliability` adds 10,000 (and
200 copies). Invariants: every
file has one outcome and accepted + duplicate + rejected = files; the outcome is the one the
generator intended; raw holds exactly the rows of the accepted files and nothing of the others;
the marts build (every dbt test passes) and agree with raw. Replay: ingesting the same inbox
again changes nothing, and the marts after an incremental build and after `--full-refresh`
have the same checksum per table as after the first build.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import sql

from dxw.config import Settings
from dxw.db.urls import warehouse_url

from .conftest import own_warehouse
from .data import make_hostile as mh
from .data import make_soak as ms
from .data.warehouse_checks import (
    RAW_TABLES,
    dxw_build,
    mart_checksums,
    raw_rows_by_submission,
    reliability,
    run_ingest,
)


@pytest.fixture(scope="module")
def home() -> Iterator[Settings]:
    with own_warehouse("dxw-soak-") as config:
        yield config


def _env(config: Settings) -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["DXW_HOME"] = str(config.home)
    env.pop("DXW_WAREHOUSE_URL", None)
    return env


def soak(config: Settings, folder: Path, files: list[ms.SoakFile]) -> dict[str, Any]:
    """Ingest a folder and check every invariant; returns the run's figures."""
    started = time.monotonic()
    code, lines, stderr, peak_mib = run_ingest([folder], _env(config), workers=2, timeout=3600)
    seconds = time.monotonic() - started
    assert "Traceback" not in stderr, stderr[-3000:]
    assert code == (1 if any(not f.valid for f in files) else 0), stderr[-3000:]
    outcomes = {Path(str(line["file"])).name: line for line in lines}
    counts = Counter(str(line["outcome"]) for line in lines)
    assert len(lines) == len(outcomes) == len(files), "one outcome per file"
    assert set(counts) <= {"accepted", "duplicate", "rejected"}, counts
    assert counts["accepted"] + counts["duplicate"] + counts["rejected"] == len(files)
    # A file and its renamed copies: one accepted and the rest duplicates, or all rejected.
    groups: dict[str, list[ms.SoakFile]] = {}
    for f in files:
        groups.setdefault(f.copy_of or f.name, []).append(f)
    wrong = []
    for original, group in groups.items():
        got = sorted(str(outcomes[f.name]["outcome"]) for f in group)
        want = (
            ["accepted"] + ["duplicate"] * (len(group) - 1)
            if group[0].valid
            else ["rejected"] * len(group)
        )
        if got != want:
            wrong.append((original, got))
    assert not wrong, wrong[:20]
    accepted = [f for f in files if outcomes[f.name]["outcome"] == "accepted"]
    ids = [int(str(outcomes[f.name]["submission_id"])) for f in accepted]
    with psycopg.connect(warehouse_url("owner", config)) as conn:
        rows = raw_rows_by_submission(conn, ids)
        for f, submission_id in zip(accepted, ids, strict=True):
            reported = {k: v for k, v in dict(outcomes[f.name]["rows_loaded"]).items() if v}
            assert rows[submission_id] == reported, f.name
            if f.name not in CORPUS_NAMES:
                assert reported == f.rows, f.name
        names = [f.name for f in files]
        in_raw = conn.execute(
            "select count(*) from raw.submissions where file_name = any(%s)", (names,)
        ).fetchone()
        valid = sum(group[0].valid for group in groups.values())
        assert in_raw == (valid,), "raw holds each valid file once and nothing else"
        run_id = conn.execute(
            "select run_id from audit.load_log where file_name = %s order by load_id desc",
            (files[0].name,),
        ).fetchone()[0]
        codes = dict(
            conn.execute(
                "select l.file_name, array_agg(p.code) from audit.load_log l"
                " join audit.submission_problems p using (load_id)"
                " where l.run_id = %s and p.severity = 'error' group by 1",
                (run_id,),
            ).fetchall()
        )
    for f in files:
        if not f.valid and outcomes[f.name]["outcome"] == "rejected":
            assert f.code in codes[f.name], (f.name, codes[f.name])
        if f.valid:
            assert f.name not in codes
    loaded = sum(sum(dict(outcomes[f.name]["rows_loaded"]).values()) for f in accepted)
    return {
        "files": len(files),
        "counts": dict(sorted(counts.items())),
        "raw_rows": loaded,
        "ingest_s": round(seconds, 1),
        "peak_mib": round(peak_mib),
    }


def assert_marts_agree_with_raw(config: Settings) -> None:
    """Facts list exactly the rows of the submissions they are built from, and each built
    submission is the latest of its locality and period."""
    with psycopg.connect(warehouse_url("owner", config)) as conn:
        for fact, raw_table in (("fct_wifi_points", "wifi_points"), ("fct_goal_status", "goals")):
            mismatched = conn.execute(
                sql.SQL(
                    "with f as (select submission_id, count(*) n from marts.{} group by 1),"
                    " r as (select submission_id, count(*) n from raw.{}"
                    "  where submission_id in (select submission_id from f) group by 1)"
                    " select f.submission_id from f full join r using (submission_id)"
                    " where f.n is distinct from r.n"
                ).format(sql.Identifier(fact), sql.Identifier(raw_table))
            ).fetchall()
            assert mismatched == [], (fact, mismatched[:10])
        stale = conn.execute(
            "with ranked as (select submission_id, row_number() over (partition by"
            " locality_key, period order by submitted_on desc, received_at desc,"
            " submission_id desc) as rank from raw.submissions)"
            " select distinct f.submission_id from marts.fct_wifi_points f"
            " join ranked r using (submission_id) where r.rank > 1"
        ).fetchall()
        assert stale == [], stale[:10]


@pytest.fixture(scope="module")
def soaked(home: Settings, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """500 generated files and the hostile corpus, ingested and built once."""
    folder = tmp_path_factory.mktemp("soak500")
    files = ms.write_soak(folder, 500, seed=500, prefix="s500")
    for name in CORPUS_NAMES:
        shutil.copy(mh.CORPUS / name, folder / name)
    figures = soak(config=home, folder=folder, files=_with_corpus(files))
    started = time.monotonic()
    assert dxw_build(home.home) == 0, f"dbt build failed: {home.dbt_dir / 'logs' / 'dbt.log'}"
    figures["build_s"] = round(time.monotonic() - started, 1)
    marts = mart_checksums(warehouse_url("owner", home))
    return {"folder": folder, "files": files, "figures": figures, "marts": marts}


CORPUS_NAMES = frozenset(mh.read_expected())


def _with_corpus(files: list[ms.SoakFile]) -> list[ms.SoakFile]:
    """The soak files plus the hostile corpus (whose rows are checked against the outcomes)."""
    out = list(files)
    for name, case in mh.read_expected().items():
        valid = case["outcome"] == "accepted"
        out.append(ms.SoakFile(name, valid, None if valid else sorted(case["codes"])[0]))
    return out


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_soak_500_files_then_the_marts(home: Settings, soaked: dict[str, Any]) -> None:
    figures = soaked["figures"]
    print(f"soak 500 + corpus: {figures}")
    assert figures["counts"]["accepted"] > 300
    copies = [f for f in soaked["files"] if f.copy_of is not None]
    assert len(copies) == 10 and figures["counts"]["duplicate"] == sum(f.valid for f in copies)
    assert_marts_agree_with_raw(home)
    with psycopg.connect(warehouse_url("bi", home)) as conn:
        texts = {
            row[0]
            for row in conn.execute(
                "select goal_code from marts.fct_goal_status union select framework from"
                " marts.fct_goal_status union select point_id from marts.fct_wifi_points"
                " union select point_name from marts.fct_wifi_points"
            ).fetchall()
        }
    injected = {mh.INJECTIONS[(10 + i) % len(mh.INJECTIONS)] for i in range(15)}
    assert texts & injected, "SQL-looking text reaches the marts verbatim and harmless"


@pytest.mark.slow
@pytest.mark.timeout(1200)
def test_replay_gives_identical_marts(home: Settings, soaked: dict[str, Any]) -> None:
    """The same inbox again (all duplicates or rejected again), an incremental build, then a
    full refresh: every mart has the same rows and checksum as after the first build."""
    first = soaked["marts"]
    assert first and all(rows > 0 for rows, _ in first.values()), first
    files = _with_corpus(soaked["files"])
    code, lines, stderr, _ = run_ingest([soaked["folder"]], _env(home), workers=2)
    assert code == 1, stderr[-2000:]
    counts = Counter(str(line["outcome"]) for line in lines)
    assert counts == {
        "duplicate": sum(f.valid for f in files),
        "rejected": sum(not f.valid for f in files),
    }
    url = warehouse_url("owner", home)
    assert dxw_build(home.home) == 0
    assert mart_checksums(url) == first, "incremental rebuild"
    assert dxw_build(home.home, full_refresh=True) == 0
    assert mart_checksums(url) == first, "full refresh"


@reliability
@pytest.mark.timeout(7200)
def test_soak_10000_files(home: Settings, tmp_path_factory: pytest.TempPathFactory) -> None:
    folder = tmp_path_factory.mktemp("soak10000")
    started = time.monotonic()
    files = ms.write_soak(folder, 10_000, seed=10_000, prefix="s10k")
    written = time.monotonic() - started
    assert len(files) == 10_200 and sum(f.copy_of is not None for f in files) == 200
    figures = soak(config=home, folder=folder, files=files)
    started = time.monotonic()
    assert dxw_build(home.home) == 0, f"dbt build failed: {home.dbt_dir / 'logs' / 'dbt.log'}"
    figures.update(write_s=round(written, 1), build_s=round(time.monotonic() - started, 1))
    print(f"soak 10,000 (+200 copies): {figures}")
    assert_marts_agree_with_raw(home)
    with psycopg.connect(warehouse_url("owner", home)) as conn:
        totals = {
            table: conn.execute(  # type: ignore[index]
                sql.SQL("select count(*) from raw.{}").format(sql.Identifier(table))
            ).fetchone()[0]
            for table in RAW_TABLES
        }
    print(f"raw after the soaks: {totals}")
