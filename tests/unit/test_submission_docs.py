"""The documentation and the JSON schema stay in sync with the code."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from submission_builders import (
    CARRIERS,
    check_file,
    codes,
    ha_long_2022_h1,
    quang_ninh_2024_q1,
    write_json,
)

from dxw.submission import TABLES, write_template
from dxw.submission.messages import CODES as PROBLEM_CODES
from dxw.submission.spec import load_catalog
from dxw.submission.writer import json_schema, schema_text

DOCS = Path(__file__).resolve().parents[2] / "docs"
MD = DOCS / "submission-format.md"
SCHEMA = DOCS / "submission-format.schema.json"


def test_schema_file_is_generated_from_the_specs() -> None:
    # regenerate with: PYTHONPATH=include python -c "from pathlib import Path;
    # from dxw.submission.writer import write_json_schema as w;
    # w(Path('docs/submission-format.schema.json'))"
    assert SCHEMA.read_text(encoding="utf-8") == schema_text()


def test_docs_name_every_table_column_alias_choice_code_and_indicator() -> None:
    text = MD.read_text(encoding="utf-8")
    for table in TABLES.values():
        for spelling in table.spellings:
            assert spelling in text, spelling
        for column in table.columns:
            for spelling in column.spellings:
                assert spelling in text, (table.name, spelling)
            for choice in column.choices:
                for spelling in (choice.value, choice.label_vi, *choice.aliases):
                    assert spelling in text, (column.name, spelling)
    for code in PROBLEM_CODES:
        assert f"`{code}`" in text, code
    for indicator in load_catalog().indicators:
        assert f"`{indicator.code}`" in text, indicator.code
    for carrier in CARRIERS:
        assert f".{carrier}" in text


@pytest.fixture
def validator() -> object:
    jsonschema = pytest.importorskip("jsonschema")
    return jsonschema.Draft202012Validator(json_schema())


@pytest.mark.parametrize("build", [ha_long_2022_h1, quang_ninh_2024_q1])
def test_json_submissions_match_the_schema(
    validator: object, build: object, tmp_path: Path
) -> None:
    path = write_json(build(), tmp_path / "r.json")  # type: ignore[operator]
    validator.validate(json.loads(path.read_text(encoding="utf-8")))  # type: ignore[attr-defined]


def test_json_template_matches_the_schema(validator: object, tmp_path: Path) -> None:
    path = write_template("json", tmp_path / "t.json")
    validator.validate(json.loads(path.read_text(encoding="utf-8")))  # type: ignore[attr-defined]


def test_schema_accepts_vietnamese_keys_and_rejects_typos(validator: object) -> None:
    good = {
        "thông tin chung": {"địa phương": "22", "kỳ báo cáo": "2023", "ngày báo cáo": "15/1/2024"},
        "điểm wifi": [{"mã điểm": "A", "trạng thái": "hoạt động", "# x": 1}],
    }
    assert list(validator.iter_errors(good)) == []  # type: ignore[attr-defined]
    bad = {
        "submission": {"locality": "22", "period": "2023", "submitted_on": "x"},
        "wifi_point": [],
    }
    assert list(validator.iter_errors(bad))  # type: ignore[attr-defined]
    missing = {"submission": {"locality": "22", "period": "2023"}}
    assert list(validator.iter_errors(missing))  # type: ignore[attr-defined]


def _blocks(language: str) -> list[str]:
    """The fenced code blocks of one language in the format document."""
    parts = MD.read_text(encoding="utf-8").split(f"```{language}\n")[1:]
    return [part.split("```", 1)[0] for part in parts]


def test_the_json_example_is_valid(tmp_path: Path) -> None:
    path = tmp_path / "example.json"
    path.write_text(_blocks("json")[0], encoding="utf-8")
    result, problems = check_file(path)
    assert problems == [] and result.locality.code == "193"


def test_the_csv_example_gives_the_documented_warnings(tmp_path: Path) -> None:
    submission, summary = _blocks("csv")
    path = tmp_path / "example.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("submission.csv", submission)
        archive.writestr("goal_summary.csv", summary)
    result, problems = check_file(path)
    assert result is not None
    assert codes(problems) == ["percent_disagrees"] * 4
