"""Offline GX Data Docs: remote assets found, vendored and rewritten; nothing dropped silently."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxw.docs.offline import (
    LOCAL_LOGO,
    REMOTE_FILES,
    make_offline,
    missing_hint,
    remote_assets,
    vendor_dir,
)

BOOTSTRAP = "https://maxcdn.bootstrapcdn.com/bootstrap/4.3.1/css/bootstrap.min.css"
JQUERY = "https://code.jquery.com/jquery-3.7.1.min.js"
FONT_AWESOME = "https://cdnjs.cloudflare.com/ajax/libs/font-awesome/6.6.0/css/all.min.css"
LOGO = "https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/logo-long.png?d=1&x=2"
PAGE = f"""<html><head>
<link rel="stylesheet" href="{BOOTSTRAP}" integrity="sha384-abc" crossorigin="anonymous">
<link rel="stylesheet" href="{FONT_AWESOME}">
<script src="{JQUERY}" crossorigin="anonymous"></script>
<style>.logo {{ background: url('{LOGO}') }}</style>
</head><body><img src="{LOGO}"><a href="https://greatexpectations.io">GX</a></body></html>"""


@pytest.fixture
def vendor(tmp_path: Path) -> Path:
    """A node_modules with the few files the page above needs."""
    root = tmp_path / "node_modules"
    for url in (BOOTSTRAP, JQUERY, FONT_AWESOME):
        path = root / REMOTE_FILES[url]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"/* {url} */")
    fonts = root / "@fortawesome/fontawesome-free/webfonts"
    fonts.mkdir(parents=True)
    (fonts / "fa-solid-900.woff2").write_bytes(b"font")
    return root


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "gx"
    (site / "validations" / "raw").mkdir(parents=True)
    (site / "index.html").write_text(PAGE)
    (site / "validations" / "raw" / "page.html").write_text(PAGE)
    (site / LOCAL_LOGO).parent.mkdir(parents=True)
    (site / LOCAL_LOGO).write_bytes(b"png")
    (site / "static" / "styles").mkdir(parents=True)
    (site / "static" / "styles" / "docs.css").write_text(f"h1 {{ background: url({LOGO}) }}")
    return site


def test_remote_assets_are_loads_not_links() -> None:
    assert remote_assets(PAGE) == [BOOTSTRAP, FONT_AWESOME, JQUERY, LOGO, LOGO]
    assert remote_assets("<a href='https://x.org/a.js'>x</a>") == []
    assert remote_assets("<script src='//cdn.example/x.js'></script>") == ["//cdn.example/x.js"]
    assert remote_assets("@import 'https://x.org/a.css';", css=True) == ["https://x.org/a.css"]
    assert remote_assets("<img src='static/logo.png'>") == []


def test_every_page_and_style_sheet_points_at_local_copies(site: Path, vendor: Path) -> None:
    report = make_offline(site, vendor)
    assert report.complete, report.missing
    assert report.files == 3 and report.rewritten == 3
    index = (site / "index.html").read_text()
    nested = (site / "validations/raw/page.html").read_text()
    assert remote_assets(index) == remote_assets(nested) == []
    assert 'href="static/vendor/bootstrap/dist/css/bootstrap.min.css"' in index
    assert 'src="../../static/vendor/jquery/dist/jquery.min.js"' in nested
    assert "url('static/images/logo-long.png')" in index
    assert "url(../images/logo-long.png)" in (site / "static/styles/docs.css").read_text()
    # Subresource integrity was the CDN file's; crossorigin breaks file:// in Chromium.
    assert "integrity" not in index and "crossorigin" not in index
    assert "https://greatexpectations.io" in index  # a link, not an asset: kept
    assert (site / "static/vendor/bootstrap/dist/css/bootstrap.min.css").exists()
    fonts = site / "static/vendor/@fortawesome/fontawesome-free/webfonts/fa-solid-900.woff2"
    assert fonts.exists(), "Font Awesome's css reads ../webfonts"


def test_it_is_idempotent(site: Path, vendor: Path) -> None:
    make_offline(site, vendor)
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    again = make_offline(site, vendor)
    assert again.complete and again.rewritten == 0
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before


def test_an_asset_without_a_local_copy_is_kept_and_reported(site: Path, tmp_path: Path) -> None:
    report = make_offline(site, tmp_path / "no-node-modules")
    assert not report.complete
    assert report.missing == {BOOTSTRAP, JQUERY, FONT_AWESOME}
    index = (site / "index.html").read_text()
    assert BOOTSTRAP in index and JQUERY in index, "never dropped"
    assert LOGO not in index, "the logo ships with the site"
    assert "make install" in missing_hint(report)


def test_the_vendored_packages_cover_every_mapped_asset() -> None:
    """What `make install` put under .tools/docs-vendor has each file the mapping names."""
    root = vendor_dir()
    if not root.is_dir():
        pytest.fail(f"{root} is missing: `make install` vendors the Data Docs assets with npm")
    missing = [path for path in REMOTE_FILES.values() if not (root / path).is_file()]
    assert missing == []
