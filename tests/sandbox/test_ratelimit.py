"""Primary and secondary rate limits, and the x-ratelimit-* headers on every response."""

from __future__ import annotations

import asyncio

import httpx

from tests.sandbox.conftest import Setup, build_setup, make_repo
from worksample.sandbox import RateLimitConfig

HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-used",
    "x-ratelimit-reset",
    "x-ratelimit-resource",
)


def _auth(setup: Setup, login: str) -> dict[str, str]:
    return {"Authorization": f"token {setup.tokens[login]}"}


async def test_headers_on_every_response_including_errors(setup: Setup) -> None:
    ok = await setup.control.get("/user", headers=_auth(setup, "lead"))
    missing = await setup.control.get("/repos/acme/nothing", headers=_auth(setup, "lead"))
    unauthenticated = await setup.control.get("/user", headers={"Authorization": "token nope"})
    for response in (ok, missing, unauthenticated):
        assert all(h in response.headers for h in HEADERS), response.headers
        assert response.headers["x-github-media-type"] == "github.v3; format=json"
    assert ok.headers["x-ratelimit-limit"] == "5000"
    assert int(missing.headers["x-ratelimit-used"]) == int(ok.headers["x-ratelimit-used"]) + 1


async def test_primary_budget_per_installation() -> None:
    setup = await build_setup(rate_limits=RateLimitConfig(primary_limit=3))
    try:
        responses = [await setup.control.get("/user", headers=_auth(setup, "lead")) for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 403]
        assert responses[-1].headers["x-ratelimit-remaining"] == "0"
        assert "API rate limit exceeded" in responses[-1].json()["message"]
        # Another caller has its own budget.
        assert (await setup.control.get("/user", headers=_auth(setup, "candidate"))).status_code == 200
        await setup.control.post("/_sandbox/clock", json={"advance_seconds": 3600})
        assert (await setup.control.get("/user", headers=_auth(setup, "lead"))).status_code == 200
    finally:
        await setup.control.aclose()


async def test_primary_status_can_be_429(setup: Setup) -> None:
    await setup.control.patch("/_sandbox/config", json={"primary_limit": 1, "primary_status": 429})
    await setup.control.get("/user", headers=_auth(setup, "stranger"))
    limited = await setup.control.get("/user", headers=_auth(setup, "stranger"))
    assert limited.status_code == 429


async def test_secondary_limit_on_content_creation(setup: Setup) -> None:
    await make_repo(setup)
    await setup.control.patch(
        "/_sandbox/config", json={"content_limit_short": 2, "content_window_short_seconds": 60}
    )
    auth = _auth(setup, "lead")
    answers = [
        await setup.control.post("/repos/acme/sample/git/blobs", json={"content": f"{i}"}, headers=auth)
        for i in range(3)
    ]
    assert [a.status_code for a in answers] == [201, 201, 403]
    assert "secondary rate limit" in answers[-1].json()["message"]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
    # Reads are not content-creating.
    assert (await setup.control.get("/repos/acme/sample", headers=auth)).status_code == 200
    await setup.control.post("/_sandbox/clock", json={"advance_seconds": 61})
    again = await setup.control.post("/repos/acme/sample/git/blobs", json={"content": "x"}, headers=auth)
    assert again.status_code == 201


async def test_secondary_limit_per_hour(setup: Setup) -> None:
    await make_repo(setup)
    await setup.control.patch("/_sandbox/config", json={"content_limit_long": 1})
    auth = _auth(setup, "lead")
    first = await setup.control.post("/repos/acme/sample/git/blobs", json={"content": "1"}, headers=auth)
    second = await setup.control.post("/repos/acme/sample/git/blobs", json={"content": "2"}, headers=auth)
    assert (first.status_code, second.status_code) == (201, 403)
    assert int(second.headers["retry-after"]) > 3000


async def test_defaults_match_github(setup: Setup) -> None:
    config = (await setup.control.get("/_sandbox/config")).json()
    assert (
        config["primary_limit"],
        config["content_limit_short"],
        config["content_limit_long"],
        config["max_concurrent"],
    ) == (5000, 80, 500, 100)


async def test_concurrency_limit(setup: Setup) -> None:
    await setup.control.patch("/_sandbox/config", json={"max_concurrent": 1})
    await setup.control.post(
        "/_sandbox/faults", json={"path": "/user", "status": None, "latency_seconds": 0.3}
    )
    auth = _auth(setup, "lead")
    slow = asyncio.create_task(setup.control.get("/user", headers=auth))
    await asyncio.sleep(0.05)
    second: httpx.Response = await setup.control.get("/users/lead", headers=auth)
    assert second.status_code == 403
    assert second.headers["retry-after"] == "1"
    assert (await slow).status_code == 200
