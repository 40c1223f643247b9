"""The async engine and sessions, for SQLite (embedded) and PostgreSQL (asyncpg).

Nothing here connects at import; processes call :func:`create_engine` at start-up (app lifespan,
worker start-up, CLI command) and dispose of the engine when they stop.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from worksample.clock import SYSTEM_CLOCK, Clock
from worksample.config import Settings

# Drivers people write in URLs, mapped to the async driver we ship with.
_ASYNC_DRIVERS = {
    "sqlite": "sqlite+aiosqlite",
    "postgresql": "postgresql+asyncpg",
    "postgres": "postgresql+asyncpg",
    "postgresql+psycopg2": "postgresql+asyncpg",
}

# How long SQLite waits for another process's write lock (API and worker share the file).
SQLITE_BUSY_TIMEOUT_MS = 10_000


def database_url(raw: str) -> URL:
    """Parse ``WORKSAMPLE_DATABASE_URL``, switching to the async driver when a sync one is named."""
    try:
        url = make_url(raw)
    except Exception as exc:
        raise ValueError(f"WORKSAMPLE_DATABASE_URL: not a database URL: {raw!r}") from exc
    driver = _ASYNC_DRIVERS.get(url.drivername, url.drivername)
    if driver not in ("sqlite+aiosqlite", "postgresql+asyncpg"):
        raise ValueError(
            f"WORKSAMPLE_DATABASE_URL: unsupported driver {url.drivername!r} (use sqlite or postgresql)"
        )
    return url.set(drivername=driver)


def _enable_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker writes; SQLite leaves foreign keys off unless asked.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def create_engine(settings: Settings, **kwargs: Any) -> AsyncEngine:
    url = database_url(settings.database_url)
    if url.get_backend_name() == "sqlite":
        # Transactions stay as Python's sqlite3 module opens them: BEGIN just before the first
        # INSERT/UPDATE/DELETE, reads outside any transaction. Our units of work read, call GitHub,
        # then write; so a write always starts a fresh transaction, which waits for the lock
        # (busy_timeout) instead of failing. Two alternatives that SQLAlchemy's SQLite notes
        # describe, both measured with 20 concurrent POST /v1/assignments (tests/api/
        # test_concurrency.py): an explicit deferred BEGIN on the "begin" event makes those reads
        # open the transaction, and its later upgrade to a writer fails at once with "database is
        # locked" (SQLite does not wait on an upgrade, to avoid deadlock); BEGIN IMMEDIATE passes,
        # but takes the write lock at the first read, so every GitHub call made after a read and
        # before a commit would hold it and stall every other writer.
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _enable_sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_async_engine(url, **kwargs)


# Where a session keeps the clock its process was given (``Session.info``).
_CLOCK_KEY = "worksample.clock"


def create_sessionmaker(
    engine: AsyncEngine, *, clock: Clock | None = None
) -> async_sessionmaker[AsyncSession]:
    """Sessions that stamp domain times (status changes, acceptance, scoring...) with ``clock``.

    The clock travels with the sessionmaker because every such time is written through a session:
    the app and the worker build theirs once with the injected clock, and a test that moves that
    clock moves every timestamp the lifecycle later compares with it (``session_now``).
    """
    # expire_on_commit=False: objects stay readable after commit (routes serialise them afterwards)
    # without a lazy load, which async sessions cannot do implicitly.
    return async_sessionmaker(engine, expire_on_commit=False, info={_CLOCK_KEY: clock or SYSTEM_CLOCK})


def session_clock(session: AsyncSession) -> Clock:
    """The clock of the process that opened ``session`` (the system clock for a plain session)."""
    clock: Clock | None = session.info.get(_CLOCK_KEY)
    return clock or SYSTEM_CLOCK


def session_now(session: AsyncSession) -> datetime:
    """Now, by the session's clock: for domain times, never for leases, retries or token expiry."""
    return session_clock(session).now()


@asynccontextmanager
async def session_scope(sessionmaker: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """One unit of work: commit when the block ends normally, roll back when it raises."""
    async with sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise
