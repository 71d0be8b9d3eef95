"""Feedback for the locality, for every file: accepted, accepted with warnings, duplicate, held or
rejected, as a bilingual Markdown summary and a CSV for Excel (`<file name>.feedback.md|.csv`).

The CSV is UTF-8 with a BOM (Excel shows Vietnamese), one row per problem (columns `severity,
table, row, column, value, code, message_en, message_vi`) plus, for a held submission, one row of
severity `held`; cells that would start a formula in Excel are prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePath

from dxw.submission.messages import (
    LANGS,
    Lang,
    Plain,
    Problem,
    Severity,
    both,
    printable,
    render,
)

CSV_COLUMNS = ("severity", "table", "row", "column", "value", "code", "message_en", "message_vi")
#: Cells starting with one of these are formulas to Excel: prefixed with an apostrophe.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[\x00-\x1f<>:\"/\\|?*]+")
_MD_LISTED = 500
OUTCOMES = ("accepted", "duplicate", "rejected")
_DETAIL_HEADERS = ("severity", "table", "row", "column", "value", "code")


@dataclass(frozen=True, slots=True)
class Hold:
    """Why the raw data-quality gate keeps an accepted submission out of the marts."""

    reason: str
    held_at: datetime
    description: str | None = None


@dataclass(frozen=True)
class Feedback:
    """What happened to one file, as its sender is told."""

    file_name: str
    outcome: str
    problems: Sequence[Problem] = ()
    submission_id: int | None = None
    duplicate_of: int | None = None
    supersedes: int | None = None
    locality: str | None = None
    period: str | None = None
    rows_loaded: int = 0
    hold: Hold | None = None

    @property
    def status(self) -> str:
        """accepted, duplicate, held or rejected."""
        return "held" if self.hold is not None and self.outcome == "accepted" else self.outcome

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def neutralise(cell: str) -> str:
    """Text Excel will not evaluate: a leading apostrophe before =, +, -, @, tab, CR."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def feedback_name(file_name: str) -> str:
    """A safe base name for a file's feedback (no directories, no control characters)."""
    base = PurePath(file_name.replace("\\", "/")).name
    return _UNSAFE_NAME.sub("_", base).strip(" .") or "submission"


def feedback_paths(directory: Path, file_name: str) -> tuple[Path, Path]:
    """(`<name>.feedback.md`, `<name>.feedback.csv`) of a file in a folder."""
    name = feedback_name(file_name)
    return directory / f"{name}.feedback.md", directory / f"{name}.feedback.csv"


def _verdict(feedback: Feedback, lang: Lang) -> list[str]:
    """The paragraphs that say what happened, in one language."""
    if feedback.outcome == "rejected":
        return [
            render("feedback.rejected", lang, errors=feedback.errors, warnings=feedback.warnings)
        ]
    if feedback.outcome == "duplicate":
        return [render("feedback.duplicate", lang, id=feedback.duplicate_of)]
    out = [
        render(
            "feedback.accepted",
            lang,
            id=feedback.submission_id,
            locality=feedback.locality or "?",
            period=feedback.period or "?",
            rows=feedback.rows_loaded,
        )
    ]
    if feedback.warnings:
        out.append(render("feedback.accepted_warnings", lang, warnings=feedback.warnings))
    else:
        out.append(render("feedback.accepted_clean", lang))
    if feedback.supersedes:
        out.append(render("feedback.supersedes", lang, previous=feedback.supersedes))
    if feedback.hold is not None:
        out += [
            _held(feedback, lang),
            render("feedback.held_todo", lang, submission_id=Plain(feedback.submission_id or 0)),
        ]
    return out


def _held(feedback: Feedback, lang: Lang) -> str:
    """Why the submission is held, in one language."""
    assert feedback.hold is not None
    described = f" ({feedback.hold.description})" if feedback.hold.description else ""
    return render(
        "feedback.held",
        lang,
        id=feedback.submission_id,
        held_at=feedback.hold.held_at,
        reason=feedback.hold.reason,
        description=described,
    )


