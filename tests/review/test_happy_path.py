"""The loop the issue asks for: PR → reviewers requested + scorecard → filled scorecard → weighted score."""

from __future__ import annotations

from tests.review.flow import ENGINEER, FILLED, LEAD, Flow
from worksample.scoring import SCORECARD_MARKER


async def test_pull_request_to_weighted_score(flow: Flow) -> None:
    await flow.create()
    await flow.require_all_reviewers()
    await flow.accept()
    await flow.drain()
    assert (await flow.assignment())["status"] == "accepted"

    await flow.open_pr()
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "submitted"
    assert assignment["pr_url"].endswith(f"/pull/{flow.pr_number}")
    pull = await flow.pull()
    assert [u["login"] for u in pull["requested_reviewers"]] == [LEAD, ENGINEER]
    comments = await flow.comments()
    assert len(comments) == 1
    assert SCORECARD_MARKER in comments[0]["body"]
    assert f"/review/{flow.assignment_id}" in comments[0]["body"]
    assert "rollout plan" not in comments[0]["body"]  # the reviewer guide stays out of the candidate's PR

    await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    assignment = await flow.assignment()
    # clarity 4 (weight 2) and risk 2 (weight 1): 100 × (2·3 + 1·1) / (3·3) = 77.8
    assert assignment["score"] == 77.8
    # This organisation waits for every weighted reviewer (the default scores at the lead's).
    assert assignment["status"] == "in_review"
    kinds = [e["kind"] for e in assignment["timeline"]]
    assert kinds.count("review.scorecard_posted") == 1

    # The second engineer's review re-scores: the lead weighs 3, the engineer 1.
    await flow.review(ENGINEER, "clarity: 2\nrisk: 2\n", "REQUEST_CHANGES")
    await flow.drain()
    # engineer: 100 × (2·1 + 1·1) / 9 = 33.3; (3 × 77.8 + 1 × 33.3) / 4 = 66.7
    assignment = await flow.assignment()
    assert assignment["score"] == 66.7
    assert [e["to_status"] for e in assignment["timeline"] if e["to_status"]][-4:] == [
        "accepted",
        "submitted",
        "in_review",
        "scored",
    ]
    # One scorecard comment, whatever ran twice.
    assert sum(SCORECARD_MARKER in c["body"] for c in await flow.comments()) == 1
