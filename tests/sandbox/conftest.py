"""A simulator, a webhook receiver standing in for the service, and githubkit clients pointed at it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from githubkit import AppAuthStrategy, GitHub, TokenAuthStrategy
from githubkit.cache import MemCacheStrategy
from githubkit.exception import RequestFailed
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from worksample.sandbox import create_app

BASE = "http://sandbox"
SECRET = "It's a Secret to Everybody"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes

    @property
    def event(self) -> str:
        return self.headers["x-github-event"]

    @property
    def payload(self) -> dict[str, Any]:
        data = json.loads(self.body)
        assert isinstance(data, dict)
        return data


@dataclass
class Receiver:
    """The App's webhook endpoint: records every delivery and answers with a configurable status."""

    received: list[Received] = field(default_factory=list)
    status: int = 202

    def app(self) -> Starlette:
        async def hook(request: Request) -> JSONResponse:
            self.received.append(Received(dict(request.headers), await request.body()))
            return JSONResponse({"ok": True}, status_code=self.status)

        return Starlette(routes=[Route("/github/webhooks", hook, methods=["POST"])])

    def events(self, event: str, action: str | None = None) -> list[Received]:
        return [
            r
            for r in self.received
            if r.event == event and (action is None or r.payload.get("action") == action)
        ]


@dataclass
class Setup:
    sim: Any
    control: httpx.AsyncClient
    receiver: Receiver
    app_id: int
    private_key: str
    installation_id: int
    tokens: dict[str, str]
    ids: dict[str, int]

    def github_app(self) -> GitHub[AppAuthStrategy]:
        # A cache per client: githubkit's default cache is process-wide, and a test that advances the
        # simulated clock needs a client that mints a fresh installation token.
        return GitHub(
            AppAuthStrategy(self.app_id, self.private_key),
            base_url=BASE,
            async_transport=httpx.ASGITransport(app=self.sim),
            http_cache=False,
            auto_retry=False,
            cache_strategy=MemCacheStrategy(),
        )

    def installation(self) -> GitHub[Any]:
        gh = self.github_app()
        return gh.with_auth(gh.auth.as_installation(self.installation_id))

    def user(self, login: str) -> GitHub[TokenAuthStrategy]:
        return GitHub(
            TokenAuthStrategy(self.tokens[login]),
            base_url=BASE,
            async_transport=httpx.ASGITransport(app=self.sim),
            http_cache=False,
            auto_retry=False,
        )

    async def flush(self) -> None:
        await self.sim.state.sandbox.webhooks.flush()

    async def add_user(self, login: str) -> str:
        response = await self.control.post("/_sandbox/users", json={"login": login})
        assert response.status_code == 201, response.text
        self.tokens[login] = response.json()["token"]
        self.ids[login] = response.json()["id"]
        return self.tokens[login]


async def build_setup(**factory: Any) -> Setup:
    receiver = Receiver()
    sim = create_app(webhook_transport=httpx.ASGITransport(app=receiver.app()), **factory)
    control = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url=BASE)
    setup = Setup(
        sim=sim,
        control=control,
        receiver=receiver,
        app_id=0,
        private_key="",
        installation_id=0,
        tokens={},
        ids={},
    )
    for login in ("lead", "candidate", "stranger"):
        await setup.add_user(login)
    org = await control.post(
        "/_sandbox/orgs", json={"login": "acme", "members": ["lead"], "admins": ["lead"]}
    )
    assert org.status_code == 201, org.text
    setup.ids["acme"] = org.json()["id"]
    app = await control.post(
        "/_sandbox/apps",
        json={
            "name": "Work Sample",
            "webhook_url": "http://service/github/webhooks",
            "webhook_secret": SECRET,
        },
    )
    assert app.status_code == 201, app.text
    setup.app_id, setup.private_key = app.json()["id"], app.json()["private_key"]
    inst = await control.post("/_sandbox/installations", json={"app_id": setup.app_id, "account": "acme"})
    assert inst.status_code == 201, inst.text
    setup.installation_id = inst.json()["id"]
    await setup.flush()
    return setup


@pytest.fixture
async def setup() -> AsyncIterator[Setup]:
    built = await build_setup()
    yield built
    await built.flush()
    await built.control.aclose()


async def make_repo(setup: Setup, name: str = "sample", *, auto_init: bool = True) -> Any:
    gh = setup.installation()
    response = await gh.rest.repos.async_create_in_org("acme", name=name, private=True, auto_init=auto_init)
    return response.parsed_data


async def failure(call: Awaitable[Any]) -> httpx.Response:
    """The error response a githubkit call raised (it must raise)."""
    with pytest.raises(RequestFailed) as raised:
        await call
    return raised.value.response.raw_response


async def push_file(
    setup: Setup, login: str, path: str, content: bytes, *, branch: str = "main", repo: str = "sample"
) -> Any:
    """A new commit on ``branch`` through the git data API, the way a person pushes."""
    gh = setup.user(login) if login in setup.tokens else setup.installation()
    head = (await gh.rest.git.async_get_ref("acme", repo, f"heads/{branch}")).parsed_data.object_.sha
    base = (await gh.rest.git.async_get_commit("acme", repo, head)).parsed_data.tree.sha
    tree = (
        await gh.rest.git.async_create_tree(
            "acme",
            repo,
            base_tree=base,
            tree=[{"path": path, "mode": "100644", "type": "blob", "content": content.decode()}],
        )
    ).parsed_data
    commit = (
        await gh.rest.git.async_create_commit(
            "acme", repo, message=f"add {path}", tree=tree.sha, parents=[head]
        )
    ).parsed_data
    await gh.rest.git.async_update_ref("acme", repo, f"heads/{branch}", sha=commit.sha)
    return commit
