"""Idempotency-Key: a retry returns the first answer; a reused key with another body is refused."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from tests.conftest import queued_jobs
from worksample.config import Settings
from worksample.db.models import Assignment

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
