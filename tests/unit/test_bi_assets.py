"""The dashboards as code (bi/dashboards) and the normalisation of Superset's export."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from dxw.bi.assets import (
    ASSETS_DIR,
    PLACEHOLDER_URI,
    AssetsError,
    charts,
    dashboards,
    dump,
    english_part,
    normalise,
    read_bundle,
    slugify,
    write_bundle,
)
from dxw.config import REPO_ROOT

BUNDLE = read_bundle(ASSETS_DIR)
EXPOSURES = yaml.safe_load((REPO_ROOT / "dbt_project/models/marts/exposures.yml").read_text())
VIETNAMESE = re.compile(r"[ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ]")


def configs(kind: str) -> dict[str, dict[str, Any]]:
    return {p: yaml.safe_load(t) for p, t in BUNDLE.items() if p.startswith(f"{kind}/")}


# -- the committed bundle -----------------------------------------------------------------------
def test_the_four_dashboards_are_committed() -> None:
    assert {d["slug"] for d in dashboards(BUNDLE)} == {
        "dx-scorecard", "dx-infrastructure", "dx-goals", "dx-data-quality"
    }  # fmt: skip


def test_the_committed_bundle_is_already_normalised() -> None:
    """`dxw bi export` of what bi/ holds writes nothing: names and contents are stable."""
    assert normalise(BUNDLE, BUNDLE) == BUNDLE


def test_no_uri_or_password_is_committed() -> None:
    (database,) = configs("databases").values()
    assert database["sqlalchemy_uri"] == PLACEHOLDER_URI
    assert database["allow_dml"] is False
    assert database["allow_file_upload"] is False
    text = "\n".join(BUNDLE.values())
    for url in re.findall(r"postgres\w*(?:\+\w+)?://[^\s'\"]+", text):
        assert url == PLACEHOLDER_URI


def test_titles_are_vietnamese_with_english() -> None:
    titles = [d["title"] for d in dashboards(BUNDLE)]
    titles += [c["slice_name"] for c in charts(BUNDLE).values()]
    for title in titles:
        vietnamese, _, english = title.partition(" / ")
        assert english and VIETNAMESE.search(vietnamese.lower()), title
        assert english.isascii(), title


def test_every_reference_resolves() -> None:
    datasets = {str(c["uuid"]) for c in configs("datasets").values()}
    (database,) = configs("databases").values()
    assert all(c["database_uuid"] == database["uuid"] for c in configs("datasets").values())
    chart_uuids = set(charts(BUNDLE))
    assert all(c["dataset_uuid"] in datasets for c in charts(BUNDLE).values())
    used = set()
    for dashboard in dashboards(BUNDLE):
        assert dashboard["charts"], dashboard["slug"]
        assert set(dashboard["charts"]) <= chart_uuids
        used |= set(dashboard["charts"])
    assert used == chart_uuids, "a committed chart is on no dashboard"


def test_datasets_read_only_the_marts() -> None:
    for path, dataset in configs("datasets").items():
        assert dataset["schema"] == "marts", path
        for schema in re.findall(r"\b(\w+)\.\w+", dataset.get("sql") or ""):
            # schemas, or the aliases of the virtual datasets' tables
            aliases = ("coverage", "locality", "attainment", "province", "periods", "scorecard")
            assert schema == "marts" or schema in aliases, (path, schema)


def test_exposures_list_exactly_the_dashboards_with_their_urls() -> None:
    exposed = {
        exposure["url"]: exposure
        for exposure in EXPOSURES["exposures"]
        if exposure["type"] == "dashboard"
    }
    expected = {
        f"http://127.0.0.1:8088/superset/dashboard/{d['slug']}/": d for d in dashboards(BUNDLE)
    }
    assert exposed.keys() == expected.keys()
    for url, exposure in exposed.items():
        assert exposure["label"].startswith(expected[url]["title"])


def test_dbt_exposures_cover_every_mart_the_datasets_read() -> None:
    depends = {ref for e in EXPOSURES["exposures"] for ref in e["depends_on"]}
    for path, dataset in configs("datasets").items():
        tables = set(re.findall(r"\bmarts\.(\w+)", dataset.get("sql") or ""))
        tables |= {dataset["table_name"]} if not dataset.get("sql") else set()
        for table in tables:
            assert f"ref('{table}')" in depends or f"source('marts_views', '{table}')" in depends, (
                path, table
            )  # fmt: skip


# -- normalisation of an export -----------------------------------------------------------------
def raw_export() -> dict[str, str]:
    """The committed bundle dressed as a fresh Superset export: ids, timestamp, masked URI."""
    raw = {"metadata.yaml": "version: 1.0.0\ntype: assets\ntimestamp: '2026-12-02T10:00:00'\n"}
    for n, (path, text) in enumerate(BUNDLE.items()):
        config = yaml.safe_load(text)
        kind = path.split("/", 1)[0]
        if kind == "databases":
            config["sqlalchemy_uri"] = "postgresql+psycopg2://dxw_bi:XXXXXXXXXX@127.0.0.1:5432/dxw"
            raw[f"databases/dx-warehouse_{7}.yaml"] = yaml.safe_dump(config, sort_keys=False)
        elif kind == "datasets":
            raw[f"datasets/dx-warehouse_7/{config['table_name']}_{11}.yaml"] = yaml.safe_dump(
                config, sort_keys=False
            )
        elif kind == "charts":
            config["query_context"] = '{"datasource": {"id": 11, "type": "table"}}'
            config["params"]["datasource"] = "11__table"
            config["params"]["slice_id"] = 42
            raw[f"charts/{slugify(config['slice_name'])[:20]}_{n}.yaml"] = yaml.safe_dump(
                config, sort_keys=False
            )
        elif kind == "dashboards":
            for node in config["position"].values():
                if isinstance(node, dict) and node.get("type") == "CHART":
                    node["meta"]["chartId"] += 100
            config["metadata"]["color_scheme_domain"] = ["#1FA8C9"]
            config["metadata"]["shared_label_colors"] = []
            raw[f"dashboards/Dashboard_{n}.yaml"] = yaml.safe_dump(config, sort_keys=False)
    return raw


def test_an_export_becomes_the_committed_bundle() -> None:
    assert normalise(raw_export(), BUNDLE) == BUNDLE


def test_a_new_export_gets_readable_names_without_ids() -> None:
    bundle = normalise(raw_export(), existing={})
    assert "dashboards/dx-scorecard.yaml" in bundle
    assert "databases/dx_warehouse.yaml" in bundle
    assert "datasets/dx_warehouse/scorecard_of_the_34_provinces.yaml" in bundle
    assert "charts/scorecard_of_the_34_provinces.yaml" in bundle
    assert not [p for p in bundle if re.search(r"_\d+\.yaml$", p) and "34" not in p]
    assert len(bundle) == len(BUNDLE)


def test_normalise_takes_out_instance_ids_and_the_password() -> None:
    bundle = normalise(raw_export(), BUNDLE)
    text = "\n".join(bundle.values())
    assert "query_context" not in text and "11__table" not in text and "slice_id" not in text
    assert "timestamp" not in bundle["metadata.yaml"]
    assert "127.0.0.1" not in text


def test_chart_ids_become_their_rank_on_the_dashboard() -> None:
    position = {
        "ROOT_ID": {"type": "ROOT", "id": "ROOT_ID", "children": ["GRID_ID"]},
        "GRID_ID": {"type": "GRID", "id": "GRID_ID", "children": ["ROW-1"]},
        "ROW-1": {"type": "ROW", "id": "ROW-1", "children": ["CHART-b", "CHART-a"]},
        "CHART-a": {"type": "CHART", "id": "CHART-a", "meta": {"chartId": 71, "uuid": "a"}},
        "CHART-b": {"type": "CHART", "id": "CHART-b", "meta": {"chartId": 93, "uuid": "b"}},
    }
    dashboard = {
        "dashboard_title": "Thử / Test", "slug": "test", "uuid": "d", "position": position,
        "metadata": {
            "chart_configuration": {
                "71": {"id": 71, "crossFilters": {"scope": {"excluded": [93]}}}
            },
            "expanded_slices": {"93": True},
            "native_filter_configuration": [{"id": "F", "chartsInScope": [71, 93],
                                             "scope": {"excluded": [71]}}],
        },
    }  # fmt: skip
    bundle = normalise({"dashboards/Test_5.yaml": yaml.safe_dump(dashboard)})
    config = yaml.safe_load(bundle["dashboards/test.yaml"])
    assert config["position"]["CHART-b"]["meta"]["chartId"] == 1
    assert config["position"]["CHART-a"]["meta"]["chartId"] == 2
    metadata = config["metadata"]
    assert metadata["chart_configuration"] == {
        "2": {"id": 2, "crossFilters": {"scope": {"excluded": [1]}}}
    }
    assert metadata["expanded_slices"] == {"1": True}
    assert metadata["native_filter_configuration"] == [{"id": "F", "scope": {"excluded": [2]}}]


def test_a_chart_without_its_uuid_in_the_layout_is_refused() -> None:
    (path, text), *_ = [(p, t) for p, t in BUNDLE.items() if p.startswith("dashboards/")]
    config = yaml.safe_load(text)
    broken = copy.deepcopy(config)
    chart = next(n for n in broken["position"].values() if isinstance(n, dict)
                 and n.get("type") == "CHART")  # fmt: skip
    del chart["meta"]["uuid"]
    with pytest.raises(AssetsError, match="no uuid"):
        normalise({path: dump(broken)})


def test_write_bundle_removes_what_the_export_no_longer_has(tmp_path: Path) -> None:
    write_bundle(BUNDLE, tmp_path)
    assert read_bundle(tmp_path) == BUNDLE
    (tmp_path / "charts" / "deleted_in_the_ui.yaml").write_text("uuid: x\n")
    changed = write_bundle(BUNDLE, tmp_path)
    assert changed == ["charts/deleted_in_the_ui.yaml"]
    assert read_bundle(tmp_path) == BUNDLE
    assert write_bundle(BUNDLE, tmp_path) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Điểm Wi-Fi miễn phí / Free Wi-Fi points", "free_wi_fi_points"),
        ("Đắk Lắk", "dak_lak"),
        ("Hạ tầng số", "ha_tang_so"),
        ("", "unnamed"),
    ],
)
def test_slugify(text: str, expected: str) -> None:
    assert slugify(english_part(text)) == expected
