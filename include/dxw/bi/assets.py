"""The dashboards as code: Superset's export made stable and password-free for `bi/dashboards`.

Superset's export names files after titles cut to ASCII plus database ids, writes the chart ids
of the instance into the dashboards, the dataset id into each chart and a fresh timestamp into
`metadata.yaml`, and escapes every Vietnamese letter: exporting the same dashboards from two
instances gives two different trees. `normalise` turns an export into the committed layout:

- `metadata.yaml` without a timestamp;
- `databases/<name>.yaml` with a placeholder URI (the real one, `dxw db url --role bi`, is put
  back in memory at import time);
- `datasets/<database>/<table>.yaml`, `charts/<name>.yaml`, `dashboards/<slug>.yaml`: a file
  keeps the name it has in the repository (matched by uuid); a new one is named after its
  slug or English title;
- the instance's ids replaced by stable ones (a chart's position on its dashboard), ids that
  Superset recomputes dropped (`query_context`, `params.datasource`), and so are the label
  colours Superset saves into a dashboard each time someone opens it;
- YAML written with Vietnamese as text, so that a change in the UI is a readable diff.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from dxw.config import REPO_ROOT

#: The committed dashboards (a Superset assets bundle).
ASSETS_DIR = REPO_ROOT / "bi" / "dashboards"
#: Folders of a bundle that `write_bundle` owns: files there that an export lacks are removed.
KINDS = ("databases", "datasets", "charts", "dashboards")
METADATA = {"version": "1.0.0", "type": "assets"}
#: What the committed database file says instead of the real URI (no host, no password).
PLACEHOLDER_URI = "postgresql+psycopg2://dxw_bi:XXXXXXXXXX@localhost:5432/dxw"
#: Chart parameters that hold ids of one Superset instance; import sets them anew.
_INSTANCE_PARAMS = ("datasource", "slice_id", "dashboards")
#: Dashboard metadata Superset derives and saves whenever someone opens the dashboard.
_DERIVED_METADATA = ("color_scheme_domain", "shared_label_colors", "map_label_colors")


class AssetsError(ValueError):
    """A bundle is not what `bi/dashboards` must hold."""


def slugify(text: str) -> str:
    """ASCII file-name stem: Vietnamese letters without their marks (đ -> d), words joined by _."""
    text = text.replace("đ", "d").replace("Đ", "D")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_text.lower()).strip("_") or "unnamed"


def english_part(title: str) -> str:
    """`Tiếng Việt / English` -> `English` (the whole title when it has no English part)."""
    return title.rsplit(" / ", 1)[-1].strip() if " / " in title else title


def read_bundle(folder: Path) -> dict[str, str]:
    """Every YAML file of a bundle folder, keyed by its POSIX path relative to the folder."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(folder.rglob("*.yaml"))
    }


def load(text: str) -> Any:
    """YAML as data (libyaml's loader when PyYAML has it: exports are long)."""
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506


def dump(data: Any) -> str:
    """YAML as committed: Superset's key order, Vietnamese as text, wide lines."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def _uuid_names(existing: Mapping[str, str]) -> dict[str, str]:
    """uuid -> path of the files already in the repository."""
    names = {}
    for path, text in existing.items():
        data = load(text)
        if isinstance(data, dict) and data.get("uuid"):
            names[str(data["uuid"])] = path
    return names


def _stem(kind: str, config: Mapping[str, Any]) -> str:
    if kind == "databases":
        return slugify(str(config["database_name"]))
    if kind == "datasets":
        return slugify(str(config["table_name"]))
    if kind == "charts":
        return slugify(english_part(str(config["slice_name"])))
    slug = str(config.get("slug") or "")
    if re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        return slug  # the dashboard's URL: /superset/dashboard/<slug>/
    return slugify(english_part(str(config["dashboard_title"])))


def _chart_ordinals(position: Mapping[str, Any]) -> dict[int, int]:
    """Instance chart id -> its rank on the dashboard (layout order), the stable id we commit."""
    ordinals: dict[int, int] = {}
    for node in _walk_layout(position):
        meta = node.get("meta") or {}
        chart_id = meta.get("chartId")
        if node.get("type") == "CHART" and isinstance(chart_id, int) and chart_id not in ordinals:
            ordinals[chart_id] = len(ordinals) + 1
    return ordinals


def _walk_layout(position: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    """The layout's nodes, depth first from ROOT_ID, then any node not reached (deterministic)."""
    seen: set[str] = set()
    stack = ["ROOT_ID"]
    while stack:
        key = stack.pop()
        node = position.get(key)
        if key in seen or not isinstance(node, dict):
            continue
        seen.add(key)
        yield node
        stack.extend(reversed(node.get("children") or []))
    for key in sorted(k for k in position if k not in seen):
        if isinstance(position[key], dict):
            yield position[key]


def _remap(ids: Iterable[Any], ordinals: Mapping[int, int]) -> list[int]:
    return [ordinals[int(i)] for i in ids if str(i).isdigit() and int(i) in ordinals]


