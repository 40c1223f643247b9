"""A scored assignment whose counted scorecard is dismissed goes back to in_review, and the ATS is told.

Staying ``scored`` with the score gone would leave the ATS with a final result that no longer
stands, and the lifecycle would archive the repository (its timer runs only while scored) before
anyone could review again.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from tests.review.flow import ENGINEER, FILLED, LEAD, Flow
from worksample.db.models import OutboxEvent

EVENTS = ["assignment.scored", "assignment.score_withdrawn"]


async def subscribe_ats(flow: Flow) -> None:
    response = await flow.api.post(
        "/v1/endpoints", json={"url": "https://ats.example.com/hooks", "event_types": EVENTS}
    )
    assert response.status_code == 201, response.text


async def ats_events(flow: Flow) -> list[tuple[str, dict[str, Any]]]:
    rows = await flow.sql(
        select(OutboxEvent.type, OutboxEvent.body).where(OutboxEvent.assignment_id == flow.assignment_id)
    )
    events = [(kind, json.loads(body)["data"]) for kind, body in rows]
    return sorted(events, key=lambda event: int(event[1]["version"]))


def status_changes(assignment: dict[str, Any]) -> list[tuple[str | None, str | None]]:
    return [(e["from_status"], e["to_status"]) for e in assignment["timeline"] if e["to_status"]]


async def test_dismissing_the_only_counted_scorecard_reopens_the_review(flow: Flow) -> None:
    await flow.create([{"login": LEAD, "role": "lead"}])
    await subscribe_ats(flow)
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    review_id = await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    assignment = await flow.assignment()
    assert (assignment["status"], assignment["score"]) == ("scored", 77.8)

    await flow.dismiss_review(review_id)
    await flow.drain()
    assignment = await flow.assignment()
    assert (assignment["status"], assignment["score"]) == ("in_review", None)
    assert status_changes(assignment)[-2:] == [("in_review", "scored"), ("scored", "in_review")]
    assert [e["kind"] for e in assignment["timeline"]].count("score.withdrawn") == 1
    events = await ats_events(flow)
    assert [(kind, data["status"]) for kind, data in events] == [
        ("assignment.scored", "scored"),
        ("assignment.score_withdrawn", "in_review"),
    ]
    withdrawn = events[-1][1]
    assert withdrawn["previous_score"] == 77.8
    assert withdrawn["pull_request_url"].endswith(f"/pull/{flow.pr_number}")
    assert withdrawn["version"] > events[0][1]["version"]

    # The repository is still open, so the lead can score again: scored once more, and announced.
    await flow.review(LEAD, "clarity: 3\nrisk: 3\n", "APPROVE")
    await flow.drain()
    assignment = await flow.assignment()
    assert (assignment["status"], assignment["score"]) == ("scored", 66.7)
    events = await ats_events(flow)
    assert [(kind, data["status"], data.get("score")) for kind, data in events][-1] == (
        "assignment.scored",
        "scored",
        66.7,
    )


async def test_dismissing_the_leads_scorecard_reopens_with_the_engineers_score(flow: Flow) -> None:
    # Default policy: scored once the lead's scorecard counts; the engineer's alone does not finish it.
    await flow.create()
    await subscribe_ats(flow)
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    await flow.review(ENGINEER, "clarity: 2\nrisk: 2\n", "REQUEST_CHANGES")
    lead_review = await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    assert (await flow.assignment())["status"] == "scored"

    await flow.dismiss_review(lead_review)
    await flow.drain()
    assignment = await flow.assignment()
    assert (assignment["status"], assignment["score"]) == ("in_review", 33.3)
    kind, data = (await ats_events(flow))[-1]
    # A score is left, so the ATS gets it, with the status that says it is not final.
    assert (kind, data["status"], data["score"]) == ("assignment.scored", "in_review", 33.3)
    assert [r["login"] for r in data["reviewers"]] == [ENGINEER]
