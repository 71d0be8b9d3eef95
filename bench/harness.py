"""Measuring: child processes (wall, CPU, peak RSS), PostgreSQL server CPU, medians, machine.

No pytest-benchmark: wall time is `time.perf_counter`, a child's CPU and peak RSS come from
`os.wait4` (its own and its reaped children's: a process pool's workers are counted), the
server's CPU from psutil on the postmaster (its live backends plus the ones it reaped).
"""

from __future__ import annotations

import contextlib
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


@dataclass
class Sample:
    """One measured run of something."""

    wall: float
    user: float = 0.0
    sys: float = 0.0
    max_rss_mib: float = 0.0
    server_cpu: float = 0.0
    #: CPU seconds of the whole machine (every process, other tenants included) meanwhile.
    machine_cpu: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cpu(self) -> float:
        return self.user + self.sys

    @property
    def utilisation(self) -> float:
        """Client plus server CPU seconds per wall second (2.0 = both cores busy)."""
        return (self.cpu + self.server_cpu) / self.wall if self.wall else 0.0

    @property
    def machine_busy(self) -> float:
        """Cores busy machine-wide meanwhile (ours and everybody else's)."""
        return self.machine_cpu / self.wall if self.wall else 0.0


def machine_cpu() -> float:
    """CPU seconds the whole machine spent busy since boot (all cores, all processes)."""
    t = psutil.cpu_times()
    return (
        t.user
        + t.system
        + getattr(t, "nice", 0.0)
        + getattr(t, "irq", 0.0)
        + getattr(t, "softirq", 0.0)
    )


class CommandFailed(RuntimeError):
    pass


def run(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    log: Path | None = None,
    cwd: Path = REPO,
    ok_codes: Sequence[int] = (0,),
    server: ServerCpu | None = None,
    timeout: float | None = None,
    cpu_series: bool = False,
) -> Sample:
    """Run a command to completion; wall time, its (and its children's) CPU and peak RSS.

    With `cpu_series`, the CPU seconds of the process tree plus the server are also sampled
    every 0.25 s (`extra["cpu_series"]`: (epoch seconds, CPU seconds so far)), to tell how busy
    the cores were during one phase of the run (`busy_cores`)."""
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
    out = log.open("wb") if log is not None else subprocess.DEVNULL
    before = server.total() if server else 0.0
    machine_before = machine_cpu()
    series: list[tuple[float, float]] = []
    try:
        started = time.perf_counter()
        process = subprocess.Popen(
            list(cmd),
            env=dict(env) if env is not None else None,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = None if timeout is None else started + timeout
        next_sample = started
        while True:
            if cpu_series and time.perf_counter() >= next_sample:
                series.append(
                    (time.time(), tree_cpu(process.pid) + (server.total() if server else 0.0))
                )
                next_sample += 0.25
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if deadline is not None and time.perf_counter() > deadline:
                process.kill()
            time.sleep(0.005)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]
    server_cpu = server.total() - before if server else 0.0
    machine = machine_cpu() - machine_before
    if process.returncode not in ok_codes:
        tail = log.read_text(errors="replace")[-3000:] if log is not None else ""
        raise CommandFailed(f"{' '.join(map(str, cmd))} exited {process.returncode}\n{tail}")
    sample = _finished(wall, usage, server_cpu, machine)
    sample.extra = {"returncode": process.returncode, **({"cpu_series": series} if series else {})}
    return sample


def _finished(wall: float, usage: Any, server_cpu: float, machine: float) -> Sample:
    """A sample from a reaped child's `os.wait4` resource usage (its children included)."""
    return Sample(
        wall=wall,
        user=usage.ru_utime,
        sys=usage.ru_stime,
        max_rss_mib=usage.ru_maxrss / 1024,
        server_cpu=server_cpu,
        machine_cpu=machine,
    )


def tree_cpu(pid: int) -> float:
    """CPU seconds so far of a process and its descendants (live ones, and reaped ones)."""
    total = 0.0
    with contextlib.suppress(psutil.Error):
        root = psutil.Process(pid)
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                t = proc.cpu_times()
                total += t.user + t.system + t.children_user + t.children_system
    return total


def busy_cores(
    series: Sequence[tuple[float, float]], windows: Sequence[tuple[float, float]]
) -> float | None:
    """Mean cores busy inside time windows (epoch seconds), from a `cpu_series`: CPU seconds
    spent within the windows over their seconds (None: windows too short to tell)."""
    cpu = seconds = 0.0
    for start, end in windows:
        inside = [(t, c) for t, c in series if start <= t <= end]
        if len(inside) >= 2:
            (t0, c0), (t1, c1) = inside[0], inside[-1]
            cpu, seconds = cpu + c1 - c0, seconds + t1 - t0
    return cpu / seconds if seconds >= 0.5 else None


