"""POST /v1/assignments: creation, validation, and the provisioning job it queues."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from tests.conftest import queued_jobs
from worksample.config import Settings
from worksample.db.models import Assignment, AssignmentEvent, AssignmentReviewer, Person

Sessions = async_sessionmaker[AsyncSession]


async def _count(sessionmaker: Sessions, model: type[Any]) -> int:
    async with sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_create_stores_requested_assignment_and_queues_provisioning(
    api_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sessionmaker: Sessions,
    arq_pool: Any,
    settings: Settings,
) -> None:
    response = await api_client.post("/v1/assignments", json=assignment_body(), headers=auth_headers)
    assert response.status_code == 201, response.text
    data = response.json()
    assert response.headers["location"] == f"/v1/assignments/{data['id']}"
    assert data["status"] == "requested"
    assert data["version"] == 1
    assert data["candidate"] == {
        "login": "octocat",
        "github_id": None,
        "name": "Mona Lisa",
        "email": "mona@example.com",
    }
    assert data["variables"] == {"company": "Globex", "seats": 25}
    assert [(r["login"], r["role"], r["weight"]) for r in data["reviewers"]] == [
        ("lead-eng", "lead", 2.0),
        ("second-eng", "engineer", 1.0),
        ("hiring-manager", "observer", 0.0),
    ]
    assert data["time_limit_hours"] is None
    assert data["external_ids"] == {"greenhouse_application_id": "12345"}
    assert data["repo_url"] is None
    assert [e["kind"] for e in data["timeline"]] == ["assignment.requested"]

    async with sessionmaker() as session:
        stored = await session.get_one(Assignment, data["id"])
        assert stored.status == "requested"
        assert stored.deadline_at is not None
        reviewers = (
            await session.scalars(select(AssignmentReviewer).order_by(AssignmentReviewer.position))
        ).all()
        assert [(r.login, r.position) for r in reviewers] == [
            ("lead-eng", 0),
            ("second-eng", 1),
            ("hiring-manager", 2),
        ]

    jobs = await queued_jobs(arq_pool, settings.queue_name)
    assert [(j.function, j.kwargs, j.job_id) for j in jobs] == [
        ("assignment.provision", {"assignment_id": data["id"]}, f"assignment.provision:{data['id']}")
    ]


async def test_defaults_fill_variables_and_time_limit(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    body = assignment_body(variables={"seats": "7"})
    del body["deadline"]
    response = await api_client.post("/v1/assignments", json=body, headers=auth_headers)
    assert response.status_code == 201, response.text
    data = response.json()
    # The artifact's default company, the integer parsed from text, and its 48-hour limit.
    assert data["variables"] == {"company": "Acme", "seats": 7}
    assert data["time_limit_hours"] == 48
    assert data["deadline"] is None


async def test_explicit_time_limit(api_client: httpx.AsyncClient, auth_headers: dict[str, str]) -> None:
    body = assignment_body(time_limit_hours=72)
    del body["deadline"]
    response = await api_client.post("/v1/assignments", json=body, headers=auth_headers)
    assert response.status_code == 201, response.text
    assert response.json()["time_limit_hours"] == 72


async def test_same_candidate_twice_is_one_person(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    for login in ("octocat", "OctoCat"):
        response = await api_client.post("/v1/assignments", json=assignment_body(login), headers=auth_headers)
        assert response.status_code == 201, response.text
    assert await _count(sessionmaker, Person) == 1
    assert await _count(sessionmaker, Assignment) == 2


def _fields(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_failed"
    return {f["field"]: f["message"] for f in error["fields"]}


LATER = (datetime.now(UTC) + timedelta(days=2)).isoformat()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"candidate": {"login": "-bad-"}}, "body.candidate.login", "not a GitHub login"),
        ({"candidate": {"login": "a" * 40}}, "body.candidate.login", "at most 39"),
        ({"candidate": {"login": "ok", "email": "nope"}}, "body.candidate.email", "not an e-mail address"),
        ({"candidate": {"login": "ok", "age": 3}}, "body.candidate.age", "Extra inputs are not permitted"),
        ({"reviewers": []}, "body.reviewers", "at least 1"),
        (
            {"reviewers": [{"login": "eng", "role": "engineer"}]},
            "body.reviewers",
            "first reviewer must be the lead engineer",
        ),
        (
            {"reviewers": [{"login": "a", "role": "lead"}, {"login": "b", "role": "lead"}]},
            "body.reviewers",
            "exactly one lead engineer",
        ),
        (
            {"reviewers": [{"login": "Lead", "role": "lead"}, {"login": "lead", "role": "engineer"}]},
            "body.reviewers",
            "listed twice",
        ),
        (
            {"reviewers": [{"login": "lead-eng", "role": "lead"}, {"login": "OctoCat", "role": "engineer"}]},
            "body.reviewers.1.login",
            "the candidate cannot also be a reviewer",
        ),
        (
            {"reviewers": [{"login": "a", "role": "lead"}, {"login": "b", "role": "observer", "weight": 1}]},
            "body.reviewers.1",
            "observer does not score",
        ),
        ({"reviewers": [{"login": "a", "role": "boss"}]}, "body.reviewers.0.role", "'lead', 'engineer'"),
        (
            {"reviewers": [{"login": "a", "role": "lead", "weight": -1}]},
            "body.reviewers.0.weight",
            "greater than or equal to 0",
        ),
        ({"time_limit_hours": 5}, "body.time_limit_hours", "either deadline or time_limit_hours"),
        ({"deadline": "2030-01-01T00:00:00"}, "body.deadline", "timezone"),
        ({"deadline": "tomorrow"}, "body.deadline", "datetime"),
        ({"external_ids": {"Bad Key": "1"}}, "body.external_ids.Bad Key.[key]", "pattern"),
        ({"artifact_id": ""}, "body.artifact_id", "at least 1"),
    ],
)
async def test_shape_errors_are_field_level(
    api_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    overrides: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = await api_client.post(
        "/v1/assignments", json=assignment_body(**overrides), headers=auth_headers
    )
    fields = _fields(response)
    assert field in fields, fields
    assert message in fields[field], fields


async def test_catalog_and_clock_errors_come_together(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions, arq_pool: Any
) -> None:
    body = assignment_body(
        variables={"seats": "many", "colour": "red", "company": "x" * 41},
        deadline=(datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
    )
    fields = _fields(await api_client.post("/v1/assignments", json=body, headers=auth_headers))
    assert set(fields) == {
        "body.variables.seats",
        "body.variables.colour",
        "body.variables.company",
        "body.deadline",
    }
    assert "unknown variable" in fields["body.variables.colour"]
    assert fields["body.deadline"] == "must be in the future"
    assert await _count(sessionmaker, Assignment) == 0


async def test_unknown_artifact_creates_nothing(
    api_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sessionmaker: Sessions,
    arq_pool: Any,
    settings: Settings,
) -> None:
    body = assignment_body(artifact_id="no-such-sample")
    fields = _fields(await api_client.post("/v1/assignments", json=body, headers=auth_headers))
    assert fields == {"body.artifact_id": "unknown artifact 'no-such-sample' (known: test-sample)"}
    for model in (Assignment, Person, AssignmentEvent):
        assert await _count(sessionmaker, model) == 0
    assert await queued_jobs(arq_pool, settings.queue_name) == []


async def test_body_that_is_not_json(api_client: httpx.AsyncClient, auth_headers: dict[str, str]) -> None:
    response = await api_client.post(
        "/v1/assignments", content=b"{not json", headers={**auth_headers, "content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_failed"


async def test_enqueue_failure_keeps_the_assignment(
    settings: Settings, sessionmaker: Sessions, auth_headers: dict[str, str]
) -> None:
    """Redis refusing the job must not lose the request: the assignment stays `requested` for the sweeper."""
    from tests.conftest import running_app

    class BrokenPool:
        async def enqueue_job(self, *args: Any, **kwargs: Any) -> None:
            raise ConnectionError("redis is down")

    async with running_app(settings, arq_pool=BrokenPool()) as (_app, client):
        response = await client.post("/v1/assignments", json=assignment_body(), headers=auth_headers)
    assert response.status_code == 201, response.text
    async with sessionmaker() as session:
        stored = await session.get_one(Assignment, response.json()["id"])
        assert stored.status == "requested"


@pytest.mark.parametrize(
    ("overrides", "where"),
    [
        ({"candidate": {"login": "octocat", "email": "a\x00@example.com"}}, "body.candidate.email"),
        ({"variables": {"company": "Acme\x00"}}, "body.variables.company"),
        ({"external_ids": {"greenhouse_id": "1\x002"}}, "body.external_ids.greenhouse_id"),
    ],
)
async def test_nul_characters_are_refused_before_the_database(
    api_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    sessionmaker: Sessions,
    overrides: dict[str, Any],
    where: str,
) -> None:
    # PostgreSQL text cannot hold NUL: without this check the request passed validation and then
    # failed with a 500 inside the insert.
    response = await api_client.post(
        "/v1/assignments", json=assignment_body(**overrides), headers=auth_headers
    )
    assert response.status_code == 422
    assert f"{where} must not contain NUL characters" in response.text
    assert await _count(sessionmaker, Assignment) == 0
