"""The GitHub simulator, set up as a world the service can run against, wired both ways in-process."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from worksample.config import Settings
from worksample.sandbox import create_app as create_sandbox

# Where tests (and the simulator's webhooks) reach the service app in-process.
SERVICE_URL = "http://worksample.test"
SANDBOX_URL = "http://sandbox"
# Where the simulator sends the App's webhooks (the intake route arrives with the webhook issue).
WEBHOOK_PATH = "/github/webhooks"
WORLD_ORG = "acme"
WORLD_MEMBERS = ("lead-eng", "second-eng")
WORLD_OUTSIDERS = ("octocat", "hubot")


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

    @asynccontextmanager
    async def delivering_to(self, app: FastAPI) -> AsyncIterator[None]:
        """Send the simulator's webhooks to ``app`` (running) for the duration of the block.

        On the way out, deliveries still in flight (those caused by the last worker burst, or by
        installing the App) are made while ``app`` is still running: made after its lifespan has
        ended, they would reopen database and Redis connections that nothing closes any more. Then
        ``app`` is unplugged, so nothing can reach it once it is closed.
        """
        self.webhook_target.target = httpx.ASGITransport(app=app)
        try:
            yield
        finally:
            try:
                await self.sim.state.sandbox.webhooks.flush()
            finally:
                self.webhook_target.target = None

    async def aclose(self) -> None:
        # Deliveries still in flight would otherwise land on a closed service.
        await self.sim.state.sandbox.webhooks.flush()
        await self.control.aclose()

    async def calls(self) -> list[dict[str, Any]]:
        response = await self.control.get("/_sandbox/calls")
        assert response.status_code == 200, response.text
        calls: list[dict[str, Any]] = response.json()
        return calls


async def install_app(world: GitHubWorld) -> int:
    response = await world.control.post(
        "/_sandbox/installations", json={"app_id": world.app_id, "account": world.org}
    )
    assert response.status_code == 201, response.text
    world.installation_id = response.json()["id"]
    return world.installation_id


async def build_world() -> GitHubWorld:
    """The simulator with org ``acme`` (members ``lead-eng``, ``second-eng``), outside users
    ``octocat`` and ``hubot``, and our App with a webhook secret, not yet installed (installing
    sends an ``installation`` webhook, which needs the service to be there)."""
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
    return GitHubWorld(
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
