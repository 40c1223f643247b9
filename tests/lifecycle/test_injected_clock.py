"""Every time a timer is computed from is stamped by the service's injected clock, not the system's.

Each test moves the clock (service and simulator together) *before* the step that stamps the
time: invitation, acceptance, scoring. A time stamped from the system clock would then lag the
injected one by the days moved, and the timer computed from it would fire that much too early.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.lifecycle.conftest import Life
from tests.review.flow import FILLED, LEAD

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


async def test_acceptance_starts_the_time_limit_at_the_injected_now(life: Life) -> None:
    await life.create()
    await life.advance(2 * DAY)
    await life.accept()
    await life.drain()
    state = await life.lifecycle()
    assert state["status"] == "accepted"
    deadline = datetime.fromisoformat(state["deadline_at"])
    # 48 h from acceptance as the service's clock sees it (not two days earlier).
    assert 47 * HOUR < deadline - life.clock.now() <= 48 * HOUR
    await life.open_pr()
    await life.drain()

    await life.advance(24 * HOUR + timedelta(minutes=1))
    await life.tick()
    state = await life.lifecycle()
    assert state["locked_at"] is None
    assert [f["kind"] for f in state["firings"]] == ["reminder:24h"]


async def test_reinvite_counts_from_the_injected_invitation_time(life: Life) -> None:
    body = {
        "candidate": {"login": "octocat"},
        "artifact_id": "test-sample",
        "reviewers": [{"login": LEAD, "role": "lead"}],
    }
    response = await life.api.post("/v1/assignments", json=body)
    assert response.status_code == 201, response.text
    life.assignment_id = response.json()["id"]
    # Provisioning (and so the invitation) happens three days after the request.
    await life.advance(3 * DAY)
    await life.drain()
    row = await life.row()
    assert row.candidate_invited_at is not None
    assert life.clock.now() - row.candidate_invited_at < HOUR

    # Re-issued after 144 h of the invitation's age, not of the request's.
    await life.advance(143 * HOUR)
    await life.tick()
    assert (await life.lifecycle())["reinvite_count"] == 0
    await life.advance(2 * HOUR)
    await life.tick()
    assert (await life.lifecycle())["reinvite_count"] == 1


async def test_archive_grace_period_counts_from_the_injected_score_time(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()
    # A day later: still before the 48 h deadline, so only scoring happens.
    await life.advance(DAY)
    await life.review(LEAD, FILLED)
    await life.drain()
    row = await life.row()
    assert row.status == "scored"
    assert row.scored_at is not None
    assert life.clock.now() - row.scored_at < HOUR

    # Archived 168 h after scoring by the service's clock.
    await life.advance(167 * HOUR)
    await life.tick()
    assert (await life.lifecycle())["archived_at"] is None
    await life.advance(2 * HOUR)
    await life.tick()
    assert (await life.lifecycle())["archived_at"] is not None
