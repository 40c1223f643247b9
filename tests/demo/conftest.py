"""Running ``worksample demo`` as a person does: the installed command, in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

WORKSAMPLE = Path(sys.executable).with_name("worksample")


def demo_env(**extra: str) -> dict[str, str]:
    """The environment of a fresh machine: no WORKSAMPLE_* configuration at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSAMPLE_")}
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_demo(
    *args: str, env: dict[str, str] | None = None, timeout: float = 100
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(WORKSAMPLE), "demo", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env or demo_env(),
        check=False,
    )


@pytest.fixture
def unused_redis_url() -> str:
    """A Redis URL nothing answers on, so the demo must start its own or say how to get one."""
    return f"redis://127.0.0.1:{free_port()}/0"
