"""Helpers of the outbox's end-to-end tests: the API calls an ATS integrator makes, a worker in
the background, waiting for what the receiver got, and checking it as a receiver would."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from arq import Worker
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from standardwebhooks.webhooks import Webhook

from tests.api.bodies import assignment_body
from tests.outbox.receiver import Received, Receiver
from worksample.config import Settings
from worksample.db.models import OutboxDelivery
from worksample.db.session import session_scope
from worksample.jobs.worker import close_worker, worker_settings
from worksample.outbox.events import validate_payload


@contextlib.asynccontextmanager
async def running_worker(
    settings: Settings, transport: httpx.AsyncBaseTransport, *, without_crons: frozenset[str] = frozenset()
) -> AsyncIterator[Worker]:
    """The real worker, long-running, in this event loop; ``without_crons`` names cron jobs left out
    (a test proving something happens without its safety net)."""
    options = worker_settings(settings, github_transport=transport, poll_delay=0.05, retry_base_seconds=0.05)
    options["cron_jobs"] = [c for c in options["cron_jobs"] if c.name not in without_crons]
    options["handle_signals"] = False
    worker = Worker(**options)
    task = asyncio.create_task(worker.main())
    try:
        yield worker
    finally:
        # Stop picking jobs and let running ones finish before the loop is cancelled, so no job
        # is cut off in the middle of a Redis command on a connection the shutdown reuses.
        worker.allow_pick_jobs = False
        await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await close_worker(worker)


async def create_endpoint(client: httpx.AsyncClient, url: str, **fields: Any) -> dict[str, Any]:
    response = await client.post("/v1/endpoints", json={"url": url, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def create_assignment(client: httpx.AsyncClient, login: str = "octocat") -> str:
    # Reviewers who exist in the simulated organisation, so provisioning can finish.
    reviewers = [{"login": "lead-eng", "role": "lead"}, {"login": "second-eng", "role": "engineer"}]
    response = await client.post("/v1/assignments", json=assignment_body(login, reviewers=reviewers))
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def wait_for(condition: Callable[[], Any], *, within: float = 20.0, what: str = "the condition") -> Any:
    """Poll ``condition`` (sync or async) until it returns something truthy."""
    deadline = time.monotonic() + within
    while True:
        value = condition()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.05)


def received_events(receiver: Receiver, path: str) -> list[Received]:
    return [r for r in receiver.received if r.path == path]


def verified(received: Received, secret: str) -> dict[str, Any]:
    """What a receiver does: verify with the independent standardwebhooks package, then validate."""
    payload: dict[str, Any] = Webhook(secret).verify(received.body, received.headers)
    validate_payload(payload["type"], payload)
    assert json.loads(received.body) == payload
    return payload


async def deliveries(client: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/endpoints/{endpoint_id}/deliveries")
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def settled(client: httpx.AsyncClient, endpoint_id: str) -> list[dict[str, Any]] | None:
    """The endpoint's deliveries once none is pending or in flight, else None (for ``wait_for``)."""
    listed = await deliveries(client, endpoint_id)
    return listed if listed and all(d["state"] not in ("pending", "in_flight") for d in listed) else None


async def finish_deliveries(sessionmaker: async_sessionmaker[AsyncSession], state: str) -> None:
    """Put every delivery in a final ``state`` without sending (for API tests that run no worker)."""
    async with session_scope(sessionmaker) as session:
        await session.execute(update(OutboxDelivery).values(state=state, next_attempt_at=None))
