"""A reminder reaches the candidate once, even when the worker dies between posting it and
recording that it did; and the usual reminder costs one GitHub call, no lookup."""

from __future__ import annotations

import fnmatch
from datetime import timedelta
from typing import Any

import httpx

from tests.conftest import run_worker_burst
from tests.lifecycle.conftest import Life

HOUR = timedelta(hours=1)
COMMENTS = "/repos/*/issues/*/comments"


class AnswerLost(httpx.AsyncBaseTransport):
    """GitHub does what the first matching request asks, but its answer never comes back: the
    worker fails right after the post, before its transaction commits, as if it had died there."""

    def __init__(self, inner: httpx.AsyncBaseTransport, method: str, path: str) -> None:
        self.inner, self.method, self.path = inner, method, path
        self.lost = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if (
            not self.lost
            and request.method == self.method
            and fnmatch.fnmatchcase(request.url.path, self.path)
        ):
            self.lost += 1
            await response.aclose()
            raise httpx.ReadError("connection reset before the answer arrived", request=request)
        return response


def note_calls(calls: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The installation's calls reading or writing comments and issues, in order."""
    return [
        (c["method"], c["status"])
        for c in calls
        if str(c["actor"]).startswith("installation") and "/issues" in c["path"]
    ]


async def first_reminder_due(life: Life) -> int:
    """A submitted assignment, the clock just past its 24 h reminder; how many GitHub calls so far."""
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()
    await life.advance(24 * HOUR + timedelta(minutes=1))
    return len(await life.world.calls())


async def reminders(life: Life) -> list[dict[str, Any]]:
    return [c for c in await life.comments() if c["body"].startswith("Reminder")]


async def test_a_reminder_posted_before_a_crash_is_not_posted_again(life: Life) -> None:
    before = await first_reminder_due(life)

    lossy = AnswerLost(life.world.transport, "POST", COMMENTS)
    await run_worker_burst(life.settings, github_transport=lossy, poll_delay=0.05, clock=life.clock)
    assert lossy.lost == 1
    assert len(await reminders(life)) == 1
    # Claimed, never finished.
    assert [(f["kind"], f["done_at"]) for f in (await life.lifecycle())["firings"]] == [
        ("reminder:24h", None)
    ]

    # Within the dead worker's lease nobody touches the firing.
    await life.tick()
    assert len(await reminders(life)) == 1
    # After it, another worker takes the firing over, finds the reminder and does not repeat it.
    await life.advance(timedelta(seconds=life.settings.lifecycle_lease_seconds + 60))
    await life.tick()
    comments = await reminders(life)
    assert len(comments) == 1
    assert "<!-- worksample:note" in comments[0]["body"]
    state = await life.lifecycle()
    assert [(f["kind"], f["outcome"]) for f in state["firings"]] == [
        ("reminder:24h", "reminded (24h) before a crash; not posted again")
    ]
    assert state["firings"][0]["done_at"] is not None
    assert (await life.kinds()).count("lifecycle.reminder_sent") == 1
    # One post (the lost answer), then one lookup of the pull request's comments.
    assert note_calls((await life.world.calls())[before:]) == [("POST", 201), ("GET", 200)]


async def test_the_usual_reminder_is_one_call_without_a_lookup(life: Life) -> None:
    before = await first_reminder_due(life)
    await life.tick()
    assert note_calls((await life.world.calls())[before:]) == [("POST", 201)]
    assert len(await reminders(life)) == 1
