"""The candidate's acceptance is kept while provisioning is still retrying, and applied once it ends.

The candidate accepts the invitation the moment GitHub sends it; the job then dies before it can
record the invitation, again and again (each retry backs off longer), so the member.added webhook
arrives while the assignment is still being provisioned and has to wait for it.
"""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import GitHubWorld, run_worker_burst
from worksample.config import Settings
from worksample.db.models import GitHubDelivery, OutboxEvent
from worksample.jobs.provision import TRANSIENT_TRIES

CANDIDATE = "octocat"
# One short of failing the assignment: the last try records the invitation. The backoff over these
# tries adds up to far longer than the webhook job used to wait before giving the acceptance up.
CRASHES = TRANSIENT_TRIES - 1


class Crash(RuntimeError):
    pass


async def test_acceptance_during_provisioning_retries_ends_accepted_and_the_ats_is_told(
    service_on_world: httpx.AsyncClient,
    github_world: GitHubWorld,
    world_settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    body = {
        "candidate": {"login": CANDIDATE},
        "artifact_id": "test-sample",
        "reviewers": [{"login": "lead-eng", "role": "lead"}],
    }
    # An ATS endpoint, so the service writes the events it owes the ATS (nothing is delivered here).
    response = await service_on_world.post("/v1/endpoints", json={"url": "https://ats.invalid/hooks"})
    assert response.status_code == 201, response.text
    response = await service_on_world.post("/v1/assignments", json=body)
    assert response.status_code == 201, response.text
    assignment_id = response.json()["id"]
    crashes: list[str] = []

    async def checkpoint(step: str) -> None:
        if step != "invitation" or len(crashes) >= CRASHES:
            return
        if not crashes:
            async with github_world.user_client(CANDIDATE) as candidate:
                invitations: list[dict[str, Any]] = (
                    await candidate.get("/user/repository_invitations")
                ).json()
                assert len(invitations) == 1, invitations
                accepted = await candidate.patch(f"/user/repository_invitations/{invitations[0]['id']}")
                assert accepted.status_code == 204, accepted.text
            # GitHub's member.added reaches the service (and its job is queued) now.
            await github_world.sim.state.sandbox.webhooks.flush()
        crashes.append(step)
        raise Crash("killed before the invitation was recorded")

    # The same small retry base for both jobs, as in production (5 s each): only the ratio matters.
    await run_worker_burst(
        world_settings,
        github_transport=github_world.transport,
        poll_delay=0.05,
        checkpoint=checkpoint,
        max_jobs=4,
    )
    assert len(crashes) == CRASHES

    assignment = (await service_on_world.get(f"/v1/assignments/{assignment_id}")).json()
    assert assignment["status"] == "accepted", assignment
    kinds = [e["kind"] for e in assignment["timeline"]]
    assert kinds.index("assignment.invited") < kinds.index("assignment.accepted")
    async with sessionmaker() as session:
        members = (
            await session.scalars(select(GitHubDelivery).where(GitHubDelivery.event == "member"))
        ).all()
        events = (
            await session.scalars(select(OutboxEvent.type).where(OutboxEvent.assignment_id == assignment_id))
        ).all()
    assert [(d.processed_at is not None, d.outcome != "failed") for d in members] == [(True, True)]
    # The ATS hears of the acceptance like any other.
    assert "assignment.invitation_accepted" in events
