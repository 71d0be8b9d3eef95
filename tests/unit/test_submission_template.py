"""Templates a locality fills in, and the feedback files it gets back."""

from __future__ import annotations

import csv
import json
import zipfile
from datetime import datetime
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook
from submission_builders import check_file, codes, csv_bytes

from dxw.submission import (
    CARRIERS,
    TABLES,
    Feedback,
    Hold,
    Problem,
    Severity,
    write_feedback,
    write_template,
)
from dxw.submission.messages import Col, Quoted, problem
from dxw.submission.spec import load_catalog


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
        problem(
            "invalid_number", table="indicators", row=2, column="value", value="=1+2",
            col=Col("value", "giá trị"), text=Quoted("=1+2"),
        ),
        problem(
            "invalid_choice", table="wifi_points", row=5, column="status", value="@cmd",
            col=Col("status", "trạng thái"), text=Quoted("@cmd | really"), choices="active",
        ),
        problem(
            "percent_disagrees", table="goal_summary", row=2, column="reported_pct", value="-40",
            what="reported_pct", reported=40, ratio="7/20", part=7, whole=20, computed=35,
        ),
    ]  # fmt: skip


def rejected(problems: list[Problem], name: str = "Hạ Long 2022-H1.xlsx") -> Feedback:
    return Feedback(name, "rejected", problems)


def test_feedback_files(tmp_path: Path) -> None:
    paths = write_feedback(rejected(sample_problems()), tmp_path / "out")
    assert [p.name for p in paths] == [
        "Hạ Long 2022-H1.xlsx.feedback.md",
        "Hạ Long 2022-H1.xlsx.feedback.csv",
    ]
    raw = paths[1].read_bytes()
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
    md = paths[0].read_text(encoding="utf-8")
    assert "Báo cáo bị từ chối**: 2 lỗi, 1 cảnh báo" in md
    assert "Rejected**: 2 error(s), 1 warning(s)" in md
    assert "really" in md and "@cmd \\| really" in md
    assert "| warning | percent_disagrees | 1 |" in md


def test_feedback_for_an_accepted_submission(tmp_path: Path) -> None:
    accepted = Feedback("r.json", "accepted", [], submission_id=7, locality="Quảng Ninh (22)",
                        period="2024-Q1", rows_loaded=1234, supersedes=3)  # fmt: skip
    md_path, csv_path = write_feedback(accepted, tmp_path)
    md = md_path.read_text(encoding="utf-8")
    assert (
        "**Báo cáo được chấp nhận** (mã #7): Quảng Ninh (22), kỳ 2024-Q1, đã nạp 1.234 dòng." in md
    )
    assert (
        "**Accepted** as submission #7: Quảng Ninh (22), period 2024-Q1, 1,234 rows loaded." in md
    )
    assert "Không phát hiện vấn đề nào." in md and "No problem was found." in md
    assert "replaces submission #3" in md and "thay thế báo cáo #3" in md
    assert csv_path.read_text(encoding="utf-8-sig").count("\n") == 1


def test_feedback_for_a_held_submission_says_why_and_what_to_do(tmp_path: Path) -> None:
    hold = Hold("raw.submissions:period_not_far_in_future", datetime(2026, 3, 2, 9, 30),
                "The period starts at most a year after today.")  # fmt: skip
    held = Feedback("f.json", "accepted", [], submission_id=9, hold=hold)
    assert held.status == "held"
    md_path, csv_path = write_feedback(held, tmp_path)
    md = md_path.read_text(encoding="utf-8")
    assert "**Báo cáo bị tạm giữ**: báo cáo #9 đã được nạp" in md and "(ngày 2/3/2026)" in md
    assert "**Held**: submission #9 was loaded" in md and "on 2026-03-02" in md
    assert "raw.submissions:period_not_far_in_future (The period starts" in md
    assert "send a corrected report for the same locality and period" in md
    assert "hãy gửi báo cáo đã sửa cho cùng địa phương và kỳ" in md
    rows = list(csv.reader(csv_path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[1][0] == "held" and rows[1][5] == "held" and "Cần làm gì" in rows[1][7]


def test_feedback_for_a_duplicate(tmp_path: Path) -> None:
    md = write_feedback(Feedback("d.zip", "duplicate", duplicate_of=4), tmp_path)[0]
    text = md.read_text(encoding="utf-8")
    assert "**Tệp trùng lặp**" in text and "submission #4; nothing was loaded again" in text


@pytest.mark.parametrize("name", ["../../evil.xlsx", "/etc/passwd", "a\\b\\..\\c.zip", "", "..."])
def test_feedback_never_leaves_its_folder(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    for path in write_feedback(rejected(sample_problems(), name), out):
        assert path.parent == out and path.exists()


def test_feedback_lists_problems_as_severity_values(tmp_path: Path) -> None:
    problems = [p for p in sample_problems() if p.severity is Severity.WARNING]
    accepted = Feedback("x.zip", "accepted", problems, submission_id=1)
    md = write_feedback(accepted, tmp_path)[0].read_text(encoding="utf-8")
    assert "**Accepted**" in md and "1 warning(s) below" in md
    assert "| warning | goal_summary | 2 | reported_pct | -40 | percent_disagrees |" in md


def test_json_template_shows_each_tables_columns(tmp_path: Path) -> None:
    document = json.loads(write_template("json", tmp_path / "t.json").read_text(encoding="utf-8"))
    for name in ("wifi_points", "network_links", "goals", "goal_summary"):
        assert document[name] == [dict.fromkeys(TABLES[name].column_names)], name
    assert [row["indicator_code"] for row in document["indicators"]] == list(load_catalog().codes())
