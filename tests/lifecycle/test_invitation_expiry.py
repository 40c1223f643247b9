"""A time-limited assignment whose invitations are never accepted: re-issued a bounded number of
times, then expired when GitHub lets the last one lapse (the ATS is told, with no deadline), then
archived and, after the retention period, purged like any other finished assignment."""

from __future__ import annotations

from datetime import timedelta

from tests.lifecycle.conftest import Life
from tests.lifecycle.test_erase_scope import _subscribe

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


async def _pending_invitations(life: Life) -> int:
    async with life.world.user_client("octocat") as candidate:
        response = await candidate.get("/user/repository_invitations")
    assert response.status_code == 200, response.text
    return len(response.json())


async def test_unaccepted_invitation_expires_after_the_last_one_lapses(life: Life) -> None:
    await _subscribe(life)
    await life.create()
    state = await life.lifecycle()
    assert (state["deadline_at"], state["time_limit_hours"]) == (None, 48)

    for count in (1, 2, 3):
        await life.advance(6 * DAY + MINUTE)
        await life.tick()
        assert (await life.lifecycle())["reinvite_count"] == count
    # No fourth invitation; the third one is still good for a day.
    await life.advance(6 * DAY)
    await life.tick()
    state = await life.lifecycle()
    assert (state["status"], state["reinvite_count"]) == ("invited", 3)
    assert await _pending_invitations(life) == 1

    await life.advance(DAY + MINUTE)
    await life.tick()
    state = await life.lifecycle()
    assert state["status"] == "expired"
    assert "expire" in [f["kind"] for f in state["firings"]]
    assert await _pending_invitations(life) == 0
    [expired] = await life.ats_events("assignment.expired")
    assert expired["deadline_at"] is None

    # Finished like any other: archived at once, purged after the retention period.
    assert (await life.repo_state())["archived"] is True
    await life.advance(90 * DAY + MINUTE)
    await life.tick()
    assert (await life.lifecycle())["purged_at"] is not None
    assert await life.repo_state() == {}
