"""``worksample worker``: the arq worker that provisions assignments (and, later, other jobs).

Run as many as needed, on any hosts: they share the queue and, through Redis, the per-installation
pacing of GitHub writes and the registry of template repositories.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Annotated

import typer

from worksample.cli.failures import LogLevel
from worksample.config import ConfigError, Settings, load_settings
from worksample.jobs.worker import build_worker, close_worker

app = typer.Typer(help="Run the background worker.")


async def _run(settings: Settings, *, burst: bool, max_jobs: int) -> None:
    # Built inside the running loop: arq's Worker picks up the current event loop when created.
    worker = build_worker(settings, burst=burst, max_jobs=max_jobs)
    try:
        await worker.main()
    finally:
        await close_worker(worker)


@app.callback(invoke_without_command=True)
def worker(
    burst: Annotated[bool, typer.Option("--burst", help="Run the queued jobs, then exit.")] = False,
    max_jobs: Annotated[int, typer.Option("--max-jobs", min=1, max=1000, help="Jobs run at once.")] = 10,
    log_level: Annotated[
        LogLevel, typer.Option("--log-level", case_sensitive=False, help="How much to log.")
    ] = LogLevel.INFO,
) -> None:
    """Process jobs from the queue named by WORKSAMPLE_QUEUE_NAME until interrupted."""
    try:
        settings = load_settings()
        settings.require_production_secrets()
        # The worker cannot do anything without GitHub, sandbox or not.
        if settings.github_app_id is None:
            raise ConfigError("WORKSAMPLE_GITHUB_APP_ID is not set: the worker needs the GitHub App")
        if settings.github_private_key is None:
            raise ConfigError(
                "WORKSAMPLE_GITHUB_PRIVATE_KEY (or WORKSAMPLE_GITHUB_PRIVATE_KEY_PATH) is not set: "
                "the worker needs the GitHub App"
            )
    except ConfigError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    asyncio.run(_run(settings, burst=burst, max_jobs=max_jobs))
