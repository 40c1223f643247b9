"""The sweeper re-queues assignments whose job was lost, and leaves fresh ones alone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from arq.constants import job_key_prefix
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.provisioning.test_end_to_end import REQUEST, create_assignment
from tests.provisioning.world import World, run_worker
from worksample.config import Settings
from worksample.db.models import Assignment
from worksample.db.session import session_scope
from worksample.db.types import utcnow
from worksample.jobs import provision_job_id


async def _lose_job(arq_pool: Any, settings: Settings, assignment_id: str) -> None:
    """What a Redis failure between the API's commit and its enqueue leaves behind."""
    job_id = provision_job_id(assignment_id)
    assert await arq_pool.zrem(settings.queue_name, job_id) == 1
    await arq_pool.delete(job_key_prefix + job_id)


async def test_lost_job_is_requeued_by_the_sweeper(
    service: httpx.AsyncClient,
    gh_settings: Settings,
    world: World,
    arq_pool: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    await world.add_user("cand-2")
    stale = await create_assignment(service)
    fresh = await create_assignment(service, {**REQUEST, "candidate": {"login": "cand-2"}})
    for assignment_id in (stale, fresh):
        await _lose_job(arq_pool, gh_settings, assignment_id)
    async with session_scope(sessionmaker) as session:
        await session.execute(
            update(Assignment)
            .where(Assignment.id == stale)
            .values(updated_at=utcnow() - timedelta(minutes=10))
        )

    # The sweeper runs at worker start-up; it queues the stale one, which the same burst provisions.
    await run_worker(gh_settings, world, stale_after_seconds=300)

    statuses = {
        assignment_id: (await service.get(f"/v1/assignments/{assignment_id}")).json()["status"]
        for assignment_id in (stale, fresh)
    }
    assert statuses == {stale: "invited", fresh: "requested"}
