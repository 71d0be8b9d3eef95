"""A million-row zipped CSV is read and validated fast and in bounded memory."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROWS = 1_000_000
INCLUDE = Path(__file__).resolve().parents[2] / "include"
TESTS = Path(__file__).resolve().parent
# The peak is this process's own address space (VmHWM). getrusage's ru_maxrss would not do: on
# Linux it keeps the peak of the image the probe was exec'ed from, here the whole pytest process.
_PROBE = """
import json, sys, time
from pathlib import Path
from dxw.localities import registry
from dxw.submission import read_submission, validate


def peak_mib():
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith("VmHWM:"))
    return int(line.split()[1]) / 1024


resolve = registry().resolve
start = time.perf_counter()
raw = read_submission(Path(sys.argv[1]))
result, problems = validate(raw, resolve)
print(json.dumps({
    "seconds": time.perf_counter() - start,
    "rows": len(result.wifi_points) if result else None,
    "problems": [p.code for p in problems][:5],
    "max_rss_mib": peak_mib(),
}))
"""


def _write_big_zip(path: Path, rows: int) -> None:
    """A zip whose wifi_points.csv has `rows` rows, written as a stream."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "submission.csv",
            "field,value\r\nlocality,193\r\nperiod,2022-H1\r\nsubmitted_on,8/7/2022\r\n",
        )
        with archive.open("wifi_points.csv", "w") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            writer = csv.writer(text)
            writer.writerow(
                [
                    "point_id",
                    "name",
                    "commune",
                    "latitude",
                    "longitude",
                    "status",
                    "commissioned_on",
                ]
            )
            for i in range(rows):
                writer.writerow(
                    [
                        f"HL-{i:07d}",
                        f"Điểm wifi số {i} khu phố {i % 97}",
                        f"Phường {i % 50}",
                        f"20,{950000 + i % 10000}",
                        f"107,{80000 + i % 1000}",
                        "hoạt động" if i % 7 else "ngừng hoạt động",
                        f"{1 + i % 28}/{1 + i % 12}/2022",
                    ]
                )
            text.flush()
            text.detach()


@pytest.mark.slow
def test_million_row_zip_in_under_a_gibibyte(tmp_path: Path) -> None:
    path = tmp_path / "big.zip"
    _write_big_zip(path, ROWS)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(INCLUDE), str(TESTS), env.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["rows"] == ROWS, report
    assert report["problems"] == []
    assert report["max_rss_mib"] < 1024, report
