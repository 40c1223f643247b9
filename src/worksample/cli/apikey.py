"""``worksample apikey create | revoke``: bearer keys for the recruiter/ATS API.

The key is printed once, on stdout alone (so ``KEY=$(worksample apikey create --org acme)`` works);
only its hash is stored, so a lost key is revoked and replaced, never recovered.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from worksample.api.keys import NewKey, create_api_key, revoke_api_key
from worksample.cli.failures import operator_errors, require_migrated
from worksample.config import load_settings
from worksample.db.session import create_engine, create_sessionmaker, session_scope

app = typer.Typer(help="API keys for the recruiter/ATS API.", no_args_is_help=True)


async def _create(org: str, name: str | None) -> NewKey:
    engine = create_engine(load_settings())
    try:
        await require_migrated(engine)
        async with session_scope(create_sessionmaker(engine)) as session:
            return await create_api_key(session, org, name=name)
    finally:
        await engine.dispose()


@app.command("create")
def create(
    org: Annotated[str, typer.Option("--org", help="The GitHub organization login the key acts for.")],
    name: Annotated[str | None, typer.Option("--name", help="A label, e.g. the ATS using it.")] = None,
) -> None:
    """Create a key for ORG (the organization is registered on first use) and print it once."""
    with operator_errors():
        new = asyncio.run(_create(org, name))
    typer.echo(f"API key for {new.organization_login} (prefix {new.prefix}); it is shown only now:", err=True)
    typer.echo(new.key)


async def _revoke(prefix: str) -> bool:
    engine = create_engine(load_settings())
    try:
        await require_migrated(engine)
        async with session_scope(create_sessionmaker(engine)) as session:
            return await revoke_api_key(session, prefix)
    finally:
        await engine.dispose()


@app.command("revoke")
def revoke(prefix: Annotated[str, typer.Argument(help="The key's prefix (the part after wsk_).")]) -> None:
    """Revoke a key; requests with it are refused from now on."""
    with operator_errors():
        done = asyncio.run(_revoke(prefix))
    if not done:
        typer.echo(f"error: no active key with prefix {prefix!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {prefix}")
