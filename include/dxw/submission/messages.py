"""The one message catalog: every problem code, every sentence in Vietnamese and English.

The sentences live in `messages.yml` beside this module (a translator edits that file only);
this module formats them and builds the `Problem` records. Why one table and not gettext
catalogs: a problem is rendered in *both* languages at
once (the audit trail and the feedback keep both side by side), never in "the user's locale";
its sentences take parameters that are formatted per language (1.234,5 / 1,234.5; 24/3/2022 /
2022-03-24); and a test can walk this table and check that every code and every sentence has
both languages with the same parameters. Vietnamese needs no plural forms, and the few English
plurals are whole sentences here. Babel/gettext would add a compile step (.po -> .mo) and a
runtime lookup for no gain.

A message id is `code` or `code.variant` (the problem code is the part before the first dot),
or a fragment (`part.*`, `feedback.*`, `locality.*`, `doc.*`) used inside other messages.
Parameters are formatted by type: numbers and dates per language; `Quoted` is the text exactly as
written in the file; `Read` is that text beside the value read from it; `M` is a nested message.
"""

from __future__ import annotations

import math
import re
import string
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from importlib import resources
from typing import Any, Literal

import yaml

Lang = Literal["en", "vi"]
LANGS: tuple[Lang, ...] = ("en", "vi")
_MAX_VALUE_CHARS = 200
#: NUL (PostgreSQL text cannot hold it) and halves of UTF-16 pairs (UTF-8 cannot encode them).
_UNPRINTABLE = re.compile(r"[\x00\ud800-\udfff]")


class Severity(StrEnum):
    """An error rejects the submission; a warning accepts it and is recorded."""

    ERROR = "error"
    WARNING = "warning"


# -- formatting per language --------------------------------------------------------------------
def printable(text: str) -> str:
    """Text every UTF-8 sink accepts: NUL and lone surrogates written as escapes (\\x00)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: "\\x00" if m[0] == "\x00" else f"\\u{ord(m[0]):04x}", text)


def format_number(value: float, lang: Lang, *, grouped: bool = True, decimals: int = 6) -> str:
    """A number as each language writes it: vi 1.234,5 / en 1,234.5 (no trailing zeros)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        text = f"{value:,}" if grouped else str(value)
    else:
        text = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
        text = text.rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def format_date(day: date, lang: Lang) -> str:
    """A date as each language writes it here: vi 24/3/2022, en ISO 8601 2022-03-24 (English
    readers split between d/m and m/d; ISO is unambiguous to both)."""
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.day}/{day.month}/{day.year}" if lang == "vi" else day.isoformat()


def shown(value: object) -> str | None:
    """A cell as text for the `value` of a problem: text exactly as written, numbers without a
    spurious `.0`, shortened to 200 characters, unprintable characters escaped."""
    if value is None:
        return None
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        if value.is_integer() and math.isfinite(value) and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = repr(value)
        if getattr(value, "is_percent_cell", False):
            text = f"{text}%"
    elif isinstance(value, datetime):
        text = value.isoformat(sep=" ")
    elif isinstance(value, date):
        text = value.isoformat()
    elif isinstance(value, dict | list):
        text = type(value).__name__
    else:
        text = str(value)
    if len(text) > _MAX_VALUE_CHARS:
        text = text[: _MAX_VALUE_CHARS - 1] + "…"
    return printable(text)


class Part:
    """A parameter that renders itself per language."""

    def render(self, lang: Lang) -> str:
        raise NotImplementedError


@dataclass(frozen=True, slots=True)
class M(Part):
    """A nested message (or fragment) of the catalog, with its own parameters."""

    id: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __init__(self, id: str, **params: object) -> None:
        object.__setattr__(self, "id", id)
        object.__setattr__(self, "params", params)

    def render(self, lang: Lang) -> str:
        return render(self.id, lang, **self.params)


@dataclass(frozen=True, slots=True)
class Quoted(Part):
    """Text exactly as written in the file, in quotes."""

    text: object

    def render(self, lang: Lang) -> str:
        return f"'{shown(self.text) or ''}'"


@dataclass(frozen=True, slots=True)
class Read(Part):
    """A cell as written beside the value read from it: '1.234,5' (read as 1,234.5); a number
    cell (no text written) shows the value only, and so does text that reads as it is shown."""

    written: object
    value: float | int | None
    grouped: bool = True

    def render(self, lang: Lang) -> str:
        if self.value is None:
            return Quoted(self.written).render(lang)
        number = format_number(self.value, lang, grouped=self.grouped)
        if not isinstance(self.written, str):
            return number
        text = shown(self.written) or ""
        if text.strip() == number:
            return f"'{text}'"
        return f"'{text}' ({'đọc là' if lang == 'vi' else 'read as'} {number})"


@dataclass(frozen=True, slots=True)
class Col(Part):
    """A column: English `name (nhãn)`, Vietnamese `nhãn (name)`."""

    name: str
    label_vi: str

    def render(self, lang: Lang) -> str:
        return (
            f"{self.label_vi} ({self.name})" if lang == "vi" else f"{self.name} ({self.label_vi})"
        )


