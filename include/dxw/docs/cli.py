"""`dxw docs serve | offline` (register with main.add_command)."""

from __future__ import annotations

import click
from rich.console import Console

console = Console(stderr=True)


@click.group("docs")
def docs() -> None:
    """The dbt docs and GX Data Docs of this DXW_HOME."""


@docs.command("serve")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
    help="Port on 127.0.0.1 (0: any free port).",
)  # fmt: skip
def docs_serve(port: int) -> None:
    """Serve $DXW_HOME/docs (dbt docs, GX Data Docs) on 127.0.0.1 until interrupted."""
    from dxw.config import settings
    from dxw.docs.serve import HOST, make_server

    config = settings()
    try:
        server = make_server(config, port)
    except OSError as error:
        raise click.ClickException(f"cannot listen on {HOST}:{port}: {error}") from error
    bound = server.server_address[1]
    console.print(f"serving {config.docs_dir} on http://{HOST}:{bound}/  (Ctrl-C to stop)")
    console.print(f"  dbt docs:      http://{HOST}:{bound}/dbt/index.html")
    console.print(f"  GX Data Docs:  http://{HOST}:{bound}/gx/index.html")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@docs.command("offline")
def docs_offline() -> None:
    """Point the GX Data Docs at local copies of their CDN assets (done after every gate)."""
    from dxw.config import settings
    from dxw.docs.offline import make_offline, missing_hint
    from dxw.quality.config import data_docs_dir

    site = data_docs_dir(settings())
    report = make_offline(site)
    console.print(f"{site}: {report.files} file(s), {report.rewritten} rewritten")
    if not report.complete:
        raise click.ClickException(missing_hint(report))
