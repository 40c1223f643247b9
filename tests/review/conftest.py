from __future__ import annotations

import httpx
import pytest

from tests.conftest import GitHubWorld
from tests.review.flow import Flow
from worksample.config import Settings


@pytest.fixture
async def flow(
    service_on_world: httpx.AsyncClient, github_world: GitHubWorld, world_settings: Settings
) -> Flow:
    return Flow(api=service_on_world, world=github_world, settings=world_settings)
