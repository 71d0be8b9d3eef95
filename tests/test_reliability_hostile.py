"""Hostile and broken inputs end as accepted or rejected submissions, never as a crash or a hang.

The corpus is tests/data/hostile/ (written by tests/data/make_hostile.py, expectations in its
EXPECTED.csv); giants (zip bombs, a 51 MiB JSON, 100,000 entries, a file name that is not
UTF-8) are written at test time. Each file is first checked alone in a forked child process
(tests/data/check_probe.py) that reports its outcome, problem codes, time and peak RSS; then the
whole lot goes through `dxw ingest` against the real warehouse in one batch with valid files,
and the warehouse, the audit trail and the quarantine are inspected.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dxw.config import Settings
from dxw.db.urls import warehouse_url
from dxw.ingest.files import display_name
from dxw.submission.feedback import feedback_paths
from dxw.submission.writer import write_submission

from .data import make_hostile as mh
from .data.warehouse_checks import (
    FORMULA_START,
    feedback_cells,
    raw_rows_by_submission,
    reliability,
    run_ingest,
)

PROBE = Path(__file__).parent / "data" / "check_probe.py"
EXPECTED = mh.read_expected()
#: Peak resident memory of the child that checks one file (its 40 MiB start included).
MAX_RSS_MIB = 512
#: A check that has not answered by then hangs: the probe gives up (a liveness bound, not a
#: performance target; the slowest file takes about 1.5 s, docs/reliability.md).
MAX_SECONDS = 60


class Probe:
    """The fork server: one request, one reply."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(PROBE)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        ready = json.loads(self.process.stdout.readline())
        assert ready["status"] == "ready", ready

    def check(self, path: Path, timeout: float = MAX_SECONDS) -> dict[str, Any]:
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({"path": str(path), "timeout": timeout}) + "\n")
        self.process.stdin.flush()
        return dict(json.loads(self.process.stdout.readline()))

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    server = Probe()
    yield server
    server.close()


def _assert_checked(report: dict[str, Any], expected: dict[str, Any], name: str) -> None:
    assert report["status"] == "ok", f"{name}: {report.get('error') or report}"
    problems = "\n".join(f"  {p[1]}: {p[6]}" for p in report["problems"])
    assert report["outcome"] == expected["outcome"], f"{name}:\n{problems}"
    assert set(report["codes"]) == set(expected["codes"]), f"{name}:\n{problems}"
    if expected["message"]:
        assert any(expected["message"] in p[6] for p in report["problems"]), problems
    for _, code, *_, message_en, message_vi in report["problems"]:
        assert message_en and message_vi and message_en != message_vi, (code, message_en)
    assert report["maxrss_mib"] < MAX_RSS_MIB, report["maxrss_mib"]


# -- the corpus itself ----------------------------------------------------------------------------
def test_corpus_is_what_the_script_writes(tmp_path: Path) -> None:
    written = mh.write_corpus(tmp_path)
    assert (tmp_path / mh.EXPECTED_NAME).read_bytes() == (mh.CORPUS / mh.EXPECTED_NAME).read_bytes()
    for path in written:
        assert path.read_bytes() == (mh.CORPUS / path.name).read_bytes(), (
            f"{path.name} differs from the committed corpus: run tests/data/make_hostile.py"
        )
    committed = {p.name for p in mh.CORPUS.iterdir()} - {mh.EXPECTED_NAME}
    assert committed == {p.name for p in written}


def test_corpus_covers_every_carrier_and_outcome() -> None:
    assert len(EXPECTED) >= 40
    for carrier in ("xlsx", "json", "zip"):
        cases = [e for e in EXPECTED.values() if e["carrier"] == carrier]
        assert len(cases) >= 10, carrier
        assert {e["outcome"] for e in cases} == {"accepted", "rejected"}, carrier
    assert all(p.stat().st_size < 200_000 for p in mh.CORPUS.iterdir()), "small files only"


# -- one file at a time, in a child process -------------------------------------------------------
@pytest.mark.timeout(120)
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_hostile_file(name: str, probe: Probe) -> None:
    _assert_checked(probe.check(mh.CORPUS / name), EXPECTED[name], name)