def _md_cell(value: object) -> str:
    """A Markdown table cell: no pipes, no newlines, no HTML."""
    if value is None:
        return ""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(text.split())


def feedback_markdown(feedback: Feedback) -> str:
    """The bilingual summary: what happened (Vietnamese, then English), counts per code, then
    every problem (the first 500; all of them are in the CSV)."""
    name = _md_cell(printable(PurePath(feedback.file_name).name))
    lines = [f"# {render('feedback.title', 'vi')} / {render('feedback.title', 'en')}: {name}", ""]
    for lang in LANGS[::-1]:
        for paragraph in _verdict(feedback, lang):
            lines += [_md_text(paragraph), ""]
    problems = feedback.problems
    if problems:
        titles = " / ".join(render("feedback.summary", lang) for lang in LANGS[::-1])
        lines += [
            f"## {titles}",
            "",
            "| " + " | ".join(both(f"doc.{h}") for h in ("severity", "code", "count")) + " |",
            "|---|---|---|",
        ]
        counts = Counter((p.severity.value, p.code) for p in problems)
        for (severity, code), count in sorted(counts.items()):
            lines.append(f"| {severity} | {code} | {count} |")
        details = " / ".join(render("feedback.details", lang) for lang in LANGS[::-1])
        lines += [
            "",
            f"## {details}",
            "",
            "| "
            + " | ".join(both(f"doc.{h}") for h in _DETAIL_HEADERS)
            + f" | {render('doc.message', 'vi')} | {render('doc.message', 'en')} |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for p in problems[:_MD_LISTED]:
            cells = (
                p.severity.value, p.table, p.row, p.column, p.value, p.code, p.message_vi,
                p.message_en,
            )  # fmt: skip
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        if len(problems) > _MD_LISTED:
            more = len(problems) - _MD_LISTED
            lines += ["", render("feedback.more", "vi", more=more),
                      render("feedback.more", "en", more=more)]  # fmt: skip
    return "\n".join(lines).rstrip("\n") + "\n"


def _md_text(paragraph: str) -> str:
    """A paragraph of Markdown without HTML (quoted file text may hold anything)."""
    return printable(paragraph).replace("<", "&lt;").replace(">", "&gt;")


def feedback_csv(feedback: Feedback) -> str:
    """The CSV text (without its BOM): one row per problem, and a `held` row when held."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    rows: list[tuple[object, ...]] = [
        (p.severity.value, p.table, p.row, p.column, p.value, p.code, p.message_en, p.message_vi)
        for p in feedback.problems
    ]
    if feedback.hold is not None and feedback.outcome == "accepted":
        todo = {
            lang: render(
                "feedback.held_todo", lang, submission_id=Plain(feedback.submission_id or 0)
            )
            for lang in LANGS
        }
        rows.append(
            (
                "held",
                None,
                None,
                None,
                feedback.hold.reason,
                "held",
                f"{_held(feedback, 'en')} {todo['en']}".replace("**", ""),
                f"{_held(feedback, 'vi')} {todo['vi']}".replace("**", ""),
            )
        )
    for cells in rows:
        writer.writerow(["" if c is None else neutralise(printable(str(c))) for c in cells])
    return buffer.getvalue()


def write_feedback(feedback: Feedback, out_dir: Path, file_name: str | None = None) -> list[Path]:
    """Write `<name>.feedback.md` and `<name>.feedback.csv` into a folder (name: the file's own
    by default); returns both paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path, csv_path = feedback_paths(out_dir, file_name or feedback.file_name)
    md_path.write_text(feedback_markdown(feedback), encoding="utf-8")
    csv_path.write_text("\ufeff" + feedback_csv(feedback), encoding="utf-8", newline="")
    return [md_path, csv_path]
