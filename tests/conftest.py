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
import os
import secrets
import shutil
import textwrap
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from arq.connections import RedisSettings, create_pool
from arq.constants import job_key_prefix, result_key_prefix, retry_key_prefix
from fastapi import FastAPI
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from worksample.api.keys import create_api_key
from worksample.app import create_app
from worksample.config import Settings
from worksample.db import migrate
from worksample.db.models import Base
from worksample.db.session import create_engine, create_sessionmaker, session_scope
from worksample.sandbox import create_app as create_sandbox

PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
PG_URL_TEMPLATE = "postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/0"
# Where tests (and the simulator's webhooks) reach the service app in-process.
SERVICE_URL = "http://worksample.test"

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


async def _migrate(url: str) -> None:
    engine = create_engine(Settings(_env_file=None, database_url=url, sandbox=True))
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated to head once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("db-template") / "template.db"
    run_blocking(_migrate(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A PostgreSQL database for this test session, migrated to head, dropped at the end."""
    name = unique_name("ws_test")
    url = run_blocking(create_pg_database(name))
    try:
        run_blocking(_migrate(url))
        yield url
    finally:
        run_blocking(drop_pg_database(name))


async def _empty_all_tables(url: str) -> None:
    # DELETE, children first, rather than TRUNCATE: on tables this small it is several times faster,
    # and no test may depend on ids starting at 1.
    engine = create_engine(Settings(_env_file=None, database_url=url, sandbox=True), poolclass=NullPool)
    try:
        async with engine.begin() as connection:
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(table.delete())
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty, migrated database: a SQLite file or the session's PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "worksample.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    url: str = request.getfixturevalue("postgres_database")
    run_blocking(_empty_all_tables(url))
    return url


# --------------------------------------------------------------------------------------------
# Redis, artifacts, settings


@pytest.fixture
def redis_url() -> str:
    return REDIS_URL


@pytest.fixture
def queue_name() -> str:
    return unique_name("arq:test-queue")


TEST_ARTIFACT_TOML = """\
id = "test-sample"
title = "Test sample"
profile = "api-platform-tpm"
summary = "A small artifact for the service's tests."
time_limit_hours = 48
instructions = "Read the RFC and answer in a pull request."

[variables.company]
type = "string"
default = "Acme"
description = "The company name shown to the candidate."
max_length = 40

[variables.seats]
type = "integer"
default = 10
description = "How many seats the customer has."

[[rubric.criteria]]
id = "clarity"
title = "Clarity"
weight = 2.0
anchors = { 1 = "Hard to follow.", 2 = "Followable with effort.", 3 = "Clear.", 4 = "Crisp and complete." }

[[rubric.criteria]]
id = "risk"
title = "Risk handling"
weight = 1.0
anchors = { 1 = "Ignores risk.", 2 = "Names risks.", 3 = "Mitigates risks.", 4 = "Plans for failure." }
"""


def write_test_artifact(directory: Path) -> Path:
    folder = directory / "test-sample"
    (folder / "repo").mkdir(parents=True)
    (folder / "artifact.toml").write_text(TEST_ARTIFACT_TOML)
    (folder / "REVIEWER_GUIDE.md").write_text("Look for a rollout plan.\n")
    (folder / "repo" / "README.md.j2").write_text(
        textwrap.dedent("""\
            # {{ company }} API deprecation

            {{ company }} has {{ seats }} seats.
        """)
    )
    (folder / "repo" / "NOTES.txt").write_text("Plain file, copied as is.\n")
    return directory


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
    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url), default_queue_name=settings.queue_name
    )
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
) -> AsyncIterator[tuple[FastAPI, httpx.AsyncClient]]:
    """The service app with its lifespan running, and a client that talks to it in-process."""
    app = create_app(settings, github_transport=github_transport, arq_pool=arq_pool)
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


class DeferredTransport(httpx.AsyncBaseTransport):
    """A transport whose target is set later.

    The simulator needs a transport to deliver webhooks to the service, and the service needs one
    to call the simulator; whichever is built first gets one of these and the other is plugged in.
    """

    def __init__(self) -> None:
        self.target: httpx.AsyncBaseTransport | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.target is None:
            raise RuntimeError(f"no target yet for {request.method} {request.url}")
        return await self.target.handle_async_request(request)


@dataclass
class GitHubWorld:
    """The simulator with an organisation, users, our App (with a webhook secret) installed on the org.

    ``sim`` is the simulator's ASGI app; ``control`` a client on it for ``/_sandbox`` routes;
    ``users`` maps login → {"id", "login", "token"} (the token acts as that user through GitHub's API).
    Webhooks go to ``SERVICE_URL + WEBHOOK_PATH`` on whatever ``webhook_target`` points at
    (``service_on_world`` plugs the service app in).
    """

    sim: FastAPI
    control: httpx.AsyncClient
    webhook_target: DeferredTransport
    org: str
    app_id: int
    private_key: str
    webhook_secret: str
    installation_id: int
    users: dict[str, dict[str, Any]]

    @property
    def transport(self) -> httpx.ASGITransport:
        """What the service's githubkit clients use to reach the simulator."""
        return httpx.ASGITransport(app=self.sim)

    def settings(self, base: Settings) -> Settings:
        return base.model_copy(
            update={
                "github_api_url": SANDBOX_URL,
                "github_web_url": SANDBOX_URL,
                "github_app_id": self.app_id,
                "github_private_key": SecretStr(self.private_key),
                "github_webhook_secret": SecretStr(self.webhook_secret),
            }
        )

    def user_client(self, login: str) -> httpx.AsyncClient:
        """An HTTP client acting as ``login`` on the simulator's GitHub API (close it after use)."""
        token = self.users[login]["token"]
        return httpx.AsyncClient(
            transport=self.transport, base_url=SANDBOX_URL, headers={"Authorization": f"token {token}"}
        )

    async def add_user(self, login: str) -> dict[str, Any]:
        response = await self.control.post("/_sandbox/users", json={"login": login})
        assert response.status_code == 201, response.text
        self.users[login] = response.json()
        return self.users[login]

    async def calls(self) -> list[dict[str, Any]]:
        response = await self.control.get("/_sandbox/calls")
        assert response.status_code == 200, response.text
        calls: list[dict[str, Any]] = response.json()
        return calls


SANDBOX_URL = "http://sandbox"
# Where the simulator sends the App's webhooks (the intake route arrives with the webhook issue).
WEBHOOK_PATH = "/github/webhooks"
WORLD_ORG = "acme"
WORLD_MEMBERS = ("lead-eng", "second-eng")
WORLD_OUTSIDERS = ("octocat", "hubot")


@pytest.fixture
async def github_world() -> AsyncIterator[GitHubWorld]:
    """A fresh simulator: org ``acme`` (members ``lead-eng``, ``second-eng``), outside users
    ``octocat`` and ``hubot``, and our App installed on ``acme``."""
    target = DeferredTransport()
    sim = create_sandbox(base_url=SANDBOX_URL, webhook_transport=target)
    control = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url=SANDBOX_URL)
    secret = secrets.token_hex(20)
    users: dict[str, dict[str, Any]] = {}
    for login in (*WORLD_MEMBERS, *WORLD_OUTSIDERS):
        response = await control.post("/_sandbox/users", json={"login": login})
        assert response.status_code == 201, response.text
        users[login] = response.json()
    response = await control.post("/_sandbox/orgs", json={"login": WORLD_ORG, "members": list(WORLD_MEMBERS)})
    assert response.status_code == 201, response.text
    response = await control.post(
        "/_sandbox/apps",
        json={"name": "worksample-test", "webhook_url": SERVICE_URL + WEBHOOK_PATH, "webhook_secret": secret},
    )
    assert response.status_code == 201, response.text
    app_id, private_key = response.json()["id"], response.json()["private_key"]
    # Not installed yet: the installation webhook would find no service to deliver to.
    world = GitHubWorld(
        sim=sim,
        control=control,
        webhook_target=target,
        org=WORLD_ORG,
        app_id=app_id,
        private_key=private_key,
        webhook_secret=secret,
        installation_id=0,
        users=users,
    )
    try:
        yield world
    finally:
        await sim.state.sandbox.webhooks.flush()
        await control.aclose()


async def install_app(world: GitHubWorld) -> int:
    response = await world.control.post(
        "/_sandbox/installations", json={"app_id": world.app_id, "account": world.org}
    )
    assert response.status_code == 201, response.text
    world.installation_id = response.json()["id"]
    return world.installation_id


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
    running = running_app(world_settings, github_transport=github_world.transport, arq_pool=arq_pool)
    async with running as (app, client):
        github_world.webhook_target.target = httpx.ASGITransport(app=app)
        await install_app(github_world)
        resources = app.state.resources
        client.headers["Authorization"] = (
            f"Bearer {await make_api_key(resources.sessionmaker, github_world.org)}"
        )
        yield client


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
        await worker.main()
    finally:
        await close_worker(worker)
