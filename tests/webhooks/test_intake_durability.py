"""What the fast intake path must not cost: a delivery lost to a dropped database connection, or
a job arq's worker would not recognise."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from arq.constants import job_key_prefix
from arq.jobs import Job, JobStatus
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from tests.conftest import queued_jobs, running_app
from tests.support.databases import PG_ADMIN_URL
from worksample.config import Settings
from worksample.db.models import GitHubDelivery
from worksample.db.session import create_engine
from worksample.github.signatures import sign
from worksample.jobs.webhooks import WEBHOOK_JOB, enqueue_delivery

SECRET = "durability-test-secret"
BODY = json.dumps(
    {"action": "deleted", "repository": {"id": 5, "full_name": "acme/x"}, "installation": {"id": 1}}
).encode()


def signed(delivery: str) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": "repository",
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": sign(SECRET, BODY),
    }


async def recorded(settings: Settings) -> set[str]:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            return set((await connection.execute(select(GitHubDelivery.delivery_id))).scalars())
    finally:
        await engine.dispose()


async def drop_connections(database_url: str) -> int:
    """What a PostgreSQL restart does to pooled connections: every session of the database ends."""
    admin = create_async_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        async with admin.connect() as connection:
            ended = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": make_url(database_url).database},
            )
            return int(ended.scalar_one())
    finally:
        await admin.dispose()


async def test_a_dropped_database_connection_loses_no_delivery(settings: Settings, arq_pool: Any) -> None:
    if not settings.database_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    settings = settings.model_copy(update={"github_webhook_secret": SecretStr(SECRET)})
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    async with running_app(settings, arq_pool=arq_pool) as (_app, client):
        response = await client.post("/github/webhooks", content=BODY, headers=signed(first))
        assert response.status_code == 202, response.text
        # The intake's pooled connection is now dead, and nothing pings it before use.
        assert await drop_connections(settings.database_url) >= 1
        response = await client.post("/github/webhooks", content=BODY, headers=signed(second))
        assert response.status_code == 202, response.text
        assert response.json() == {"status": "queued", "delivery": second}
    assert await recorded(settings) == {first, second}
    assert sorted(j.job_id for j in await queued_jobs(arq_pool, settings.queue_name)) == sorted(
        [first, second]
    )


async def test_the_queued_job_is_arqs_own_and_unique_while_known(settings: Settings, arq_pool: Any) -> None:
    settings = settings.model_copy(update={"github_webhook_secret": SecretStr(SECRET)})
    delivery = str(uuid.uuid4())
    async with running_app(settings, arq_pool=arq_pool) as (_app, client):
        response = await client.post("/github/webhooks", content=BODY, headers=signed(delivery))
        assert response.status_code == 202, response.text
    [job] = await queued_jobs(arq_pool, settings.queue_name)
    assert (job.function, job.args, job.kwargs, job.job_id, job.job_try) == (
        WEBHOOK_JOB,
        (),
        {"delivery_id": delivery},
        delivery,
        None,
    )
    status = await Job(delivery, arq_pool, _queue_name=settings.queue_name).status()
    assert status is JobStatus.queued
    # Expires like any arq job (a day), so a queue nobody reads does not keep it for ever.
    ttl_ms = await arq_pool.pttl(job_key_prefix + delivery)
    assert 0 < ttl_ms <= arq_pool.expires_extra_ms
    # The sweeper's re-enqueue of a delivery still queued is refused, as arq refuses a known job id.
    assert await enqueue_delivery(arq_pool, delivery, queue_name=settings.queue_name) is False
    assert await arq_pool.zcard(settings.queue_name) == 1
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            count = (await connection.execute(select(func.count()).select_from(GitHubDelivery))).scalar_one()
    finally:
        await engine.dispose()
    assert count == 1
