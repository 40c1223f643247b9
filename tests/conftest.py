"""Shared fixtures: real databases, real Redis, the GitHub simulator and the service app.

Everything here is real: tests talk to the service through its HTTP front door, to SQLite files
and a PostgreSQL server, to Redis, and to the GitHub simulator. Fixtures, from the bottom up:

``database_url``
    Parametrised: each test that uses it (directly or through ``settings``) runs once on SQLite
    and once on PostgreSQL (marked ``postgres``; ``-m "not postgres"`` skips those). The schema
    comes from the Alembic migrations, never from ``create_all``: migrated once per session into
    a template, then each test gets an empty copy (SQLite: a copied file; PostgreSQL: a database
    named ``ws_test_<pid>_<random>`` created for the session and dropped at its end, with every
    table emptied before each test).
``redis_url``, ``queue_name``
    The shared Redis on 127.0.0.1:6379, with an arq queue name unique to the test, so concurrent
    test runs never see each other's jobs. Nothing ever flushes the database.
``artifacts_dir``
    A folder holding one small artifact (``test-sample``, variables ``company`` and ``seats``).
``settings``
    ``Settings`` built from the above (sandbox mode, no environment, no ``.env``).
``engine``, ``sessionmaker``
    The service's own engine and sessions over that database.
``arq_pool``
    An arq connection on ``settings.redis_url`` whose default queue is ``settings.queue_name``;
    jobs it (or the app) enqueues are removed at teardown.
``api_app`` / ``api_client``
    The service app built by ``create_app(settings, github_transport=..., arq_pool=...)`` with its
    lifespan running, and an ``httpx.AsyncClient`` on it through ``httpx.ASGITransport``.
``api_key``, ``auth_headers`` (and ``make_api_key(sessionmaker, org)`` for more tenants)
    A bearer key for the organisation ``acme``, created as ``worksample apikey create`` does.
``github_world``
    A fresh GitHub simulator: org ``acme`` with members ``lead-eng`` and ``second-eng``, outside
    users ``octocat`` and ``hubot`` (each with a token: ``world.user_client(login)`` acts as them),
    and our App with a webhook secret. Webhooks go to the service once ``service_on_world`` runs.
``world_settings``, ``service_on_world``
    Settings pointing at the simulator with the App it issued; the service app running on them
    (GitHub traffic → simulator through ``httpx.ASGITransport``, simulator webhooks → the service
    at ``WEBHOOK_PATH``), the App installed on ``acme``, and an ``acme`` key in the client headers.
``run_worker_burst(settings, github_transport=world.transport)``
    The real arq worker in burst mode on the test's queue.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import shutil
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from arq.connections import create_pool
from arq.constants import job_key_prefix, result_key_prefix, retry_key_prefix
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.support.artifact import write_test_artifact
from tests.support.databases import (
    create_pg_database,
    drop_pg_database,
    empty_all_tables,
    migrate_to_head,
    run_blocking,
    unique_name,
)
from tests.support.world import SERVICE_URL, GitHubWorld, build_world, install_app
from worksample.api.keys import create_api_key
from worksample.app import create_app
from worksample.clock import Clock, OffsetClock
from worksample.config import Settings
from worksample.db.session import create_engine, create_sessionmaker, session_scope
from worksample.jobs.connection import redis_settings

REDIS_URL = "redis://127.0.0.1:6379/0"

# Helpers other test modules import from here (``from tests.conftest import ...``).
__all__ = [
    "SERVICE_URL",
    "GitHubWorld",
    "app_on_world",
    "install_app",
    "make_api_key",
    "queued_jobs",
    "run_worker_burst",
    "running_app",
    "unique_name",
]


# --------------------------------------------------------------------------------------------
# Leaks are the leaking test's failure


def pytest_collection_finish(session: pytest.Session) -> None:
    # What exists once the tests are collected (modules, githubkit's models) lives to the end:
    # frozen, the collection after each test only walks what the tests made, in milliseconds.
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _collect_garbage_after_the_test() -> Iterator[None]:
    """An unclosed socket, database or Redis connection is reported (as a ResourceWarning, an
    error here) when the garbage collector finds it, which left alone happens in whichever later
    test runs a collection, on whichever xdist worker. Collecting after every test's own teardown
    fails the test that leaked, the same way on every run."""
    yield
    gc.collect()


# --------------------------------------------------------------------------------------------
# Databases


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    run_blocking(migrate_to_head(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database for this test session, migrated to head, dropped at the end."""
    name = unique_name("ws_test")
    url = run_blocking(create_pg_database(name))
    try:
        run_blocking(migrate_to_head(url))
        yield url
    finally:
        run_blocking(drop_pg_database(name))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a SQLite file or the session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "worksample.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    run_blocking(empty_all_tables(url))
    return url


