"""The GitHub simulator on a real 127.0.0.1 port, for flows a browser and a subprocess take part in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest

from worksample.demo import ports, servers
from worksample.sandbox import create_app as create_simulator


@dataclass
class ServedSimulator:
    url: str
    control: httpx.AsyncClient

    async def post(self, path: str, body: dict[str, object]) -> dict[str, object]:
        response = await self.control.post(path, json=body)
        assert response.status_code == 201, response.text
        result: dict[str, object] = response.json()
        return result


@pytest.fixture
async def served_simulator() -> AsyncIterator[ServedSimulator]:
    async with AsyncExitStack() as stack:
        sock = ports.bind(0, purpose="GitHub simulator")
        stack.callback(sock.close)
        url = ports.url_of(sock)
        await servers.serve_app(create_simulator(base_url=url), sock, stack, name="GitHub simulator")
        control = await stack.enter_async_context(httpx.AsyncClient(base_url=url))
        await control.post("/_sandbox/users", json={"login": "owner"})
        await control.post("/_sandbox/orgs", json={"login": "acme", "admins": ["owner"]})
        yield ServedSimulator(url, control)
