"""A worker killed (SIGKILL) in the middle of a delivery loses nothing: its lease expires and
another worker sends the same event again, with the same ``webhook-id``."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import httpx
from sqlalchemy import select

from tests.conftest import GitHubWorld
from tests.outbox.ats import create_endpoint, deliveries, received_events, running_worker, verified, wait_for
from tests.outbox.receiver import Receiver
from worksample.config import Settings
from worksample.db.models import OutboxDelivery
from worksample.db.session import create_engine, create_sessionmaker

WORKSAMPLE = Path(sys.executable).with_name("worksample")


def _worker_environment(settings: Settings) -> dict[str, str]:
    """The settings of the test, as the environment of a ``worksample worker`` process."""
    assert settings.github_private_key is not None
    return {
        "PATH": os.environ.get("PATH", ""),
        "WORKSAMPLE_SANDBOX": "1",
        "WORKSAMPLE_DATABASE_URL": settings.database_url,
        "WORKSAMPLE_REDIS_URL": settings.redis_url,
        "WORKSAMPLE_QUEUE_NAME": settings.queue_name,
        "WORKSAMPLE_ARTIFACTS_DIR": str(settings.artifacts_dir),
        "WORKSAMPLE_GITHUB_API_URL": settings.github_api_url,
        "WORKSAMPLE_GITHUB_APP_ID": str(settings.github_app_id),
        "WORKSAMPLE_GITHUB_PRIVATE_KEY": settings.github_private_key.get_secret_value(),
        "WORKSAMPLE_OUTBOX_RETRY_SCHEDULE_SECONDS": json.dumps(list(settings.outbox_retry_schedule_seconds)),
        "WORKSAMPLE_OUTBOX_RETRY_JITTER": "0",
        "WORKSAMPLE_OUTBOX_ALLOWED_NETWORKS": json.dumps([str(n) for n in settings.outbox_allowed_networks]),
        "WORKSAMPLE_OUTBOX_TIMEOUT_SECONDS": str(settings.outbox_timeout_seconds),
        "WORKSAMPLE_OUTBOX_LEASE_MARGIN_SECONDS": str(settings.outbox_lease_margin_seconds),
    }


async def _delivery_state(settings: Settings) -> list[tuple[str, int]]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(select(OutboxDelivery.state, OutboxDelivery.attempts))
            return [(state, attempts) for state, attempts in rows]
    finally:
        await engine.dispose()


async def test_a_worker_killed_mid_delivery_loses_nothing(
    service_on_world: httpx.AsyncClient, world_settings: Settings, github_world: GitHubWorld, ats: Receiver
) -> None:
    client = service_on_world
    endpoint = await create_endpoint(client, f"{ats.base_url}/slow")
    sent = await client.post(f"/v1/endpoints/{endpoint['id']}/test")
    assert sent.status_code == 202, sent.text

    process = await asyncio.create_subprocess_exec(
        str(WORKSAMPLE),
        "worker",
        "--log-level",
        "warning",
        env=_worker_environment(world_settings),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        # The receiver holds the request open: the attempt is in flight in the other process.
        await wait_for(lambda: received_events(ats, "/slow"), within=120, what="the first attempt")
        assert await _delivery_state(world_settings) == [("in_flight", 0)]
    finally:
        process.send_signal(signal.SIGKILL)
        _, stderr = await process.communicate()
    assert process.returncode == -signal.SIGKILL, stderr.decode()
    # Still in flight, nothing recorded: the killed worker never learnt the answer.
    assert await _delivery_state(world_settings) == [("in_flight", 0)]

    ats.release.set()
    async with running_worker(world_settings, github_world.transport):
        (delivery,) = await wait_for(
            lambda: _succeeded(client, endpoint["id"]), within=60, what="the delivery after the lease expired"
        )
    calls = received_events(ats, "/slow")
    assert len(calls) == 2
    assert {c.headers["webhook-id"] for c in calls} == {sent.json()["event_id"]}
    for call in calls:
        assert verified(call, endpoint["secret"])["type"] == "webhook.test"
    # Only the attempt that finished is recorded; the killed one left no row to lie about.
    assert [a["status_code"] for a in delivery["attempt_log"]] == [200]


async def _succeeded(client: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, object]] | None:
    listed = await deliveries(client, endpoint_id)
    return listed if listed and all(d["state"] == "succeeded" for d in listed) else None
