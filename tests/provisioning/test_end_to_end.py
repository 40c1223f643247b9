"""Through the front door: the API takes an assignment, the real worker provisions it on the simulator."""

from __future__ import annotations

from typing import Any

import httpx

from tests.provisioning.world import CANDIDATE, ORG, World, run_worker
from worksample.config import Settings
from worksample.jobs import PROVISION_JOB

REQUEST: dict[str, Any] = {
    "candidate": {"login": CANDIDATE, "name": "Casey Candidate"},
    "artifact_id": "test-sample",
    "variables": {"company": "Globex", "seats": 42},
    "reviewers": [{"login": "lead", "role": "lead"}, {"login": "eng", "role": "engineer"}],
}


async def create_assignment(service: httpx.AsyncClient, request: dict[str, Any] | None = None) -> str:
    response = await service.post("/v1/assignments", json=request or REQUEST)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    assert body["status"] == "requested"
    return str(body["id"])


async def test_assignment_is_provisioned_and_candidate_invited(
    service: httpx.AsyncClient, gh_settings: Settings, world: World, arq_pool: Any
) -> None:
    assignment_id = await create_assignment(service)
    queued = await arq_pool.queued_jobs(queue_name=gh_settings.queue_name)
    assert [job.function for job in queued] == [PROVISION_JOB]

    await run_worker(gh_settings, world)

    response = await service.get(f"/v1/assignments/{assignment_id}")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "invited", body
    repo_name = f"test-sample-{CANDIDATE}"
    assert body["repo_url"] == f"http://sandbox/{ORG}/{repo_name}"

    repo = await world.repo(repo_name)
    assert repo is not None
    assert repo["private"] is True
    main = repo["branches"][repo["default_branch"]]
    # The rendered work sample, in exactly one commit (the auto_init commit is replaced).
    assert main["commits"] == 1
    assert main["files"] == {
        "NOTES.txt": "Plain file, copied as is.\n",
        "README.md": "# Globex API deprecation\n\nGlobex has 42 seats.\n",
    }
    assert [(i["invitee"], i["permissions"]) for i in repo["invitations"]] == [(CANDIDATE, "write")]
    # The reviewers are org members and read it through the base permission: no grant was needed.
    assert repo["collaborators"] == {}
    assert [await world.reads(login, repo_name) for login in ("lead", "eng")] == [True, True]

    # Every step is on the timeline, in order: the reviewers before the candidate's invitation,
    # which is the last step (GitHub e-mails the candidate as soon as it exists).
    kinds = [event["kind"] for event in body["timeline"]]
    steps = [k for k in kinds if k.startswith("provisioning.")]
    assert steps == [
        "provisioning.repository_created",
        "provisioning.content_committed",
        "provisioning.reviewer_granted",
        "provisioning.reviewer_granted",
        "provisioning.candidate_invited",
    ]
    assert kinds[-1] == "assignment.invited"
