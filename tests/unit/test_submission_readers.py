"""Reading the carriers: detection, limits, zip bombs and paths, encodings, carrier quirks."""

from __future__ import annotations

import json
import struct
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
import xlsxwriter
from submission_builders import (
    CARRIERS,
    check,
    check_file,
    codes,
    csv_bytes,
    data_row,
    minimal,
    resolve,
    wifi_rows,
    with_table,
    write_json,
    write_submission,
    write_xlsx,
    write_zip,
)

from dxw.submission import RawSubmission, ReadLimits, read_submission, validate
from dxw.submission.spec import DEFAULT_LIMITS

SUBMISSION_CSV = csv_bytes(
    [["field", "value"], ["locality", "22"], ["period", "2023"], ["submitted_on", "15/1/2024"]]
)


def fatal(path: Path, limits: ReadLimits = DEFAULT_LIMITS) -> list[str]:
    """Codes of the fatal problems of an unreadable file."""
    result = read_submission(path, limits=limits)
    assert isinstance(result, list), result
    assert all(p.severity == "error" and p.message_en and p.message_vi for p in result)
    return [p.code for p in result]


# --- carriers ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report.xls", "report.csv", "report.txt", "report", "r.ods"])
def test_unknown_carrier(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"locality,22\n")
    assert fatal(path) == ["unknown_carrier"]


def test_unknown_carrier_advice_for_xls(tmp_path: Path) -> None:
    path = tmp_path / "báo cáo.XLS"
    path.write_bytes(b"\xd0\xcf\x11\xe0")
    problem = read_submission(path)[0]  # type: ignore[index]
    assert ".xlsx" in problem.message_en and ".xlsx" in problem.message_vi


def test_carrier_suffix_is_case_insensitive(tmp_path: Path) -> None:
    path = write_json(minimal(), tmp_path / "REPORT.JSON")
    assert isinstance(read_submission(path), RawSubmission)


