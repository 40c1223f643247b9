"""Through the shared fixtures: API → real arq worker → simulator, and the API then says `invited`."""

from __future__ import annotations

import httpx

from tests.conftest import GitHubWorld, run_worker_burst
from worksample.config import Settings

REQUEST = {
    "candidate": {"login": "octocat", "name": "Mona Lisa"},
    "artifact_id": "test-sample",
    "variables": {"company": "Globex"},
    "reviewers": [{"login": "lead-eng", "role": "lead"}, {"login": "second-eng", "role": "engineer"}],
}


async def test_requested_assignment_ends_invited_with_repo_url(
    service_on_world: httpx.AsyncClient, world_settings: Settings, github_world: GitHubWorld
) -> None:
    key = {"Idempotency-Key": "e2e-1"}
    created = await service_on_world.post("/v1/assignments", json=REQUEST, headers=key)
    assert created.status_code == 201, created.text
    assignment_id = created.json()["id"]

    await run_worker_burst(world_settings, github_transport=github_world.transport)

    response = await service_on_world.get(f"/v1/assignments/{assignment_id}")
    body = response.json()
    assert body["status"] == "invited", body
    assert body["version"] == 3
    assert body["repo_url"] is not None
    assert body["repo_url"].startswith(f"http://sandbox/{github_world.org}/")
    statuses = [e["to_status"] for e in body["timeline"] if e["to_status"]]
    assert statuses == ["requested", "provisioning", "invited"]

    # The candidate can see the invitation with their own token, as on github.com.
    async with github_world.user_client("octocat") as candidate:
        invitations = (await candidate.get("/user/repository_invitations")).json()
    assert [i["repository"]["html_url"] for i in invitations] == [body["repo_url"]]

    # A retried request with the same key still answers with the first result and queues nothing new.
    retry = await service_on_world.post("/v1/assignments", json=REQUEST, headers=key)
    assert retry.json()["id"] == assignment_id
    assert retry.json()["status"] == "requested"
