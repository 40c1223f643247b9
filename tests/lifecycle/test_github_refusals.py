"""GitHub saying "not now" (a secondary rate limit, a 502) leaves the deadline firing open, and a
later tick locks the repository; GitHub saying "no" closes it, and the failed lock is visible on
the assignment, in the timeline and to the ATS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.conftest import run_worker_burst
from tests.lifecycle.conftest import Life
from tests.lifecycle.test_erase_scope import _subscribe

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


async def _submitted(life: Life) -> None:
    await _subscribe(life)
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()
    assert (await life.assignment())["status"] == "submitted"


async def _tick(life: Life) -> None:
    """The real worker, deferring any rate limit longer than a second instead of sleeping on it
    (the service's default waits up to 30 s in line), so a short limit is enough to see it."""
    await life.world.sim.state.sandbox.webhooks.flush()
    await run_worker_burst(
        life.settings,
        github_transport=life.world.transport,
        poll_delay=0.05,
        clock=life.clock,
        max_rate_limit_wait=1.0,
    )
    await life.world.sim.state.sandbox.webhooks.flush()


async def _deadline_firings(life: Life) -> list[dict[str, Any]]:
    return [f for f in (await life.lifecycle())["firings"] if f["kind"] == "deadline"]


async def _configure(life: Life, **config: float) -> None:
    response = await life.world.control.patch("/_sandbox/config", json=config)
    assert response.status_code == 200, response.text


async def test_rate_limit_and_server_error_leave_the_deadline_to_a_later_tick(life: Life) -> None:
    await _submitted(life)
    # GitHub's secondary limit on writes: one per 5 s, so the lock's second write gets a 403
    # with retry-after.
    await _configure(life, content_limit_short=1, content_window_short_seconds=5)
    await life.advance(48 * HOUR + MINUTE)
    await _tick(life)
    state = await life.lifecycle()
    assert state["locked_at"] is None
    [firing] = await _deadline_firings(life)
    assert firing["done_at"] is None
    assert firing["attempts"] == 1
    assert "SecondaryRateLimitExceeded" in firing["outcome"]
    assert "lifecycle.deadline_delayed" in await life.kinds()

    # Limits back to normal, but GitHub has a bad moment on the downgrade: still not now.
    await _configure(life, content_limit_short=80, content_window_short_seconds=60)
    response = await life.world.control.post(
        "/_sandbox/faults", json={"method": "PUT", "path": "/repos/*/collaborators/*", "status": 502}
    )
    assert response.status_code == 201, response.text
    await life.advance(2 * MINUTE)
    await _tick(life)
    [firing] = await _deadline_firings(life)
    assert (firing["done_at"], firing["attempts"]) == (None, 2)
    assert await life.permission() == "write"

    # The retry after the backoff locks it, once.
    await life.advance(3 * MINUTE)
    await _tick(life)
    state = await life.lifecycle()
    assert state["locked_at"] is not None
    assert state["lock_failed"] is False
    assert await life.permission() == "read"
    [firing] = await _deadline_firings(life)
    assert firing["done_at"] is not None
    assert firing["outcome"] == "locked"
    assert (await life.kinds()).count("lifecycle.locked") == 1


async def test_a_refused_lock_is_closed_and_reported_as_failed(life: Life) -> None:
    await _submitted(life)
    # GitHub refuses the downgrade for good (every time it is asked).
    response = await life.world.control.post(
        "/_sandbox/faults",
        json={
            "method": "PUT",
            "path": "/repos/*/collaborators/*",
            "status": 422,
            "count": 10,
            "message": "Validation Failed",
        },
    )
    assert response.status_code == 201, response.text
    await life.advance(48 * HOUR + MINUTE)
    await _tick(life)
    state = await life.lifecycle()
    assert state["lock_failed"] is True
    assert "refused" in state["lock_failure"]
    assert "422" in state["lock_failure"]
    [firing] = await _deadline_firings(life)
    assert firing["done_at"] is not None
    assert "lifecycle.lock_failed" in await life.kinds()
    [data] = await life.ats_events("assignment.lock_failed")
    assert (data["expected_permission"], data["actual_permission"]) == ("read", "unknown")
    assert "422" in data["reason"]

    # Closed: later ticks do not try again.
    await life.advance(HOUR)
    await _tick(life)
    assert len(await _deadline_firings(life)) == 1
    assert await life.permission() == "write"


async def test_an_invitation_github_will_not_withdraw_still_expires_at_the_deadline(life: Life) -> None:
    await _subscribe(life)
    await life.create()
    deadline = (life.clock.now() + 2 * DAY).isoformat()
    response = await life.api.post(
        f"/v1/assignments/{life.assignment_id}/extend", json={"deadline": deadline}
    )
    assert response.status_code == 200, response.text
    response = await life.world.control.post(
        "/_sandbox/faults",
        json={
            "method": "DELETE",
            "path": "/repos/*/invitations/*",
            "status": 403,
            "count": 10,
            "message": "Resource not accessible by integration",
        },
    )
    assert response.status_code == 201, response.text
    await life.advance(2 * DAY + MINUTE)
    await _tick(life)
    state = await life.lifecycle()
    assert state["status"] == "expired"
    assert state["lock_failed"] is True
    [data] = await life.ats_events("assignment.lock_failed")
    assert "403" in data["reason"]
    assert len(await life.ats_events("assignment.expired")) == 1
