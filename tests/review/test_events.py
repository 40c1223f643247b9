"""Domain events for the ATS: one assignment.review_submitted per review revision, and
assignment.scored whenever the score's data changes (never for a duplicate delivery)."""

from __future__ import annotations

import json

from sqlalchemy import select

from tests.review.flow import FILLED, LEAD, Flow
from worksample.db.models import OutboxEvent


async def test_review_and_score_events_are_emitted_once_per_change(flow: Flow) -> None:
    await flow.create()
    await flow.require_all_reviewers()
    response = await flow.api.post(
        "/v1/endpoints",
        json={
            "url": "https://ats.example.com/hooks",
            "event_types": ["assignment.review_submitted", "assignment.scored"],
        },
    )
    assert response.status_code == 201, response.text
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    await flow.fault("duplicate")
    review_id = await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    await flow.edit_review(LEAD, review_id, "clarity: 3\nrisk: 3\n")
    await flow.drain()

    rows = await flow.sql(
        select(OutboxEvent.type, OutboxEvent.body)
        .where(OutboxEvent.assignment_id == flow.assignment_id)
        .order_by(OutboxEvent.created_at)
    )
    events = [(kind, json.loads(body)["data"]) for kind, body in rows]
    reviews = [data for kind, data in events if kind == "assignment.review_submitted"]
    scored = [data for kind, data in events if kind == "assignment.scored"]
    assert [(r["reviewer"]["login"], r["reviewer"]["score"], r["complete"]) for r in reviews] == [
        (LEAD, 77.8, True),
        (LEAD, 66.7, True),
    ]
    assert [s["score"] for s in scored] == [77.8, 66.7]
    assert all(s["status"] == "in_review" for s in scored)
    assert scored[-1]["reviewers"][0]["review_url"].endswith(f"#pullrequestreview-{review_id}")
    assert scored[-1]["pull_request_url"].endswith(f"/pull/{flow.pr_number}")
    assert {c["id"] for c in scored[-1]["criteria"]} == {"clarity", "risk"}
