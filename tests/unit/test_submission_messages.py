"""The one message catalog: every code and sentence in both languages, each language's numbers
and dates, and the problems the validator writes with it."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dxw.submission.messages import (
    CODES,
    LANGS,
    TEXTS,
    Both,
    Col,
    M,
    Plain,
    Quoted,
    Read,
    Severity,
    format_date,
    format_number,
    placeholders,
    problem,
    render,
)

DOCS = Path(__file__).resolve().parents[2] / "docs" / "submission-format.md"
FRAGMENTS = ("part.", "feedback.", "locality.", "doc.")
#: English words that must never appear in a Vietnamese sentence (outside quotes and names).
_ENGLISH = re.compile(r"\b(the|is|of|and|must|cannot|should|write|not|only|with)\b")
_VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _sample(name: str) -> object:
    """A parameter value of each kind, to render every template."""
    return {"row": 3, "first": 2, "count": 12_345, "day": date(2022, 3, 24)}.get(name, "x")


def test_every_code_has_both_languages_and_at_least_one_sentence() -> None:
    for code, meaning in CODES.items():
        assert meaning.en.strip() and meaning.vi.strip(), code
        assert meaning.en != meaning.vi, code
        assert _VIETNAMESE.search(meaning.vi), f"{code}: the Vietnamese is not Vietnamese"
        assert any(m == code or m.startswith(f"{code}.") for m in TEXTS), code


def test_every_sentence_has_both_languages_with_the_same_parameters() -> None:
    for message, (en, vi) in TEXTS.items():
        code = message.split(".", 1)[0]
        assert code in CODES or message.startswith(FRAGMENTS), f"{message}: unknown code"
        assert placeholders(en) == placeholders(vi), message
        literal_en = re.sub(r"\{\w+\}", "", en).strip(" .:;,()'/")
        if not literal_en:  # a pure composition such as "{first}{then}"
            assert en == vi, message
            continue
        assert en != vi, f"{message}: not translated"
        params = {name: _sample(name) for name in placeholders(en)}
        for lang in LANGS:
            assert "{" not in render(message, lang, **params) or "submission" in en, message


def test_the_vietnamese_sentences_are_vietnamese() -> None:
    for message, (_, vi) in TEXTS.items():
        words = re.sub(r"'[^']*'|`[^`]*`|\{\w+\}|\([a-z_/ ,.-]+\)|[a-z]+_[a-z_]+", "", vi)
        found = _ENGLISH.findall(words)
        assert not found, f"{message}: English words {found} in {vi!r}"


def test_the_docs_list_every_code_with_its_meaning() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for code, meaning in CODES.items():
        assert f"| `{code}` | {meaning.severity.value} | {meaning.en} *{meaning.vi}* |" in text


@pytest.mark.parametrize(
    ("value", "vi", "en"),
    [
        (1234.5, "1.234,5", "1,234.5"),
        (1234567, "1.234.567", "1,234,567"),
        (120.0, "120", "120"),
        (107.401, "107,401", "107.401"),
        (-0.25, "-0,25", "-0.25"),
        (99.19999999999999, "99,2", "99.2"),
        (0, "0", "0"),
        (2_147_483_647, "2.147.483.647", "2,147,483,647"),
    ],
)
def test_numbers_in_each_language(value: float, vi: str, en: str) -> None:
    assert format_number(value, "vi") == vi
    assert format_number(value, "en") == en


def test_numbers_agree_with_babel() -> None:
    """Cross-check against the CLDR conventions as Babel ships them (Babel is in the lock)."""
    numbers = pytest.importorskip("babel.numbers")
    for value in (1234.5, 1234567, 0.125, 99.2, 12_345_678.25):
        assert format_number(value, "vi") == numbers.format_decimal(value, locale="vi")
        assert format_number(value, "en") == numbers.format_decimal(value, locale="en")


def test_dates_in_each_language() -> None:
    day = date(2022, 3, 4)
    assert format_date(day, "vi") == "4/3/2022"
    assert format_date(day, "en") == "2022-03-04"


def test_parameters_render_per_language() -> None:
    assert Col("value", "giá trị").render("en") == "value (giá trị)"
    assert Col("value", "giá trị").render("vi") == "giá trị (value)"
    assert Read("1.234,5", 1234.5).render("en") == "'1.234,5' (read as 1,234.5)"
    assert Read("1.234,5", 1234.5).render("vi") == "'1.234,5'"
    assert Read(120.0, 120.0).render("vi") == "120", "a number cell has no text to quote"
    assert Read("2.159", 2159).render("vi") == "'2.159'"
    assert Read("2.159", 2159).render("en") == "'2.159' (read as 2,159)"
    assert Quoted("=1+2").render("en") == "'=1+2'"
    assert Both("a", "b").render("vi") == "b"
    assert Plain(2025).render("vi") == "2025"
    assert M("part.range_between", low=0, high=1000.5).render("vi") == "từ 0 đến 1.000,5"


def test_problem_takes_its_severity_from_its_code_and_quotes_the_text() -> None:
    found = problem(
        "out_of_range", table="indicators", row=7, column="value", value="120",
        what=M("part.of_indicator", indicator="coverage_4g_communes_pct"),
        text=Read("120", 120), range=M("part.range_between", low=0, high=100),
    )  # fmt: skip
    assert found.severity is Severity.ERROR and found.value == "120"
    assert found.message_en == (
        "value of coverage_4g_communes_pct: '120' is outside the allowed range (0 to 100)."
    )
    assert found.message_vi == (
        "giá trị của chỉ số coverage_4g_communes_pct: '120' nằm ngoài khoảng cho phép"
        " (từ 0 đến 100)."
    )
    warned = problem("submitted_before_period", submitted=date(2022, 1, 5), period="2022-H1",
                     start=date(2022, 1, 1))  # fmt: skip
    assert warned.severity is Severity.WARNING
    assert "(5/1/2022)" in warned.message_vi and "(2022-01-05)" in warned.message_en
