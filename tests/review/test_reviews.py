"""Who counts, what a bad scorecard gets back, edits and dismissals — all through webhooks."""

from __future__ import annotations

from tests.review.flow import CANDIDATE, ENGINEER, FILLED, LEAD, Flow
from worksample.scoring import FEEDBACK_MARKER

LEAD_ONLY = [{"login": LEAD, "role": "lead"}]


async def submitted(flow: Flow, reviewers: list[dict[str, str]] | None = None) -> None:
    await flow.create(reviewers)
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    assert (await flow.assignment())["status"] == "submitted"


def kinds(assignment: dict[str, object]) -> list[str]:
    timeline = assignment["timeline"]
    assert isinstance(timeline, list)
    return [entry["kind"] for entry in timeline]


async def test_self_review_by_the_candidate_is_ignored(flow: Flow) -> None:
    await submitted(flow)
    review_id = await flow.review(CANDIDATE, FILLED, "COMMENT")
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "submitted"
    assert assignment["score"] is None
    assert await flow.reviews_in_db() == [(review_id, "commented", "the candidate's own review", None, 1)]
    ignored = [e for e in assignment["timeline"] if e["kind"] == "review.ignored"]
    assert [e["detail"]["login"] for e in ignored] == [CANDIDATE]


async def test_review_by_someone_not_assigned_is_ignored(flow: Flow) -> None:
    # second-eng can read the repository (org member) but is not one of this assignment's reviewers.
    await submitted(flow, LEAD_ONLY)
    review_id = await flow.review(ENGINEER, FILLED, "APPROVE")
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["score"] is None
    assert assignment["status"] == "submitted"
    assert await flow.reviews_in_db() == [
        (review_id, "approved", "not one of the assignment's reviewers", None, 1)
    ]
    assert not [c for c in await flow.comments() if FEEDBACK_MARKER in c["body"]]


async def test_malformed_scorecard_gets_one_reply_then_an_edit_scores(flow: Flow) -> None:
    await submitted(flow, LEAD_ONLY)
    review_id = await flow.review(LEAD, "clarity: 7/4\n", "APPROVE")
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "in_review"
    assert assignment["score"] is None
    assert await flow.reviews_in_db() == [(review_id, "approved", None, "incomplete", 1)]
    replies = [c["body"] for c in await flow.comments() if FEEDBACK_MARKER in c["body"]]
    assert len(replies) == 1
    assert f"@{LEAD}" in replies[0]
    assert "**clarity**" in replies[0]
    assert "**risk**" in replies[0]

    # A redelivery of the same review changes nothing: no second reply.
    deliveries = (await flow.world.control.get("/_sandbox/deliveries")).json()
    submitted_delivery = next(d for d in deliveries if d["event"] == "pull_request_review")
    response = await flow.world.control.post(f"/_sandbox/deliveries/{submitted_delivery['id']}/redeliver")
    assert response.status_code in (200, 201, 202), response.text
    await flow.drain()
    assert len([c for c in await flow.comments() if FEEDBACK_MARKER in c["body"]]) == 1

    await flow.edit_review(LEAD, review_id, FILLED)
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["score"] == 77.8
    assert assignment["status"] == "scored"
    assert await flow.reviews_in_db() == [(review_id, "approved", None, "complete", 2)]
    assert "score.changed" in kinds(assignment)


async def test_an_edit_re_scores(flow: Flow) -> None:
    await flow.create()
    await flow.require_all_reviewers()
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    review_id = await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    assert (await flow.assignment())["score"] == 77.8
    await flow.edit_review(LEAD, review_id, "clarity: 4\nrisk: 4\n")
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["score"] == 100.0
    assert assignment["status"] == "in_review"
    assert kinds(assignment).count("score.changed") == 2
    assert await flow.reviews_in_db() == [(review_id, "approved", None, "complete", 2)]


async def test_a_dismissed_review_withdraws_its_score(flow: Flow) -> None:
    await flow.create()
    await flow.require_all_reviewers()
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    lead_review = await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    assert (await flow.assignment())["score"] == 77.8
    await flow.dismiss_review(lead_review)
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["score"] is None
    assert "score.withdrawn" in kinds(assignment)
    # The engineer's scorecard is then the only one that counts.
    await flow.review(ENGINEER, "clarity: 2\nrisk: 2\n", "REQUEST_CHANGES")
    await flow.drain()
    assert (await flow.assignment())["score"] == 33.3
    states = {review_id: state for review_id, state, *_ in await flow.reviews_in_db()}
    assert states[lead_review] == "dismissed"


async def test_a_scorecard_in_a_plain_comment_is_recorded_as_ignored(flow: Flow) -> None:
    await submitted(flow, LEAD_ONLY)
    async with flow.world.user_client(LEAD) as lead:
        response = await lead.post(
            f"/repos/{flow.full_name}/issues/{flow.pr_number}/comments", json={"body": FILLED}
        )
    assert response.status_code == 201, response.text
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["score"] is None
    ignored = [e["detail"] for e in assignment["timeline"] if e["kind"] == "review.comment_ignored"]
    assert [(d["login"], d["reason"]) for d in ignored] == [(LEAD, "scorecards count only in reviews")]
    # Our own scorecard comment (posted by the App when the PR opened) is not on the timeline.
    assert len(ignored) == 1
