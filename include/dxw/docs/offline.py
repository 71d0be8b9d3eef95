"""GX Data Docs that render offline: CDN links rewritten to local copies of the same files.

GX's page templates load Bootstrap, jQuery, Font Awesome, bootstrap-table, Vega and friends
from CDNs and a logo (with the data context's id in its query string) from S3; on a machine
without internet (this one, many government networks) the pages render unstyled. `make
install` installs the same versions from the npm registry into `.tools/docs-vendor`
(`include/dxw/docs/vendor/package.json` and its lock); `make_offline` copies the files a site
uses into `<site>/static/vendor/` and points every page and style sheet at them. A remote asset
with no local copy is left as it is and reported, never dropped silently.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dxw.config import REPO_ROOT

ENV_VENDOR_DIR = "DXW_DOCS_VENDOR_DIR"
#: Remote asset -> file of an npm package (path under node_modules) pinned in vendor/package.json.
REMOTE_FILES = {
    "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css":
        "bootstrap/dist/css/bootstrap.min.css",
    "https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js":
        "bootstrap/dist/js/bootstrap.min.js",
    "https://code.jquery.com/jquery-3.7.1.min.js": "jquery/dist/jquery.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/popper.js/1.12.9/umd/popper.min.js":
        "popper.js/dist/umd/popper.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.css":
        "bootstrap-table/dist/bootstrap-table.min.css",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/bootstrap-table.min.js":
        "bootstrap-table/dist/bootstrap-table.min.js",
    "https://unpkg.com/bootstrap-table@1.19.1/dist/extensions/filter-control/bootstrap-table-filter-control.min.js":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.js",
    # GX asks for 1.19.0's style sheet beside 1.19.1's script; 1.19.1's is the same file.
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.css",
    "https://unpkg.com/bootstrap-table@1.19.0/dist/extensions/filter-control/bootstrap-table-filter-control.min.css":
        "bootstrap-table/dist/extensions/filter-control/bootstrap-table-filter-control.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/css/bootstrap-datepicker.min.css":
        "bootstrap-datepicker/dist/css/bootstrap-datepicker.min.css",
    "https://cdnjs.cloudflare.com/ajax/libs/bootstrap-datepicker/1.9.0/js/bootstrap-datepicker.min.js":
        "bootstrap-datepicker/dist/js/bootstrap-datepicker.min.js",
    "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css":
        "@fortawesome/fontawesome-free/css/all.min.css",
    "https://cdn.jsdelivr.net/npm/@forevolve/bootstrap-dark@1.1.0/dist/css/bootstrap-prefers-dark.css":
        "@forevolve/bootstrap-dark/dist/css/bootstrap-prefers-dark.css",
    "https://cdn.jsdelivr.net/npm/vega@5": "vega/build/vega.min.js",
    "https://cdn.jsdelivr.net/npm/vega-lite@5": "vega-lite/build/vega-lite.min.js",
    "https://cdn.jsdelivr.net/npm/vega-embed@6": "vega-embed/build/vega-embed.min.js",
}  # fmt: skip
#: Folders a vendored file reads relative to itself (Font Awesome's ../webfonts).
COMPANION_DIRS = {
    "@fortawesome/fontawesome-free/css/all.min.css": "@fortawesome/fontawesome-free/webfonts",
}
#: GX's logos on S3 (one carries the data context's id): the site ships its own copy.
REMOTE_LOGO = re.compile(r"https://great-expectations-web-assets\.[^\"')\s]*\.png[^\"')\s]*")
LOCAL_LOGO = "static/images/logo-long.png"
VENDOR_FOLDER = "static/vendor"

#: Tags that load something, and the attribute that names it.
_ASSET_TAG = re.compile(r"<(?:script|img|source|iframe|embed|link)\b[^>]*>", re.IGNORECASE)
_ASSET_ATTR = re.compile(r"\b(?:src|href)\s*=\s*([\"'])(?P<url>[^\"']*)\1", re.IGNORECASE)
_CSS_URL = re.compile(r"(?:url\(\s*[\"']?|@import\s+[\"'])(?P<url>[^\"')\s]+)")
_SRI_ATTR = re.compile(r"\s+(?:integrity|crossorigin)(?:\s*=\s*([\"'])[^\"']*\1)?", re.IGNORECASE)
_REMOTE = re.compile(r"^(?:https?:)?//", re.IGNORECASE)


def vendor_dir() -> Path:
    """Where `make install` put the npm packages (node_modules)."""
    return Path(
        os.environ.get(ENV_VENDOR_DIR) or REPO_ROOT / ".tools" / "docs-vendor" / "node_modules"
    )


def remote_assets(text: str, css: bool = False) -> list[str]:
    """URLs of remote files a page (or a style sheet) loads: scripts, styles, images, fonts.

    Links a person may follow (`<a href>`) are not assets and are not listed.
    """
    found = []
    if not css:
        for tag in _ASSET_TAG.finditer(text):
            for attr in _ASSET_ATTR.finditer(tag.group(0)):
                if _REMOTE.match(attr.group("url")):
                    found.append(attr.group("url"))
    found.extend(m.group("url") for m in _CSS_URL.finditer(text) if _REMOTE.match(m.group("url")))
    return found


@dataclass(slots=True)
class OfflineReport:
    """What `make_offline` did to a site."""

    files: int = 0
    rewritten: int = 0
    vendored: set[str] = field(default_factory=set)
    missing: set[str] = field(default_factory=set)

    @property
    def complete(self) -> bool:
        return not self.missing


def _local_target(url: str, site: Path, vendor: Path, report: OfflineReport) -> Path | None:
    """The local file (inside `site`) that replaces `url`, vendoring it first; None if none."""
    if REMOTE_LOGO.fullmatch(url):
        logo = site / LOCAL_LOGO
        return logo if logo.exists() else None
    package_file = REMOTE_FILES.get(url)
    if package_file is None or not (vendor / package_file).is_file():
        return None
    target = site / VENDOR_FOLDER / package_file
    if package_file not in report.vendored:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(vendor / package_file, target)
        companion = COMPANION_DIRS.get(package_file)
        if companion and (vendor / companion).is_dir():
            shutil.copytree(
                vendor / companion, site / VENDOR_FOLDER / companion, dirs_exist_ok=True
            )
        report.vendored.add(package_file)
    return target


def make_offline(site: Path, vendor: Path | None = None) -> OfflineReport:
    """Point every page and style sheet of a Data Docs site at local copies; idempotent."""
    vendor = vendor or vendor_dir()
    report = OfflineReport()
    if not site.is_dir():
        return report
    vendored_root = site / VENDOR_FOLDER
    for path in sorted([*site.rglob("*.html"), *site.rglob("*.css")]):
        if vendored_root in path.parents:
            continue
        report.files += 1
        text = path.read_text(encoding="utf-8")

        def local(url: str, page: Path = path) -> str | None:
            target = _local_target(url, site, vendor, report)
            if target is None:
                report.missing.add(url)
                return None
            return os.path.relpath(target, page.parent)

        updated = text if path.suffix == ".css" else _rewrite_tags(text, local)
        updated = _CSS_URL.sub(
            lambda m: (
                m.group(0).replace(m.group("url"), local(m.group("url")) or m.group("url"))
                if _REMOTE.match(m.group("url"))
                else m.group(0)
            ),
            updated,
        )
        if updated != text:
            path.write_text(updated, encoding="utf-8")
            report.rewritten += 1
    return report


def _rewrite_tags(html: str, local: Callable[[str], str | None]) -> str:
    """Each loading tag with a remote URL pointed at its local copy, without its SRI attributes
    (`crossorigin` makes Chromium refuse a file:// script; the hash was the CDN file's)."""

    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        changed = False
        for attr in _ASSET_ATTR.finditer(match.group(0)):
            url = attr.group("url")
            if _REMOTE.match(url) and (replacement := local(url)) is not None:
                text = text.replace(url, replacement)
                changed = True
        if changed:
            text = _SRI_ATTR.sub("", text)
        return text

    return _ASSET_TAG.sub(tag, html)


def missing_hint(report: OfflineReport) -> str:
    """One line on what to do when some remote assets had no local copy."""
    return (
        f"{len(report.missing)} remote asset(s) of the Data Docs have no local copy "
        f"({', '.join(sorted(report.missing)[:3])}{'…' if len(report.missing) > 3 else ''}); "
        f"run `make install` (npm packages into {vendor_dir()}) or add them to "
        "include/dxw/docs/vendor/package.json and dxw.docs.offline.REMOTE_FILES"
    )
