"""``worksample db upgrade | current``: the schema, through the Alembic migrations only."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from worksample.config import ConfigError, load_settings
from worksample.db import migrate
from worksample.db.session import create_engine

app = typer.Typer(help="The database schema.", no_args_is_help=True)


async def _upgrade(revision: str) -> tuple[str | None, str | None]:
    engine = create_engine(load_settings())
    try:
        before = await migrate.current_revision(engine)
        await migrate.upgrade(engine, revision)
        return before, await migrate.current_revision(engine)
    finally:
        await engine.dispose()


@app.command("upgrade")
def upgrade(
    revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head",
) -> None:
    """Apply the migrations up to REVISION (default: the newest) on WORKSAMPLE_DATABASE_URL."""
    try:
        before, after = asyncio.run(_upgrade(revision))
    except (ConfigError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
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
    try:
        revision = asyncio.run(_current())
    except (ConfigError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    head = migrate.head_revision()
    state = "up to date" if revision == head else f"behind head {head}; run `worksample db upgrade`"
    typer.echo(f"{revision or 'empty'} ({state})")