@dataclass(frozen=True, slots=True)
class Both(Part):
    """Text given in each language by the caller (e.g. an indicator's name)."""

    en: str
    vi: str

    def render(self, lang: Lang) -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True, slots=True)
class Plain(Part):
    """A number written without grouping (years, row counts in a sentence about a row)."""

    value: int

    def render(self, lang: Lang) -> str:
        return str(self.value)


@dataclass(frozen=True, slots=True)
class Joined(Part):
    """Parts joined by a separator."""

    items: Sequence[object]
    sep: str = ", "

    def render(self, lang: Lang) -> str:
        return self.sep.join(_text(item, lang) for item in self.items)


def _text(value: object, lang: Lang) -> str:
    """One parameter as text in a language."""
    if isinstance(value, Part):
        return value.render(lang)
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return format_number(value, lang)
    if isinstance(value, date):
        return format_date(value, lang)
    return "" if value is None else str(value)


def render(message: str, lang: Lang, **params: object) -> str:
    """The sentence of a message id in one language, its parameters formatted for it."""
    template = TEXTS[message][0 if lang == "en" else 1]
    if not params:
        return template
    return template.format_map({k: _text(v, lang) for k, v in params.items()})


def both(message: str, **params: object) -> str:
    """A message as "Vietnamese / English" (table headers, template notes)."""
    return f"{render(message, 'vi', **params)} / {render(message, 'en', **params)}"


# -- problems --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: where (table, row as the locality sees it, column), the text as written
    (`value`), its code, and what to do in English and Vietnamese."""

    severity: Severity
    table: str | None
    row: int | None
    column: str | None
    value: str | None
    code: str
    message_en: str
    message_vi: str

    @property
    def is_error(self) -> bool:
        """Whether this problem rejects the submission."""
        return self.severity is Severity.ERROR


def problem(
    message: str,
    *,
    table: str | None = None,
    row: int | None = None,
    column: str | None = None,
    value: object = None,
    severity: Severity | None = None,
    **params: object,
) -> Problem:
    """A problem from the catalog; its severity is its code's unless given."""
    code = message.split(".", 1)[0]
    params = {"table": table, "row": row, "column": column, **params}
    return Problem(
        severity or CODES[code].severity,
        printable(table) if table else table,
        row,
        printable(column) if column else column,
        shown(value),
        code,
        printable(render(message, "en", **params)),
        printable(render(message, "vi", **params)),
    )


class ProblemSink:
    """Collects every problem; beyond `cap` of one code in one table only counts them."""

    def __init__(self, cap: int = 1000) -> None:
        self.cap = cap
        self._problems: list[Problem] = []
        self._counts: Counter[tuple[str | None, str, Severity]] = Counter()
        self.has_errors = False

    def add(self, found: Problem) -> None:
        """Record a problem (counted only, once its code passed the cap in its table)."""
        key = (found.table, found.code, found.severity)
        self._counts[key] += 1
        if found.severity is Severity.ERROR:
            self.has_errors = True
        if self._counts[key] <= self.cap:
            self._problems.append(found)

    def extend(self, problems: Sequence[Problem]) -> None:
        """Record several problems."""
        for found in problems:
            self.add(found)

    def finish(self) -> list[Problem]:
        """All problems kept, plus one summary per capped code, errors first, then in order."""
        out = list(self._problems)
        for (table, code, severity), count in self._counts.items():
            if count > self.cap:
                out.append(
                    problem(
                        "too_many_problems",
                        table=table,
                        value=str(count),
                        severity=severity,
                        hidden=count - self.cap,
                        count=count,
                        code=code,
                    )
                )
        out.sort(key=lambda p: p.severity is not Severity.ERROR)
        return out


# -- the catalog: messages.yml beside this module -------------------------------------------------
@dataclass(frozen=True, slots=True)
class Code:
    """A problem code: its severity and what it means, in both languages (the docs list them)."""

    severity: Severity
    en: str
    vi: str


def _catalog() -> dict[str, Any]:
    """The parsed `messages.yml`."""
    text = resources.files("dxw.submission").joinpath("messages.yml").read_text("utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return dict(yaml.load(text, Loader=loader))  # noqa: S506 - a safe loader


_DOCUMENT = _catalog()
#: Every problem code. docs/submission-format.md lists each; tests walk this table.
CODES: dict[str, Code] = {
    code: Code(Severity(entry["severity"]), entry["en"], entry["vi"])
    for code, entry in _DOCUMENT["codes"].items()
}
#: Message id -> (English, Vietnamese). Fragments have no problem code of their own.
TEXTS: dict[str, tuple[str, str]] = {
    message: (entry["en"], entry["vi"]) for message, entry in _DOCUMENT["texts"].items()
}
#: The kinds of indicators in Vietnamese (for `not_integer.indicator`).
KIND_VI: dict[str, str] = dict(_DOCUMENT["indicator_kinds"])
#: Lines of the template's README (each line bilingual: Vietnamese / English), and its header.
README_INTRO: list[str] = list(_DOCUMENT["readme"]["intro"])
README_HEADER: list[str] = list(_DOCUMENT["readme"]["header"])


def placeholders(template: str) -> set[str]:
    """The parameter names a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
