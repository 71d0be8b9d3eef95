"""A fork server that checks submission files in child processes: outcome, problems, peak RSS.

    .venv/bin/python tests/data/check_probe.py        # then one JSON request per stdin line

Request: {"path": "...", "timeout": 60}. Reply (one JSON line): status ("ok", "crash": the
reader or validator raised, "killed": the child died of a signal, e.g. an aborted allocation,
"timeout": killed after `timeout` seconds), seconds, maxrss_mib (peak resident memory of the
child that checked the file, the server's own resident memory included, since a forked child
starts with it), baseline_mib (that starting memory), and for "ok": outcome, codes, problems,
rows. The server imports the package and builds the locality registry once, then forks one
child per file, so a file that crashes, hangs or exhausts memory takes only its child down.
Each child runs under an address-space limit (DXW_PROBE_MAX_GIB, default 6 GiB) so that a
runaway allocation fails there instead of taking the machine.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any


def _warm() -> None:
    """Everything a check needs, loaded before forking."""
    import python_calamine  # noqa: F401

    from dxw.localities import registry
    from dxw.submission import read_submission, validate  # noqa: F401
    from dxw.submission.spec import load_catalog

    registry()
    load_catalog()


def _check(path: str) -> dict[str, Any]:
    """Read and validate one file with the real locality registry (in the child)."""
    from dxw.localities import registry
    from dxw.submission import read_submission, validate

    raw = read_submission(Path(path))
    if isinstance(raw, list):
        result, problems = None, raw
    else:
        result, problems = validate(raw, registry().resolve)
    return {
        "outcome": "accepted" if result is not None else "rejected",
        "codes": sorted({p.code for p in problems}),
        "problems": [
            [
                p.severity.value,
                p.code,
                p.table,
                p.row,
                p.column,
                p.value,
                p.message_en,
                p.message_vi,
            ]
            for p in problems[:100]
        ],
        "rows": {name: len(rows) for name, rows in result.tables.items()} if result else {},
    }


def _rss_mib() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def _child(path: str, out: str, limit_gib: float) -> None:
    limit = int(limit_gib * (1 << 30))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        report = {"status": "ok", **_check(path)}
    except BaseException:  # the point is to report it
        report = {"status": "crash", "error": traceback.format_exc()[-4000:]}
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(report, handle, ensure_ascii=True)


def probe(path: str, timeout: float, limit_gib: float) -> dict[str, Any]:
    """Check one file in a forked child and report what happened."""
    baseline = _rss_mib()
    handle, out = tempfile.mkstemp(suffix=".json")
    os.close(handle)
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        code = 0
        try:
            _child(path, out, limit_gib)
        except BaseException:
            code = 3
        os._exit(code)
    status = "ok"
    while True:
        done, wait_status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - started > timeout:
            os.kill(pid, signal.SIGKILL)
            _, wait_status, usage = os.wait4(pid, 0)
            status = "timeout"
            break
        time.sleep(0.01)
    seconds = time.monotonic() - started
    report: dict[str, Any] = {}
    try:
        with open(out, encoding="utf-8") as reader:
            text = reader.read()
        report = json.loads(text) if text else {}
    finally:
        os.unlink(out)
    if status != "timeout":
        if os.WIFSIGNALED(wait_status):
            status = "killed"
            report["signal"] = os.WTERMSIG(wait_status)
        else:
            status = report.get("status", "crash")
    report.update(
        status=status,
        seconds=round(seconds, 3),
        maxrss_mib=round(usage.ru_maxrss / 1024, 1),
        baseline_mib=round(baseline, 1),
    )
    return report


def main() -> None:
    _warm()
    limit_gib = float(os.environ.get("DXW_PROBE_MAX_GIB", "6"))
    print(json.dumps({"status": "ready", "baseline_mib": round(_rss_mib(), 1)}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        reply = probe(request["path"], float(request.get("timeout", 60)), limit_gib)
        print(json.dumps(reply, ensure_ascii=True), flush=True)


if __name__ == "__main__":
    main()
