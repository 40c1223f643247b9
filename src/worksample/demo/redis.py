"""Redis for the demo: the one at the given URL when it answers, else a private ``redis-server``.

The private server listens on a free 127.0.0.1 port, keeps its files in the demo's temporary
folder and persists nothing; it is stopped when the demo ends.
"""

from __future__ import annotations

import asyncio
import shutil
import socket
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from worksample.demo.errors import DemoError
from worksample.demo.ports import HOST

HOW_TO_GET_REDIS = (
    "install Redis (Debian/Ubuntu: `sudo apt-get install redis-server`; macOS: `brew install redis`) "
    "so the demo can start a private one, or point --redis-url at a running server"
)
START_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class RedisChoice:
    url: str
    # "reachable" (used as given) or "private" (started by the demo).
    kind: str


async def reachable(url: str, *, wait: float = 2.0) -> str | None:
    """None when Redis at ``url`` answers PING, else why not."""
    try:
        client = Redis.from_url(url, socket_connect_timeout=wait, socket_timeout=wait)
    except ValueError as exc:
        return f"not a Redis URL: {exc}"
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        return str(exc) or type(exc).__name__
    finally:
        await client.aclose()
    return None


def _free_port() -> int:
    # redis-server binds by itself, so the port is released here and taken again a moment later;
    # a collision in that moment shows up as a start-up failure with redis-server's own message.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


async def start_private_redis(binary: str, workdir: Path, stack: AsyncExitStack) -> str:
    """Start ``redis-server`` on a free port with no persistence; stopped when ``stack`` closes."""
    port = _free_port()
    # A few bytes of local file work before a subprocess start: not worth a thread.
    workdir.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240
    log_path = workdir / "redis.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            binary,
            "--port", str(port),
            "--bind", HOST,
            "--save", "",
            "--appendonly", "no",
            "--dir", str(workdir),
            "--protected-mode", "yes",
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip

    async def stop() -> None:
        if process.returncode is None:
            process.terminate()
            try:
                await asyncio.wait_for(process.wait(), 5)
            except TimeoutError:
                process.kill()
                await process.wait()

    stack.push_async_callback(stop)
    url = f"redis://{HOST}:{port}/0"
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_SECONDS
    while True:
        if process.returncode is not None:
            tail = log_path.read_text(errors="replace").strip().splitlines()[-3:]
            raise DemoError(f"the private redis-server exited at start-up: {' / '.join(tail)}")
        if await reachable(url, wait=0.5) is None:
            return url
        if asyncio.get_running_loop().time() > deadline:
            raise DemoError(f"the private redis-server did not answer within {START_TIMEOUT_SECONDS:.0f} s")
        await asyncio.sleep(0.05)


async def choose_redis(url: str, workdir: Path, stack: AsyncExitStack) -> RedisChoice:
    """Redis at ``url`` if it answers; otherwise a private one; otherwise a ``DemoError`` saying how
    to get one."""
    problem = await reachable(url)
    if problem is None:
        return RedisChoice(url=url, kind="reachable")
    binary = shutil.which("redis-server")
    if binary is None:
        raise DemoError(
            f"Redis is not reachable at {url} ({problem}) and redis-server is not installed: "
            + HOW_TO_GET_REDIS
        )
    return RedisChoice(url=await start_private_redis(binary, workdir / "redis", stack), kind="private")
