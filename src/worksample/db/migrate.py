"""Running the Alembic migrations from code (``worksample db upgrade``, tests, the demo).

No ``alembic.ini`` is needed: the configuration is built here and points at the environment inside
the installed package, so an installed service migrates the same way a checkout does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from worksample.db.models import Base
from worksample.db.types import UTCDateTime

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


# ``Config.attributes`` key: the keys that encrypt stored secrets (``Settings.at_rest_keys()``),
# for revisions that rewrite such secrets (0008 seals the ones stored in plain text before it).
SECRET_KEYS = "secret_keys"  # noqa: S105 - a dictionary key, not a secret


def alembic_config(
    database_url: str | None = None,
    connection: Connection | None = None,
    secret_keys: Sequence[str] = (),
) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if database_url is not None:
        # ConfigParser interpolation would eat a '%' in a password.
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    config.attributes[SECRET_KEYS] = tuple(secret_keys)
    return config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Autogenerate writes our column types as plain SQLAlchemy ones, so revisions never import models."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    # Alembic's own bookkeeping table is not part of the models.
    return not (type_ == "table" and name == "alembic_version")


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def _upgrade(connection: Connection, revision: str, secret_keys: Sequence[str]) -> None:
    command.upgrade(alembic_config(connection=connection, secret_keys=secret_keys), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head", *, secret_keys: Sequence[str] = ()) -> None:
    """``secret_keys`` are needed only when stored secrets must be rewritten (a database that
    holds some); a revision that needs them and has none stops, naming WORKSAMPLE_SECRET_KEYS."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade, revision, secret_keys)


def _downgrade(connection: Connection, revision: str, secret_keys: Sequence[str]) -> None:
    command.downgrade(alembic_config(connection=connection, secret_keys=secret_keys), revision)


async def downgrade(engine: AsyncEngine, revision: str, *, secret_keys: Sequence[str] = ()) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade, revision, secret_keys)


def _diff(connection: Connection) -> list[Any]:
    context = MigrationContext.configure(
        connection,
        opts={"compare_type": True, "include_object": include_object, "target_metadata": Base.metadata},
    )
    return list(compare_metadata(context, Base.metadata))


async def schema_diff(engine: AsyncEngine) -> list[Any]:
    """Differences between the database's schema and the models (empty when they agree)."""
    async with engine.connect() as connection:
        return await connection.run_sync(_diff)


async def current_revision(engine: AsyncEngine) -> str | None:
    def _current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        return await connection.run_sync(_current)
