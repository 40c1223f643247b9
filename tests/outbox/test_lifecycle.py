"""One assignment from request to score, driven as people drive it (the API, then candidate and
reviewer on the simulated GitHub), with the burst worker: every event reaches the ATS, verifies,
matches its schema, and carries a version of its own that grows with each change."""

from __future__ import annotations

import httpx

from tests.conftest import GitHubWorld
from tests.outbox.ats import create_endpoint, received_events, verified
from tests.outbox.receiver import Receiver
from tests.review.flow import FILLED, LEAD, Flow
from worksample.config import Settings
from worksample.outbox import events


async def test_request_to_score_reaches_the_ats_in_order(
    service_on_world: httpx.AsyncClient, github_world: GitHubWorld, world_settings: Settings, ats: Receiver
) -> None:
    endpoint = await create_endpoint(service_on_world, f"{ats.base_url}/ok")
    flow = Flow(api=service_on_world, world=github_world, settings=world_settings)

    await flow.create()
    await flow.accept()
    await flow.drain()
    await flow.open_pr()
    await flow.drain()
    await flow.review(LEAD, FILLED)
    await flow.drain()

    payloads = [verified(received, endpoint["secret"]) for received in received_events(ats, "/ok")]
    types = [p["type"] for p in payloads]
    assert types[:4] == [
        events.ASSIGNMENT_CREATED,
        events.ASSIGNMENT_PROVISIONED,
        events.ASSIGNMENT_INVITATION_ACCEPTED,
        events.ASSIGNMENT_SUBMITTED,
    ], types
    # One review raises both, in one transaction; they may arrive in either order, but their
    # versions differ, so a receiver keeping the newest version knows which is the latest.
    assert sorted(types[4:]) == [events.ASSIGNMENT_REVIEW_SUBMITTED, events.ASSIGNMENT_SCORED], types
    versions = [p["data"]["version"] for p in payloads]
    assert versions[:4] == sorted(versions[:4])
    assert len(set(versions)) == len(versions), versions
    assert min(versions[4:]) > versions[3]
    assert {p["data"]["assignment_id"] for p in payloads} == {flow.assignment_id}

    submitted = payloads[3]["data"]
    assert submitted["pull_request_url"].endswith(f"/pull/{flow.pr_number}")
    assert submitted["on_time"] is True
    (scored,) = [p["data"] for p in payloads if p["type"] == events.ASSIGNMENT_SCORED]
    assert 0 <= scored["score"] <= 100
    assert scored["recommendation"] in {"hire", "no_hire", "no_decision"}
    (lead,) = [r for r in scored["reviewers"] if r["login"] == LEAD]
    assert (lead["review_state"], lead["recommendation"]) == ("approved", "hire")
    assert all(LEAD in c["scores"] for c in scored["criteria"])
    # The status may move on without an event (in_review, scored), so the API can be ahead.
    latest = (await service_on_world.get(f"/v1/assignments/{flow.assignment_id}")).json()["version"]
    assert latest >= max(versions)
