"""The Alembic migrations produce exactly the models' schema, on SQLite and on PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.support.databases import create_pg_database, drop_pg_database, unique_name
from worksample.config import Settings
from worksample.db import migrate
from worksample.db.models import Base
from worksample.db.session import create_engine


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
async def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An engine on a database with nothing in it, not even Alembic's version table."""
    name = unique_name("ws_test_empty")
    if request.param == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    else:
        url = await create_pg_database(name)
    engine = create_engine(Settings(_env_file=None, database_url=url, sandbox=True))
    try:
        yield engine
    finally:
        await engine.dispose()
        if request.param == "postgresql":
            await drop_pg_database(name)


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_from_empty_gives_exactly_the_models(empty_engine: AsyncEngine) -> None:
    # Before: the models and an empty database disagree, so the comparison can fail.
    assert await migrate.schema_diff(empty_engine) != []

    await migrate.upgrade(empty_engine)

    assert await migrate.schema_diff(empty_engine) == []
    assert await migrate.current_revision(empty_engine) == migrate.head_revision()
    assert await _tables(empty_engine) == set(Base.metadata.tables) | {"alembic_version"}


async def test_downgrade_to_base_and_up_again(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine)
    await migrate.downgrade(empty_engine, "base")
    assert await _tables(empty_engine) == {"alembic_version"}
    assert await migrate.current_revision(empty_engine) is None

    await migrate.upgrade(empty_engine)
    assert await migrate.schema_diff(empty_engine) == []


async def test_upgrade_is_idempotent(empty_engine: AsyncEngine) -> None:
    await migrate.upgrade(empty_engine)
    await migrate.upgrade(empty_engine)
    assert await migrate.current_revision(empty_engine) == migrate.head_revision()


def test_there_is_one_head() -> None:
    # Two heads mean two branches of revisions that nobody merged; `upgrade head` would refuse.
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1
