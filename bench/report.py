"""The Markdown report of a run (and its JSON twin) under bench/results/."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Section:
    """One scenario's figures: a table, targets, notes, and the raw numbers."""

    title: str
    intro: str = ""
    header: tuple[str, ...] = ("figure", "median (min–max, n)")
    rows: list[tuple[str, ...]] = field(default_factory=list)
    targets: list[tuple[str, str, str]] = field(default_factory=list)  # (target, measured, verdict)
    notes: list[str] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def add(self, *cells: str) -> None:
        self.rows.append(tuple(cells))

    def target(self, name: str, measured: str, met: bool | None) -> None:
        verdict = "n.a." if met is None else ("**met**" if met else "**not met**")
        self.targets.append((name, measured, verdict))

    def markdown(self) -> str:
        out = [f"## {self.title}", ""]
        if self.intro:
            out += [self.intro, ""]
        if self.rows:
            out.append("| " + " | ".join(self.header) + " |")
            out.append("|" + "---|" * len(self.header))
            out += ["| " + " | ".join(row) + " |" for row in self.rows]
            out.append("")
        if self.targets:
            out += ["| target | measured | verdict |", "|---|---|---|"]
            out += [f"| {a} | {b} | {c} |" for a, b, c in self.targets]
            out.append("")
        out += [f"- {note}" for note in self.notes]
        if self.notes:
            out.append("")
        return "\n".join(out)


@dataclass
class Report:
    mode: str
    machine: dict[str, str]
    command: str
    sections: list[Section] = field(default_factory=list)
    started: float = field(default_factory=time.time)

    def markdown(self) -> str:
        took = time.time() - self.started
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(self.started))
        out = [
            f"# dx-warehouse benchmarks: {self.mode} run",
            "",
            f"{stamp}, {took / 60:.1f} min in all. Reproduce with `{self.command}`.",
            "Each figure is the median of its runs (min–max and the number of runs beside it); "
            "ratios are medians of ratios of runs measured side by side in the same run. The "
            "machine is shared: the load average below says how noisy it was.",
            "",
            "## Machine",
            "",
            "| | |",
            "|---|---|",
        ]
        out += [f"| {k} | {v} |" for k, v in self.machine.items()]
        out.append("")
        summary = [(s.title, t) for s in self.sections for t in s.targets]
        if summary:
            out += [
                "## Targets",
                "",
                "| scenario | target | measured | verdict |",
                "|---|---|---|---|",
            ]
            out += [f"| {title} | {a} | {b} | {c} |" for title, (a, b, c) in summary]
            out.append("")
        out += [s.markdown() for s in self.sections]
        return "\n".join(out).rstrip() + "\n"

    def write(self, name: str | None = None) -> list[Path]:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(self.started))
        text = self.markdown()
        raw = {
            "mode": self.mode,
            "machine": self.machine,
            "command": self.command,
            "sections": {s.title: s.raw for s in self.sections},
        }
        written = []
        history = RESULTS / "history"
        history.mkdir(exist_ok=True)
        for folder, stem in (
            (history, f"{stamp}-{self.mode}"),
            (RESULTS, name or f"latest-{self.mode}"),
        ):
            md = folder / f"{stem}.md"
            md.write_text(text)
            (folder / f"{stem}.json").write_text(json.dumps(raw, indent=1, default=str) + "\n")
            written.append(md)
        return written
