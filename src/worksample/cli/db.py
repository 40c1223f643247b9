"""``worksample db upgrade | current``: the schema, through the Alembic migrations only."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from worksample.cli.failures import operator_errors
from worksample.config import load_settings
from worksample.db import migrate
from worksample.db.session import create_engine

app = typer.Typer(help="The database schema.", no_args_is_help=True)


async def _upgrade(revision: str) -> tuple[str | None, str | None]:
    settings = load_settings()
    engine = create_engine(settings)
    try:
        before = await migrate.current_revision(engine)
        # The keys let a revision encrypt secrets an older release stored in plain text.
        await migrate.upgrade(engine, revision, secret_keys=settings.at_rest_keys())
        return before, await migrate.current_revision(engine)
    finally:
        await engine.dispose()


@app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head",
) -> None:
    """Apply the migrations up to REVISION (default: the newest) on WORKSAMPLE_DATABASE_URL."""
    with operator_errors():
        before, after = asyncio.run(_upgrade(revision))
    if before == after:
        typer.echo(f"database already at revision {after}")
    else:
        typer.echo(f"database upgraded from {before or 'empty'} to {after}")


async def _current() -> str | None:
    engine = create_engine(load_settings())
    try:
        return await migrate.current_revision(engine)
    finally:
        await engine.dispose()


@app.command("current")
def current() -> None:
    """Print the database's revision and whether it is the newest."""
    with operator_errors():
        revision = asyncio.run(_current())
    head = migrate.head_revision()
    state = "up to date" if revision == head else f"behind head {head}; run `worksample db upgrade`"
    typer.echo(f"{revision or 'empty'} ({state})")