@pytest.fixture(scope="module")
def giants(tmp_path_factory: pytest.TempPathFactory) -> dict[Path, mh.Giant]:
    return mh.write_giants(tmp_path_factory.mktemp("giants"))


def _giant_expectation(giant: mh.Giant) -> dict[str, Any]:
    return {"outcome": giant.outcome, "codes": set(giant.codes), "message": giant.message}


@pytest.mark.timeout(180)
def test_giant_files(giants: dict[Path, mh.Giant], probe: Probe) -> None:
    for path, giant in giants.items():
        _assert_checked(probe.check(path), _giant_expectation(giant), giant.name)


@reliability
@pytest.mark.timeout(300)
def test_heavy_giant_files(tmp_path: Path, probe: Probe) -> None:
    heavy = [g for g in mh.GIANTS if g.heavy]
    for giant in heavy:
        giant.write(tmp_path / giant.name)
        report = probe.check(tmp_path / giant.name, timeout=240)
        _assert_checked(report, _giant_expectation(giant), giant.name)
        print(f"{giant.name}: {report['seconds']} s, peak RSS {report['maxrss_mib']} MiB")


# -- the whole corpus in one batch, against the warehouse -----------------------------------------
def _controls(folder: Path) -> dict[str, dict[str, Any]]:
    """Valid files that travel with the hostile ones and must load."""
    out = {}
    for n, carrier in enumerate(("xlsx", "json", "zip")):
        doc = mh.doc(f"200{n + 3}-05", wifi_points=mh.wifi(4, f"CT{n}"))
        path = write_submission(doc, carrier, folder, f"control_{carrier}")
        out[path.name] = {"outcome": "accepted", "codes": set(), "message": ""}
    return out


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.timeout(900)
def test_hostile_batch_through_dxw_ingest(
    warehouse: Settings,
    dxw_env: dict[str, str],
    giants: dict[Path, mh.Giant],
    tmp_path: Path,
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    expected: dict[str, dict[str, Any]] = {}
    for name, case in EXPECTED.items():
        shutil.copy(mh.CORPUS / name, inbox / name)
        expected[name] = case
    for path, giant in giants.items():
        shutil.copy(path, inbox / path.name)
        expected[display_name(path.name)] = _giant_expectation(giant)
    expected.update(_controls(inbox))
    files = {display_name(p.name): p for p in inbox.iterdir()}
    assert set(files) == set(expected)

    code, lines, stderr, peak_mib = run_ingest([inbox], dxw_env, workers=2)
    assert code == 1, stderr[-3000:]
    assert "Traceback" not in stderr, stderr[-3000:]
    outcomes = {display_name(Path(str(line["file"])).name): line for line in lines}
    assert set(outcomes) == set(expected), "one outcome per file"
    wrong = {
        name: (line["outcome"], expected[name]["outcome"])
        for name, line in outcomes.items()
        if line["outcome"] != expected[name]["outcome"]
    }
    assert not wrong, wrong
    assert peak_mib < 1536, f"dxw ingest and its workers peaked at {peak_mib:.0f} MiB"
    print(f"batch of {len(files)} files: peak RSS {peak_mib:.0f} MiB")

    shas = {name: _sha(path) for name, path in files.items()}
    accepted = [n for n in expected if expected[n]["outcome"] == "accepted"]
    rejected = [n for n in expected if expected[n]["outcome"] == "rejected"]
    with psycopg.connect(warehouse_url("owner", warehouse)) as conn:
        # Nothing of a rejected file reaches raw; every accepted one is there once, complete.
        leaked = conn.execute(
            "select file_name from raw.submissions where file_sha256 = any(%s)",
            ([shas[n] for n in rejected],),
        ).fetchall()
        assert leaked == []
        loaded = dict(
            conn.execute(
                "select file_sha256, submission_id from raw.submissions"
                " where file_sha256 = any(%s)",
                ([shas[n] for n in accepted],),
            ).fetchall()
        )
        assert set(loaded) == {shas[n] for n in accepted}
        rows = raw_rows_by_submission(conn, list(loaded.values()))
        for name in accepted:
            reported = {k: v for k, v in dict(outcomes[name]["rows_loaded"]).items() if v}
            assert rows[loaded[shas[name]]] == reported, name

        # The audit trail: one entry per file in this run, every problem expected and nothing else.
        run_id = conn.execute(
            "select run_id from audit.load_log where file_sha256 = %s order by load_id desc",
            (shas["control_json.json"],),
        ).fetchone()[0]
        logged = conn.execute(
            "select l.file_name, l.outcome, coalesce(array_agg(distinct p.code)"
            " filter (where p.code is not null), '{}')"
            " from audit.load_log l left join audit.submission_problems p using (load_id)"
            " where l.run_id = %s group by l.load_id, l.file_name, l.outcome",
            (run_id,),
        ).fetchall()
        by_name = {name: (outcome, set(codes)) for name, outcome, codes in logged}
        assert len(logged) == len(by_name) == len(files)
        for name in expected:
            outcome, codes = by_name[name]
            assert outcome == expected[name]["outcome"], name
            assert codes == set(expected[name]["codes"]), (name, codes)

        _assert_stored_verbatim(conn, loaded, shas)

    _assert_quarantine(warehouse, rejected, shas, files)


def _texts_of(conn: psycopg.Connection, submission_id: int) -> set[str]:
    """Every text value stored for a submission, across raw tables."""
    values: set[str] = set()
    for query in (
        "select agency, framework, contact_email, locality_input from raw.submissions"
        " where submission_id = %s",
        "select note from raw.indicators where submission_id = %s",
        "select point_id, name, commune from raw.wifi_points where submission_id = %s",
        "select unit_name from raw.network_links where submission_id = %s",
        "select goal_code, framework, title from raw.goals where submission_id = %s",
        "select framework from raw.goal_summary where submission_id = %s",
    ):
        for row in conn.execute(query, (submission_id,)).fetchall():
            values.update(v for v in row if isinstance(v, str))
    return values


def _assert_stored_verbatim(
    conn: psycopg.Connection, loaded: dict[str, int], shas: dict[str, str]
) -> None:
    """Text that looks like SQL or a formula is stored exactly as written and did nothing."""
    for name, offset in (
        ("x17_injection_every_field.xlsx", 0),
        ("j13_injection_every_field.json", 5),
        ("z22_injection_every_field.zip", 10),
    ):
        texts = _texts_of(conn, loaded[shas[name]])
        used = {mh.INJECTIONS[(offset + i) % len(mh.INJECTIONS)] for i in range(15)}
        assert used <= texts, (name, used - texts)
        assert "a'--@x.gov.vn" in texts
    for table in ("submissions", "wifi_points", "indicators", "goals", "goal_summary"):
        assert conn.execute(f"select to_regclass('raw.{table}') is not null").fetchone() == (True,)
    formulas = loaded[shas["x08_formulas.xlsx"]]
    assert conn.execute(
        "select indicator_code, value, note from raw.indicators where submission_id = %s"
        " order by source_row",
        (formulas,),
    ).fetchall() == [
        ("plan_indicators_on_track", 3, None),
        ("plan_indicators_total", 23, "=SUM(A1:A9)"),
    ]
    assert conn.execute(
        "select agency, submitted_on::text from raw.submissions where submission_id = %s",
        (formulas,),
    ).fetchone() == ("UBND tỉnh Điện Biên", "2001-07-10")
    for name in ("x19_nfd.xlsx", "j15_nfd.json", "z24_nfd.zip"):
        texts = _texts_of(conn, loaded[shas[name]])
        assert "Quảng trường Điện Biên Phủ" in texts, name
        assert all(unicodedata.is_normalized("NFC", t) for t in texts), name
    odd = [n for n in shas if n.startswith("b\\xe1o")]
    assert conn.execute(
        "select file_name from raw.submissions where submission_id = %s", (loaded[shas[odd[0]]],)
    ).fetchone() == (odd[0],)


def _assert_quarantine(
    config: Settings, rejected: list[str], shas: dict[str, str], files: dict[str, Path]
) -> None:
    """A copy and a feedback pair per rejected file; no feedback cell would run in Excel."""
    for name in rejected:
        copy = config.quarantine / f"{shas[name][:8]}-{files[name].name}"
        assert copy.exists(), name
        md, feedback = feedback_paths(config.quarantine, copy.name)
        assert md.exists(), name
        rows = feedback_cells(feedback)
        assert len(rows) > 1, name
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(FORMULA_START), (name, cell)
