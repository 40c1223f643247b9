"""Test databases: uniquely named PostgreSQL databases, migrated templates, emptying between tests."""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import Coroutine
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from worksample.config import Settings
from worksample.db import migrate
from worksample.db.models import Base
from worksample.db.session import create_engine

PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PG_URL_TEMPLATE = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"

T = TypeVar("T")


def unique_name(prefix: str) -> str:
    """A name no concurrent test run will pick: process id plus 48 random bits."""
    return f"{prefix}_{os.getpid()}_{secrets.token_hex(6)}"


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run ``coroutine`` to completion from synchronous (session-scoped) fixture code.

    A private loop rather than ``asyncio.run``, which would reset the thread's current event loop
    under pytest-asyncio's feet.
    """
    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(coroutine)
    finally:
        loop.close()


# --------------------------------------------------------------------------------------------
# Databases


async def _pg_admin(statement: str) -> None:
    # CREATE/DROP DATABASE cannot run inside a transaction, hence AUTOCOMMIT.
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_pg_database(name: str) -> str:
    await _pg_admin(f'CREATE DATABASE "{name}"')
    return PG_URL_TEMPLATE.format(name=name)


async def drop_pg_database(name: str) -> None:
    # WITH (FORCE): a test that leaked a connection must not leave the database behind.
    await _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def migrate_to_head(url: str) -> None:
    engine = create_engine(Settings(_env_file=None, database_url=url, sandbox=True))
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def empty_all_tables(url: str) -> None:
    # DELETE, children first, rather than TRUNCATE: on tables this small it is several times faster,
    # and no test may depend on ids starting at 1.
    engine = create_engine(Settings(_env_file=None, database_url=url, sandbox=True), poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    finally:
        await engine.dispose()
