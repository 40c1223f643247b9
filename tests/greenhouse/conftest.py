"""Greenhouse's side of the tests: a real SMTP server, a fake Greenhouse, and the service on the simulator.

``smtp`` is aiosmtpd on 127.0.0.1 (a free port): every e-mail the service sends lands in
``smtp.messages``. ``fake_greenhouse`` is a real HTTP server on 127.0.0.1 that records the
completion PATCHes and answers each with the next status of ``statuses`` (then 200).
``greenhouse`` is the service app on the simulator, configured for both, with the App's OAuth
client, the App installed on ``acme``, and an ``acme`` API key.
"""

from __future__ import annotations

import base64
import email
import email.policy
import ipaddress
import re
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from pydantic import SecretStr

from tests.conftest import GitHubWorld, install_app, make_api_key, running_app
from tests.support.world import SANDBOX_URL, SERVICE_URL
from worksample.config import Settings

INVITE_LINK = re.compile(re.escape(SERVICE_URL) + r"/invite/[A-Za-z0-9_-]{43}")
LEAD = "lead-eng"
ENGINEER = "second-eng"
DEFAULT_REVIEWERS = {"reviewers": [{"login": LEAD, "role": "lead"}, {"login": ENGINEER, "role": "engineer"}]}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        message = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 Message accepted for delivery"

    def link_in(self, message: EmailMessage) -> str:
        part = message.get_body(("plain",))
        assert part is not None
        text = part.get_content()
        match = INVITE_LINK.search(text)
        assert match is not None, text
        return match.group(0)


@dataclass
class SmtpServer:
    host: str
    port: int
    mailbox: Mailbox

    @property
    def messages(self) -> list[EmailMessage]:
        return self.mailbox.messages


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, mailbox)
    finally:
        controller.stop()


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeGreenhouse:
    port: int = 0
    received: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)

    def url(self, path: str = "/assessment/complete/4321") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def basic_key(self, index: int = -1) -> str:
        scheme, _, encoded = self.received[index].headers["authorization"].partition(" ")
        assert scheme == "Basic"
        user, _, password = base64.b64decode(encoded).decode().partition(":")
        assert password == ""
        return user


@pytest.fixture
def fake_greenhouse() -> Iterator[FakeGreenhouse]:
    fake = FakeGreenhouse()

    class Handler(BaseHTTPRequestHandler):
        def do_PATCH(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.received.append(
                Received("PATCH", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = fake.statuses.pop(0) if fake.statuses else 200
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def oauth_client(world: GitHubWorld) -> tuple[str, str]:
    """The client id and secret the simulator issued to our App (as GitHub's App settings page shows)."""
    record = world.sim.state.sandbox.world.apps[world.app_id]
    return record.client_id, record.client_secret


@pytest.fixture
def greenhouse_settings(world_settings: Settings, github_world: GitHubWorld, smtp: SmtpServer) -> Settings:
    client_id, client_secret = oauth_client(github_world)
    return world_settings.model_copy(
        update={
            "public_url": SERVICE_URL,
            "github_client_id": client_id,
            "github_client_secret": SecretStr(client_secret),
            "session_secret": SecretStr("test-session-secret-0123456789abcdef"),
            "smtp_host": smtp.host,
            "smtp_port": smtp.port,
            "smtp_from": "worksample <hiring@acme.test>",
            # The fake Greenhouse listens on loopback, which the SSRF guard otherwise refuses.
            "outbox_allowed_networks": (ipaddress.ip_network("127.0.0.1/32"),),
            "outbox_retry_schedule_seconds": (0, 0, 0),
            "outbox_retry_jitter": 0.0,
            "outbox_timeout_seconds": 5,
        }
    )


@dataclass
class Service:
    client: httpx.AsyncClient
    key: str
    settings: Settings
    world: GitHubWorld

    @property
    def basic(self) -> tuple[str, str]:
        return (self.key, "")

    async def set_default_reviewers(self, body: dict[str, Any] = DEFAULT_REVIEWERS) -> None:
        response = await self.client.put(
            "/v1/organization/default-reviewers", json=body, headers={"Authorization": f"Bearer {self.key}"}
        )
        assert response.status_code == 200, response.text

    async def sign_in_through_invitation(self, link: str, login: str) -> httpx.Response:
        """What the candidate's browser does: the link page, "Sign in with GitHub", GitHub's
        authorize page (choosing the simulated user), and back to our callback with its cookie."""
        path = link.removeprefix(SERVICE_URL)
        page = await self.client.get(path)
        assert page.status_code == 200, page.text
        assert f'href="{path}/sign-in"' in page.text
        start = await self.client.get(f"{path}/sign-in")
        assert start.status_code == 303, start.text
        authorize = start.headers["location"]
        assert authorize.startswith(f"{SANDBOX_URL}/login/oauth/authorize?")
        async with httpx.AsyncClient(transport=self.world.transport) as browser:
            # The simulator's stand-in for "who is signed in to GitHub" (its consent form's field).
            consent = await browser.get(f"{authorize}&{urlencode({'as_user': login})}")
        assert consent.status_code == 302, consent.text
        callback = consent.headers["location"]
        assert callback.startswith(f"{SERVICE_URL}/invite/callback?")
        return await self.client.get(callback.removeprefix(SERVICE_URL))


@pytest.fixture
async def greenhouse(
    greenhouse_settings: Settings, github_world: GitHubWorld, arq_pool: Any
) -> AsyncIterator[Service]:
    running = running_app(greenhouse_settings, github_transport=github_world.transport, arq_pool=arq_pool)
    async with running as (app, client), github_world.delivering_to(app):
        await install_app(github_world)
        key = await make_api_key(app.state.resources.sessionmaker, github_world.org)
        yield Service(client=client, key=key, settings=greenhouse_settings, world=github_world)
