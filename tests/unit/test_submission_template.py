"""Templates a locality fills in, and the feedback files it gets back."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from submission_builders import check_file, codes, csv_bytes

from dxw.submission import CARRIERS, TABLES, Problem, Severity, write_feedback, write_template
from dxw.submission.catalog import load_catalog
from dxw.submission.problems import error, warning


@pytest.mark.parametrize("fmt", CARRIERS)
def test_empty_template_only_lacks_the_required_fields(fmt: str, tmp_path: Path) -> None:
    path = write_template(fmt, tmp_path / f"mau.{fmt}")  # type: ignore[arg-type]
    result, problems = check_file(path)
    assert result is None
    assert codes(problems) == ["missing_field"] * 3
    assert {p.column for p in problems} == {"locality", "period", "submitted_on"}


def test_xlsx_template_documents_every_column(tmp_path: Path) -> None:
    path = write_template("xlsx", tmp_path / "mau.xlsx")
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == ["README", *TABLES]
    readme = book.get_sheet_by_name("README").to_python()
    documented = {(row[0], row[1]) for row in readme if len(row) > 1}
    for table in TABLES.values():
        for column in table.columns:
            assert (table.name, column.name) in documented
    text = " ".join(str(cell) for row in readme for cell in row)
    assert "bắt buộc / required" in text and "hoạt động" in text
    indicators = book.get_sheet_by_name("indicators").to_python()
    assert indicators[0][:3] == ["indicator_code", "value", "note"]
    assert [row[0] for row in indicators[1:]] == list(load_catalog().codes())
    assert indicators[1][3] == load_catalog().indicators[0].name_vi
    for name in ("wifi_points", "network_links", "goals", "goal_summary"):
        rows = book.get_sheet_by_name(name).to_python()
        assert rows == [list(TABLES[name].column_names)]


def test_filled_xlsx_template_is_valid(tmp_path: Path) -> None:
    path = write_template("xlsx", tmp_path / "mau.xlsx")
    with zipfile.ZipFile(path) as archive:
        assert "xl/comments1.xml" in archive.namelist()
    # fill the JSON template the same way a locality fills any of them
    json_path = write_template("json", tmp_path / "mau.json")
    document = json.loads(json_path.read_text(encoding="utf-8"))
    document["submission"].update(locality="193", period="2022-H1", submitted_on="8/7/2022")
    document["indicators"][0]["value"] = "123"
    json_path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result, problems = check_file(json_path)
    assert problems == []
    assert result.indicators == [("wifi_points_in_service", 123, None)]


def test_filled_zip_template_is_valid(tmp_path: Path) -> None:
    path = write_template("zip", tmp_path / "mau.zip")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        entries = {n: archive.read(n) for n in names}
    assert "README.md" in names and all(f"{t}.csv" in names for t in TABLES)
    assert entries["submission.csv"].startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(entries["submission.csv"].decode("utf-8-sig").splitlines()))
    rows[1][1], rows[2][1], rows[3][1] = "22", "2024-Q1", "19/3/2024"
    entries["submission.csv"] = csv_bytes(rows)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    result, problems = check_file(path)
    assert problems == [] and result.period.code == "2024-Q1"


def test_unknown_template_format(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        write_template("ods", tmp_path / "x.ods")  # type: ignore[arg-type]


# --- feedback ------------------------------------------------------------------------------


def sample_problems() -> list[Problem]:
    return [
        error(
            "invalid_number",
            "value: '=1+2' is not a number.",
            "value: '=1+2' không phải là số.",
            table="indicators",
            row=2,
            column="value",
            value="=1+2",
        ),
        error(
            "invalid_choice",
            "status: '@cmd' is bad | really",
            "trạng thái: '@cmd' sai",
            table="wifi_points",
            row=5,
            column="status",
            value="@cmd",
        ),
        warning(
            "percent_disagrees",
            "reported 40% but 7/20 = 35%.",
            "báo cáo 40% nhưng 7/20 = 35%.",
            table="goal_summary",
            row=2,
            column="reported_pct",
            value="-40",
        ),
    ]


def test_feedback_files(tmp_path: Path) -> None:
    paths = write_feedback(sample_problems(), tmp_path / "out", "Hạ Long 2022-H1.xlsx")
    assert [p.name for p in paths] == [
        "Hạ Long 2022-H1.feedback.csv",
        "Hạ Long 2022-H1.feedback.md",
    ]
    raw = paths[0].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == [
        "severity",
        "table",
        "row",
        "column",
        "value",
        "code",
        "message_en",
        "message_vi",
    ]
    assert rows[1][:6] == ["error", "indicators", "2", "value", "'=1+2", "invalid_number"]
    assert rows[2][4] == "'@cmd"
    assert rows[3][4] == "'-40" and rows[3][0] == "warning"
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    md = paths[1].read_text(encoding="utf-8")
    assert "Báo cáo bị từ chối" in md and "Submission rejected" in md
    assert "2 lỗi, 1 cảnh báo" in md and "2 errors, 1 warnings" in md
    assert "bad \\| really" in md
    assert "| warning | percent_disagrees | 1 |" in md


def test_feedback_for_an_accepted_submission(tmp_path: Path) -> None:
    paths = write_feedback([], tmp_path, "r.json")
    md = paths[1].read_text(encoding="utf-8")
    assert "Báo cáo được chấp nhận" in md and "Submission accepted" in md
    assert paths[0].read_text(encoding="utf-8-sig").count("\n") == 1


@pytest.mark.parametrize("name", ["../../evil.xlsx", "/etc/passwd", "a\\b\\..\\c.zip", "", "..."])
def test_feedback_never_leaves_its_folder(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    for path in write_feedback(sample_problems(), out, name):
        assert path.parent == out and path.exists()


def test_feedback_lists_problems_as_severity_values(tmp_path: Path) -> None:
    problems = [p for p in sample_problems() if p.severity is Severity.WARNING]
    md = write_feedback(problems, tmp_path, "x.zip")[1].read_text(encoding="utf-8")
    assert "Submission accepted" in md and "1 warnings" in md
