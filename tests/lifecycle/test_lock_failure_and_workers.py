"""A downgrade GitHub accepts but that does not take effect is caught by the read-back; and two
real workers ticking against one queue and one database fire each timer once."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

from sqlalchemy import func, select

from tests.lifecycle.conftest import Life
from worksample.db.encryption import Purpose, SecretBox
from worksample.db.models import LifecycleFiring, Organization, OutboxEvent, WebhookEndpoint
from worksample.jobs.worker import build_worker, close_worker
from worksample.lifecycle.tick import run_due

HOUR = timedelta(hours=1)


async def _subscribe_ats(life: Life) -> None:
    """An ATS endpoint for acme, so events are stored in the outbox (and can be asserted on)."""
    async with life.sessionmaker() as session:
        org_id = await session.scalar(select(Organization.id).where(Organization.login == "acme"))
        assert org_id is not None
        # Stored as the endpoints API stores it: sealed with the service's keys.
        box = SecretBox.from_settings(life.settings, Purpose.ENDPOINT_SECRET)
        session.add(
            WebhookEndpoint(
                organization_id=org_id, url="https://ats.example/hook", secret=box.seal("whsec_" + "a" * 32)
            )
        )
        await session.commit()


async def test_failed_downgrade_is_caught_by_reading_the_permission_back(life: Life) -> None:
    await _subscribe_ats(life)
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()
    # Someone adds the candidate to the organisation, whose members may write: GitHub accepts the
    # downgrade of the direct permission (204) but the candidate can still push.
    world = life.world.sim.state.sandbox.world
    org = world.account("acme")
    org.members.add(world.account("octocat").id)
    org.default_permission = "push"

    await life.advance(48 * HOUR + timedelta(minutes=1))
    await life.tick()
    state = await life.lifecycle()
    assert state["locked_at"] is not None
    assert state["lock_failed"] is True
    assert "'write'" in state["lock_failure"]
    assert await life.permission() == "write"
    assert "lifecycle.lock_failed" in await life.kinds()
    async with life.sessionmaker() as session:
        bodies = (
            await session.scalars(
                select(OutboxEvent.body).where(OutboxEvent.type == "assignment.lock_failed")
            )
        ).all()
    assert len(bodies) == 1
    data = json.loads(bodies[0])["data"]
    assert (data["expected_permission"], data["actual_permission"]) == ("read", "write")


async def test_two_workers_fire_each_timer_once(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()

    async def two_workers() -> None:
        workers = [
            build_worker(
                life.settings,
                burst=True,
                github_transport=life.world.transport,
                clock=life.clock,
                poll_delay=0.05,
                retry_base_seconds=0.05,
            )
            for _ in range(2)
        ]
        try:
            await asyncio.gather(*(w.main() for w in workers))
        finally:
            for w in workers:
                await close_worker(w)
        await life.world.sim.state.sandbox.webhooks.flush()

    await life.advance(24 * HOUR + timedelta(minutes=1))
    await two_workers()
    await two_workers()
    await life.advance(24 * HOUR)
    await two_workers()
    await two_workers()

    reminders = [c for c in await life.comments() if c["body"].startswith("Reminder")]
    # The 24 h reminder once; the 2 h one is dropped because the deadline came with it.
    assert len(reminders) == 1
    calls = await life.world.calls()
    tags = [
        c for c in calls if c["method"] == "POST" and c["path"].endswith("/git/refs") and c["status"] == 201
    ]
    assert len([c for c in tags if c["actor"].startswith("installation")]) == 1
    async with life.sessionmaker() as session:
        rows = (
            await session.execute(
                select(LifecycleFiring.kind, func.count())
                .group_by(LifecycleFiring.kind)
                .order_by(LifecycleFiring.kind)
            )
        ).all()
    assert [tuple(r) for r in rows] == [("deadline", 1), ("reminder:24h", 1)]
    assert (await life.kinds()).count("lifecycle.locked") == 1


async def test_concurrent_ticks_in_one_process_share_the_claims(life: Life) -> None:
    """The same race without arq in between: many ticks at once, each timer fired by one of them."""
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()
    await life.advance(24 * HOUR + timedelta(minutes=1))
    from worksample.db.session import create_engine, create_sessionmaker
    from worksample.github.client import GitHubApp
    from worksample.github.pacing import LocalWritePacer, PacingPolicy

    engines = [create_engine(life.settings) for _ in range(4)]
    apps = [
        GitHubApp.from_settings(
            life.settings, LocalWritePacer(PacingPolicy(interval=0)), life.world.transport
        )
        for _ in range(4)
    ]
    try:
        results = await asyncio.gather(
            *(
                run_due(create_sessionmaker(engine), app, life.settings, life.clock)
                for engine, app in zip(engines, apps, strict=True)
            )
        )
    finally:
        for engine in engines:
            await engine.dispose()
        for app in apps:
            await app.aclose()
    assert sum(r["reminder"] for r in results) == 1
