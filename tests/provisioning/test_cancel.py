"""A cancel that lands while the worker is provisioning stops it: nobody is invited or granted after it.

The recruiter cancels through the API from inside the running job (the checkpoint between a GitHub
call and its recording), so the cancel really interleaves with the steps.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.provisioning.test_end_to_end import create_assignment
from tests.provisioning.world import CANDIDATE, World, run_worker
from worksample.config import Settings

REPO = f"test-sample-{CANDIDATE}"


# "none": the reviewers are not readers through the organization, so each one needs a grant.
@pytest.mark.parametrize("world", ["none"], indirect=True)
@pytest.mark.parametrize("step", ["repository", "reviewer:lead", "invitation"])
async def test_cancel_during_provisioning_stops_it_and_undoes_what_was_made(
    service: httpx.AsyncClient, gh_settings: Settings, world: World, step: str
) -> None:
    assignment_id = await create_assignment(service)
    answers: list[int] = []

    async def checkpoint(reached: str) -> None:
        if reached == step and not answers:
            response = await service.post(
                f"/v1/assignments/{assignment_id}/cancel", json={"reason": "filled"}
            )
            answers.append(response.status_code)

    # The same burst runs the provisioning job and the lifecycle tick it queues when it stops.
    await run_worker(gh_settings, world, checkpoint=checkpoint)
    assert answers == [200]

    body: dict[str, Any] = (await service.get(f"/v1/assignments/{assignment_id}")).json()
    assert body["status"] == "cancelled", body
    kinds = [e["kind"] for e in body["timeline"]]
    after = body["timeline"][kinds.index("assignment.cancelled") :]
    # Only the GitHub call already in flight when the cancel landed is recorded after it.
    granted_after = [e["detail"]["login"] for e in after if e["kind"] == "provisioning.reviewer_granted"]
    assert granted_after == (["lead"] if step == "reviewer:lead" else [])
    if step == "invitation":
        # The invitation was on its way when the cancel landed: the run took it back at once.
        assert "provisioning.invitation_withdrawn" in kinds
    else:
        assert "provisioning.candidate_invited" not in kinds
    assert kinds[-1] == "lifecycle.access_revoked"

    calls = await world.calls()
    invites = [c for c in calls if c["method"] == "PUT" and c["path"].endswith(f"/collaborators/{CANDIDATE}")]
    assert len(invites) == (1 if step == "invitation" else 0)
    repo = await world.repo(REPO)
    assert repo is not None
    assert repo["archived"] is True
    assert [i["invitee"] for i in repo["invitations"] if i["invitee"] == CANDIDATE] == []
    assert CANDIDATE not in repo["collaborators"]
    assert not await world.reads(CANDIDATE, REPO)
