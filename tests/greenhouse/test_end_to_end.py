"""Greenhouse end to end, through the front doors only.

list_tests → send_test → the invitation e-mail reaches a real SMTP server → the candidate opens the
link and signs in through the simulator's OAuth → the real worker provisions the repository → the
candidate opens a PR, the lead engineer reviews with a filled scorecard (webhooks into the service,
worker runs them) → the completion PATCH reaches a real HTTP server playing Greenhouse →
test_status says complete, with the score and flat metadata.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import run_worker_burst
from tests.greenhouse.conftest import LEAD, FakeGreenhouse, Service, SmtpServer
from tests.review.flow import FILLED, Flow

CANDIDATE = "octocat"


def send_body(url: str, **candidate: Any) -> dict[str, Any]:
    return {
        "partner_test_id": "test-sample",
        "candidate": {
            "first_name": "Mona",
            "last_name": "Lisa",
            "preferred_name": None,
            "email": "mona@example.org",
            "greenhouse_profile_url": "https://app.greenhouse.io/people/1234?application_id=5678",
            **candidate,
        },
        "sent_by": "recruiter@acme.test",
        "url": url,
    }


async def test_greenhouse_plays_a_test_from_send_to_complete(
    greenhouse: Service, smtp: SmtpServer, fake_greenhouse: FakeGreenhouse
) -> None:
    api = greenhouse.client
    await greenhouse.set_default_reviewers()

    listed = await api.get("/greenhouse/list_tests", auth=greenhouse.basic)
    assert listed.status_code == 200, listed.text
    assert {"partner_test_id": "test-sample", "partner_test_name": "Test sample"} in listed.json()

    sent = await api.post(
        "/greenhouse/send_test", json=send_body(fake_greenhouse.url()), auth=greenhouse.basic
    )
    assert sent.status_code == 200, sent.text
    interview_id = sent.json()["partner_interview_id"]

    status = await api.get(
        "/greenhouse/test_status", params={"partner_interview_id": interview_id}, auth=greenhouse.basic
    )
    assert status.status_code == 200, status.text
    assert status.json()["partner_status"] == "requested"
    assert status.json()["partner_score"] is None

    # The invitation went through a real SMTP server to the address Greenhouse gave.
    assert len(smtp.messages) == 1
    mail = smtp.messages[0]
    assert mail["To"] == "mona@example.org"
    assert "Test sample" in mail["Subject"]
    link = smtp.mailbox.link_in(mail)

    signed_in = await greenhouse.sign_in_through_invitation(link, CANDIDATE)
    assert signed_in.status_code == 200, signed_in.text
    assert "You are all set" in signed_in.text

    flow = Flow(api=api, world=greenhouse.world, settings=greenhouse.settings)
    flow.api.headers["Authorization"] = f"Bearer {greenhouse.key}"
    flow.assignment_id = interview_id
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "invited", assignment
    assert assignment["candidate"]["login"] == CANDIDATE
    assert assignment["candidate"]["github_id"] == greenhouse.world.users[CANDIDATE]["id"]
    assert [r["login"] for r in assignment["reviewers"]] == [LEAD, "second-eng"]
    flow.full_name = assignment["repo_url"].removeprefix("http://sandbox/")

    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    await flow.review(LEAD, FILLED, "APPROVE")
    await flow.drain()
    assert (await flow.assignment())["status"] == "scored"

    # The worker sent the PATCH right after the job that scored (test_completion_at_once.py).
    assert fake_greenhouse.received, "no completion PATCH reached Greenhouse"
    patch = fake_greenhouse.received[0]
    assert patch.method == "PATCH"
    assert patch.path == "/assessment/complete/4321"
    assert patch.body == b""
    assert fake_greenhouse.basic_key() == greenhouse.key

    final = await api.get(
        "/greenhouse/test_status", params={"partner_interview_id": interview_id}, auth=greenhouse.basic
    )
    body = final.json()
    assert body["partner_status"] == "complete"
    assert body["partner_score"] == 77.8
    assert body["partner_profile_url"] == f"{greenhouse.settings.public_url}/results/{interview_id}"
    metadata = body["metadata"]
    assert all(v is None or isinstance(v, str | int | float | bool) for v in metadata.values())
    assert metadata["lead_engineer"] == LEAD
    assert metadata["lead_recommendation"] == "hire"
    assert metadata["pull_request_url"].endswith(f"/pull/{flow.pr_number}")
    assert metadata["criterion.clarity"] == 100.0
    assert metadata["criterion.risk"] == 33.3

    # Delivered once: another worker run sends nothing more.
    await run_worker_burst(greenhouse.settings, github_transport=greenhouse.world.transport)
    assert len(fake_greenhouse.received) == 1
    timeline = [e["kind"] for e in (await flow.assignment())["timeline"]]
    assert "candidate.signed_in" in timeline
    assert "greenhouse.completion_attempt" in timeline
