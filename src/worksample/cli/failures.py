"""What an operator can fix, said in one line on stderr with exit status 2, never as a traceback.

Configuration errors, a database that does not answer or has not been migrated: the commands that
touch the database run inside ``operator_errors()``; ``LogLevel`` keeps ``--log-level`` to the
levels ``logging`` knows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

import typer
from alembic.util import CommandError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from worksample.config import ConfigError
from worksample.db import migrate

EXIT_OPERATOR = 2


class LogLevel(StrEnum):
    DEBUG = "debug"
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


class NotMigrated(Exception):
    """The database's schema is not the one this version of the code needs."""


async def require_migrated(engine: AsyncEngine) -> None:
    current, head = await migrate.current_revision(engine), migrate.head_revision()
    if current != head:
        raise NotMigrated(
            f"the database is at revision {current or 'empty'}, this version needs {head}: "
            "run `worksample db upgrade` first"
        )


def fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(EXIT_OPERATOR)


@contextmanager
def operator_errors() -> Iterator[None]:
    try:
        yield
    # CommandError: Alembic's word for an unknown --revision.
    except (ConfigError, ValueError, NotMigrated, CommandError) as exc:
        raise fail(str(exc)) from None
    except (OSError, SQLAlchemyError) as exc:
        # SQLAlchemy's own text runs over several lines and ends in a link; its first line says it.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise fail(f"the database cannot be used (WORKSAMPLE_DATABASE_URL): {reason}") from None
