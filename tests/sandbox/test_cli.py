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
from githubkit import GitHub, TokenAuthStrategy

from worksample.sandbox.webhooks import signature


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def served() -> Iterator[str]:
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
            await control.post("/_sandbox/orgs", json={"login": "acme"})
            app = (
                await control.post(
                    "/_sandbox/apps",
                    json={"name": "Net", "webhook_url": hook_url, "webhook_secret": "s3cret"},
                )
            ).json()
            await control.post("/_sandbox/installations", json={"app_id": app["id"], "account": "acme"})
            await control.post("/_sandbox/webhooks/flush")
            log = (await control.get("/_sandbox/deliveries")).json()
        assert [(d["event"], d["status_code"]) for d in log] == [("installation", 204)]
        headers, body = _Hook.received[-1]
        assert headers["x-github-event"] == "installation"
        assert headers["x-hub-signature-256"] == signature("s3cret", body)
    finally:
        receiver.shutdown()
        receiver.server_close()


def test_port_is_required() -> None:
    worksample = Path(sys.executable).with_name("worksample")
    result = subprocess.run(
        [str(worksample), "sandbox", "github"], capture_output=True, check=False, timeout=30
    )
    assert result.returncode != 0
    assert b"--port" in result.stderr
