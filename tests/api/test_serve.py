"""``worksample serve`` as a real process: it answers on its port, and refuses to start without secrets."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.databases import unique_name

WORKSAMPLE = str(Path(sys.executable).with_name("worksample"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _env(tmp_path: Path, artifacts_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSAMPLE_")}
    env.update(
        WORKSAMPLE_DATABASE_URL=f"sqlite:///{tmp_path / 'serve.db'}",
        WORKSAMPLE_ARTIFACTS_DIR=str(artifacts_dir),
        WORKSAMPLE_QUEUE_NAME=unique_name("arq:test-queue"),
        **extra,
    )
    return env


def test_serve_answers_on_its_port(tmp_path: Path, artifacts_dir: Path) -> None:
    env = _env(tmp_path, artifacts_dir, WORKSAMPLE_SANDBOX="1")
    subprocess.run([WORKSAMPLE, "db", "upgrade"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [WORKSAMPLE, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env, stdout=out, stderr=out
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/health/ready", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "serve did not answer within 30 s"
                time.sleep(0.2)
        assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
        assert httpx.get(f"http://127.0.0.1:{port}/v1/artifacts", timeout=5).status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=15)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises the signal so the exit status says why.
    assert process.returncode in (0, -signal.SIGTERM)
    assert "Application shutdown complete" in log.read_text()


def _serve_expecting_failure(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [WORKSAMPLE, "serve", "--port", str(_free_port())]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, check=False)


def test_serve_outside_the_sandbox_names_missing_secrets(tmp_path: Path, artifacts_dir: Path) -> None:
    env = _env(tmp_path, artifacts_dir, WORKSAMPLE_GITHUB_WEBHOOK_SECRET="changeme")
    result = subprocess.run(
        [WORKSAMPLE, "serve", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    for variable in (
        "WORKSAMPLE_GITHUB_APP_ID",
        "WORKSAMPLE_GITHUB_PRIVATE_KEY",
        "WORKSAMPLE_GITHUB_WEBHOOK_SECRET",
    ):
        assert variable in result.stderr


def test_serve_refuses_an_unreadable_private_key_path(tmp_path: Path, artifacts_dir: Path) -> None:
    env = _env(tmp_path, artifacts_dir, WORKSAMPLE_GITHUB_PRIVATE_KEY_PATH=str(tmp_path / "missing.pem"))
    result = subprocess.run(
        [WORKSAMPLE, "serve", "--port", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "WORKSAMPLE_GITHUB_PRIVATE_KEY_PATH: cannot read" in result.stderr
