"""A service whose clock and whose simulated GitHub's clock tests move together.

``life`` is the review tests' ``Flow`` (create → provision → accept → PR through the front doors)
plus ``advance()``, which moves both clocks, and ``tick()``, which runs the real worker in burst
mode with the same clock (its start-up tick is the lifecycle cron job).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import (
    GitHubWorld,
    app_on_world,
    queued_jobs,
    run_worker_burst,
)
from tests.review.flow import Flow
from worksample.clock import OffsetClock
from worksample.config import Settings
from worksample.db.models import Assignment, AssignmentEvent, OutboxEvent


class Life(Flow):
    clock: OffsetClock
    sessionmaker: async_sessionmaker[AsyncSession]
    arq_pool: Any

    async def queued(self) -> list[str]:
        jobs = await queued_jobs(self.arq_pool, self.settings.queue_name)
        return [job.function for job in jobs]

    async def drain(self) -> None:
        await self.world.sim.state.sandbox.webhooks.flush()
        await run_worker_burst(
            self.settings, github_transport=self.world.transport, poll_delay=0.05, clock=self.clock
        )
        await self.world.sim.state.sandbox.webhooks.flush()

    async def tick(self) -> None:
        await self.drain()

    async def advance(self, delta: timedelta) -> None:
        response = await self.world.control.post(
            "/_sandbox/clock", json={"advance_seconds": delta.total_seconds()}
        )
        assert response.status_code == 200, response.text
        self.clock.advance(delta)

    async def lifecycle(self) -> dict[str, Any]:
        response = await self.api.get(f"/v1/assignments/{self.assignment_id}/lifecycle")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def row(self) -> Assignment:
        async with self.sessionmaker() as session:
            assignment = await session.get(Assignment, self.assignment_id)
            assert assignment is not None
            return assignment

    async def kinds(self) -> list[str]:
        async with self.sessionmaker() as session:
            rows = await session.scalars(
                select(AssignmentEvent.kind)
                .where(AssignmentEvent.assignment_id == self.assignment_id)
                .order_by(AssignmentEvent.id)
            )
            return list(rows)

    async def ats_events(self, event_type: str) -> list[dict[str, Any]]:
        """The ``data`` of every stored ATS event of ``event_type``, oldest first."""
        async with self.sessionmaker() as session:
            bodies = await session.scalars(
                select(OutboxEvent.body)
                .where(OutboxEvent.type == event_type)
                .order_by(OutboxEvent.created_at, OutboxEvent.id)
            )
            return [json.loads(body)["data"] for body in bodies]

    async def repo_state(self) -> dict[str, Any]:
        response = await self.world.control.get(f"/_sandbox/repos/{self.full_name}")
        assert response.status_code in (200, 404), response.text
        body: dict[str, Any] = response.json() if response.status_code == 200 else {}
        return body

    async def issues(self) -> list[dict[str, Any]]:
        async with self.world.user_client("lead-eng") as user:
            response = await user.get(f"/repos/{self.full_name}/issues")
        assert response.status_code == 200, response.text
        issues: list[dict[str, Any]] = response.json()
        return [i for i in issues if "pull_request" not in i]

    async def permission(self, login: str = "octocat") -> str:
        async with self.world.user_client("lead-eng") as user:
            response = await user.get(f"/repos/{self.full_name}/collaborators/{login}/permission")
        assert response.status_code == 200, response.text
        permission: str = response.json()["permission"]
        return permission


@pytest.fixture
async def life(
    world_settings: Settings, github_world: GitHubWorld, arq_pool: Any, clock: OffsetClock
) -> AsyncIterator[Life]:
    # app_on_world sends deliveries still in flight (an acceptance without a drain) before the app closes.
    async with app_on_world(world_settings, github_world, arq_pool, clock=clock) as (app, client):
        resources = app.state.resources
        flow = Life(api=client, world=github_world, settings=world_settings)
        flow.clock = clock
        flow.sessionmaker = resources.sessionmaker
        flow.arq_pool = arq_pool
        yield flow