def _normalise_dashboard(config: dict[str, Any]) -> dict[str, Any]:
    position = config.get("position") or {}
    ordinals = _chart_ordinals(position)
    for node in position.values():
        if isinstance(node, dict) and node.get("type") == "CHART":
            meta = node.setdefault("meta", {})
            if not meta.get("uuid"):
                raise AssetsError(
                    f"dashboard {config.get('dashboard_title')!r}: chart {node.get('id')} has no "
                    "uuid in the layout (its export would duplicate the chart)"
                )
            if meta.get("chartId") in ordinals:
                meta["chartId"] = ordinals[meta["chartId"]]
    metadata = config.get("metadata") or {}
    for key in _DERIVED_METADATA:
        metadata.pop(key, None)
    for key in ("timed_refresh_immune_slices",):
        if key in metadata:
            metadata[key] = _remap(metadata[key], ordinals)
    for key in ("expanded_slices", "filter_scopes"):
        if key in metadata:
            metadata[key] = {
                str(ordinals[int(k)]): v
                for k, v in metadata[key].items()
                if str(k).isdigit() and int(k) in ordinals
            }
    if "chart_configuration" in metadata:
        remapped = {}
        for key, chart in metadata["chart_configuration"].items():
            if not str(key).isdigit() or int(key) not in ordinals:
                continue
            if isinstance(chart, dict):
                chart["id"] = ordinals[int(key)]
                scope = (chart.get("crossFilters") or {}).get("scope")
                if isinstance(scope, dict) and "excluded" in scope:
                    scope["excluded"] = _remap(scope["excluded"], ordinals)
            remapped[str(ordinals[int(key)])] = chart
        metadata["chart_configuration"] = remapped
    global_scope = (metadata.get("global_chart_configuration") or {}).get("scope")
    if isinstance(global_scope, dict) and "excluded" in global_scope:
        global_scope["excluded"] = _remap(global_scope["excluded"], ordinals)
    if isinstance(metadata.get("global_chart_configuration"), dict):
        metadata["global_chart_configuration"].pop("chartsInScope", None)
    for native_filter in metadata.get("native_filter_configuration") or []:
        # Recomputed from the scope when the dashboard loads; ids of this instance.
        native_filter.pop("chartsInScope", None)
        scope = native_filter.get("scope")
        if isinstance(scope, dict) and "excluded" in scope:
            scope["excluded"] = _remap(scope["excluded"], ordinals)
    for chart in (metadata.get("chart_configuration") or {}).values():
        if isinstance(chart, dict):
            chart.pop("chartsInScope", None)
    return config


def normalise(raw: Mapping[str, str], existing: Mapping[str, str] | None = None) -> dict[str, str]:
    """Superset's export (path -> YAML) as the committed bundle (path -> YAML)."""
    existing = existing or {}
    known = _uuid_names(existing)
    bundle = {"metadata.yaml": dump(METADATA)}
    databases: dict[str, str] = {}
    taken: set[str] = set()
    for path in _sorted_by_kind(raw):
        kind = path.split("/", 1)[0]
        if kind not in KINDS:
            continue  # metadata.yaml, themes, tags: not ours to commit
        config = load(raw[path])
        if not isinstance(config, dict) or "uuid" not in config:
            raise AssetsError(f"{path}: not a Superset asset (no uuid)")
        if kind == "databases":
            config["sqlalchemy_uri"] = PLACEHOLDER_URI
            databases[str(config["uuid"])] = slugify(str(config["database_name"]))
        elif kind == "charts":
            config.pop("query_context", None)
            params = config.get("params") or {}
            for key in _INSTANCE_PARAMS:
                params.pop(key, None)
        elif kind == "dashboards":
            config = _normalise_dashboard(config)
        name = known.get(str(config["uuid"]))
        if name is None or name in taken:
            if kind == "datasets":
                database = databases.get(str(config.get("database_uuid")), "database")
                name = f"datasets/{database}/{_stem(kind, config)}.yaml"
            else:
                name = f"{kind}/{_stem(kind, config)}.yaml"
            stem, suffix = name[: -len(".yaml")], 2
            while name in taken:
                name, suffix = f"{stem}_{suffix}.yaml", suffix + 1
        taken.add(name)
        bundle[name] = dump(config)
    return bundle


def _sorted_by_kind(paths: Iterable[str]) -> list[str]:
    """Databases before datasets: normalise needs a database's name to place its datasets."""
    order = {kind: rank for rank, kind in enumerate(KINDS)}
    return sorted(paths, key=lambda p: (order.get(p.split("/", 1)[0], -1), p))


def write_bundle(bundle: Mapping[str, str], folder: Path) -> list[str]:
    """Write the bundle into `folder`, removing the YAML files it no longer has; changed paths."""
    changed = []
    for path, text in bundle.items():
        target = folder / path
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(path)
    for kind in KINDS:
        for stale in sorted((folder / kind).rglob("*.yaml")) if (folder / kind).is_dir() else []:
            relative = stale.relative_to(folder).as_posix()
            if relative not in bundle:
                stale.unlink()
                changed.append(relative)
    return changed


def dashboards(bundle: Mapping[str, str]) -> list[dict[str, Any]]:
    """The dashboards of a bundle (title, slug, uuid, chart uuids in layout order)."""
    found = []
    for path in sorted(p for p in bundle if p.startswith("dashboards/")):
        config = load(bundle[path])
        charts = [
            node["meta"]["uuid"]
            for node in _walk_layout(config.get("position") or {})
            if node.get("type") == "CHART"
        ]
        found.append(
            {
                "path": path,
                "title": config["dashboard_title"],
                "slug": config.get("slug"),
                "uuid": config["uuid"],
                "charts": charts,
            }
        )
    return found


def charts(bundle: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """uuid -> chart config, for every chart of a bundle."""
    found = {}
    for path in (p for p in bundle if p.startswith("charts/")):
        config = load(bundle[path])
        found[str(config["uuid"])] = config
    return found
