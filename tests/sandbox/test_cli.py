"""``worksample sandbox github --port PORT`` serves the simulator, and a real githubkit client over
real HTTP can use it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import pytest
from githubkit import AppAuthStrategy, GitHub, TokenAuthStrategy
from githubkit.cache import MemCacheStrategy
from typer.testing import CliRunner

from worksample.cli import sandbox as sandbox_cli
from worksample.sandbox.webhooks import signature


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served() -> Iterator[str]:
    """One server for the module: starting the command costs seconds (the whole CLI is imported)."""
    port = _free_port()
    worksample = Path(sys.executable).with_name("worksample")
    process = subprocess.Popen(
        [str(worksample), "sandbox", "github", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ),
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(url + "/_sandbox/clock", timeout=0.5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None:
                raise AssertionError(process.stderr.read().decode() if process.stderr else "exited")
            time.sleep(0.1)
        else:
            raise AssertionError("the simulator did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


async def test_served_on_a_port(served: str) -> None:
    async with httpx.AsyncClient(base_url=served) as control:
        user = (await control.post("/_sandbox/users", json={"login": "alice"})).json()
    gh = GitHub(TokenAuthStrategy(user["token"]), base_url=served, http_cache=False, auto_retry=False)
    me = (await gh.rest.users.async_get_authenticated()).parsed_data
    assert me.login == "alice"
    # URLs in answers lead back to this server.
    assert me.url == f"{served}/users/alice"


async def test_whole_flow_over_real_http_with_githubkit(served: str) -> None:
    """invite → accept → pull request → review, by real githubkit clients over TCP."""
    async with httpx.AsyncClient(base_url=served) as control:
        tokens = {}
        for login in ("lead", "candidate"):
            tokens[login] = (await control.post("/_sandbox/users", json={"login": login})).json()["token"]
        await control.post("/_sandbox/orgs", json={"login": "acme", "members": ["lead"]})
        app = (await control.post("/_sandbox/apps", json={"name": "Flow"})).json()
        inst_id = (
            await control.post("/_sandbox/installations", json={"app_id": app["id"], "account": "acme"})
        ).json()["id"]
    as_app = GitHub(
        AppAuthStrategy(app["id"], app["private_key"]),
        base_url=served,
        http_cache=False,
        auto_retry=False,
        cache_strategy=MemCacheStrategy(),
    )
    bot = as_app.with_auth(as_app.auth.as_installation(inst_id))
    candidate = GitHub(
        TokenAuthStrategy(tokens["candidate"]), base_url=served, http_cache=False, auto_retry=False
    )
    lead = GitHub(TokenAuthStrategy(tokens["lead"]), base_url=served, http_cache=False, auto_retry=False)

    await bot.rest.repos.async_create_in_org("acme", name="sample", private=True, auto_init=True)
    invitation = (await bot.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    await candidate.rest.repos.async_accept_invitation_for_authenticated_user(invitation.id)
    main = (await candidate.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data.object_.sha
    await candidate.rest.git.async_create_ref("acme", "sample", ref="refs/heads/solution", sha=main)
    await candidate.rest.repos.async_create_or_update_file_contents(
        "acme", "sample", "answer.txt", message="answer", content="NDI=", branch="solution"
    )
    pr = (
        await candidate.rest.pulls.async_create(
            "acme", "sample", title="Answer", head="solution", base="main"
        )
    ).parsed_data
    await bot.rest.pulls.async_request_reviewers("acme", "sample", pr.number, reviewers=["lead"])
    review = (
        await lead.rest.pulls.async_create_review("acme", "sample", pr.number, event="APPROVE", body="4/4")
    ).parsed_data
    assert review.state == "APPROVED"
    async with httpx.AsyncClient(base_url=served) as control:
        calls = (await control.get("/_sandbox/calls")).json()
    assert all(c["simulated"] and c["status"] < 400 for c in calls), calls


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        return


async def test_webhooks_go_over_the_network_without_a_transport(served: str) -> None:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=receiver.serve_forever, daemon=True)
    thread.start()
    try:
        hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        async with httpx.AsyncClient(base_url=served) as control:
            assert (await control.post("/_sandbox/orgs", json={"login": "netorg"})).status_code == 201
            app = (
                await control.post(
                    "/_sandbox/apps",
                    json={"name": "Net", "webhook_url": hook_url, "webhook_secret": "s3cret"},
                )
            ).json()
            await control.post("/_sandbox/installations", json={"app_id": app["id"], "account": "netorg"})
            await control.post("/_sandbox/webhooks/flush")
            log = (await control.get("/_sandbox/deliveries")).json()
        mine = [(d["event"], d["status_code"]) for d in log if d["app_id"] == app["id"]]
        assert mine == [("installation", 204)]
        headers, body = _Hook.received[-1]
        assert headers["x-github-event"] == "installation"
        assert headers["x-hub-signature-256"] == signature("s3cret", body)
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_port_is_required() -> None:
    result = CliRunner().invoke(sandbox_cli.app, ["github"])
    assert result.exit_code == 2
    assert "--port" in result.output