def run_stamped(
    cmd: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    log: Path,
    cwd: Path = REPO,
    server: ServerCpu | None = None,
) -> tuple[Sample, list[tuple[float, str]]]:
    """`run`, also recording when each output line appeared (seconds from the start)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    lines: list[tuple[float, str]] = []
    before = server.total() if server else 0.0
    machine_before = machine_cpu()
    started = time.perf_counter()
    process = subprocess.Popen(
        list(cmd),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        errors="replace",
    )
    assert process.stdout is not None
    with log.open("w") as out:
        for line in process.stdout:
            stamp = time.perf_counter() - started
            lines.append((stamp, line.rstrip("\n")))
            out.write(f"[{stamp:8.2f}] {line}")
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise CommandFailed(f"{' '.join(map(str, cmd))} exited {process.returncode}; see {log}")
    server_cpu = server.total() - before if server else 0.0
    return _finished(wall, usage, server_cpu, machine_cpu() - machine_before), lines


@contextlib.contextmanager
def timed(server: ServerCpu | None = None) -> Iterator[Sample]:
    """Time a block in this process (wall, this process's CPU, server CPU)."""
    sample = Sample(wall=0.0)
    cpu0 = os.times()
    srv0 = server.total() if server else 0.0
    machine0 = machine_cpu()
    started = time.perf_counter()
    try:
        yield sample
    finally:
        sample.wall = time.perf_counter() - started
        sample.machine_cpu = machine_cpu() - machine0
        cpu1 = os.times()
        sample.user = (cpu1.user - cpu0.user) + (cpu1.children_user - cpu0.children_user)
        sample.sys = (cpu1.system - cpu0.system) + (cpu1.children_system - cpu0.children_system)
        sample.server_cpu = server.total() - srv0 if server else 0.0


class ServerCpu:
    """CPU seconds used so far by a PostgreSQL server: postmaster, live and reaped backends."""

    def __init__(self, postmaster_pid: int) -> None:
        self.process = psutil.Process(postmaster_pid)

    def total(self) -> float:
        times = self.process.cpu_times()
        total = times.user + times.system + times.children_user + times.children_system
        for child in self.process.children(recursive=False):
            with contextlib.suppress(psutil.Error):
                t = child.cpu_times()
                total += t.user + t.system
        return total


# -- statistics -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stat:
    """A figure over several runs."""

    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def low(self) -> float:
        return min(self.values) if self.values else float("nan")

    @property
    def high(self) -> float:
        return max(self.values) if self.values else float("nan")

    @property
    def n(self) -> int:
        return len(self.values)

    def text(self, fmt: str = "{:.2f}") -> str:
        if not self.values:
            return "n.a."
        if self.n == 1:
            return f"{fmt.format(self.median)} (n=1)"
        return (
            f"{fmt.format(self.median)} ({fmt.format(self.low)}–{fmt.format(self.high)}, "
            f"n={self.n})"
        )


def stat(values: Sequence[float]) -> Stat:
    return Stat(tuple(values))


def paired_ratio(numerators: Sequence[float], denominators: Sequence[float]) -> Stat:
    """Ratios of runs measured side by side (run i against run i)."""
    return Stat(tuple(a / b for a, b in zip(numerators, denominators, strict=True) if b))


def repeat(runs: int, body: Callable[[int], Any]) -> list[Any]:
    return [body(i) for i in range(runs)]


# -- the machine ------------------------------------------------------------------------------
def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(module: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(module)
    except PackageNotFoundError:
        return "not installed"


def _git(*args: str) -> str:
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        return subprocess.run(
            ["git", *args], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
    return "unknown"


def machine(server_version: str | None = None) -> dict[str, str]:
    """What the figures were measured on."""
    memory = psutil.virtual_memory().total / (1 << 30)
    dirty = _git("status", "--porcelain", "--", "include", "dags", "dbt_project", "bench")
    load = os.getloadavg()
    return {
        "host CPU": f"{_cpu_model()}, {os.cpu_count()} logical cores",
        "memory": f"{memory:.1f} GiB",
        "OS": f"{platform.system()} {platform.release()}",
        "load average at start (1/5/15 min)": " / ".join(f"{v:.2f}" for v in load),
        "Python": platform.python_version(),
        "PostgreSQL server": server_version or "n.a.",
        "psycopg": f"{_version('psycopg')} ({_psycopg_impl()})",
        "python-calamine": _version("python-calamine"),
        "apache-airflow": _version("apache-airflow"),
        "dbt-core / dbt-postgres": f"{_version('dbt-core')} / {_version('dbt-postgres')}",
        "astronomer-cosmos": _version("astronomer-cosmos"),
        "great-expectations": _version("great_expectations"),
        "git commit": _git("rev-parse", "--short", "HEAD")
        + (" + uncommitted changes" if dirty not in ("", "unknown") else ""),
    }


def _psycopg_impl() -> str:
    import psycopg

    return psycopg.pq.__impl__
