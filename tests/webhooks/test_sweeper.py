"""A crash between committing a delivery and queueing its job loses nothing: the sweeper queues it."""

from __future__ import annotations

import json
import uuid
from typing import Any

from arq.constants import job_key_prefix
from pydantic import SecretStr
from sqlalchemy import select

from tests.conftest import queued_jobs, run_worker_burst, running_app
from worksample.config import Settings
from worksample.db.models import GitHubDelivery
from worksample.db.session import create_engine, create_sessionmaker
from worksample.github.signatures import sign

SECRET = "sweeper-test-secret"


async def test_lost_enqueue_is_swept_and_processed(settings: Settings, arq_pool: Any) -> None:
    settings = settings.model_copy(update={"github_webhook_secret": SecretStr(SECRET)})
    body = json.dumps(
        {
            "action": "deleted",
            "repository": {"id": 987654321, "full_name": "acme/gone"},
            "installation": {"id": 1},
        }
    ).encode()
    delivery = str(uuid.uuid4())
    async with running_app(settings, arq_pool=arq_pool) as (_app, client):
        response = await client.post(
            "/github/webhooks",
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-GitHub-Event": "repository",
                "X-GitHub-Delivery": delivery,
                "X-Hub-Signature-256": sign(SECRET, body),
            },
        )
    assert response.status_code == 202, response.text
    # The crash: the row is committed, the job never reached Redis.
    assert await arq_pool.zrem(settings.queue_name, delivery) == 1
    await arq_pool.delete(job_key_prefix + delivery)
    assert await queued_jobs(arq_pool, settings.queue_name) == []

    # The worker needs a GitHub App to start; the simulator-free run only sweeps and processes.
    from tests.support.world import build_world

    world = await build_world()
    try:
        await run_worker_burst(
            world.settings(settings),
            github_transport=world.transport,
            webhook_stale_after_seconds=0,
            poll_delay=0.05,
        )
    finally:
        await world.aclose()

    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            row = (
                await session.execute(select(GitHubDelivery).where(GitHubDelivery.delivery_id == delivery))
            ).scalar_one()
    finally:
        await engine.dispose()
    assert row.processed_at is not None
    assert row.outcome == "ignored: not an assignment repository"
    assert row.attempts == 1
