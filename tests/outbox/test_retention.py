"""Webhook records do not grow for ever: the worker's ``records.prune`` job deletes settled ATS events
(with their deliveries and attempts) and processed GitHub deliveries once they are past their
retention periods, and keeps whatever is still in progress or recent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from arq.constants import job_key_prefix
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import GitHubWorld, run_worker_burst
from tests.outbox.ats import create_endpoint, deliveries
from tests.outbox.receiver import Receiver
from worksample.config import ConfigError, Settings, load_settings
from worksample.db.models import GitHubDelivery, OutboxAttempt, OutboxDelivery, OutboxEvent
from worksample.db.session import session_scope
from worksample.jobs.retention import PRUNE_JOB

Sessions = async_sessionmaker[AsyncSession]


async def _test_event(client: httpx.AsyncClient, endpoint_id: str) -> str:
    response = await client.post(f"/v1/endpoints/{endpoint_id}/test")
    assert response.status_code == 202, response.text
    return str(response.json()["event_id"])


async def _github_log(world: GitHubWorld) -> list[dict[str, Any]]:
    """What the simulated GitHub has delivered to the service so far, oldest first."""
    assert (await world.control.post("/_sandbox/webhooks/flush")).status_code < 300
    log: list[dict[str, Any]] = (await world.control.get("/_sandbox/deliveries")).json()
    return log


async def _github_event(world: GitHubWorld, method: str, path: str, **body: Any) -> str:
    """Do something on the simulated GitHub that sends the App a webhook; returns its GUID."""
    before = len(await _github_log(world))
    response = await world.control.request(method, path, json=body or None)
    assert response.status_code < 300, response.text
    (delivery,) = (await _github_log(world))[before:]
    return str(delivery["guid"])


async def _age(sessionmaker: Sessions, *, events: list[str], github: list[str], days: float) -> None:
    """Make records look ``days`` old, as if the calendar had moved on since they were written."""
    ago = timedelta(days=days)
    async with session_scope(sessionmaker) as session:
        for event in await session.scalars(select(OutboxEvent).where(OutboxEvent.id.in_(events))):
            event.created_at -= ago
        for row in await session.scalars(
            select(GitHubDelivery).where(GitHubDelivery.delivery_id.in_(github))
        ):
            row.received_at -= ago
            if row.processed_at is not None:
                row.processed_at -= ago


async def test_settled_and_processed_records_past_retention_are_deleted(
    service_on_world: httpx.AsyncClient,
    github_world: GitHubWorld,
    world_settings: Settings,
    arq_pool: Any,
    ats: Receiver,
    sessionmaker: Sessions,
) -> None:
    client = service_on_world
    ok = await create_endpoint(client, f"{ats.base_url}/ok")
    # Answers 503 with a Retry-After far away: its delivery stays pending, its event unsettled.
    waiting = await create_endpoint(client, f"{ats.base_url}/unavailable")
    old, recent = await _test_event(client, ok["id"]), await _test_event(client, ok["id"])
    old_unsettled = await _test_event(client, waiting["id"])
    # GitHub's side: the App was installed (one delivery), then uninstalled (another).
    (installed,) = [d["guid"] for d in await _github_log(github_world)]
    installation = f"/_sandbox/installations/{github_world.installation_id}"
    uninstalled = await _github_event(github_world, "DELETE", installation)
    await run_worker_burst(world_settings, github_transport=github_world.transport)
    async with sessionmaker() as session:
        processed = await session.scalars(
            select(GitHubDelivery.delivery_id).where(GitHubDelivery.processed_at.is_not(None))
        )
        assert {installed, uninstalled} <= set(processed)
    assert {d["state"] for d in await deliveries(client, ok["id"])} == {"succeeded"}
    # Installed again, and that delivery's job was lost: unprocessed, it is the sweeper's, however old.
    app = {"app_id": github_world.app_id, "account": github_world.org}
    reinstalled = await _github_event(github_world, "POST", "/_sandbox/installations", **app)
    assert await arq_pool.zrem(world_settings.queue_name, reinstalled) == 1
    await arq_pool.delete(job_key_prefix + reinstalled)

    await _age(
        sessionmaker,
        events=[old, old_unsettled],
        github=[installed, reinstalled],
        days=max(world_settings.outbox_retention_days, world_settings.github_delivery_retention_days) + 1,
    )
    assert await arq_pool.enqueue_job(PRUNE_JOB) is not None
    # The sweeper is held off, so the stuck delivery is still unprocessed when the job runs.
    await run_worker_burst(
        world_settings, github_transport=github_world.transport, webhook_stale_after_seconds=10**9
    )

    async with sessionmaker() as session:
        events = set(await session.scalars(select(OutboxEvent.id)))
        guids = set(await session.scalars(select(GitHubDelivery.delivery_id)))
        attempts = await session.scalar(select(func.count()).select_from(OutboxAttempt))
        delivered = await session.scalar(select(func.count()).select_from(OutboxDelivery))
    assert old not in events
    assert {recent, old_unsettled} <= events
    # The old event's delivery and attempt went with it; the other two keep theirs.
    assert (delivered, attempts) == (2, 2)
    assert [d["event_id"] for d in await deliveries(client, ok["id"])] == [recent]
    assert (await client.post(f"/v1/events/{old}/redeliver")).status_code == 404
    assert installed not in guids
    assert {uninstalled, reinstalled} <= guids
    # A recent delivery is still known: GitHub redelivering it gets "duplicate", not a second run.
    (sent,) = [d for d in await _github_log(github_world) if d["guid"] == uninstalled]
    assert (await github_world.control.post(f"/_sandbox/deliveries/{sent['id']}/redeliver")).status_code < 300
    redelivered = [d for d in await _github_log(github_world) if d["guid"] == uninstalled][-1]
    assert (redelivered["redelivery"], redelivered["status_code"]) == (True, 200)


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        # GitHub redelivers for 3 days: a redelivery must still find its row (a duplicate).
        ("WORKSAMPLE_GITHUB_DELIVERY_RETENTION_DAYS", "2", "greater than or equal to 3"),
        # The disabling rule must see a whole failing run (WORKSAMPLE_OUTBOX_DISABLE_AFTER_DAYS: 5).
        ("WORKSAMPLE_OUTBOX_RETENTION_DAYS", "5", "more than WORKSAMPLE_OUTBOX_DISABLE_AFTER_DAYS"),
    ],
)
def test_retention_shorter_than_what_relies_on_it_is_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, says: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as refused:
        load_settings(_env_file=None)
    assert variable in str(refused.value)
    assert says in str(refused.value)
