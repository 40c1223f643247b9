"""The API tests' GitHub world also knows the observer reviewer their request bodies name."""

from __future__ import annotations

import pytest

from tests.conftest import GitHubWorld


@pytest.fixture
async def github_world(github_world: GitHubWorld) -> GitHubWorld:
    # Reviewers are looked up on GitHub like the candidate (``tests/api/bodies.py`` names this one).
    await github_world.add_user("hiring-manager")
    return github_world
