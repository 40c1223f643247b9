"""Webhook intake benchmark: acknowledged deliveries per second and time to acknowledge.

Runs the real service (``worksample serve``) under uvicorn on 127.0.0.1 in its own process, on a
fresh PostgreSQL database and a random arq queue in the shared Redis, and loads it with a bounded
number of concurrent httpx clients, each sending signed ``pull_request_review`` ``submitted``
deliveries (GitHub's own ~30 KB example payload) with a fresh ``X-GitHub-Delivery``, for
``--seconds``. An acknowledgement is the 202 the intake answers only after the delivery row is
committed and its ``github.webhook`` job is in Redis, so every figure includes durable recording
and enqueueing. No worker runs: the jobs pile up in the queue, which is removed at the end.

It prints acknowledged deliveries per second and the p50 / p99 / max time to acknowledge, then
checks that the database holds one row and the queue one job per acknowledged delivery.

Usage: ``.venv/bin/python bench/webhooks.py [--seconds 25] [--concurrency 16]``.
Exit status 1 when a request was not acknowledged or a row or job is missing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import socket
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from arq.connections import RedisSettings, create_pool
from arq.constants import job_key_prefix
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from worksample.config import Settings
from worksample.db import migrate
from worksample.db.models import GitHubDelivery
from worksample.db.session import create_engine
from worksample.github.signatures import sign

PG_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/0"
FIXTURE = Path("/work/shared/fixtures/github/webhooks/pull_request_review/submitted.payload.json")
ROOT = Path(__file__).resolve().parents[1]


async def pg_admin(statement: str) -> None:
    # CREATE/DROP DATABASE cannot run in a transaction.
    engine = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def payload() -> bytes:
    if FIXTURE.exists():
        data: dict[str, Any] = json.loads(FIXTURE.read_text())
    else:  # the shape that matters to the intake, if the shared fixtures are not at hand
        data = {"action": "submitted", "review": {"id": 1, "body": "x" * 20000}, "installation": {"id": 1}}
    data.setdefault("installation", {"id": 1})
    return json.dumps(data).encode()


async def wait_ready(client: httpx.AsyncClient, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.returncode is not None:
            raise SystemExit(f"the server exited with status {process.returncode}")
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the server did not start within 120 s")


async def load(
    base_url: str, body: bytes, secret: str, *, seconds: float, concurrency: int
) -> tuple[list[float], list[str], int]:
    """Each of ``concurrency`` clients sends one request at a time until ``seconds`` have passed."""
    latencies: list[float] = []
    delivered: list[str] = []
    failures = 0
    signature = sign(secret, body)
    stop = time.monotonic() + seconds

    async def one_client() -> None:
        nonlocal failures
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:
            while time.monotonic() < stop:
                delivery = str(uuid.uuid4())
                headers = {
                    "Content-Type": "application/json",
                    "User-Agent": "GitHub-Hookshot/bench",
                    "X-GitHub-Event": "pull_request_review",
                    "X-GitHub-Delivery": delivery,
                    "X-Hub-Signature-256": signature,
                }
                started = time.perf_counter()
                response = await client.post("/github/webhooks", content=body, headers=headers)
                elapsed = time.perf_counter() - started
                if response.status_code == 202:
                    latencies.append(elapsed)
                    delivered.append(delivery)
                else:
                    failures += 1
                    if failures <= 3:
                        print(f"unexpected {response.status_code}: {response.text[:200]}", file=sys.stderr)

    await asyncio.gather(*(one_client() for _ in range(concurrency)))
    return latencies, delivered, failures


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), to tell CPU cost from waiting."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


async def main(seconds: float, concurrency: int) -> int:
    database = f"ws_bench_{os.getpid()}_{secrets.token_hex(4)}"
    queue = f"arq:bench-webhooks:{secrets.token_hex(6)}"
    secret = secrets.token_hex(20)
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{database}"
    settings = Settings(_env_file=None, database_url=url, redis_url=REDIS_URL, queue_name=queue, sandbox=True)
    await pg_admin(f'CREATE DATABASE "{database}"')
    redis = await create_pool(RedisSettings.from_dsn(REDIS_URL))
    port = free_port()
    env = {
        **os.environ,
        "WORKSAMPLE_DATABASE_URL": url,
        "WORKSAMPLE_REDIS_URL": REDIS_URL,
        "WORKSAMPLE_QUEUE_NAME": queue,
        "WORKSAMPLE_GITHUB_WEBHOOK_SECRET": secret,
        "WORKSAMPLE_SANDBOX": "1",
    }
    process: asyncio.subprocess.Process | None = None
    delivered: list[str] = []
    try:
        engine = create_engine(settings)
        await migrate.upgrade(engine)
        executable = str(Path(sys.executable).with_name("worksample"))
        process = await asyncio.create_subprocess_exec(
            executable, "serve", "--port", str(port), "--log-level", "error", env=env, cwd=ROOT
        )
        base_url = f"http://127.0.0.1:{port}"
        async with httpx.AsyncClient(base_url=base_url) as client:
            await wait_ready(client, process)
        body = payload()
        print(f"uvicorn on {base_url}, PostgreSQL {database}, queue {queue}; {len(body)} B payload")
        print(
            f"{concurrency} concurrent clients for {seconds:.0f} s "
            f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs) ..."
        )
        started, cpu_before = time.monotonic(), cpu_seconds(process.pid)
        client_cpu_before = time.process_time()
        latencies, delivered, failures = await load(
            base_url, body, secret, seconds=seconds, concurrency=concurrency
        )
        elapsed, cpu_used = time.monotonic() - started, cpu_seconds(process.pid) - cpu_before
        client_cpu = time.process_time() - client_cpu_before
        async with engine.connect() as connection:
            rows = (await connection.execute(select(func.count()).select_from(GitHubDelivery))).scalar_one()
        await engine.dispose()
        queued = await redis.zcard(queue)
        ms = [1000 * value for value in latencies]
        rate = len(latencies) / elapsed
        print(f"acknowledged: {len(latencies)} in {elapsed:.1f} s = {rate:.0f} deliveries/s")
        if ms:
            print(
                f"time to acknowledge: p50 {percentile(ms, 0.50):.1f} ms, p99 {percentile(ms, 0.99):.1f} ms, "
                f"mean {statistics.fmean(ms):.1f} ms, max {max(ms):.1f} ms"
            )
        if latencies:
            print(
                f"server CPU: {1000 * cpu_used / len(latencies):.1f} ms per delivery, "
                f"{100 * cpu_used / elapsed:.0f}% of one core; load average {os.getloadavg()[0]:.1f} "
                f"on {os.cpu_count()} CPUs (other processes on this machine compete for them)"
            )
            # Near 100% would mean the figures measure this load generator, not the service.
            print(f"load generator CPU: {100 * client_cpu / elapsed:.0f}% of one core")
        print(f"not acknowledged: {failures}; rows recorded: {rows}; jobs queued: {queued}")
        ok = failures == 0 and rows == len(latencies) and queued == len(latencies)
        return 0 if ok else 1
    finally:
        if process is not None and process.returncode is None:
            process.terminate()
            await asyncio.wait_for(process.wait(), timeout=10)
        keys = [queue] + [job_key_prefix + delivery for delivery in delivered]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
        await redis.aclose()
        await pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=25.0)
    parser.add_argument("--concurrency", type=int, default=16)
    arguments = parser.parse_args()
    if arguments.seconds < 1 or arguments.concurrency < 1:
        parser.error("--seconds and --concurrency must be at least 1")
    sys.exit(asyncio.run(main(arguments.seconds, arguments.concurrency)))