# --------------------------------------------------------------------------------------------
# Redis, artifacts, settings


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
def queue_name() -> str:
    return unique_name("arq:test-queue")


@pytest.fixture(scope="session")
def artifacts_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_test_artifact(tmp_path_factory.mktemp("artifacts"))


@pytest.fixture
def settings(database_url: str, redis_url: str, queue_name: str, artifacts_dir: Path) -> Settings:
    return Settings(
        _env_file=None,
        database_url=database_url,
        redis_url=redis_url,
        queue_name=queue_name,
        artifacts_dir=artifacts_dir,
        sandbox=True,
        # Tests must not wait a second between GitHub writes; pacing has its own tests.
        github_write_interval_seconds=0,
    )


@pytest.fixture
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


# --------------------------------------------------------------------------------------------
# Redis / arq


@pytest.fixture
async def arq_pool(settings: Settings) -> AsyncIterator[Any]:
    """An arq pool on the test's own queue; the queue and the jobs left in it are deleted after."""
    pool = await create_pool(redis_settings(settings.redis_url), default_queue_name=settings.queue_name)
    yield pool
    job_ids = await pool.zrange(settings.queue_name, 0, -1)
    keys = [settings.queue_name]
    for raw in job_ids:
        job_id = raw.decode() if isinstance(raw, bytes) else str(raw)
        keys += [f"{prefix}{job_id}" for prefix in (job_key_prefix, result_key_prefix, retry_key_prefix)]
    await pool.delete(*keys)
    await pool.aclose()


async def queued_jobs(pool: Any, queue_name: str) -> list[Any]:
    """The jobs waiting on ``queue_name`` (arq's ``JobDef``: ``.function``, ``.kwargs``, ``.job_id``)."""
    return list(await pool.queued_jobs(queue_name=queue_name))


# --------------------------------------------------------------------------------------------
# The service app


