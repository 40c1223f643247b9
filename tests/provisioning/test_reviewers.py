"""Reviewers end up able to read the candidate's repository, with no call spent on those who already can."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.provisioning.test_end_to_end import REQUEST, create_assignment
from tests.provisioning.world import World, run_worker
from worksample.config import Settings
from worksample.db.models import AssignmentReviewer

OUTSIDER = "ext-reviewer"


def _request(candidate: str, reviewers: list[str]) -> dict[str, Any]:
    people = [{"login": login, "role": "lead" if i == 0 else "engineer"} for i, login in enumerate(reviewers)]
    return {**REQUEST, "candidate": {"login": candidate}, "reviewers": people}


def _calls_to(calls: list[dict[str, Any]], method: str, suffix: str) -> list[str]:
    return [c["path"] for c in calls if c["method"] == method and c["path"].endswith(suffix)]


async def _timeline_grants(service: httpx.AsyncClient, assignment_id: str) -> list[tuple[str, str]]:
    body = (await service.get(f"/v1/assignments/{assignment_id}")).json()
    assert body["status"] == "invited", body
    return [
        (e["detail"]["login"], e["detail"]["via"])
        for e in body["timeline"]
        if e["kind"] == "provisioning.reviewer_granted"
    ]


async def test_members_need_no_grant_outsiders_get_one_and_github_is_asked_once(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    await world.add_user("cand-2")
    await world.add_user(OUTSIDER)
    first = await create_assignment(service, _request("cand-1", ["lead", OUTSIDER]))
    second = await create_assignment(service, _request("cand-2", ["lead", OUTSIDER]))
    await run_worker(gh_settings, world)

    calls = await world.calls()
    # One question per reviewer for the whole run, not per assignment (on whichever repository
    # was created first).
    asked = sorted(path.split("/")[-2] for path in _calls_to(calls, "GET", "/permission"))
    assert asked == sorted(["lead", OUTSIDER])
    # The member reads through the organization: never granted. The outsider is, on each repository.
    assert _calls_to(calls, "PUT", "/collaborators/lead") == []
    assert len(_calls_to(calls, "PUT", f"/collaborators/{OUTSIDER}")) == 2
    for assignment_id, candidate in ((first, "cand-1"), (second, "cand-2")):
        repo_name = f"test-sample-{candidate}"
        assert await world.reads("lead", repo_name)
        repo = await world.repo(repo_name)
        assert repo is not None
        invitations = sorted((i["invitee"], i["permissions"]) for i in repo["invitations"])
        assert invitations == [(candidate, "write"), (OUTSIDER, "read")]
        assert await _timeline_grants(service, assignment_id) == [
            ("lead", "organization"),
            (OUTSIDER, "collaborator"),
        ]


@pytest.mark.parametrize("world", ["none"], indirect=True)
async def test_members_without_base_permission_are_granted_read(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    assignment_id = await create_assignment(service)
    repo_name = "test-sample-cand-1"
    await run_worker(gh_settings, world)
    repo = await world.repo(repo_name)
    assert repo is not None
    # Members get a direct grant at once (GitHub answers 204, no invitation to accept).
    assert repo["collaborators"] == {"lead": "pull", "eng": "pull"}
    assert [await world.reads(login, repo_name) for login in ("lead", "eng")] == [True, True]
    grants = await _timeline_grants(service, assignment_id)
    assert grants == [("lead", "collaborator"), ("eng", "collaborator")]


async def test_reviewer_ids_are_learned_without_a_grant(
    service: httpx.AsyncClient, gh_settings: Settings, world: World, sessionmaker: Any
) -> None:
    """People are keyed by GitHub id: GitHub's answer about access carries it."""

    await create_assignment(service)
    await run_worker(gh_settings, world)
    async with sessionmaker() as session:
        rows = (await session.scalars(select(AssignmentReviewer).order_by(AssignmentReviewer.position))).all()
    expected = [(login, world.user_ids[login]) for login in ("lead", "eng")]
    assert [(r.login, r.github_id) for r in rows] == expected
