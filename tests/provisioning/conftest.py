"""Fixtures for provisioning: a simulator world, settings pointing at it, the API on top of it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import make_api_key, running_app
from tests.provisioning.world import ORG, World, build_world
from worksample.config import Settings


@pytest.fixture
async def world(request: pytest.FixtureRequest) -> AsyncIterator[World]:
    """The default world; ``parametrize("world", ["none"], indirect=True)`` sets the org's base permission."""
    world = await build_world(base_permission=getattr(request, "param", "read"))
    yield world
    await world.aclose()


@pytest.fixture
def gh_settings(settings: Settings, world: World) -> Settings:
    return world.settings(settings)


@pytest.fixture
async def service(
    gh_settings: Settings, world: World, arq_pool: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """The recruiter API, checking candidate logins against the simulator, with a key for the org."""
    key = await make_api_key(sessionmaker, ORG)
    running = running_app(gh_settings, github_transport=world.transport, arq_pool=arq_pool)
    async with running as (_app, client):
        client.headers["Authorization"] = f"Bearer {key}"
        yield client
