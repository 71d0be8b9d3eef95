"""The JSON Schema of the JSON carrier, generated from the table specs (docs are kept in sync)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dxw.submission.catalog import load_catalog
from dxw.submission.describe import TYPE_TEXT, accepted_values
from dxw.submission.tables import COMMENT_PREFIX, DATA_TABLES, SUBMISSION, TABLES, ColumnSpec

SCHEMA_ID = "https://dx-warehouse.example/schemas/submission-format.schema.json"
_JSON_TYPES: dict[str, list[str]] = {
    "text": ["string", "number", "null"],
    "number": ["number", "string", "null"],
    "integer": ["integer", "number", "string", "null"],
    "date": ["string", "number", "null"],
    "bool": ["boolean", "integer", "string", "null"],
    "choice": ["string", "null"],
    "email": ["string", "null"],
    "period": ["string", "integer"],
    "locality": ["string", "integer"],
}
_COMMENTS = {f"^{COMMENT_PREFIX}": {"description": "A note; ignored."}}


def _column_schema(column: ColumnSpec) -> dict[str, Any]:
    """The schema of one cell."""
    en_type = TYPE_TEXT[column.type][0]
    description = (
        f"{column.description_en} [{en_type}] — {column.label_vi}: {column.description_vi}"
    )
    if column.choices:
        description += f" Allowed / hợp lệ: {accepted_values(column)}."
    schema: dict[str, Any] = {"type": _JSON_TYPES[column.type], "description": description}
    if column.example:
        schema["examples"] = [column.example]
    if column.name == "indicator_code":
        schema["examples"] = list(load_catalog().codes())
    return schema


def _object_schema(columns: tuple[ColumnSpec, ...], title: str) -> dict[str, Any]:
    """An object whose keys are column names or their Vietnamese spellings."""
    properties: dict[str, Any] = {}
    for column in columns:
        cell = _column_schema(column)
        for spelling in column.spellings:
            properties[spelling] = (
                cell
                if spelling == column.name
                else {"$ref": f"#/$defs/cells/{column.name}", "description": f"= {column.name}"}
            )
    required = [
        {"anyOf": [{"required": [s]} for s in column.spellings]}
        for column in columns
        if column.required
    ]
    schema: dict[str, Any] = {
        "type": "object",
        "title": title,
        "properties": properties,
        "patternProperties": _COMMENTS,
        "additionalProperties": False,
    }
    if required:
        schema["allOf"] = required
    return schema


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a .json submission."""
    cells = {c.name: _column_schema(c) for t in TABLES.values() for c in t.columns}
    defs: dict[str, Any] = {"cells": cells}
    properties: dict[str, Any] = {
        "$schema": {"type": "string", "description": "Optional; ignored."}
    }
    defs["submission"] = _object_schema(SUBMISSION.columns, "submission")
    for spelling in SUBMISSION.spellings:
        properties[spelling] = {"$ref": "#/$defs/submission"}
    for name in DATA_TABLES:
        table = TABLES[name]
        defs[name] = {
            "type": ["array", "null"],
            "description": f"{table.description_en} — {table.label_vi}: {table.description_vi}",
            "items": _object_schema(table.columns, f"{name} row"),
        }
        for spelling in table.spellings:
            properties[spelling] = {"$ref": f"#/$defs/{name}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dx-warehouse submission (JSON carrier)",
        "description": (
            "One locality's digital-transformation report for one period. Keys are table names "
            "(or their Vietnamese labels); `submission` is an object of fields, the other tables "
            "are arrays of row objects. Row numbers in feedback are the array index + 1. "
            "The validator is more lenient than this schema about key spelling (case, Unicode "
            "form); see docs/submission-format.md."
        ),
        "type": "object",
        "properties": properties,
        "patternProperties": _COMMENTS,
        "additionalProperties": False,
        "anyOf": [{"required": [s]} for s in SUBMISSION.spellings],
        "$defs": defs,
    }


def schema_text() -> str:
    """The schema as written to docs/submission-format.schema.json."""
    return json.dumps(json_schema(), ensure_ascii=False, indent=2) + "\n"


def write_json_schema(out: Path) -> Path:
    """Write the schema file (regenerate docs/submission-format.schema.json with this)."""
    out = Path(out)
    out.write_text(schema_text(), encoding="utf-8")
    return out
