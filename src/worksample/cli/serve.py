"""``worksample serve``: the recruiter/ATS API (and, later, GitHub's webhook intake) over HTTP."""

from __future__ import annotations

import logging
from typing import Annotated

import typer
import uvicorn

from worksample.app import create_app
from worksample.cli.failures import LogLevel
from worksample.config import ConfigError, load_settings

app = typer.Typer(help="Serve the HTTP API.")


@app.callback(invoke_without_command=True)
def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    log_level: Annotated[
        LogLevel, typer.Option("--log-level", case_sensitive=False, help="How much to log.")
    ] = LogLevel.INFO,
) -> None:
    """Serve the API on HOST:PORT until interrupted (migrate first: `worksample db upgrade`)."""
    try:
        settings = load_settings()
        # Also refuses settings that only a part of the app checks (sign-in's session secret).
        service = create_app(settings)
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    uvicorn.run(service, host=host, port=port, log_level=log_level.value, proxy_headers=False)
