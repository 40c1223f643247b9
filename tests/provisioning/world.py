"""A GitHub world for provisioning tests: the simulator with an org, users and our App installed.

Also the helpers the provisioning tests and the benchmark share: settings pointing at the
simulator, running the real arq worker in burst mode, and reading the simulator's state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import SecretStr

from worksample.config import Settings
from worksample.jobs.worker import build_worker, close_worker
from worksample.sandbox import RateLimitConfig, create_app

BASE = "http://sandbox"
ORG = "acme"
CANDIDATE = "cand-1"
REVIEWERS = ("lead", "eng")


@dataclass
class World:
    sim: Any
    control: httpx.AsyncClient
    app_id: int
    private_key: str
    installation_id: int
    user_ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def transport(self) -> httpx.ASGITransport:
        return httpx.ASGITransport(app=self.sim)

    def settings(self, base: Settings, **overrides: Any) -> Settings:
        """``base`` (the shared fixture's settings) plus the App the simulator issued."""
        return base.model_copy(
            update={
                "github_app_id": self.app_id,
                "github_private_key": SecretStr(self.private_key),
                "github_api_url": BASE,
                **overrides,
            }
        )

    async def add_user(self, login: str) -> int:
        response = await self.control.post("/_sandbox/users", json={"login": login})
        assert response.status_code == 201, response.text
        self.user_ids[login] = response.json()["id"]
        self.tokens[login] = response.json()["token"]
        return self.user_ids[login]

    async def reads(self, login: str, name: str) -> bool:
        """Whether ``login`` can read the repository ``name`` with their own token, however granted."""
        response = await self.control.get(
            f"/repos/{ORG}/{name}", headers={"Authorization": f"token {self.tokens[login]}"}
        )
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200

    async def calls(self) -> list[dict[str, Any]]:
        response = await self.control.get("/_sandbox/calls")
        assert response.status_code == 200, response.text
        data: list[dict[str, Any]] = response.json()
        return data

    async def repo(self, name: str) -> dict[str, Any] | None:
        response = await self.control.get(f"/_sandbox/repos/{ORG}/{name}")
        if response.status_code == 404:
            return None
        assert response.status_code == 200, response.text
        data: dict[str, Any] = response.json()
        return data

    async def fault(self, method: str, path: str, *, times: int = 1, status: int = 502) -> None:
        response = await self.control.post(
            "/_sandbox/faults", json={"method": method, "path": path, "count": times, "status": status}
        )
        assert response.status_code == 201, response.text

    async def aclose(self) -> None:
        await self.control.aclose()


async def build_world(
    *,
    candidates: tuple[str, ...] = (CANDIDATE,),
    rate_limits: RateLimitConfig | None = None,
    base_permission: str = "read",
) -> World:
    sim = create_app(base_url=BASE, rate_limits=rate_limits)
    control = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url=BASE)
    world = World(sim=sim, control=control, app_id=0, private_key="", installation_id=0)
    for login in (*REVIEWERS, *candidates):
        await world.add_user(login)
    # Reviewers are org members (engineers of the hiring company); candidates are outsiders.
    # "read" is GitHub's default base permission for a new organization: members read every
    # repository of it, so reviewers need no grant of their own.
    org = {"login": ORG, "members": list(REVIEWERS), "default_permission": base_permission}
    response = await control.post("/_sandbox/orgs", json=org)
    assert response.status_code == 201, response.text
    response = await control.post("/_sandbox/apps", json={"name": "worksample-test"})
    assert response.status_code == 201, response.text
    world.app_id, world.private_key = response.json()["id"], response.json()["private_key"]
    response = await control.post("/_sandbox/installations", json={"app_id": world.app_id, "account": ORG})
    assert response.status_code == 201, response.text
    world.installation_id = response.json()["id"]
    return world


async def run_worker(settings: Settings, world: World, **options: Any) -> None:
    """The real arq worker, in burst mode: runs every queued job (and their retries), then stops."""
    options.setdefault("retry_base_seconds", 0.05)
    options.setdefault("poll_delay", 0.05)
    worker = build_worker(settings, burst=True, github_transport=world.transport, **options)
    try:
        await worker.main()
    finally:
        await close_worker(worker)
