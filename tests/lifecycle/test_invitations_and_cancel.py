"""Invitations re-issued before GitHub's seven-day expiry (and the ATS told); cancellation on GitHub."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from tests.lifecycle.conftest import Life
from tests.lifecycle.test_lock_failure_and_workers import _subscribe_ats
from worksample.db.models import OutboxEvent

DAY = timedelta(days=1)


async def _invitation_ids(life: Life) -> list[int]:
    async with life.world.user_client("octocat") as candidate:
        response = await candidate.get("/user/repository_invitations")
    assert response.status_code == 200, response.text
    return [i["id"] for i in response.json()]


async def test_unaccepted_invitation_is_reissued_and_the_ats_told(life: Life) -> None:
    await _subscribe_ats(life)
    await life.create()
    first = await _invitation_ids(life)
    assert len(first) == 1

    await life.advance(5 * DAY)
    await life.tick()
    assert await _invitation_ids(life) == first
    await life.advance(DAY + timedelta(minutes=1))
    await life.tick()
    await life.tick()
    second = await _invitation_ids(life)
    assert len(second) == 1
    assert second != first
    state = await life.lifecycle()
    assert state["reinvite_count"] == 1
    async with life.sessionmaker() as session:
        bodies = (
            await session.scalars(
                select(OutboxEvent.body).where(OutboxEvent.type == "assignment.invitation_reissued")
            )
        ).all()
    assert [json.loads(b)["data"]["reissue_count"] for b in bodies] == [1]

    # Past the first invitation's seven days the fresh one still works (accepting answers 204).
    await life.advance(2 * DAY)
    await life.accept()
    assert await life.permission() == "write"


async def test_cancel_revokes_access_and_archives(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.drain()
    assert await life.permission() == "write"
    response = await life.api.post(
        f"/v1/assignments/{life.assignment_id}/cancel", json={"reason": "withdrew"}
    )
    assert response.status_code == 200, response.text
    await life.tick()
    assert await life.permission() == "none"
    assert (await life.repo_state())["archived"] is True
    state = await life.lifecycle()
    assert state["archived_at"] is not None
    assert [f["kind"] for f in state["firings"]] == ["cancel"]
    await life.tick()
    assert [f["kind"] for f in (await life.lifecycle())["firings"]] == ["cancel"]


async def test_cancel_before_acceptance_withdraws_the_invitation(life: Life) -> None:
    await life.create()
    assert len(await _invitation_ids(life)) == 1
    response = await life.api.post(f"/v1/assignments/{life.assignment_id}/cancel")
    assert response.status_code == 200, response.text
    await life.tick()
    assert await _invitation_ids(life) == []
    assert "lifecycle.access_revoked" in await life.kinds()


async def test_deadline_before_acceptance_expires_and_withdraws(life: Life) -> None:
    await life.create()
    deadline = (life.clock.now() + 2 * DAY).isoformat()
    response = await life.api.post(
        f"/v1/assignments/{life.assignment_id}/extend", json={"deadline": deadline}
    )
    assert response.status_code == 200, response.text
    await life.advance(2 * DAY + timedelta(minutes=1))
    await life.tick()
    assert (await life.assignment())["status"] == "expired"
    assert await _invitation_ids(life) == []
