"""Duplicated, reordered, lost and early deliveries end in the state of the in-order stream."""

from __future__ import annotations

from typing import Any

import pytest

from tests.review.flow import ENGINEER, FILLED, LEAD, Flow
from worksample.scoring import FEEDBACK_MARKER, SCORECARD_MARKER

ENGINEER_CARD = "clarity: 2\nrisk: 2\n"


async def final_state(flow: Flow) -> dict[str, Any]:
    assignment = await flow.assignment()
    comments = await flow.comments()
    pull = await flow.pull()
    return {
        "status": assignment["status"],
        "score": assignment["score"],
        "pr_url": assignment["pr_url"],
        "reviews": [(state, ignored, status) for _, state, ignored, status, _ in await flow.reviews_in_db()],
        "scorecards": sum(SCORECARD_MARKER in c["body"] for c in comments),
        "feedback": sum(FEEDBACK_MARKER in c["body"] for c in comments),
        "requested": sorted(u["login"] for u in pull["requested_reviewers"]),
    }


async def run_stream(flow: Flow, *, fault: str | None) -> dict[str, Any]:
    """Accept, open the PR, a malformed review edited into a filled one, a second review.

    With a fault, everything happens on GitHub before any delivery is processed, so the worker
    sees the deliveries the fault produced, in the order it produced them.
    """
    await flow.create()
    # Scored only when both have scored: the lead's scorecard alone would get the repository
    # archived (lifecycle) before the engineer could review in the in-order stream.
    await flow.require_all_reviewers()
    if fault is not None:
        await flow.fault(fault)
    await flow.accept()
    await flow.open_pr()
    if fault is None:
        await flow.drain()
    lead_review = await flow.review(LEAD, "clarity: 9\n", "APPROVE")
    if fault is None:
        await flow.drain()
    await flow.edit_review(LEAD, lead_review, FILLED)
    await flow.review(ENGINEER, ENGINEER_CARD, "REQUEST_CHANGES")
    await flow.drain()
    if fault is not None:
        await flow.fault("normal")
    return await final_state(flow)


IN_ORDER = {
    "status": "scored",
    "score": 66.7,
    "reviews": [("approved", None, "complete"), ("changes_requested", None, "complete")],
    "scorecards": 1,
    # In order, the malformed scorecard was read before its edit and got its reply.
    "feedback": 1,
    # Reviewing takes a person off the requested list, as on GitHub.
    "requested": [],
}


async def test_in_order_stream(flow: Flow) -> None:
    state = await run_stream(flow, fault=None)
    assert {k: v for k, v in state.items() if k != "pr_url"} == IN_ORDER


@pytest.mark.parametrize("fault", ["duplicate", "reorder", "before_response"])
async def test_faulty_streams_end_in_the_in_order_state(flow: Flow, fault: str) -> None:
    state = await run_stream(flow, fault=fault)
    expected = dict(IN_ORDER)
    # The edit may be read before the malformed body ever was (that is the point of re-reading
    # the review): then no reply is owed. Never more than one.
    assert state["feedback"] <= 1
    expected["feedback"] = state["feedback"]
    assert {k: v for k, v in state.items() if k != "pr_url"} == expected


async def test_lost_pull_request_webhook_is_recovered_from_the_review(flow: Flow) -> None:
    await flow.create()
    await flow.accept()
    await flow.drain()
    await flow.fault("drop", count=1)
    await flow.open_pr()
    await flow.world.sim.state.sandbox.webhooks.flush()
    await flow.fault("normal")
    await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "scored"
    assert assignment["score"] == 77.8
    assert assignment["pr_url"].endswith(f"/pull/{flow.pr_number}")
    # Routing happened on the review's event instead: the engineer was asked, the scorecard posted.
    assert (await final_state(flow))["requested"] == [ENGINEER]
    assert (await final_state(flow))["scorecards"] == 1


async def test_a_second_pull_request_seen_first_does_not_become_the_submission(flow: Flow) -> None:
    await flow.create()
    await flow.accept()
    await flow.drain()
    await flow.fault("drop", count=1)
    first = await flow.open_pr()
    await flow.world.sim.state.sandbox.webhooks.flush()
    await flow.fault("normal")
    # The first PR's webhook is lost; the service first hears of the candidate's second one.
    second = await flow.open_pr(branch="second-answer")
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "submitted"
    assert assignment["pr_url"].endswith(f"/pull/{first}")
    others = [e["detail"] for e in assignment["timeline"] if e["kind"] == "submission.other_pull_request"]
    assert [(d["pr_number"], d["submission_pr_number"]) for d in others] == [(second, first)]
    # Routed once, on the first PR: its scorecard comment, its reviewers asked.
    state = await final_state(flow)
    assert (state["scorecards"], state["requested"]) == (1, sorted([ENGINEER, LEAD]))
