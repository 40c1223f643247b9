"""What retrying cannot fix fails the assignment with a reason, and leaves nobody wrongly invited."""

from __future__ import annotations

import httpx

from tests.provisioning.test_end_to_end import create_assignment
from tests.provisioning.world import CANDIDATE, World, run_worker
from worksample.config import Settings

REPO = f"test-sample-{CANDIDATE}"


async def _rename(world: World, login: str, new: str) -> None:
    response = await world.control.post(f"/_sandbox/users/{login}/rename", json={"login": new})
    assert response.status_code == 200, response.text


async def _status(service: httpx.AsyncClient, assignment_id: str) -> dict[str, object]:
    body: dict[str, object] = (await service.get(f"/v1/assignments/{assignment_id}")).json()
    return body


async def test_candidate_login_gone_fails_with_githubs_reason(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    assignment_id = await create_assignment(service)
    await _rename(world, CANDIDATE, "someone-else")  # the login no longer exists on GitHub
    await run_worker(gh_settings, world)
    body = await _status(service, assignment_id)
    assert body["status"] == "failed"
    reason = str(body["failure_reason"])
    assert reason.startswith(f"inviting {CANDIDATE}: GitHub answered 404"), reason


async def test_login_taken_by_another_account_is_not_invited(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    """The candidate renamed their account and a stranger registered the old login."""
    assignment_id = await create_assignment(service)
    await _rename(world, CANDIDATE, "cand-renamed")
    stranger_id = await world.add_user(CANDIDATE)
    await run_worker(gh_settings, world)
    body = await _status(service, assignment_id)
    assert body["status"] == "failed"
    assert f"now belongs to account {stranger_id}" in str(body["failure_reason"])
    repo = await world.repo(REPO)
    assert repo is not None
    assert repo["invitations"] == []
    assert CANDIDATE not in repo["collaborators"]


async def test_reviewer_gone_fails_before_the_candidate_is_invited_and_the_repository_is_closed(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    """The API checked the reviewer; their account was renamed before provisioning reached them."""
    assignment_id = await create_assignment(service)
    await _rename(world, "eng", "eng-renamed")
    # The burst also runs the lifecycle tick the failed job queues for its clean-up.
    await run_worker(gh_settings, world)
    body = await _status(service, assignment_id)
    assert body["status"] == "failed"
    assert str(body["failure_reason"]).startswith("granting reviewers read access: GitHub answered 404")
    puts = [c["path"] for c in await world.calls() if c["method"] == "PUT"]
    # Reviewers come first: the candidate was never invited, so GitHub never e-mailed them.
    assert [p for p in puts if p.endswith(f"/collaborators/{CANDIDATE}")] == []
    timeline = body["timeline"]
    assert isinstance(timeline, list)
    assert timeline[-1]["kind"] == "lifecycle.access_revoked"
    repo = await world.repo(REPO)
    assert repo is not None
    assert repo["archived"] is True
    assert repo["invitations"] == []
    assert not await world.reads(CANDIDATE, REPO)
