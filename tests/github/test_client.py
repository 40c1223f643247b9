"""GitHubApp against the simulator: installations, token minting and refresh, pacing, rate limits."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator

import pytest
from githubkit.exception import RateLimitExceeded, RequestFailed, SecondaryRateLimitExceeded

from tests.provisioning.world import ORG, World, build_world
from worksample.config import ConfigError
from worksample.github.auth import InstallationToken, InstallationTokenCache
from worksample.github.client import GitHubApp, InstallationNotFound
from worksample.github.pacing import LocalWritePacer, PacingPolicy
from worksample.github.ratelimit import DEFAULT_SECONDARY_WAIT
from worksample.sandbox import RateLimitConfig
from worksample.sandbox.ratelimit import SECONDARY_MESSAGE


@pytest.fixture
async def world() -> AsyncIterator[World]:
    world = await build_world()
    yield world
    await world.aclose()


def make_app(world: World, *, interval: float = 0.0, max_wait: float = 30.0) -> GitHubApp:
    return GitHubApp(
        app_id=world.app_id,
        private_key=world.private_key,
        base_url="http://sandbox",
        pacer=LocalWritePacer(PacingPolicy(interval=interval, budgets=())),
        transport=world.transport,
        max_rate_limit_wait=max_wait,
    )


async def _mints(world: World) -> list[int]:
    return [c["status"] for c in await world.calls() if c["path"].endswith("/access_tokens")]


async def test_find_installation_by_org(world: World) -> None:
    github = make_app(world)
    installation_id, account_id = await github.find_installation(ORG)
    assert installation_id == world.installation_id
    assert account_id > 0
    with pytest.raises(InstallationNotFound, match="not installed on the organization 'nobody'"):
        await github.find_installation("nobody")


def test_refuses_a_key_that_is_not_pem(world: World) -> None:
    with pytest.raises(ConfigError, match="not a PEM private key"):
        GitHubApp(
            app_id=1,
            private_key="changeme",
            base_url="http://sandbox",
            pacer=LocalWritePacer(PacingPolicy()),
        )


async def test_one_client_and_one_token_for_concurrent_jobs(world: World) -> None:
    github = make_app(world)
    gh = github.installation(world.installation_id)
    assert github.installation(world.installation_id) is gh
    answers = await asyncio.gather(*(gh.rest.users.async_get_by_username("lead") for _ in range(8)))
    assert {a.parsed_data.login for a in answers} == {"lead"}
    assert await _mints(world) == [201]


async def test_token_is_refreshed_before_it_expires(world: World) -> None:
    # Tokens that live 302 s: inside the cache's 300 s refresh margin after two seconds.
    response = await world.control.patch("/_sandbox/config", json={"token_ttl_seconds": 302})
    assert response.status_code == 200, response.text
    github = make_app(world)
    gh = github.installation(world.installation_id)
    await gh.rest.users.async_get_by_username("lead")
    await asyncio.sleep(2.1)
    await gh.rest.users.async_get_by_username("lead")
    # A fresh token was minted before GitHub ever had to refuse the old one.
    assert await _mints(world) == [201, 201]
    assert not [c for c in await world.calls() if c["status"] == 401]


async def test_rejected_token_is_replaced_and_the_request_sent_again(world: World) -> None:
    github = make_app(world)
    counter = itertools.count()

    async def mint(installation_id: int) -> InstallationToken:
        if next(counter) == 0:
            return InstallationToken("ghs_revoked", 4_102_444_800.0)  # looks valid until 2100
        return await github._mint_token(installation_id)

    github.tokens = InstallationTokenCache(mint)
    gh = github.installation(world.installation_id)
    answer = await gh.rest.users.async_get_by_username("lead")
    assert answer.parsed_data.login == "lead"
    statuses = [c["status"] for c in await world.calls() if c["path"] == "/users/lead"]
    assert statuses == [401, 200]


async def test_writes_are_spaced_per_installation(world: World) -> None:
    github = make_app(world, interval=0.2)
    gh = github.installation(world.installation_id)
    # The simulator's clock is the wall clock here (nothing advanced it).
    started = time.time()
    await asyncio.gather(
        *(
            gh.rest.repos.async_create_in_org(ORG, name=f"paced-{i}", private=True, auto_init=False)
            for i in range(4)
        )
    )
    # The log stamps a call when it is answered, and a loaded machine can answer any of them late,
    # which shrinks gaps between neighbours; but the k-th write cannot be answered before k paced
    # intervals from the start.
    times = sorted(c["at"] - started for c in await world.calls() if c["path"] == f"/orgs/{ORG}/repos")
    assert len(times) == 4
    assert all(at >= k * 0.2 - 0.01 for k, at in enumerate(times)), times


async def test_secondary_limit_is_waited_out_and_not_repeated_by_others() -> None:
    limits = RateLimitConfig(content_limit_short=2, content_window_short_seconds=1.0)
    world = await build_world(rate_limits=limits)
    try:
        github = make_app(world)
        gh = github.installation(world.installation_id)
        await asyncio.gather(
            *(
                gh.rest.repos.async_create_in_org(ORG, name=f"burst-{i}", private=True, auto_init=False)
                for i in range(5)
            )
        )
        statuses = [c["status"] for c in await world.calls() if c["path"] == f"/orgs/{ORG}/repos"]
        assert statuses.count(201) == 5
        # The first refusal puts the whole installation on hold, so the others wait instead of
        # each collecting a 403 of its own.
        assert 1 <= statuses.count(403) <= 3
    finally:
        await world.aclose()


async def test_a_secondary_limit_known_only_by_its_message_is_raised_as_one(world: World) -> None:
    # GitHub documents a secondary-limit 403 that carries neither retry-after nor an exhausted
    # budget; githubkit alone would raise a plain 403 (a permission error, so a failed assignment).
    fault = {"method": "POST", "path": f"/orgs/{ORG}/repos", "count": 1, "status": 403}
    fault["message"] = SECONDARY_MESSAGE
    assert (await world.control.post("/_sandbox/faults", json=fault)).status_code == 201
    github = make_app(world)
    gh = github.installation(world.installation_id)
    with pytest.raises(SecondaryRateLimitExceeded) as raised:
        await gh.rest.repos.async_create_in_org(ORG, name="limited", private=True, auto_init=False)
    assert raised.value.retry_after.total_seconds() == DEFAULT_SECONDARY_WAIT
    # A permission 403 stays a permission 403.
    fault["message"] = "Resource not accessible by integration"
    assert (await world.control.post("/_sandbox/faults", json=fault)).status_code == 201
    with pytest.raises(RequestFailed) as refused:
        await gh.rest.repos.async_create_in_org(ORG, name="forbidden", private=True, auto_init=False)
    assert not isinstance(refused.value, RateLimitExceeded)
    assert refused.value.response.status_code == 403
