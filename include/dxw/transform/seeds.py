"""dbt seeds generated from the project's own reference data.

- `seed_localities.csv`: every administrative unit of both eras, from `dxw.localities.registry()`.
- `seed_indicators.csv`: the indicator catalog, from `dxw/submission/indicators.yml`.

Both are committed (a test checks that they equal a fresh generation) so that dbt, Cosmos and
CI never depend on generating them first; `ensure_seeds()` rewrites a seed only when its
content changed (a new `vietnamadminunits` release, a new indicator).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

import yaml

import dxw
from dxw.config import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
SEEDS_DIR = DBT_PROJECT_DIR / "seeds"
LOCALITY_SEED = SEEDS_DIR / "seed_localities.csv"
INDICATOR_SEED = SEEDS_DIR / "seed_indicators.csv"
INDICATOR_CATALOG = Path(dxw.__file__).resolve().parent / "submission" / "indicators.yml"
INDICATOR_COLUMNS = (
    "indicator_code",
    "name_vi",
    "name_en",
    "unit",
    "kind",
    "min_value",
    "max_value",
    "numerator_code",
    "denominator_code",
)


def _number(value: object) -> str:
    """A bound as text without a spurious .0; blank when unbounded."""
    if value is None:
        return ""
    number = float(value)  # type: ignore[arg-type]
    return str(int(number)) if number.is_integer() else str(number)


def indicator_seed_text(catalog: Path = INDICATOR_CATALOG) -> str:
    """The indicator seed CSV for the catalog YAML (`indicators:` list of code, name_vi, ...)."""
    document = yaml.safe_load(catalog.read_text(encoding="utf-8"))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(INDICATOR_COLUMNS)
    for entry in document["indicators"]:
        writer.writerow(
            (
                entry["code"],
                entry["name_vi"],
                entry["name_en"],
                str(entry["unit"]),
                entry["kind"],
                _number(entry.get("min")),
                _number(entry.get("max")),
                entry.get("numerator") or "",
                entry.get("denominator") or "",
            )
        )
    return buffer.getvalue()


def write_indicator_seed(path: Path = INDICATOR_SEED, catalog: Path = INDICATOR_CATALOG) -> int:
    """Write the dim_indicator seed from the catalog YAML; returns the number of indicators."""
    text = indicator_seed_text(catalog)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return text.count("\n") - 1


def write_locality_seed(path: Path = LOCALITY_SEED) -> int:
    """Write the dim_locality seed from the locality registry; returns the number of units."""
    from dxw.localities import registry

    return registry().write_csv(path)


def _refresh(path: Path, write: Callable[[Path], int]) -> bool:
    """Regenerate `path` next to it and replace it only when the content differs."""
    fresh = path.with_name(f".{path.name}.new")
    try:
        write(fresh)
        if path.exists() and path.read_bytes() == fresh.read_bytes():
            return False
        fresh.replace(path)
        return True
    finally:
        fresh.unlink(missing_ok=True)


def ensure_seeds() -> list[Path]:
    """Regenerate the seeds whose sources changed; returns the seeds rewritten.

    A seed whose source is missing (no catalog YAML) is left as committed.
    """
    changed = []
    if _refresh(LOCALITY_SEED, write_locality_seed):
        changed.append(LOCALITY_SEED)
    if INDICATOR_CATALOG.exists() and _refresh(
        INDICATOR_SEED, lambda p: write_indicator_seed(p, INDICATOR_CATALOG)
    ):
        changed.append(INDICATOR_SEED)
    return changed
