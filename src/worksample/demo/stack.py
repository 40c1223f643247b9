"""The service as the demo runs it: the GitHub simulator and its world, a migrated SQLite database,
the service's API and worker, an ATS receiver and a recruiter's API key.

One function builds it for ``worksample demo`` and for the browser tests, so what the browser
tests drive is exactly what ``make demo`` shows. Everything it starts is stopped, in reverse order,
when the caller's ``AsyncExitStack`` closes.
"""

from __future__ import annotations

import secrets
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import httpx
from redis.asyncio import Redis

from worksample.api.keys import create_api_key
from worksample.app import create_app
from worksample.config import Settings
from worksample.db import migrate
from worksample.db.session import create_engine, create_sessionmaker, session_scope
from worksample.demo import ports, servers
from worksample.demo.receiver import AtsReceiver
from worksample.demo.settings import demo_settings
from worksample.demo.world import ORG, DemoWorld, build_world, install_app
from worksample.sandbox import create_app as create_simulator


@dataclass
class DemoStack:
    api_url: str
    github_url: str
    ats_url: str
    world: DemoWorld
    # The simulator: control routes and anonymous reads.
    github: httpx.AsyncClient
    # The service, with the recruiter's API key.
    api: httpx.AsyncClient
    api_key: str
    receiver: AtsReceiver

    def as_user(self, login: str) -> httpx.AsyncClient:
        """A client acting as ``login`` on the simulator's REST API with that person's own token;
        closed by the caller."""
        return servers.client(self.github_url, Authorization=f"token {self.world.tokens[login]}")


async def _database(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(Settings(_env_file=None, database_url=url))
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    return url


async def _forget_queue(redis_url: str, queue_name: str) -> None:
    """Remove the stack's keys from a shared Redis (all of them carry its unique queue name)."""
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"*{queue_name}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def start_stack(
    exits: AsyncExitStack,
    *,
    workdir: Path,
    redis_url: str,
    artifacts_dir: Path,
    key_name: str,
    forget_queue: bool = True,
    github_port: int = 0,
    api_port: int = 0,
    ats_port: int = 0,
) -> DemoStack:
    """Start everything on 127.0.0.1 (port 0: a free one); the App is installed, no assignment exists.

    ``forget_queue`` removes the stack's Redis keys at the end: wanted on a shared Redis, pointless
    on a private one that is thrown away.
    """
    # Every socket is bound before anything starts, so a taken port stops the demo at once.
    github_sock = ports.bind(github_port, purpose="GitHub simulator")
    exits.callback(github_sock.close)
    api_sock = ports.bind(api_port, purpose="service API")
    exits.callback(api_sock.close)
    ats_sock = ports.bind(ats_port, purpose="ATS receiver")
    exits.callback(ats_sock.close)
    github_url, api_url, ats_url = (ports.url_of(s) for s in (github_sock, api_sock, ats_sock))

    await servers.serve_app(
        create_simulator(base_url=github_url), github_sock, exits, name="GitHub simulator"
    )
    github = await exits.enter_async_context(servers.client(github_url))
    world = await build_world(github, service_url=api_url)

    queue_name = f"worksample-demo:{secrets.token_hex(6)}"
    if forget_queue:
        exits.push_async_callback(_forget_queue, redis_url, queue_name)
    settings = demo_settings(
        database_url=await _database(workdir / "worksample.db"),
        redis_url=redis_url,
        queue_name=queue_name,
        api_url=api_url,
        github_url=github_url,
        artifacts_dir=artifacts_dir,
        world=world,
    )
    service = create_app(settings)
    await servers.serve_app(service, api_sock, exits, name="service API")
    await servers.run_worker(settings, exits, poll_delay=0.05, retry_base_seconds=0.2)
    receiver = AtsReceiver()
    await servers.serve_app(receiver.app, ats_sock, exits, name="ATS receiver")
    # Installed once the service listens, so it hears the ``installation`` webhook.
    world = await install_app(github, world)
    async with session_scope(create_sessionmaker(service.state.resources.engine)) as session:
        api_key = (await create_api_key(session, ORG, name=key_name)).key
    api = await exits.enter_async_context(servers.client(api_url, Authorization=f"Bearer {api_key}"))
    return DemoStack(api_url, github_url, ats_url, world, github, api, api_key, receiver)
