"""What GitHub will not take does not cost the service what it was told: a reply or a review request
refused (the repository archived while deliveries waited) leaves the review or the submission
recorded; and a comment-only review without a scorecard gets no reply at all."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from tests.review.flow import CANDIDATE, LEAD, Flow
from worksample.db.models import GitHubDelivery
from worksample.scoring import FEEDBACK_MARKER

LEAD_ONLY = [{"login": LEAD, "role": "lead"}]


async def archive_repository(flow: Flow) -> None:
    """What the lifecycle does after a cancellation or the scored grace period, done by the App."""
    owner, name = flow.full_name.split("/")
    response = await flow.app_client().rest.repos.async_update(owner, name, archived=True)
    assert response.status_code == 200


def timeline(assignment: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["detail"] for e in assignment["timeline"] if e["kind"] == kind]


async def feedback_replies(flow: Flow) -> int:
    return sum(FEEDBACK_MARKER in c["body"] for c in await flow.comments())


async def deliveries(flow: Flow, event: str) -> list[tuple[str | None, str | None]]:
    """(outcome, last error) of every processed delivery of ``event``."""
    rows: list[tuple[str | None, str | None]] = await flow.sql(
        select(GitHubDelivery.outcome, GitHubDelivery.last_error).where(
            GitHubDelivery.event == event, GitHubDelivery.processed_at.is_not(None)
        )
    )
    return rows


async def test_comment_only_reviews_get_no_scorecard_reply(flow: Flow) -> None:
    await flow.create(LEAD_ONLY)
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    # Questions to the candidate: conversation, not a scorecard attempt.
    await flow.review(LEAD, "Why roll out to the EU first?", "COMMENT")
    await flow.review(LEAD, "And how would you roll back?", "COMMENT")
    await flow.drain()
    assert await feedback_replies(flow) == 0
    assert [(state, status) for _, state, _, status, _ in await flow.reviews_in_db()] == [
        ("commented", "absent"),
        ("commented", "absent"),
    ]
    assert (await flow.assignment())["status"] == "in_review"
    # A verdict without a scorecard is what the reply is for.
    await flow.review(LEAD, "LGTM", "APPROVE")
    await flow.drain()
    assert await feedback_replies(flow) == 1


async def test_a_review_processed_after_the_repository_was_archived_is_recorded(flow: Flow) -> None:
    await flow.create(LEAD_ONLY)
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    review_id = await flow.review(LEAD, "clarity: 7/4\n", "APPROVE")
    # The delivery is in (recorded by the intake) but not processed when the repository is archived.
    await flow.world.sim.state.sandbox.webhooks.flush()
    await archive_repository(flow)
    await flow.drain()
    assert await flow.reviews_in_db() == [(review_id, "approved", None, "incomplete", 1)]
    assignment = await flow.assignment()
    assert assignment["status"] == "in_review"
    [refused] = timeline(assignment, "review.feedback_refused")
    assert "archived" in refused["reason"]
    assert await feedback_replies(flow) == 0
    assert [error for _, error in await deliveries(flow, "pull_request_review")] == [None]


async def test_a_pull_request_processed_after_the_repository_was_archived_is_the_submission(
    flow: Flow,
) -> None:
    await flow.create(LEAD_ONLY)
    await flow.accept()
    await flow.drain()
    await flow.open_pr()
    await flow.world.sim.state.sandbox.webhooks.flush()
    await archive_repository(flow)
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "submitted"
    assert assignment["pr_url"].endswith(f"/pull/{flow.pr_number}")
    assert [d["login"] for d in timeline(assignment, "review.request_refused")] == [LEAD]
    assert len(timeline(assignment, "review.scorecard_refused")) == 1
    assert [error for _, error in await deliveries(flow, "pull_request")] == [None]
    # Nothing reached the candidate's pull request.
    async with flow.world.user_client(CANDIDATE) as candidate:
        comments = await candidate.get(f"/repos/{flow.full_name}/issues/{flow.pr_number}/comments")
    assert comments.json() == []
