"""Superset on the marts, seen the way a person sees it: a real Superset from bi/superset's own
environment on a fresh DXW_HOME whose warehouse holds the sample, the dashboards of
bi/dashboards, and a real Chromium logged in as the admin.

One Superset serves the whole module (a cold start is ~20 s, the sample's ingest and build
~1 min); every process it starts is stopped at the end, and the last test proves it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from dxw.bi import superset
from dxw.bi.assets import ASSETS_DIR, dashboards, read_bundle
from dxw.config import Settings, settings
from dxw.docs.offline import remote_assets
from tests.conftest import make_home, own_warehouse

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
#: Under the DXW_HOME of whoever runs the tests (the Superset's own home is thrown away).
SCREENSHOTS = settings().home / "screenshots" / "superset"
DXW = str(REPO / ".venv" / "bin" / "dxw")
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
#: Chromium as root on a machine with no route out: no sandbox, no background connections.
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--window-size=1600,1800",
)
#: What every chart holder of a dashboard looks like to the browser.
CHARTS_JS = """
return [...document.querySelectorAll('.dashboard-component-chart-holder')]
  .filter(h => /dashboard-chart-id-/.test(h.className))
  .map(h => {
    const chart = h.querySelector('[data-test="slice-container"] [id^="chart-id-"]');
    const text = chart ? chart.innerText : '';
    return {
      viz: chart ? chart.className : null,
      loading: !!h.querySelector('.loading'),
      error: h.querySelector('[role="alert"], .alert-danger')?.innerText ?? null,
      drawn: !!chart && (!!chart.querySelector('canvas, table')
                         || (/big_number/.test(chart.className) && /\\d/.test(text))),
      title: h.querySelector('[data-test="slice-header"], .header-title')?.innerText ?? '',
      text: h.innerText,
    };
  });
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dxw(args: list[str], env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [DXW, *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass
class BI:
    config: Settings
    env: dict[str, str]
    port: int
    password: str
    screenshots: Path

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


HELD_REPORT = {
    "submission": {
        "locality": "31",
        "period": "2026-H2",
        "submitted_on": "2026-11-30",
        "agency": "Sở Khoa học và Công nghệ",
        "contact_email": "chuyendoiso@example.gov.vn",
        "framework": "09-NQ/TU",
    },
    "indicators": [{"indicator_code": "bts_4g_in_service", "value": 3000}],
}


@pytest.fixture(scope="module")
def bi() -> Iterator[BI]:
    """A fresh home: warehouse filled from the sample, Superset up on a free port; all stopped.

    Superset's cold start (metadata, dashboards, gunicorn) needs the warehouse running but not
    filled, so it runs while the sample is ingested and built.
    """
    if not (superset.venv_dir() / "bin" / "python").exists():
        pytest.fail("Superset's environment is missing: `make bi-install` (make test installs it)")
    with own_warehouse("dxw-bi-") as config:
        env = {**os.environ, "DXW_HOME": str(config.home), "DXW_SUPERSET_PORT": str(free_port())}
        env.pop("DXW_WAREHOUSE_URL", None)
        started = time.monotonic()
        up = subprocess.Popen(
            [DXW, "bi", "up"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        try:
            sample = config.home / "sample"
            # One report the raw gate holds (Hải Phòng's 4G BTS more than halved), so that the
            # data-quality dashboard lists a held submission.
            held = sample / "held" / "hai_phong_2026-H2.json"
            held.parent.mkdir(parents=True)
            held.write_text(json.dumps(HELD_REPORT, ensure_ascii=False), encoding="utf-8")
            for args in (
                ["sample", str(sample)],
                ["ingest", str(sample)],
                ["ingest", str(held)],
                ["build"],
            ):
                result = dxw(args, env)
                # The sample holds 4 faulty files on purpose and the gate holds the last report:
                # ingest exits 1 for them.
                ok = (0, 1) if args[0] == "ingest" else (0,)
                assert result.returncode in ok, (args, result.stderr[-3000:])
            _, errors = up.communicate(timeout=600)
            assert up.returncode == 0, errors
            print(f"\nSuperset up and the sample built in {time.monotonic() - started:.1f} s")
            password = json.loads((config.secrets_dir / "superset.json").read_text())[
                "admin_password"
            ]
            yield BI(config, env, int(env["DXW_SUPERSET_PORT"]), password, SCREENSHOTS)
        finally:
            if up.poll() is None:
                up.kill()
                up.wait()
            dxw(["bi", "down"], env)


def test_up_printed_where_to_go_and_the_secrets_are_private(bi: BI) -> None:
    secrets_file = bi.config.secrets_dir / "superset.json"
    assert secrets_file.stat().st_mode & 0o077 == 0
    assert set(json.loads(secrets_file.read_text())) == {
        "secret_key", "admin_user", "admin_password"
    }  # fmt: skip
    roles = json.loads((bi.config.secrets_dir / "roles.json").read_text())
    uri_stamp = (bi.config.home / "superset" / ".uri-stamp").read_text()
    assert roles["bi"] not in uri_stamp and len(uri_stamp) == 64
    result = dxw(["bi", "status"], bi.env)
    assert result.returncode == 0, result.stdout
    assert f"healthy: http://127.0.0.1:{bi.port}/" in result.stdout
    again = dxw(["bi", "up"], bi.env)  # idempotent: answers at once, starts nothing
    assert again.returncode == 0, again.stderr
    assert str(secrets_file) in again.stderr


def test_anonymous_users_see_nothing(bi: BI) -> None:
    anonymous = requests.Session()
    for api in ("/api/v1/chart/", "/api/v1/dashboard/", "/api/v1/database/", "/api/v1/dataset/"):
        assert anonymous.get(bi.base + api, timeout=30).status_code == 401, api
    page = anonymous.get(bi.base + "/superset/dashboard/dx-scorecard/", timeout=30,
                         allow_redirects=False)  # fmt: skip
    assert page.status_code == 302
    assert "/login/" in page.headers["Location"]


def _api(bi: BI) -> requests.Session:
    """A session logged in as the admin through the REST API (JWT + CSRF token)."""
    session = requests.Session()
    login = session.post(
        bi.base + "/api/v1/security/login",
        json={"username": "admin", "password": bi.password, "provider": "db", "refresh": False},
        timeout=30,
    )
    assert login.status_code == 200, login.text
    session.headers["Authorization"] = f"Bearer {login.json()['access_token']}"
    csrf = session.get(bi.base + "/api/v1/security/csrf_token/", timeout=30).json()["result"]
    session.headers.update({"X-CSRFToken": csrf, "Referer": bi.base})
    return session


@pytest.fixture(scope="module")
def browser(bi: BI) -> Iterator[Any]:
    """Chromium driven by Selenium, logged in to Superset as the admin."""
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.geteuid() == 0:
            pytest.fail("Chromium or ChromeDriver is missing: `make browser-binaries` installs it")
        pytest.skip(
            "Chromium or ChromeDriver is missing and cannot be installed without root: "
            "apt-get install chromium chromium-driver fonts-noto-core"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    profile = tempfile.mkdtemp(prefix="dxw-chromium-")
    options = Options()
    options.binary_location = CHROMIUM
    for flag in (*CHROMIUM_FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    try:
        driver.get(bi.base + "/login/")
        wait = WebDriverWait(driver, 60)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "[data-test=username-input]"))
        driver.find_element(By.CSS_SELECTOR, "[data-test=username-input]").send_keys("admin")
        driver.find_element(By.CSS_SELECTOR, "[data-test=password-input]").send_keys(bi.password)
        driver.find_element(By.CSS_SELECTOR, "[data-test=login-button]").click()
        wait.until(lambda d: "/login" not in d.current_url)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _rendered(driver: Any, expected: int, timeout: float = 90) -> list[dict[str, Any]]:
    """Wait until the dashboard's `expected` charts have all drawn (or one failed)."""
    deadline = time.monotonic() + timeout
    charts: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        charts = driver.execute_script(CHARTS_JS)
        if any(c["error"] for c in charts):
            return charts
        if len(charts) == expected and all(c["drawn"] and not c["loading"] for c in charts):
            return charts
        time.sleep(0.5)
    return charts


BUNDLE = read_bundle(ASSETS_DIR)


@pytest.mark.parametrize("dashboard", dashboards(BUNDLE), ids=lambda d: d["slug"])
def test_every_chart_of_every_dashboard_renders(
    bi: BI, browser: Any, dashboard: dict[str, Any]
) -> None:
    import yaml

    titles = {
        str(yaml.safe_load(text)["uuid"]): yaml.safe_load(text)["slice_name"]
        for path, text in BUNDLE.items()
        if path.startswith("charts/")
    }
    browser.get(f"{bi.base}/superset/dashboard/{dashboard['slug']}/")
    charts = _rendered(browser, len(dashboard["charts"]))
    time.sleep(1.5)  # ECharts animates its bars and lines in: let the screenshot show them whole
    bi.screenshots.mkdir(parents=True, exist_ok=True)
    shot = bi.screenshots / f"{dashboard['slug']}.png"
    browser.save_screenshot(str(shot))
    problems = [f"{c['title']}: {c['error']}" for c in charts if c["error"]]
    assert not problems, f"charts failed ({shot}): {problems}"
    assert len(charts) == len(dashboard["charts"]), f"{len(charts)} charts drawn ({shot})"
    assert all(c["drawn"] and not c["loading"] for c in charts), (shot, charts)
    page = browser.find_element("tag name", "body").text
    heading = browser.execute_script(
        "return document.querySelector('[data-test=\"editable-title\"] input')?.value"
        " ?? document.title"
    )
    assert dashboard["title"] in (heading, browser.title), (heading, browser.title)
    for uuid in dashboard["charts"]:
        assert titles[uuid] in page, f"chart title {titles[uuid]!r} not shown ({shot})"
    assert shot.stat().st_size > 20_000


def test_scorecard_shows_the_34_provinces_in_vietnamese(bi: BI, browser: Any) -> None:
    browser.get(f"{bi.base}/superset/dashboard/dx-scorecard/")
    charts = _rendered(browser, 5)
    table = next(c for c in charts if "table" in (c["viz"] or ""))
    for label in ("Tỉnh, thành phố / Province", "Điểm Wi-Fi miễn phí / Free Wi-Fi points",
                  "Quảng Ninh", "Hải Phòng", "Khánh Hòa", "Hồ Chí Minh", "Đắk Lắk"):  # fmt: skip
        assert label in table["text"], label
    # One row per 2025 province, for one period: the latest, which the filter chooses first.
    rows = browser.execute_script(
        "return document.querySelectorAll('.superset-chart-table tbody tr').length"
    )
    assert rows == 34
    body = browser.find_element("tag name", "body").text
    assert "Kỳ báo cáo / Period" in body
    assert "2026-H1" in body


def test_export_round_trips_with_no_diff(bi: BI, tmp_path: Path) -> None:
    """What `make bi` loaded from bi/dashboards comes back out byte for byte, twice."""
    for round_ in (1, 2):
        target = tmp_path / f"export-{round_}"
        result = dxw(["bi", "export", "--to", str(target)], bi.env)
        assert result.returncode == 0, result.stderr
        exported = read_bundle(target)
        assert exported.keys() == BUNDLE.keys()
        different = [path for path in BUNDLE if exported[path] != BUNDLE[path]]
        assert not different, different
        assert result.returncode == 0
        imported = dxw(["bi", "import"], bi.env)
        assert imported.returncode == 0, imported.stderr
    text = "\n".join(exported.values())
    roles = json.loads(bi.config.secrets_dir.joinpath("roles.json").read_text())
    assert not [role for role, password in roles.items() if password in text]
    assert "sqlalchemy_uri: postgresql+psycopg2://dxw_bi:XXXXXXXXXX@localhost:5432/dxw" in text


def test_superset_database_connection_cannot_write(bi: BI) -> None:
    api = _api(bi)
    databases = api.get(bi.base + "/api/v1/database/", timeout=30).json()["result"]
    assert [d["database_name"] for d in databases] == ["dx-warehouse"]
    database = databases[0]
    assert database["allow_dml"] is False
    uri = api.get(f"{bi.base}/api/v1/database/{database['id']}/connection", timeout=30).json()
    assert uri["result"]["parameters"]["username"] == "dxw_bi"

    def run(sql: str) -> dict[str, Any]:
        response = api.post(
            bi.base + "/api/v1/sqllab/execute/",
            json={"database_id": database["id"], "sql": sql, "runAsync": False,
                  "schema": "marts"},
            timeout=60,
        )  # fmt: skip
        return {"status": response.status_code, "text": response.text}

    refused = run("delete from marts.dim_period")
    assert refused["status"] >= 400 and "DML_NOT_ALLOWED" in refused["text"]
    # Even an admin who allows DML in Superset cannot write: the role itself is read-only.
    assert api.put(f"{bi.base}/api/v1/database/{database['id']}", json={"allow_dml": True},
                   timeout=30).status_code == 200  # fmt: skip
    try:
        for sql in ("delete from marts.dim_period", "create table marts.superset_probe (x int)",
                    "set session characteristics as transaction read write;"
                    " insert into marts.dim_period (period) values ('probe')"):  # fmt: skip
            outcome = run(sql)
            assert outcome["status"] >= 400, (sql, outcome)
            assert "read-only" in outcome["text"] or "permission denied" in outcome["text"], (
                sql, outcome
            )  # fmt: skip
    finally:
        api.put(f"{bi.base}/api/v1/database/{database['id']}", json={"allow_dml": False},
                timeout=30)  # fmt: skip
    count = run("select count(*) as n from marts.dim_period")
    assert count["status"] == 200 and '"n"' in count["text"]


def test_data_docs_reference_no_remote_asset_and_render_offline(bi: BI, browser: Any) -> None:
    from dxw.quality.config import data_docs_dir, data_docs_index

    index = data_docs_index(bi.config)
    assert index.exists(), "the sample's ingest ran the raw gate: Data Docs expected"
    pages = [*data_docs_dir(bi.config).rglob("*.html"), *data_docs_dir(bi.config).rglob("*.css")]
    remote = {
        str(page.relative_to(data_docs_dir(bi.config))): found
        for page in pages
        if "vendor" not in page.parts
        and (found := remote_assets(page.read_text(), css=page.suffix == ".css"))
    }
    assert remote == {}
    # From disk, in a browser without network: Bootstrap's styles, jQuery and Vega all load.
    browser.get(index.as_uri())
    loaded = browser.execute_script(
        "return {font: getComputedStyle(document.body).fontFamily,"
        " jquery: typeof window.jQuery, vega: typeof window.vegaEmbed,"
        " table: typeof (window.jQuery && window.jQuery.fn.bootstrapTable)}"
    )
    assert "Times" not in loaded["font"] and "apple-system" in loaded["font"], loaded
    assert loaded["jquery"] == loaded["vega"] == loaded["table"] == "function", loaded
    browser.save_screenshot(str(bi.screenshots / "gx-data-docs.png"))


def test_dbt_docs_open_from_disk_and_both_sites_are_served(bi: BI, browser: Any) -> None:
    from dxw.docs.serve import make_server

    dbt_index = bi.config.docs_dir / "dbt" / "index.html"
    browser.get(dbt_index.as_uri())
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "fct_locality_scorecard" not in browser.page_source:
        time.sleep(0.5)
    assert "fct_locality_scorecard" in browser.page_source, "dbt docs did not load from file://"

    server = make_server(bi.config, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        for path, expected in (("/", b"dx-warehouse documentation"),
                               ("/dbt/index.html", b"dbt"),
                               ("/gx/index.html", b"static/vendor/")):  # fmt: skip
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as page:
                assert page.status == 200
                assert expected in page.read(), path
    finally:
        server.shutdown()
        server.server_close()


def test_down_leaves_no_process_behind(bi: BI) -> None:
    """The last test: `dxw bi down` stops gunicorn and its workers (the fixture's own down is
    then a no-op)."""
    status = superset.status(bi.config)
    assert status.running and status.pid
    result = dxw(["bi", "down"], bi.env)
    assert result.returncode == 0 and "stopped" in result.stderr
    assert not superset._group_alive(status.pid)
    assert dxw(["bi", "status"], bi.env).returncode == 3
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", bi.port), timeout=2).close()


def test_up_that_does_not_get_healthy_stops_and_shows_the_log(bi: BI) -> None:
    """After the previous test: a start that cannot answer in time is stopped, not left behind."""
    result = dxw(["bi", "up", "--timeout", "1"], bi.env)
    assert result.returncode == 1
    assert "did not answer" in result.stderr and "stopped it" in result.stderr
    assert "superset.log (last" in result.stderr  # the log tail
    assert not superset.status(bi.config).running
    assert not (bi.config.home / "superset" / "superset.pid").exists()


# -- failures that must be clear (no Superset start needed) ---------------------------------------
def test_up_refuses_a_busy_port_clearly() -> None:
    home = make_home("dxw-bi-port-")
    try:
        with socket.socket() as busy:
            busy.bind(("127.0.0.1", 0))
            busy.listen()
            port = busy.getsockname()[1]
            env = {**os.environ, "DXW_HOME": str(home), "DXW_SUPERSET_PORT": str(port)}
            env.pop("DXW_WAREHOUSE_URL", None)
            result = dxw(["bi", "up"], env, timeout=60)
        assert result.returncode == 1
        assert f"127.0.0.1:{port} is already in use" in result.stderr
        assert "DXW_SUPERSET_PORT" in result.stderr
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_up_without_superset_installed_says_what_to_run(tmp_path: Path) -> None:
    env = {**os.environ, "DXW_HOME": str(tmp_path), "DXW_SUPERSET_VENV": str(tmp_path / "none"),
           "DXW_SUPERSET_PORT": str(free_port())}  # fmt: skip
    result = dxw(["bi", "up"], env, timeout=60)
    assert result.returncode == 1
    assert "Superset is not installed" in result.stderr and "make bi" in result.stderr
