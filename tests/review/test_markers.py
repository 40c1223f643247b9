"""Our hidden markers count only on our App's own comments, and a retried job does not reply twice."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import make_url, select

from tests.review.flow import CANDIDATE, LEAD, Flow
from worksample.db.models import Submission
from worksample.scoring import FEEDBACK_MARKER, SCORECARD_MARKER

LEAD_ONLY = [{"login": LEAD, "role": "lead"}]


def by_app(flow: Flow, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Comments GitHub shows as made through our App's installation."""
    return [c for c in comments if (c["performed_via_github_app"] or {}).get("id") == flow.world.app_id]


async def candidate_comments(flow: Flow, number: int, body: str) -> int:
    async with flow.world.user_client(CANDIDATE) as candidate:
        response = await candidate.post(
            f"/repos/{flow.full_name}/issues/{number}/comments", json={"body": body}
        )
    assert response.status_code == 201, response.text
    comment_id: int = response.json()["id"]
    return comment_id


async def test_the_candidates_copy_of_the_marker_does_not_stand_in_for_the_scorecard(flow: Flow) -> None:
    await flow.create(LEAD_ONLY)
    await flow.accept()
    await flow.drain()
    # The candidate quotes the marker on their draft before it is ready: routing must not adopt it.
    number = await flow.open_pr(draft=True)
    await flow.drain()
    theirs = await candidate_comments(flow, number, f"My notes {SCORECARD_MARKER}")
    await flow.ready_for_review(number)
    await flow.drain()

    comments = await flow.comments()
    ours = by_app(flow, comments)
    assert [SCORECARD_MARKER in c["body"] for c in ours] == [True]
    assert ours[0]["user"]["type"] == "Bot"
    [(recorded,)] = await flow.sql(select(Submission.scorecard_comment_id))
    assert recorded == ours[0]["id"]
    assert recorded != theirs

    # On the submitted PR, a person's comment carrying our markers is still a person's comment.
    await candidate_comments(flow, number, f"{FEEDBACK_MARKER} {SCORECARD_MARKER}")
    await flow.drain()
    assignment = await flow.assignment()
    ignored = [e["detail"]["login"] for e in assignment["timeline"] if e["kind"] == "review.comment_ignored"]
    assert ignored == [CANDIDATE]


async def test_feedback_whose_answer_was_lost_is_not_posted_again_on_retry(flow: Flow) -> None:
    await flow.create(LEAD_ONLY)
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    assert len(by_app(flow, await flow.comments())) == 1  # the scorecard
    # GitHub takes the reply but the worker hears a 502: the job fails after the write and is retried.
    response = await flow.world.control.post(
        "/_sandbox/faults",
        json={
            "method": "POST",
            "path": f"/repos/{flow.full_name}/issues/{flow.pr_number}/comments",
            "status": 502,
            "after": True,
        },
    )
    assert response.status_code == 201, response.text
    await flow.review(LEAD, "clarity: 9\n", "APPROVE")
    await flow.drain()

    feedback = [c for c in by_app(flow, await flow.comments()) if FEEDBACK_MARKER in c["body"]]
    assert len(feedback) == 1
    kinds = [e["kind"] for e in (await flow.assignment())["timeline"]]
    assert kinds.count("review.feedback_posted") == 1


async def writes_elsewhere_while_github_answers(
    flow: Flow, path: str, act: Callable[[], Awaitable[object]]
) -> None:
    """Delay GitHub's answer to the next POST on ``path``, do ``act`` and run the worker, and while
    the call is on its way take SQLite's write lock from another connection, within 2 s."""
    response = await flow.world.control.post(
        "/_sandbox/faults",
        json={"method": "POST", "path": path, "status": None, "latency_seconds": 10},
    )
    assert response.status_code == 201, response.text
    await act()
    worker = asyncio.create_task(flow.drain())
    fault = flow.world.sim.state.sandbox.faults.routes[-1]
    deadline = asyncio.get_running_loop().time() + 60
    while fault.remaining > 0:  # taken when the request arrives, before its delay
        assert asyncio.get_running_loop().time() < deadline, f"no POST {path} reached GitHub"
        assert not worker.done(), worker
        await asyncio.sleep(0.05)
    database = make_url(flow.settings.database_url).database
    assert database is not None

    def write_elsewhere() -> None:
        with sqlite3.connect(database, timeout=2.0, isolation_level=None) as other:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")

    await asyncio.to_thread(write_elsewhere)
    await worker


async def test_no_sqlite_write_lock_is_held_while_github_takes_a_review_request_or_a_reply(
    flow: Flow,
) -> None:
    """SQLite's write lock is the whole database's: while a paced write is on its way to GitHub,
    other writers (the API, the webhook intake) must get it within their busy timeout."""
    if not flow.settings.database_url.startswith("sqlite"):
        pytest.skip("PostgreSQL locks the assignment's row only")
    await flow.create(LEAD_ONLY)
    await flow.accept()
    await flow.drain()
    await writes_elsewhere_while_github_answers(
        flow, f"/repos/{flow.full_name}/pulls/*/requested_reviewers", flow.open_pr
    )
    pull = await flow.pull()
    assert [u["login"] for u in pull["requested_reviewers"]] == [LEAD]

    async def incomplete_review() -> None:
        await flow.review(LEAD, "clarity: 9\n", "APPROVE")

    await writes_elsewhere_while_github_answers(
        flow, f"/repos/{flow.full_name}/issues/*/comments", incomplete_review
    )
    ours = by_app(flow, await flow.comments())
    assert [SCORECARD_MARKER in c["body"] for c in ours] == [True, False]
    assert FEEDBACK_MARKER in ours[1]["body"]
    kinds = [e["kind"] for e in (await flow.assignment())["timeline"]]
    assert [
        kinds.count(k) for k in ("review.requested", "review.scorecard_posted", "review.feedback_posted")
    ] == [1, 1, 1]
