"""The service with sign-in configured, on the GitHub simulator, and browsers that sign in.

``web`` runs the service on ``github_world`` (App installed on ``acme``; members ``lead-eng`` and
``second-eng``; outsiders ``octocat`` and ``hubot``) with the App's OAuth client id and secret,
so ``web.browser()`` gives a cookie-keeping client and ``web.sign_in(browser, login)`` goes
through the real OAuth web flow: our redirect, the simulator's authorize page, our callback.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from pydantic import SecretStr

from tests.conftest import make_api_key, running_app
from tests.support.world import SANDBOX_URL, SERVICE_URL, GitHubWorld, install_app
from worksample.config import Settings

_CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')


@dataclass
class Web:
    app: FastAPI
    world: GitHubWorld
    api: httpx.AsyncClient
    browsers: list[httpx.AsyncClient] = field(default_factory=list)

    def browser(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=SERVICE_URL)
        self.browsers.append(client)
        return client

    async def sign_in(
        self, browser: httpx.AsyncClient, login: str, next_path: str = "/board"
    ) -> httpx.Response:
        start = await browser.get("/sign-in/github", params={"next": next_path})
        assert start.status_code == 303, start.text
        authorize = start.headers["location"]
        assert authorize.startswith(f"{SANDBOX_URL}/login/oauth/authorize?")
        async with httpx.AsyncClient(transport=self.world.transport) as github:
            consent = await github.get(f"{authorize}&{urlencode({'as_user': login})}")
        assert consent.status_code == 302, consent.text
        return await browser.get(consent.headers["location"].removeprefix(SERVICE_URL))

    async def signed_in(self, login: str) -> httpx.AsyncClient:
        browser = self.browser()
        answer = await self.sign_in(browser, login)
        assert answer.status_code == 303, answer.text
        return browser


def csrf_of(page: httpx.Response) -> str:
    found = _CSRF.search(page.text)
    assert found, "no CSRF token on the page"
    return found.group(1)


def web_settings(world_settings: Settings, world: GitHubWorld) -> Settings:
    record = world.sim.state.sandbox.world.apps[world.app_id]
    return world_settings.model_copy(
        update={
            "public_url": SERVICE_URL,
            "github_client_id": record.client_id,
            "github_client_secret": SecretStr(record.client_secret),
            "session_secret": SecretStr("web-test-session-secret-0123456789"),
        }
    )


@pytest.fixture
async def web(world_settings: Settings, github_world: GitHubWorld, arq_pool: Any) -> AsyncIterator[Web]:
    settings = web_settings(world_settings, github_world)
    async with running_app(settings, github_transport=github_world.transport, arq_pool=arq_pool) as (
        app,
        api,
    ):
        github_world.webhook_target.target = httpx.ASGITransport(app=app)
        await install_app(github_world)
        api.headers["Authorization"] = (
            f"Bearer {await make_api_key(app.state.resources.sessionmaker, 'acme')}"
        )
        web = Web(app=app, world=github_world, api=api)
        try:
            yield web
        finally:
            for browser in web.browsers:
                await browser.aclose()
