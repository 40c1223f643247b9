"""``worksample sandbox ...``: the GitHub simulator on a port."""

from __future__ import annotations

from typing import Annotated

import typer

app = typer.Typer(help="Run the GitHub simulator.", no_args_is_help=True)


@app.callback()
def _group() -> None:
    """Keeps ``github`` a named sub-command even while it is the only one."""


@app.command("github")
def serve_github(
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on (127.0.0.1).")],
    host: Annotated[
        str, typer.Option(help="Interface to bind; keep the default outside a container.")
    ] = "127.0.0.1",
) -> None:
    """Serve the GitHub simulator; point a GitHub client's base URL at http://HOST:PORT."""
    import uvicorn

    from worksample.sandbox import create_app

    # URLs inside responses (Location, html_url, ...) must lead back to this server.
    sim = create_app(base_url=f"http://{host}:{port}")
    typer.echo(f"GitHub simulator on http://{host}:{port} (control routes under /_sandbox)")
    uvicorn.run(sim, host=host, port=port, log_level="warning")
