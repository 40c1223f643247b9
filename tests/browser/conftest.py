"""The whole service on real sockets for the browser, built from the demo's pieces.

``stack`` serves the GitHub simulator, the service (with sign-in configured), its arq worker and
an ATS receiver with uvicorn on free 127.0.0.1 ports (``worksample.demo.servers``), in the demo's
simulated world (org ``acme``: ``grace-lead`` and ``linus-eng``; candidate ``ada-candidate``)
plus ``mallory``, who belongs to no organisation. ``chromium`` is Debian's chromium driven by
Playwright with a fresh profile; pages write screenshots to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import BrowserContext, Page, async_playwright
from pydantic import SecretStr
from redis.asyncio import Redis

from worksample.api.keys import create_api_key
from worksample.app import create_app
from worksample.config import DEFAULT_ARTIFACTS_DIR, Settings
from worksample.db import migrate
from worksample.db.session import create_engine, create_sessionmaker, session_scope
from worksample.demo import ports, servers
from worksample.demo.receiver import PATH as RECEIVER_PATH
from worksample.demo.receiver import AtsReceiver
from worksample.demo.settings import demo_settings
from worksample.demo.world import ORG, DemoWorld, build_world, install_app
from worksample.sandbox import create_app as create_simulator

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
OUTSIDER = "mallory"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
)


@dataclass
class Stack:
    api_url: str
    github_url: str
    world: DemoWorld
    api: httpx.AsyncClient
    github: httpx.AsyncClient
    receiver: AtsReceiver

    def as_user(self, login: str) -> httpx.AsyncClient:
        """A client acting as ``login`` on the simulator's REST API with that user's token."""
        token = self.world.tokens[login]
        return httpx.AsyncClient(
            base_url=self.github_url, headers={"Authorization": f"token {token}"}, timeout=30
        )


async def _database(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(Settings(_env_file=None, database_url=url))
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    return url


async def _forget_queue(redis_url: str, queue_name: str) -> None:
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"*{queue_name}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


@pytest.fixture
async def stack(tmp_path: Path, redis_url: str) -> AsyncIterator[Stack]:
    async with AsyncExitStack() as exits:
        socks = [ports.bind(0, purpose=name) for name in ("GitHub simulator", "service", "ATS receiver")]
        for sock in socks:
            exits.callback(sock.close)
        github_url, api_url, ats_url = (ports.url_of(s) for s in socks)
        simulator = create_simulator(base_url=github_url)
        await servers.serve_app(simulator, socks[0], exits, name="GitHub simulator")
        github = await exits.enter_async_context(servers.client(github_url))
        world = await build_world(github, service_url=api_url)
        added = await github.post("/_sandbox/users", json={"login": OUTSIDER, "name": "Mallory Outside"})
        assert added.status_code == 201, added.text
        world.tokens[OUTSIDER] = added.json()["token"]
        app_record = simulator.state.sandbox.world.apps[world.app_id]
        queue_name = f"worksample-browser:{secrets.token_hex(6)}"
        exits.push_async_callback(_forget_queue, redis_url, queue_name)
        settings = demo_settings(
            database_url=await _database(tmp_path / "worksample.db"),
            redis_url=redis_url,
            queue_name=queue_name,
            api_url=api_url,
            github_url=github_url,
            artifacts_dir=DEFAULT_ARTIFACTS_DIR,
            world=world,
            github_client_id=app_record.client_id,
            github_client_secret=SecretStr(app_record.client_secret),
            session_secret=SecretStr(secrets.token_urlsafe(32)),
        )
        service = create_app(settings)
        await servers.serve_app(service, socks[1], exits, name="service")
        await servers.run_worker(settings, exits, poll_delay=0.05, retry_base_seconds=0.2)
        receiver = AtsReceiver()
        await servers.serve_app(receiver.app, socks[2], exits, name="ATS receiver")
        world = await install_app(github, world)
        async with session_scope(create_sessionmaker(service.state.resources.engine)) as session:
            key = (await create_api_key(session, ORG, name="browser tests")).key
        api = await exits.enter_async_context(servers.client(api_url, Authorization=f"Bearer {key}"))
        endpoint = await api.post(
            "/v1/endpoints", json={"url": ats_url + RECEIVER_PATH, "description": "test ATS"}
        )
        assert endpoint.status_code == 201, endpoint.text
        receiver.secret = endpoint.json()["secret"]
        yield Stack(api_url, github_url, world, api, github, receiver)


Browse = Callable[[], Awaitable[BrowserContext]]


@pytest.fixture
async def chromium(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browse]:
    """``await chromium()`` opens a fresh browser profile (its own cookies); all close at the end."""
    async with async_playwright() as playwright, AsyncExitStack() as exits:

        async def open_context() -> BrowserContext:
            context = await playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1200, "height": 900},
            )
            exits.push_async_callback(context.close)
            context.set_default_timeout(10_000)
            return context

        yield open_context


async def shoot(page: Page, name: str, **options: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, **options)
