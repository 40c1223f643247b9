"""``create_app()``: the service's HTTP application (recruiter/ATS API; webhook intake joins later).

The lifespan builds every resource once — engine and sessions, the arq pool, the artifact catalog,
the GitHub App client — and closes what it opened. Routes get them through the dependencies in
``worksample.api.deps``. Nothing connects at import.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

import httpx
from arq.connections import create_pool
from fastapi import FastAPI

from worksample.api import artifacts, assignments, endpoints, github_webhooks, greenhouse, health, invitations
from worksample.api import events as events_api
from worksample.api import lifecycle as lifecycle_api
from worksample.api.deps import Resources
from worksample.api.errors import install_error_handlers
from worksample.api.limits import BodySizeLimit
from worksample.artifacts.catalog import load_catalog
from worksample.auth import SignIn
from worksample.clock import SYSTEM_CLOCK, Clock
from worksample.config import Settings
from worksample.db.session import create_engine, create_sessionmaker
from worksample.github.client import GitHubApp
from worksample.github.pacing import LocalWritePacer, PacingPolicy
from worksample.jobs.connection import redis_settings
from worksample.web import install as install_web_pages
from worksample.web import router as web_router

log = logging.getLogger(__name__)


def _github_app(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> GitHubApp | None:
    if settings.github_app_id is None or settings.github_private_key is None:
        # Only possible in sandbox mode (require_production_secrets refuses it otherwise): the API
        # then skips asking GitHub about candidate logins.
        log.warning("app.github_not_configured: candidate logins are not checked with GitHub")
        return None
    # The API only reads from GitHub, so an in-process pacer is enough (it still honours rate-limit holds).
    pacer = LocalWritePacer(PacingPolicy(interval=settings.github_write_interval_seconds))
    return GitHubApp.from_settings(settings, pacer, transport=transport)


def create_app(
    settings: Settings,
    *,
    github_transport: httpx.AsyncBaseTransport | None = None,
    arq_pool: Any = None,
    clock: Clock | None = None,
) -> FastAPI:
    """The service app. ``github_transport`` reaches GitHub (tests: the simulator's ASGITransport);
    ``arq_pool`` is used instead of connecting to ``settings.redis_url`` (and then not closed here)."""
    settings.require_production_secrets()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            # Loaded first: a broken artifact folder should stop start-up before anything connects.
            catalog = load_catalog(settings.artifacts_dir)
            engine = create_engine(settings)
            stack.push_async_callback(engine.dispose)
            pool = arq_pool
            if pool is None:
                pool = await create_pool(
                    redis_settings(settings.redis_url), default_queue_name=settings.queue_name
                )
                stack.push_async_callback(pool.aclose)
            github = _github_app(settings, github_transport)
            if github is not None:
                stack.push_async_callback(github.aclose)
            webhook_engine = github_webhooks.create_webhook_engine(settings)
            stack.push_async_callback(webhook_engine.dispose)
            app.state.resources = Resources(
                settings=settings,
                engine=engine,
                # Domain times (acceptance, scoring, deadlines) are stamped by the injected clock.
                sessionmaker=create_sessionmaker(engine, clock=clock),
                catalog=catalog,
                arq_pool=pool,
                github=github,
                webhook_engine=webhook_engine,
            )
            log.info("app.started artifacts=%d database=%s", len(catalog), engine.url.get_backend_name())
            yield

    app = FastAPI(
        title="worksample",
        summary="Work-sample hiring assignments, run as a GitHub App.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        limit=settings.max_request_body_bytes,
        exempt_paths=frozenset({github_webhooks.WEBHOOK_PATH}),
    )
    for module in (health, artifacts, assignments, github_webhooks):
        app.include_router(module.router)
    # Greenhouse's partner API, its settings on our API, and the candidates' invitation pages.
    app.include_router(greenhouse.router)
    app.include_router(greenhouse.admin_router)
    app.include_router(invitations.router)
    # Deadlines, extensions, erasure (worksample.lifecycle); its clock is injectable for tests.
    app.include_router(lifecycle_api.router)
    # ATS webhooks out: endpoints, deliveries, the event catalog (worksample.outbox).
    app.include_router(endpoints.router)
    app.include_router(events_api.router)
    # Web pages for recruiters and reviewers (worksample.web): sign-in, board, trigger, review queue.
    app.include_router(web_router)
    install_web_pages(app)
    app.state.clock = clock or SYSTEM_CLOCK
    # Sign-in with GitHub (invitation pages now, recruiters' pages later): built here, not in the
    # lifespan, because it connects to nothing until someone signs in.
    app.state.sign_in = SignIn(settings, transport=github_transport)
    return app
