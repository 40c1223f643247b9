"""``worksample sandbox github --port PORT`` serves the simulator, and a real githubkit client over
real HTTP can use it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from githubkit import GitHub, TokenAuthStrategy


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


def test_port_is_required() -> None:
    worksample = Path(sys.executable).with_name("worksample")
    result = subprocess.run(
        [str(worksample), "sandbox", "github"], capture_output=True, check=False, timeout=30
    )
    assert result.returncode != 0
    assert b"--port" in result.stderr
