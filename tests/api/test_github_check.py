"""The candidate's login is checked with GitHub (the simulator) before anything is stored."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from tests.conftest import GitHubWorld, make_api_key, queued_jobs, running_app
from worksample.assignments.jobs import PROVISION_JOB
from worksample.config import Settings
from worksample.db.models import Assignment, Organization, Person

Sessions = async_sessionmaker[AsyncSession]


async def _assignments(sessionmaker: Sessions) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(Assignment)) or 0)


async def test_known_login_gets_githubs_id_and_spelling(
    service_on_world: httpx.AsyncClient, github_world: GitHubWorld, sessionmaker: Sessions
) -> None:
    response = await service_on_world.post("/v1/assignments", json=assignment_body("OctoCat"))
    assert response.status_code == 201, response.text
    candidate = response.json()["candidate"]
    assert candidate["login"] == "octocat"
    assert candidate["github_id"] == github_world.users["octocat"]["id"]
    async with sessionmaker() as session:
        org = (await session.scalars(select(Organization))).one()
        # Learned on the first request, so later requests skip the installation lookup.
        assert org.installation_id == github_world.installation_id
    calls = [(c["method"], c["path"]) for c in await github_world.calls()]
    assert ("GET", "/users/OctoCat") in calls


async def test_renamed_candidate_is_still_one_person(
    service_on_world: httpx.AsyncClient, github_world: GitHubWorld, sessionmaker: Sessions
) -> None:
    assert (
        await service_on_world.post("/v1/assignments", json=assignment_body("octocat"))
    ).status_code == 201
    response = await github_world.control.post(
        "/_sandbox/users/octocat/rename", json={"login": "octo-renamed"}
    )
    assert response.status_code == 200, response.text
    response = await service_on_world.post("/v1/assignments", json=assignment_body("octo-renamed"))
    assert response.status_code == 201, response.text
    async with sessionmaker() as session:
        people = (await session.scalars(select(Person))).all()
        assert [(p.login, p.github_id) for p in people] == [
            ("octo-renamed", github_world.users["octocat"]["id"])
        ]


async def test_unknown_login_is_422_and_nothing_is_made(
    service_on_world: httpx.AsyncClient, sessionmaker: Sessions, arq_pool: Any, world_settings: Settings
) -> None:
    response = await service_on_world.post("/v1/assignments", json=assignment_body("nobody-here"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"] == [
        {"field": "body.candidate.login", "message": "GitHub has no user named 'nobody-here'"}
    ]
    assert await _assignments(sessionmaker) == 0
    # (The installation webhook may have queued intake jobs of its own; no provisioning is queued.)
    jobs = await queued_jobs(arq_pool, world_settings.queue_name)
    assert [job for job in jobs if job.function == PROVISION_JOB] == []


async def test_an_organization_is_not_a_candidate(service_on_world: httpx.AsyncClient) -> None:
    response = await service_on_world.post("/v1/assignments", json=assignment_body("acme"))
    assert response.status_code == 422, response.text
    assert response.json()["error"]["fields"][0]["message"] == "'acme' is a GitHub Organization, not a user"


async def test_github_failure_is_503_and_nothing_is_made(
    service_on_world: httpx.AsyncClient, github_world: GitHubWorld, sessionmaker: Sessions
) -> None:
    fault = {"method": "GET", "path": "/users/*", "count": 1, "status": 502}
    assert (await github_world.control.post("/_sandbox/faults", json=fault)).status_code == 201
    response = await service_on_world.post("/v1/assignments", json=assignment_body())
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "github_unavailable"
    assert response.headers["retry-after"] == "30"
    assert await _assignments(sessionmaker) == 0
    # The fault was used up: the same request now goes through.
    assert (await service_on_world.post("/v1/assignments", json=assignment_body())).status_code == 201


async def test_app_not_installed_is_a_clear_conflict(
    world_settings: Settings, github_world: GitHubWorld, arq_pool: Any, sessionmaker: Sessions
) -> None:
    key = await make_api_key(sessionmaker, github_world.org)
    running = running_app(world_settings, github_transport=github_world.transport, arq_pool=arq_pool)
    async with running as (_app, client):
        response = await client.post(
            "/v1/assignments", json=assignment_body(), headers={"Authorization": f"Bearer {key}"}
        )
    assert response.status_code == 409, response.text
    assert response.json()["error"] == {
        "code": "app_not_installed",
        "message": "the GitHub App is not installed on the organization 'acme'; install it first",
    }
    assert await _assignments(sessionmaker) == 0


async def test_unknown_reviewer_is_422_with_its_field_and_nothing_is_made(
    service_on_world: httpx.AsyncClient, sessionmaker: Sessions, arq_pool: Any, world_settings: Settings
) -> None:
    reviewers = [
        {"login": "lead-eng", "role": "lead"},
        {"login": "no-such-user", "role": "engineer"},
        {"login": "acme", "role": "observer"},
    ]
    response = await service_on_world.post("/v1/assignments", json=assignment_body(reviewers=reviewers))
    assert response.status_code == 422, response.text
    # Every problem at once, each at its field.
    assert response.json()["error"]["fields"] == [
        {"field": "body.reviewers.1.login", "message": "GitHub has no user named 'no-such-user'"},
        {"field": "body.reviewers.2.login", "message": "'acme' is a GitHub Organization, not a user"},
    ]
    assert await _assignments(sessionmaker) == 0
    jobs = await queued_jobs(arq_pool, world_settings.queue_name)
    assert [job for job in jobs if job.function == PROVISION_JOB] == []


async def test_reviewers_are_asked_about_once_not_per_assignment(
    service_on_world: httpx.AsyncClient, github_world: GitHubWorld
) -> None:
    reviewers = [{"login": "lead-eng", "role": "lead"}, {"login": "second-eng", "role": "engineer"}]
    for candidate in ("octocat", "hubot"):
        body = assignment_body(candidate, reviewers=reviewers)
        assert (await service_on_world.post("/v1/assignments", json=body)).status_code == 201
    # A mistyped reviewer is not remembered: corrected or not, it is asked again.
    typo = assignment_body(reviewers=[{"login": "lead-engg", "role": "lead"}])
    for _ in range(2):
        assert (await service_on_world.post("/v1/assignments", json=typo)).status_code == 422
    lookups = [c["path"] for c in await github_world.calls() if c["method"] == "GET"]
    assert lookups.count("/users/lead-eng") == 1
    assert lookups.count("/users/second-eng") == 1
    assert lookups.count("/users/lead-engg") == 2
    # The candidates are new people each time: each is asked.
    assert lookups.count("/users/octocat") == 3
    assert lookups.count("/users/hubot") == 1
