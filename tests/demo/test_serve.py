"""``worksample demo --serve``: everything stays up after the walkthrough, and a signal stops it all."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
from typing import Any

import httpx
import pytest

from tests.demo.conftest import WORKSAMPLE, demo_env

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server installed")


def _read_summary(process: subprocess.Popen[str]) -> dict[str, Any]:
    """The JSON summary printed once the walkthrough is done (the process keeps running)."""
    assert process.stdout is not None
    text = ""
    for line in process.stdout:
        text += line
        if line.rstrip() == "}":
            summary: dict[str, Any] = json.loads(text)
            return summary
    raise AssertionError(f"the demo ended before printing its summary: {text}")


def _port_open(url: str) -> bool:
    host, port = url.removeprefix("http://").removeprefix("redis://").split("/")[0].split(":")
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, int(port))) == 0


@pytest.mark.timeout(300)
def test_serve_keeps_running_then_stops_everything(unused_redis_url: str) -> None:
    process = subprocess.Popen(
        [
            str(WORKSAMPLE),
            "demo",
            "--serve",
            "--json",
            "--redis-url",
            unused_redis_url,
            "--wait-seconds",
            "30",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=demo_env(),
    )
    try:
        summary = _read_summary(process)
        urls = summary["urls"]
        headers = {"Authorization": f"Bearer {summary['api_key']}"}
        # After the walkthrough, the service, the simulator and the ATS receiver still answer.
        assert httpx.get(urls["api_docs"], timeout=10).status_code == 200
        assignment = httpx.get(urls["assignment"], headers=headers, timeout=10)
        assert assignment.status_code == 200
        assert assignment.json()["status"] == summary["status"]
        calls = httpx.get(urls["github_calls"], timeout=10).json()
        # At least the walkthrough's calls (the service may act later, e.g. archive the scored repository).
        assert len(calls) >= summary["github_calls_total"] > 0
        assert httpx.get(urls["ats_deliveries"], timeout=10).status_code == 200
        # The web pages ask for a sign-in, and sign-in leads to the simulator's GitHub.
        board = httpx.get(urls["web_pages"], timeout=10)
        assert (board.status_code, board.headers["location"]) == (303, "/sign-in?next=%2Fboard")
        start = httpx.get(urls["web_pages"].replace("/board", "/sign-in/github"), timeout=10)
        assert start.status_code == 303
        assert start.headers["location"].startswith(urls["github_simulator"] + "/login/oauth/authorize?")
        assert process.poll() is None
        private_redis = summary["steps"][0]["detail"].rsplit(" ", 1)[-1]
        assert _port_open(private_redis)

        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stderr
        assert "Traceback" not in stderr
        # Everything it started is gone: its servers and its private Redis.
        assert not _port_open(urls["api_docs"].removesuffix("/docs"))
        assert not _port_open(urls["github_simulator"])
        assert not _port_open(private_redis)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