@pytest.mark.parametrize("suffix", [".xlsx", ".zip", ".json"])
def test_garbage_is_unreadable(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"r{suffix}"
    path.write_bytes(b"\x00\x01garbage" * 10)
    assert fatal(path) == ["invalid_json" if suffix == ".json" else "unreadable_file"]


def test_missing_file_is_unreadable(tmp_path: Path) -> None:
    assert fatal(tmp_path / "nope.xlsx") == ["unreadable_file"]


def test_zip_renamed_to_xlsx_is_unreadable(tmp_path: Path) -> None:
    path = write_zip(minimal(), tmp_path / "r.zip").rename(tmp_path / "r.xlsx")
    assert fatal(path) == ["unreadable_file"]


@pytest.mark.parametrize("carrier", CARRIERS)
def test_file_too_large(tmp_path: Path, carrier: str) -> None:
    path = write_submission(with_table(minimal(), "wifi_points", wifi_rows(50)), carrier, tmp_path)
    assert fatal(path, ReadLimits(max_file_bytes=200)) == ["file_too_large"]


def test_json_size_limit(tmp_path: Path) -> None:
    path = write_json(with_table(minimal(), "wifi_points", wifi_rows(50)), tmp_path / "r.json")
    assert fatal(path, ReadLimits(max_json_bytes=1000)) == ["file_too_large"]


@pytest.mark.parametrize("carrier", CARRIERS)
def test_too_many_rows(tmp_path: Path, carrier: str) -> None:
    path = write_submission(with_table(minimal(), "wifi_points", wifi_rows(8)), carrier, tmp_path)
    raw = read_submission(path, limits=ReadLimits(max_rows_per_table=5))
    assert isinstance(raw, RawSubmission)
    result, problems = validate(raw, resolve)
    assert result is None
    assert codes(problems) == ["too_many_rows"]
    assert problems[0].table == "wifi_points"


@pytest.mark.parametrize("carrier", CARRIERS)
def test_problems_beyond_the_cap_are_counted(tmp_path: Path, carrier: str) -> None:
    rows = wifi_rows(30)
    for row in rows:
        row["status"] = "?"
    path = write_submission(with_table(minimal(), "wifi_points", rows), carrier, tmp_path)
    raw = read_submission(path, limits=ReadLimits(max_problems_per_code=10))
    _, problems = validate(raw, resolve)  # type: ignore[arg-type]
    assert codes(problems) == ["invalid_choice"] * 10 + ["too_many_problems"]
    assert problems[-1].value == "30" and "20 more" in problems[-1].message_en


# --- zip -----------------------------------------------------------------------------------


def test_zip_without_bom_semicolons_and_a_folder(tmp_path: Path) -> None:
    sub = with_table(minimal(), "wifi_points", wifi_rows(3))
    path = write_zip(sub, tmp_path / "r.zip", bom=False, delimiter=";", folder="báo cáo/")
    result, problems = check_file(path)
    assert problems == [] and len(result.wifi_points) == 3
    assert result.wifi_points[0][3] == 20.95


def test_zip_tab_delimited(tmp_path: Path) -> None:
    path = write_zip(
        with_table(minimal(), "wifi_points", wifi_rows(2)), tmp_path / "r.zip", delimiter="\t"
    )
    result, problems = check_file(path)
    assert problems == [] and len(result.wifi_points) == 2


def test_zip_ignores_readme_hidden_and_macos_entries(tmp_path: Path) -> None:
    extra = {
        "README.md": b"# notes",
        "__MACOSX/._submission.csv": b"\x00",
        ".DS_Store": b"\x00",
        "# ghi chú.txt": b"x",
        "docs/": b"",
    }
    path = write_zip(minimal(), tmp_path / "r.zip", extra=extra)
    result, problems = check_file(path)
    assert problems == [] and result is not None


def test_zip_non_csv_entry_is_an_unknown_table(tmp_path: Path) -> None:
    path = write_zip(minimal(), tmp_path / "r.zip", extra={"indicators.xlsx": b"x"})
    result, problems = check_file(path)
    assert result is None and codes(problems) == ["unknown_table"]


def test_zip_two_entries_for_one_table(tmp_path: Path) -> None:
    path = write_zip(minimal(), tmp_path / "r.zip", extra={"a/submission.csv": SUBMISSION_CSV})
    result, problems = check_file(path)
    assert result is None and codes(problems) == ["duplicate_table"]


@pytest.mark.parametrize(
    "name",
    [
        "../submission.csv",
        "/etc/indicators.csv",
        "a/../../goals.csv",
        "C:/goals.csv",
        "\\\\server\\goals.csv",
    ],
)
def test_zip_unsafe_paths(tmp_path: Path, name: str) -> None:
    path = tmp_path / "r.zip"
    # write the unsafe name directly: zipfile would sanitise it on extraction, not on writing
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("submission.csv", SUBMISSION_CSV)
        archive.writestr(zipfile.ZipInfo(name), b"indicator_code,value\n")
    assert "unsafe_zip_path" in fatal(path)


def test_zip_too_many_entries(tmp_path: Path) -> None:
    extra = {f"#note{i}.txt": b"x" for i in range(10)}
    path = write_zip(minimal(), tmp_path / "r.zip", extra=extra)
    assert fatal(path, ReadLimits(max_zip_entries=5)) == ["zip_too_many_entries"]


def test_zip_bomb_by_declared_size(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("submission.csv", SUBMISSION_CSV)
        archive.writestr("#padding.txt", b"0" * 5_000_000)
    assert path.stat().st_size < 50_000
    assert fatal(path, ReadLimits(max_uncompressed_bytes=1_000_000)) == ["zip_too_large"]


def _shrink_declared_size(path: Path, member: str, new_size: int) -> None:
    """Forge an archive: make the central directory understate one entry's size."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + name_len]) == name:
            struct.pack_into("<L", data, at + 24, new_size)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_xlsx_part_that_inflates_beyond_its_declared_size(tmp_path: Path) -> None:
    path = write_xlsx(with_table(minimal(), "wifi_points", wifi_rows(200)), tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheet = next(n for n in archive.namelist() if n.startswith("xl/worksheets/sheet2"))
    _shrink_declared_size(path, sheet, 100)
    assert fatal(path) == ["zip_too_large"]


def test_xlsx_container_limits(tmp_path: Path) -> None:
    path = write_xlsx(minimal(), tmp_path / "r.xlsx")
    assert fatal(path, ReadLimits(max_xlsx_parts=3)) == ["zip_too_many_entries"]
    assert fatal(path, ReadLimits(max_uncompressed_bytes=1000)) == ["zip_too_large"]


def test_csv_that_is_not_utf8(tmp_path: Path) -> None:
    header = b"point_id,commune,status\n"
    body = "A1,Đông Hưng,active\n".encode("cp1258")
    path = write_zip(minimal(), tmp_path / "r.zip", extra={"wifi_points.csv": header + body})
    result, problems = check_file(path)
    assert result is None
    assert codes(problems) == ["invalid_encoding"]
    assert "CSV UTF-8" in problems[0].message_en and problems[0].table == "wifi_points"


def test_malformed_csv(tmp_path: Path) -> None:
    body = b'indicator_code,value,note\nbts_4g_new,1,"' + b"x" * 200_000 + b'"\n'
    path = write_zip(minimal(), tmp_path / "r.zip", extra={"indicators.csv": body})
    result, problems = check_file(path)
    assert result is None and codes(problems) == ["malformed_csv"]
    assert problems[0].row == 2


def test_csv_rows_are_records_with_embedded_newlines(tmp_path: Path) -> None:
    body = ('indicator_code,value,note\nbts_4g_new,1,"dòng 1\ndòng 2"\ndti_rank,99,\n').encode()
    path = write_zip(minimal(), tmp_path / "r.zip", extra={"indicators.csv": body})
    _, problems = check_file(path)
    assert codes(problems) == ["out_of_range"] and problems[0].row == 3


def test_csv_data_without_a_column_name(tmp_path: Path) -> None:
    body = b"indicator_code,value\nbts_4g_new,1,oops\nbts_4g_in_service,2\n"
    path = write_zip(minimal(), tmp_path / "r.zip", extra={"indicators.csv": body})
    result, problems = check_file(path)
    assert result is None and codes(problems) == ["unnamed_column"]
    assert problems[0].row == 2 and problems[0].column == "#3"


def test_zip_entry_names_stored_as_utf8_without_the_flag(tmp_path: Path) -> None:
    path = tmp_path / "r.zip"
    name = "mục tiêu.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("submission.csv", SUBMISSION_CSV)
        archive.writestr(name, "goal_code,status\nA,đạt\n".encode())
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at != -1:
            flags = struct.unpack_from("<H", data, at + flag_at)[0]
            struct.pack_into("<H", data, at + flag_at, flags & ~0x800)
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    result, problems = check_file(path)
    assert problems == [] and result.goals == [("A", None, "achieved", None, None, None)]


# --- json ----------------------------------------------------------------------------------


def _json(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "r.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_invalid_json_says_where(tmp_path: Path) -> None:
    path = _json(tmp_path, '{"submission": {"locality": "22",}}')
    result = read_submission(path)
    assert [p.code for p in result] == ["invalid_json"]  # type: ignore[union-attr]
    assert "line 1" in result[0].message_en  # type: ignore[index]


def test_json_with_a_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + json.dumps(
            {"submission": {"locality": "22", "period": "2023", "submitted_on": "2024-01-15"}}
        ).encode()
    )
    _, problems = check_file(path)
    assert problems == []


def test_json_not_an_object(tmp_path: Path) -> None:
    assert fatal(_json(tmp_path, "[1, 2]")) == ["json_not_object"]


def test_json_too_deep(tmp_path: Path) -> None:
    deep = "[" * 30 + "]" * 30
    path = _json(tmp_path, '{"submission": {"locality": ' + deep + "}}")
    assert fatal(path) == ["json_too_deep"]
    bomb = "[" * 200_000 + "]" * 200_000
    assert fatal(_json(tmp_path, '{"x": ' + bomb + "}")) == ["json_too_deep"]


def test_json_shapes(tmp_path: Path) -> None:
    document = {
        "$schema": "ignored",
        "# ghi chú": "ignored",
        "submission": {"locality": "22", "period": 2023, "submitted_on": "15/1/2024"},
        "indicators": {"indicator_code": "bts_4g_new"},
        "goals": None,
        "wifi_points": [1, {"point_id": "A", "status": "active", "name": {"x": 1}}],
    }
    result, problems = check_file(_json(tmp_path, json.dumps(document)))
    assert result is None
    assert sorted(codes(problems)) == ["invalid_row", "invalid_table_shape", "invalid_type"]
    invalid_type = next(p for p in problems if p.code == "invalid_type")
    assert invalid_type.row == 2 and invalid_type.column == "name"


def test_json_duplicate_keys(tmp_path: Path) -> None:
    text = (
        '{"submission": {"locality": "22", "period": "2023", "period": "2024", '
        '"submitted_on": "2024-01-15"}, "indicators": [{"indicator_code": "bts_4g_new", '
        '"value": 1, "value": 2}], "goals": [], "goals": []}'
    )
    result, problems = check_file(_json(tmp_path, text))
    assert result is None
    assert sorted(codes(problems)) == ["duplicate_column", "duplicate_field", "duplicate_table"]


def test_json_nan_is_not_a_number(tmp_path: Path) -> None:
    text = (
        '{"submission": {"locality": "22", "period": "2023", "submitted_on": "2024-01-15"},'
        ' "indicators": [{"indicator_code": "dti_score", "value": NaN}]}'
    )
    _, problems = check_file(_json(tmp_path, text))
    assert codes(problems) == ["invalid_number"]


def test_json_rows_are_numbered_from_one(tmp_path: Path) -> None:
    rows = wifi_rows(3)
    rows[2]["status"] = "?"
    _, problems = check(with_table(minimal(), "wifi_points", rows), "json", tmp_path)
    assert [p.row for p in problems] == [3] == [data_row("json", 2)]


# --- xlsx ----------------------------------------------------------------------------------


def test_xlsx_rows_are_spreadsheet_rows_even_below_blank_rows(tmp_path: Path) -> None:
    rows = wifi_rows(3)
    rows[2]["status"] = "?"
    path = write_xlsx(with_table(minimal(), "wifi_points", rows), tmp_path / "r.xlsx", start_row=2)
    _, problems = check_file(path)
    assert [(p.code, p.row) for p in problems] == [("invalid_choice", 6)]


def test_xlsx_cells_of_every_kind(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    day = book.add_format({"num_format": "d/m/yyyy"})
    percent = book.add_format({"num_format": "0.0%"})
    sheet = book.add_worksheet("Thông tin chung")
    sheet.write_row(0, 0, ["Trường", "Giá trị", "# ghi chú"])
    sheet.write_row(1, 0, ["locality", 6688])  # a code typed as a number loses its zero
    sheet.write(2, 0, "period")
    sheet.write_datetime(2, 1, datetime(2022, 7, 1), day)  # Excel turned "2022-07" into a date
    sheet.write(3, 0, "submitted_on")
    sheet.write_number(3, 1, 44781)  # a date serial without a date format
    sheet.write_string(4, 0, "framework")
    sheet.write_string(4, 1, "=not a formula")  # text typed with a leading apostrophe
    sheet.write_string(4, 2, "ghi chú")
    readme = book.add_worksheet("README")
    readme.write(0, 0, "anything")
    book.add_worksheet("# nháp").write(0, 0, "x")
    ind = book.add_worksheet("indicators")
    ind.write_row(0, 0, ["indicator_code", "value"])
    ind.write(1, 0, "digital_certificate_units_pct")
    ind.write_number(1, 1, 0.992, percent)
    ind.write(2, 0, "bts_4g_in_service")
    ind.write_formula(2, 1, "=100+23", None, 123)
    book.add_chartsheet("chart")
    chart = book.add_chart({"type": "line"})
    chart.add_series({"values": "=indicators!$B$2:$B$3"})
    book.worksheets()[-1].set_chart(chart)
    book.close()
    result, problems = check_file(path)
    assert problems == [], "a percent cell is read as it shows (99.2%), not as a fraction"
    assert ("digital_certificate_units_pct", 99.2, None) in result.indicators
    assert result.locality.code == "06688" and result.period.code == "2022-07"
    assert result.submitted_on == date(2022, 8, 8)
    assert result.framework == "=not a formula"
    assert ("bts_4g_in_service", 123, None) in result.indicators


def test_xlsx_two_sheets_for_one_table(tmp_path: Path) -> None:
    sub = minimal()
    sub["mục tiêu"] = [{"goal_code": "A", "status": "đạt"}]
    sub["goals"] = [{"goal_code": "B", "status": "đạt"}]
    result, problems = check(sub, "xlsx", tmp_path)
    assert result is None and codes(problems) == ["duplicate_table"]


def test_xlsx_data_without_a_column_name(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet("submission")
    for r, row in enumerate(
        [
            ["field", "value"],
            ["locality", "22"],
            ["period", "2023"],
            ["submitted_on", "15/1/2024", None, "lost?"],
        ]
    ):
        for c, value in enumerate(row):
            if value is not None:
                sheet.write(r, c, value)
    book.close()
    _, problems = check_file(path)
    assert codes(problems) == ["unnamed_column"] and problems[0].row == 4


def test_empty_data_sheet_is_an_absent_table(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    write_xlsx(minimal(), path)
    _, problems = check_file(path)
    assert problems == []
