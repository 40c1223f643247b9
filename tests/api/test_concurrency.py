"""Many recruiters (or one busy ATS) at once: every request is answered, none with a 500.

Each request reads (its key, the organisation, the candidate), asks GitHub about the login, then
writes. On SQLite that only works if the read does not open the transaction the write then has to
upgrade: SQLite refuses such an upgrade at once ("database is locked", busy_timeout or not) while
another connection writes. worksample.db.session says which transaction mode avoids it and why.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from tests.conftest import GitHubWorld, queued_jobs
from worksample.config import Settings
from worksample.db.models import Assignment, IdempotencyRecord, Person
from worksample.jobs import PROVISION_JOB

CONCURRENT = 20


async def test_concurrent_creates_are_all_answered(
    service_on_world: httpx.AsyncClient,
    github_world: GitHubWorld,
    sessionmaker: async_sessionmaker[AsyncSession],
    arq_pool: Any,
    world_settings: Settings,
) -> None:
    logins = [f"applicant-{i:02d}" for i in range(CONCURRENT)]
    for login in logins:
        created = await github_world.control.post("/_sandbox/users", json={"login": login})
        assert created.status_code == 201, created.text
    responses = await asyncio.gather(
        *(
            service_on_world.post(
                "/v1/assignments",
                json=assignment_body(login),
                headers={"Idempotency-Key": f"burst-{login}"},
            )
            for login in logins
        )
    )
    assert [r.status_code for r in responses] == [201] * CONCURRENT, [
        r.text for r in responses if r.status_code != 201
    ]
    assert len({r.json()["id"] for r in responses}) == CONCURRENT
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Assignment)) == CONCURRENT
        assert await session.scalar(select(func.count()).select_from(IdempotencyRecord)) == CONCURRENT
    jobs = await queued_jobs(arq_pool, world_settings.queue_name)
    assert len([job for job in jobs if job.function == PROVISION_JOB]) == CONCURRENT


async def test_concurrent_retries_of_one_request_make_one_assignment(
    service_on_world: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    body = assignment_body()  # once: the body holds a deadline computed from the clock
    responses = await asyncio.gather(
        *(
            service_on_world.post("/v1/assignments", json=body, headers={"Idempotency-Key": "one-request"})
            for _ in range(CONCURRENT)
        )
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses if r.status_code != 201]
    assert len({r.json()["id"] for r in responses}) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Assignment)) == 1


async def test_concurrent_assignments_for_one_candidate_are_all_created(
    service_on_world: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """One candidate, several work samples at once: one person, every assignment created."""
    responses = await asyncio.gather(
        *(
            service_on_world.post(
                "/v1/assignments", json=assignment_body(), headers={"Idempotency-Key": f"same-candidate-{i}"}
            )
            for i in range(CONCURRENT)
        )
    )
    assert [r.status_code for r in responses] == [201] * CONCURRENT, [
        r.text for r in responses if r.status_code != 201
    ]
    assert len({r.json()["candidate"]["github_id"] for r in responses}) == 1
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Assignment)) == CONCURRENT
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
