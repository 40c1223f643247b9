"""Idempotency-Key: a retry returns the first answer; a reused key with another body is refused."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from tests.conftest import (
    GitHubWorld,
    app_on_world,
    queued_jobs,
    run_worker_burst,
)
from worksample.clock import OffsetClock
from worksample.config import Settings
from worksample.db.models import Assignment, IdempotencyRecord
from worksample.jobs.idempotency import PURGE_JOB

Sessions = async_sessionmaker[AsyncSession]


async def _count(sessionmaker: Sessions) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Assignment)) or 0)


async def test_retry_returns_the_first_answer(
    api_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sessionmaker: Sessions,
    arq_pool: Any,
    settings: Settings,
) -> None:
    headers = {**auth_headers, "Idempotency-Key": "ats-req-0001"}
    body = assignment_body()
    first = await api_client.post("/v1/assignments", json=body, headers=headers)
    assert first.status_code == 201, first.text
    # Cancel in between: the retry still gets the first answer, not today's state.
    await api_client.post(f"/v1/assignments/{first.json()['id']}/cancel", headers=auth_headers)

    # The same body with keys in another order and other whitespace is the same request.
    reordered = dict(reversed(list(body.items())))
    retry = await api_client.post("/v1/assignments", json=reordered, headers=headers)
    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert await _count(sessionmaker) == 1
    assert len(await queued_jobs(arq_pool, settings.queue_name)) == 1


async def test_same_key_other_body_is_refused(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    headers = {**auth_headers, "Idempotency-Key": "ats-req-0002"}
    assert (
        await api_client.post("/v1/assignments", json=assignment_body(), headers=headers)
    ).status_code == 201
    response = await api_client.post("/v1/assignments", json=assignment_body("hubot"), headers=headers)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "idempotency_key_reused"
    assert "already used with a different request" in error["message"]
    assert await _count(sessionmaker) == 1


async def test_failed_request_does_not_burn_the_key(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    headers = {**auth_headers, "Idempotency-Key": "ats-req-0003"}
    bad = await api_client.post("/v1/assignments", json=assignment_body(artifact_id="nope"), headers=headers)
    assert bad.status_code == 422
    good = await api_client.post("/v1/assignments", json=assignment_body(), headers=headers)
    assert good.status_code == 201, good.text


async def test_concurrent_first_attempts_make_one_assignment(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    headers = {**auth_headers, "Idempotency-Key": "ats-req-0004"}
    body = assignment_body()  # once: the body holds a deadline computed from the clock
    responses = await asyncio.gather(
        *(api_client.post("/v1/assignments", json=body, headers=headers) for _ in range(4))
    )
    assert {r.status_code for r in responses} == {201}, [r.text for r in responses]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await _count(sessionmaker) == 1


async def test_bad_keys_are_field_errors(api_client: httpx.AsyncClient, auth_headers: dict[str, str]) -> None:
    for key in ("x" * 256, "has space"):
        response = await api_client.post(
            "/v1/assignments", json=assignment_body(), headers={**auth_headers, "Idempotency-Key": key}
        )
        assert response.status_code == 422, key
        assert [f["field"] for f in response.json()["error"]["fields"]] == ["header.Idempotency-Key"]


@pytest.fixture
async def clocked_service(
    world_settings: Settings, github_world: GitHubWorld, arq_pool: Any, clock: OffsetClock
) -> AsyncIterator[httpx.AsyncClient]:
    """``service_on_world`` with a clock the test moves."""
    async with app_on_world(world_settings, github_world, arq_pool, clock=clock) as (_app, client):
        yield client


async def _records(sessionmaker: Sessions) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(IdempotencyRecord)) or 0)


async def test_key_is_kept_for_the_retention_then_purged_and_free_again(
    clocked_service: httpx.AsyncClient,
    clock: OffsetClock,
    world_settings: Settings,
    github_world: GitHubWorld,
    arq_pool: Any,
    sessionmaker: Sessions,
) -> None:
    headers = {"Idempotency-Key": "ats-req-retained"}
    body = assignment_body()
    first = await clocked_service.post("/v1/assignments", json=body, headers=headers)
    assert first.status_code == 201, first.text
    retention = timedelta(hours=world_settings.idempotency_retention_hours)

    # Inside the window a retry is answered as the first time, and another body is refused.
    clock.advance(retention - timedelta(minutes=5))
    retry = await clocked_service.post("/v1/assignments", json=body, headers=headers)
    assert (retry.status_code, retry.json()["id"]) == (201, first.json()["id"])
    assert retry.headers["idempotent-replayed"] == "true"
    other = await clocked_service.post("/v1/assignments", json=assignment_body("hubot"), headers=headers)
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"

    # Past the window the worker's hourly purge deletes the record...
    clock.advance(timedelta(minutes=10))
    await arq_pool.enqueue_job(PURGE_JOB, _queue_name=world_settings.queue_name)
    await run_worker_burst(world_settings, github_transport=github_world.transport, clock=clock)
    assert await _records(sessionmaker) == 0
    # ... and the key makes a new assignment, remembered from now on.
    again = await clocked_service.post("/v1/assignments", json=assignment_body("hubot"), headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first.json()["id"]
    assert "idempotent-replayed" not in again.headers
    assert await _records(sessionmaker) == 1
    assert await _count(sessionmaker) == 2


async def test_an_expired_record_frees_its_key_before_the_purge_runs(
    clocked_service: httpx.AsyncClient, clock: OffsetClock, world_settings: Settings, sessionmaker: Sessions
) -> None:
    headers = {"Idempotency-Key": "ats-req-expired"}
    first = await clocked_service.post("/v1/assignments", json=assignment_body(), headers=headers)
    assert first.status_code == 201, first.text
    clock.advance(timedelta(hours=world_settings.idempotency_retention_hours, seconds=1))
    second = assignment_body("hubot")  # once: the body holds a deadline computed from the clock
    again = await clocked_service.post("/v1/assignments", json=second, headers=headers)
    assert again.status_code == 201, again.text
    assert again.json()["id"] != first.json()["id"]
    # The old record made way for the new one: a retry now replays the second answer.
    retry = await clocked_service.post("/v1/assignments", json=second, headers=headers)
    assert (retry.status_code, retry.json()["id"]) == (201, again.json()["id"])
    assert await _records(sessionmaker) == 1
