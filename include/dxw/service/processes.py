"""Background processes that dx-warehouse starts itself: start detached, record, check, stop."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True, slots=True)
class ProcessRecord:
    """What `$DXW_HOME/run/<name>.json` remembers of a started process."""

    name: str
    pid: int
    #: psutil's create_time: tells our process from a later one that reuses its PID.
    created: float
    argv: tuple[str, ...]
    log: str

    def process(self) -> psutil.Process | None:
        """The live process, or None when it exited (or its PID now names another process)."""
        try:
            process = psutil.Process(self.pid)
            if abs(process.create_time() - self.created) > 0.5:
                return None
            if process.status() == psutil.STATUS_ZOMBIE:
                return None
            return process
        except psutil.Error:
            return None

    @property
    def alive(self) -> bool:
        return self.process() is not None


def record_path(run_dir: Path, name: str) -> Path:
    return run_dir / f"{name}.json"


def read_record(run_dir: Path, name: str) -> ProcessRecord | None:
    """The record of `name`, if it was started and not yet stopped."""
    path = record_path(run_dir, name)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return ProcessRecord(
        name=data["name"],
        pid=int(data["pid"]),
        created=float(data["created"]),
        argv=tuple(data["argv"]),
        log=data["log"],
    )


def records(run_dir: Path) -> list[ProcessRecord]:
    """Every recorded process under `run_dir`, in start order."""
    found = [read_record(run_dir, p.stem) for p in run_dir.glob("*.json") if p.stem != "service"]
    return sorted((r for r in found if r is not None), key=lambda r: r.created)


def start(
    name: str,
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    run_dir: Path,
    log: Path,
    cwd: Path | None = None,
) -> ProcessRecord:
    """Start `argv` detached (own session, umask 077, output appended to `log`); record it."""
    run_dir.mkdir(parents=True, exist_ok=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as handle:
        handle.write(f"\n--- {time.strftime('%Y-%m-%dT%H:%M:%S')} starting {name}\n".encode())
        handle.flush()
        child = subprocess.Popen(
            list(argv),
            env=dict(env),
            cwd=str(cwd) if cwd else None,
            stdin=subprocess.DEVNULL,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # What a component writes (the UI's generated password, logs) is its user's only.
            umask=0o077,
        )
    created = psutil.Process(child.pid).create_time()
    record = ProcessRecord(name, child.pid, created, tuple(argv), str(log))
    record_path(run_dir, name).write_text(json.dumps(asdict(record), indent=2))
    return record


def tree(record: ProcessRecord) -> list[psutil.Process]:
    """The process and every descendant it has now (task runners, pool workers, log servers)."""
    root = record.process()
    if root is None:
        return []
    with contextlib.suppress(psutil.Error):
        return [root, *root.children(recursive=True)]
    return [root]


def session_members(record: ProcessRecord) -> list[psutil.Process]:
    """Processes still in the session the record's process leads (children that re-parented)."""
    members = []
    for process in psutil.process_iter(["pid"]):
        with contextlib.suppress(psutil.Error, OSError):
            if os.getsid(process.pid) == record.pid and process.pid != os.getpid():
                members.append(process)
    return members


def stop(stopping: Iterable[ProcessRecord], run_dir: Path, timeout: float = 30.0) -> list[str]:
    """Stop processes and everything they started: SIGTERM, then SIGKILL after `timeout`.

    Returns the names that had to be killed. Records are removed once nothing is left.
    """
    stopping = list(stopping)
    doomed: dict[int, psutil.Process] = {}
    for record in stopping:
        for process in tree(record) + session_members(record):
            doomed[process.pid] = process
    for record in stopping:
        root = record.process()
        if root is not None:
            with contextlib.suppress(psutil.Error):
                root.send_signal(signal.SIGTERM)
    _, alive = psutil.wait_procs(list(doomed.values()), timeout=timeout)
    killed: set[str] = set()
    if alive:
        for record in stopping:
            if any(
                p.pid in {a.pid for a in alive} for p in [*tree(record), *session_members(record)]
            ):
                killed.add(record.name)
        for process in alive:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(alive, timeout=10)
    # Whatever a component left behind in its session (an orphaned task runner) goes too.
    for record in stopping:
        leftovers = session_members(record)
        for process in leftovers:
            with contextlib.suppress(psutil.Error):
                process.kill()
        psutil.wait_procs(leftovers, timeout=10)
        record_path(run_dir, record.name).unlink(missing_ok=True)
    return sorted(killed)


def log_tail(path: Path | str, lines: int = 30) -> str:
    """The last lines of a log file (empty when it does not exist)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - 64 * 1024))
            text = handle.read().decode(errors="replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
