"""The dbt models pass sqlfluff (jinja templater, dbt_project/.sqlfluff) and the project parses."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_models_pass_sqlfluff() -> None:
    sqlfluff = Path(sys.executable).with_name("sqlfluff")
    result = subprocess.run(
        [str(sqlfluff), "lint", "models"],
        cwd=REPO / "dbt_project",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-4000:]


def test_every_model_has_its_yaml_and_every_mart_a_contract() -> None:
    import yaml

    models = REPO / "dbt_project" / "models"
    documented: dict[str, dict] = {}
    for path in models.rglob("*.yml"):
        for model in yaml.safe_load(path.read_text(encoding="utf-8")).get("models", []):
            documented[model["name"]] = model
    for sql in models.rglob("*.sql"):
        assert sql.stem in documented, f"{sql.name} has no YAML entry"
        if sql.parent.name == "marts":
            columns = documented[sql.stem]["columns"]
            assert all(c.get("data_type") for c in columns), sql.stem
            keys = [c for c in columns if "unique" in c.get("data_tests", [])]
            assert keys and "not_null" in keys[0]["data_tests"], f"{sql.stem}: no tested key"
