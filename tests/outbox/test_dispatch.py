"""The dispatcher's database side: leases that never hand one delivery to two workers, stale claims
that send nothing, and the rule that disables an endpoint failing for days."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.outbox.ats import create_endpoint, deliveries, received_events
from tests.outbox.receiver import Receiver, running
from worksample.config import Settings
from worksample.db.models import OutboxAttempt, OutboxDelivery, WebhookEndpoint
from worksample.db.session import session_scope
from worksample.db.types import utcnow
from worksample.jobs.outbox import dispatch_config
from worksample.outbox.dispatch import claim_due, deliver
from worksample.outbox.schedule import Outcome

Sessions = async_sessionmaker[AsyncSession]
LEASE = timedelta(seconds=30)


async def _tests(client: httpx.AsyncClient, endpoint_id: str, count: int) -> None:
    for _ in range(count):
        response = await client.post(f"/v1/endpoints/{endpoint_id}/test")
        assert response.status_code == 202, response.text


async def _claim(sessionmaker: Sessions, *, now: datetime | None = None, limit: int = 100) -> list[int]:
    async with sessionmaker() as session:
        claims = await claim_due(session, now=now or utcnow(), lease=LEASE, limit=limit)
    return [claim.delivery_id for claim in claims]


def running_receiver() -> AbstractAsyncContextManager[Receiver]:
    return running(Receiver())


async def test_concurrent_dispatchers_never_claim_the_same_delivery(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    api_client.headers.update(auth_headers)
    endpoint = await create_endpoint(api_client, "https://ats.example.com/hook")
    await _tests(api_client, endpoint["id"], 24)

    claimed: list[int] = []
    for _ in range(10):
        # Four at once. On PostgreSQL SKIP LOCKED spreads them over different rows; on SQLite they
        # may all pick the same rows and the conditional UPDATE lets one win each: never two.
        batches = await asyncio.gather(*(_claim(sessionmaker, limit=10) for _ in range(4)))
        claimed += [delivery_id for batch in batches for delivery_id in batch]
        if len(claimed) >= 24:
            break
    assert len(claimed) == len(set(claimed)) == 24
    # Leased: nothing is due again until the lease runs out, then everything is.
    assert await _claim(sessionmaker) == []
    assert sorted(await _claim(sessionmaker, now=utcnow() + LEASE + timedelta(seconds=1))) == sorted(claimed)


async def test_disabled_endpoints_are_not_claimed(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    api_client.headers.update(auth_headers)
    endpoint = await create_endpoint(api_client, "https://ats.example.com/hook")
    await _tests(api_client, endpoint["id"], 2)
    await api_client.patch(f"/v1/endpoints/{endpoint['id']}", json={"enabled": False})
    assert await _claim(sessionmaker) == []
    async with session_scope(sessionmaker) as session:
        states = (await session.scalars(select(OutboxDelivery.state))).all()
    assert states == ["failed", "failed"]


async def test_a_stale_claim_sends_nothing(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions, settings: Settings
) -> None:
    async with running_receiver() as ats:
        api_client.headers.update(auth_headers)
        endpoint = await create_endpoint(api_client, f"{ats.base_url}/ok")
        await _tests(api_client, endpoint["id"], 1)
        async with sessionmaker() as session:
            # A lease that is over at once, as if the job had waited in the queue too long.
            (old,) = await claim_due(session, now=utcnow(), lease=timedelta(0))
        async with sessionmaker() as session:
            (new,) = await claim_due(session, now=utcnow() + timedelta(seconds=1), lease=LEASE)
        config = dispatch_config(settings)
        assert await deliver(sessionmaker, old, config) is None
        assert received_events(ats, "/ok") == []
        decision = await deliver(sessionmaker, new, config)
        assert decision is not None
        assert decision.outcome is Outcome.SUCCESS
        assert len(received_events(ats, "/ok")) == 1


async def test_an_endpoint_failing_for_days_is_disabled_and_starts_afresh_when_enabled_again(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions, settings: Settings
) -> None:
    async with running_receiver() as ats:
        api_client.headers.update(auth_headers)
        endpoint = await create_endpoint(api_client, f"{ats.base_url}/fail")
        await _tests(api_client, endpoint["id"], 1)
        config = dispatch_config(settings)
        async with sessionmaker() as session:
            (claim,) = await claim_due(session, now=utcnow(), lease=LEASE)
        # One failure only: not disabled.
        first = await deliver(sessionmaker, claim, config)
        assert first is not None
        assert first.outcome is Outcome.RETRY
        assert (await api_client.get(f"/v1/endpoints/{endpoint['id']}")).json()["enabled"] is True

        # The same endpoint already failed six days ago, with no success since.
        async with session_scope(sessionmaker) as session:
            attempt = (await session.scalars(select(OutboxAttempt))).one()
            attempt.started_at = utcnow() - timedelta(days=6)
        async with sessionmaker() as session:
            (claim,) = await claim_due(session, now=utcnow() + timedelta(hours=1), lease=LEASE)
        await deliver(sessionmaker, claim, config)
        shown = (await api_client.get(f"/v1/endpoints/{endpoint['id']}")).json()
        assert shown["enabled"] is False
        assert shown["disabled_reason"] == "every attempt failed for 5 days"
        async with session_scope(sessionmaker) as session:
            row = await session.get_one(WebhookEndpoint, endpoint["id"])
            assert row.disabled_at is not None

        # Fixed on their side: enabled again and recovered. The first attempt after that meets one
        # more failure (a deploy in progress, say): one failure, not days of them, so it stays enabled.
        base = f"/v1/endpoints/{endpoint['id']}"
        assert (await api_client.patch(base, json={"enabled": True})).status_code == 200
        since = (utcnow() - timedelta(hours=1)).isoformat()
        assert (await api_client.post(f"{base}/recover", json={"since": since})).status_code == 202
        async with sessionmaker() as session:
            (claim,) = await claim_due(session, now=utcnow(), lease=LEASE)
        again = await deliver(sessionmaker, claim, config)
        assert again is not None
        assert again.outcome is Outcome.RETRY
        assert (await api_client.get(base)).json()["enabled"] is True
        (delivery,) = await deliveries(api_client, endpoint["id"])
        assert (delivery["state"], delivery["attempts"]) == ("pending", 3)