@asynccontextmanager
async def running_app(
    settings: Settings,
    *,
    github_transport: httpx.AsyncBaseTransport | None = None,
    arq_pool: Any = None,
    clock: Clock | None = None,
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The service app with its lifespan running, and a client that talks to it in-process."""
    app = create_app(settings, github_transport=github_transport, arq_pool=arq_pool, clock=clock)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://worksample.test"
        ) as client,
    ):
        yield app, client


@pytest.fixture
async def api_app(settings: Settings, arq_pool: Any) -> AsyncIterator[FastAPI]:
    """The service app without a GitHub App configured (candidate logins are not checked)."""
    async with running_app(settings, arq_pool=arq_pool) as (app, _client):
        yield app


@pytest.fixture
async def api_client(api_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=api_app)
    async with httpx.AsyncClient(transport=transport, base_url=SERVICE_URL) as client:
        yield client


async def make_api_key(sessionmaker: async_sessionmaker[AsyncSession], org_login: str) -> str:
    """A bearer key for ``org_login`` (the organisation is created on first use), as the CLI makes it."""
    async with session_scope(sessionmaker) as session:
        return (await create_api_key(session, org_login)).key


@pytest.fixture
async def api_key(sessionmaker: async_sessionmaker[AsyncSession]) -> str:
    """A key for the organisation ``acme``."""
    return await make_api_key(sessionmaker, "acme")


@pytest.fixture
def auth_headers(api_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"}


# --------------------------------------------------------------------------------------------
# The GitHub simulator, wired to the service both ways


@pytest.fixture
async def github_world() -> AsyncIterator[GitHubWorld]:
    """A fresh simulator: org ``acme`` (members ``lead-eng``, ``second-eng``), outside users
    ``octocat`` and ``hubot``, and our App (not yet installed: ``service_on_world`` installs it)."""
    world = await build_world()
    try:
        yield world
    finally:
        await world.aclose()


@pytest.fixture
def world_settings(settings: Settings, github_world: GitHubWorld) -> Settings:
    """``settings`` pointing at the simulator's GitHub, with the App it issued."""
    return github_world.settings(settings)


@pytest.fixture
async def service_on_world(
    world_settings: Settings, github_world: GitHubWorld, arq_pool: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """The service app talking to the simulator (and receiving its webhooks), with the App
    installed on ``acme`` and an API key for ``acme`` already in the client's headers."""
    async with app_on_world(world_settings, github_world, arq_pool) as (_app, client):
        yield client


@pytest.fixture
def clock() -> OffsetClock:
    """A clock the test moves; hand it to the service with ``app_on_world(..., clock=clock)``."""
    return OffsetClock()


@asynccontextmanager
async def app_on_world(
    world_settings: Settings, github_world: GitHubWorld, arq_pool: Any, *, clock: Clock | None = None
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """What ``service_on_world`` runs, for fixtures that need the app itself or their own clock."""
    running = running_app(
        world_settings, github_transport=github_world.transport, arq_pool=arq_pool, clock=clock
    )
    async with running as (app, client), github_world.delivering_to(app):
        await install_app(github_world)
        resources = app.state.resources
        client.headers["Authorization"] = (
            f"Bearer {await make_api_key(resources.sessionmaker, github_world.org)}"
        )
        yield app, client


# --------------------------------------------------------------------------------------------
# The real arq worker


async def run_worker_burst(
    settings: Settings, *, github_transport: httpx.AsyncBaseTransport | None = None, **options: Any
) -> None:
    """Run the real arq worker (``worksample.jobs.worker``) in burst mode on ``settings.queue_name``:
    it runs every queued job, and the retries they schedule, then returns. ``options`` go to
    ``build_worker`` (``checkpoint=``, ``pacing=``, ``use_templates=``, ...)."""
    # Imported here so that fixtures for other concerns load even while the worker is being built.
    from worksample.jobs.worker import build_worker, close_worker

    options.setdefault("retry_base_seconds", 0.05)
    worker = build_worker(settings, burst=True, github_transport=github_transport, **options)
    try:
        main = asyncio.ensure_future(worker.main())
        done, _ = await asyncio.wait([main], timeout=BURST_LIMIT_SECONDS)
        if not done:
            # Say what kept the worker busy, instead of a bare per-test timeout later.
            report = await _burst_report(worker, settings.queue_name)
            main.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await main
            raise AssertionError(
                f"the burst worker was still busy after {BURST_LIMIT_SECONDS:.0f} s:\n{report}"
            )
        main.result()
    finally:
        await close_worker(worker)


# A burst run in this suite ends in seconds; past this, a job keeps re-queueing itself.
BURST_LIMIT_SECONDS = 90.0


async def _burst_report(worker: Any, queue_name: str) -> str:
    lines = []
    for job_id, score in await worker.pool.zrange(queue_name, 0, -1, withscores=True):
        due = score / 1000 - time.time()
        lines.append(f"queued {job_id.decode()} due in {due:.1f} s")
    for job_id, task in worker.tasks.items():
        stack = io.StringIO()
        task.print_stack(file=stack)
        lines.append(f"running {job_id}:\n{stack.getvalue()}")
    return "\n".join(lines) or "nothing queued or running"
