"""Everything the demo starts, in order, and the summary of what happened.

Redis first (the only thing that may be missing), then the listening sockets (so a taken port
stops the demo before anything else starts), the GitHub simulator, the world inside it, the
database, the service's API and worker, the ATS receiver; then the story. Everything started is
stopped, in reverse order, when the demo ends — also on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from redis.asyncio import Redis

from worksample.api.keys import create_api_key
from worksample.app import create_app
from worksample.artifacts.catalog import load_catalog
from worksample.artifacts.errors import ArtifactError
from worksample.artifacts.model import Rubric
from worksample.config import DEFAULT_ARTIFACTS_DIR, Settings
from worksample.db import migrate
from worksample.db.session import create_engine, create_sessionmaker, session_scope
from worksample.demo import ports, servers
from worksample.demo.errors import DemoError
from worksample.demo.receiver import AtsReceiver
from worksample.demo.redis import RedisChoice, choose_redis
from worksample.demo.settings import demo_settings
from worksample.demo.steps import StepListener, StepStatus
from worksample.demo.story import ARTIFACT_ID, Story, plan
from worksample.demo.summary import build_summary
from worksample.demo.world import ORG, build_world, install_app
from worksample.sandbox import create_app as create_simulator

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class DemoOptions:
    api_port: int = 0
    github_port: int = 0
    ats_port: int = 0
    redis_url: str = DEFAULT_REDIS_URL
    artifacts_dir: Path = DEFAULT_ARTIFACTS_DIR
    # Keep everything running after the walkthrough, until interrupted.
    serve: bool = False
    # How long a step waits for the service to react before it counts as failed.
    wait_seconds: float = 20.0
    # Where the service's own log lines went (the CLI sets it up); named in the summary.
    log_file: Path | None = None


@dataclass
class Running:
    """What the demo started, for the closing "where to look" and for ``--serve``."""

    api_url: str
    github_url: str
    ats_url: str
    api_key: str
    redis: RedisChoice
    workdir: Path
    log_file: Path | None


def _rubric(path: Path) -> Rubric:
    try:
        catalog = load_catalog(path)
    except ArtifactError as exc:
        raise DemoError(f"cannot load the work samples from {path}: {exc} (set --artifacts-dir)") from None
    if ARTIFACT_ID not in catalog:
        raise DemoError(f"the work sample {ARTIFACT_ID!r} is not in {path} (set --artifacts-dir)")
    return catalog.get(ARTIFACT_ID).manifest.rubric


async def _database(path: Path) -> str:
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(Settings(_env_file=None, database_url=url))
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()
    return url


async def _forget_queue(redis_url: str, queue_name: str) -> None:
    """Remove the demo's keys from a shared Redis (all of them carry its unique queue name)."""
    client = Redis.from_url(redis_url)
    try:
        keys = [key async for key in client.scan_iter(match=f"*{queue_name}*")]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


async def run_demo(
    options: DemoOptions, *, listeners: list[StepListener], on_ready: Any = None
) -> tuple[dict[str, Any], Running]:
    """Run the walkthrough; returns the summary and what ran (already stopped unless ``serve``,
    in which case this returns only when interrupted)."""
    rubric = _rubric(options.artifacts_dir)
    steps = plan()
    steps.listeners.extend(listeners)
    async with AsyncExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="worksample-demo-")))
        redis = await choose_redis(options.redis_url, workdir, stack)
        github_sock = ports.bind(options.github_port, purpose="GitHub simulator")
        api_sock = ports.bind(options.api_port, purpose="service API")
        ats_sock = ports.bind(options.ats_port, purpose="ATS receiver")
        for sock in (github_sock, api_sock, ats_sock):
            stack.callback(sock.close)
        github_url, api_url, ats_url = (ports.url_of(s) for s in (github_sock, api_sock, ats_sock))

        await servers.serve_app(
            create_simulator(base_url=github_url), github_sock, stack, name="GitHub simulator"
        )
        github = await stack.enter_async_context(servers.client(github_url))
        world = await build_world(github, service_url=api_url)

        queue_name = f"worksample-demo:{secrets.token_hex(6)}"
        if redis.kind == "reachable":
            stack.push_async_callback(_forget_queue, redis.url, queue_name)
        settings = demo_settings(
            database_url=await _database(workdir / "worksample.db"),
            redis_url=redis.url,
            queue_name=queue_name,
            api_url=api_url,
            github_url=github_url,
            artifacts_dir=options.artifacts_dir,
            world=world,
        )
        service = create_app(settings)
        await servers.serve_app(service, api_sock, stack, name="service API")
        await servers.run_worker(settings, stack, poll_delay=0.05, retry_base_seconds=0.2)
        receiver = AtsReceiver()
        await servers.serve_app(receiver.app, ats_sock, stack, name="ATS receiver")
        world = await install_app(github, world)
        engine = service.state.resources.engine
        async with session_scope(create_sessionmaker(engine)) as session:
            api_key = (await create_api_key(session, ORG, name="demo recruiter")).key
        api = await stack.enter_async_context(servers.client(api_url, Authorization=f"Bearer {api_key}"))
        running = Running(api_url, github_url, ats_url, api_key, redis, workdir, options.log_file)
        story = Story(
            api=api,
            github=github,
            world=world,
            receiver=receiver,
            receiver_url=ats_url,
            rubric=rubric,
            steps=steps,
            wait_seconds=options.wait_seconds,
        )
        await story.detect()
        started = steps["start"]
        started.status, started.started_at, started.seconds = StepStatus.DONE, 0.0, steps.elapsed()
        started.detail = (
            f"API {api_url} · GitHub {github_url} · ATS {ats_url} · Redis ({redis.kind}) {redis.url}"
        )
        steps.notify(started)

        await story.run()
        summary = build_summary(story, running)
        if options.serve:
            if on_ready is not None:
                on_ready(summary, running)
            await asyncio.Event().wait()
    return summary, running
