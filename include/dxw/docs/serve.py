"""`dxw docs serve`: the dbt docs and the GX Data Docs of a DXW_HOME over HTTP on 127.0.0.1."""

from __future__ import annotations

import html
import http.server
from functools import partial
from pathlib import Path

from dxw.config import Settings

HOST = "127.0.0.1"
DEFAULT_PORT = 8000
#: The sites under $DXW_HOME/docs, with the title the landing page gives them.
SITES = {
    "dbt": "dbt docs: models, columns, lineage / Tài liệu mô hình dữ liệu",
    "gx": "Great Expectations Data Docs: data-quality results / Kết quả kiểm tra chất lượng",
}


def landing_page(docs: Path) -> bytes:
    """The page served at /: a link to each site that exists."""
    items = []
    for folder, title in SITES.items():
        if (docs / folder / "index.html").exists():
            items.append(f'<li><a href="{folder}/index.html">{html.escape(title)}</a></li>')
        else:
            items.append(
                f"<li>{html.escape(title)}: not built yet (run <code>make run</code>)</li>"
            )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<title>dx-warehouse docs</title></head><body style='font-family:sans-serif'>"
        "<h1>dx-warehouse documentation</h1><ul>" + "".join(items) + "</ul></body></html>"
    ).encode()


class DocsHandler(http.server.SimpleHTTPRequestHandler):
    """Files under $DXW_HOME/docs, and the landing page at /."""

    def do_GET(self) -> None:
        if self.path in ("/", "/index.html"):
            body = landing_page(Path(self.directory))
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().do_GET()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: one line per request only for errors."""
        if args and str(args[1] if len(args) > 1 else "").startswith(("4", "5")):
            super().log_message(format, *args)


def make_server(config: Settings, port: int = DEFAULT_PORT) -> http.server.ThreadingHTTPServer:
    """A server bound to 127.0.0.1 (port 0: a free one) over `$DXW_HOME/docs`, Data Docs
    made offline first."""
    from dxw.docs.offline import make_offline
    from dxw.quality.config import data_docs_dir

    config.docs_dir.mkdir(parents=True, exist_ok=True)
    make_offline(data_docs_dir(config))
    handler = partial(DocsHandler, directory=str(config.docs_dir))
    return http.server.ThreadingHTTPServer((HOST, port), handler)
