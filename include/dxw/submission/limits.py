"""Limits that protect the reader from oversized, malicious or runaway files."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """Every limit; exceeding one is a Problem, never an exception."""

    #: Size of the submitted file itself.
    max_file_bytes: int = 200 * MIB
    #: A .json file is parsed whole in memory, so it gets a tighter size limit.
    max_json_bytes: int = 50 * MIB
    #: Sum of the uncompressed sizes of a .zip's entries (also of the parts of an .xlsx).
    max_uncompressed_bytes: int = 2048 * MIB
    #: Entries of a .zip (directories included).
    max_zip_entries: int = 50
    #: Parts of an .xlsx container (an .xlsx is itself a zip archive).
    max_xlsx_parts: int = 1000
    #: Cells of the grid a worksheet spans, first to last value (rows x columns): the reader
    #: holds that grid in memory, about 32 bytes a cell.
    max_sheet_cells: int = 20_000_000
    #: Nesting depth of a .json document (object > array > row object > value is 4).
    max_json_depth: int = 16
    #: Data rows in one table.
    max_rows_per_table: int = 2_000_000
    #: Problems of one code in one table listed one by one; beyond, they are only counted.
    max_problems_per_code: int = 1000


#: The default limits (a frozen, shareable instance).
DEFAULT_LIMITS = ReadLimits()
