"""Erasure on request and at the end of retention: repositories deleted, and a scan of every
table and column finds none of the candidate's personal data; anonymous aggregates stay."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from tests.lifecycle.conftest import Life
from tests.lifecycle.scan import find_everywhere, text_column_count
from tests.lifecycle.test_lock_failure_and_workers import _subscribe_ats
from tests.review.flow import FILLED, LEAD
from worksample.db.models import Assignment, Person

NAME = "Octo Zoë Catterson"
EMAIL = "octo.zoe@example.com"
TERMS = ["octocat", NAME, EMAIL, "Catterson"]


async def _create(life: Life, key: str = "k-1") -> str:
    body = {
        "candidate": {"login": "octocat", "name": NAME, "email": EMAIL},
        "artifact_id": "test-sample",
        "reviewers": [{"login": LEAD, "role": "lead"}],
    }
    response = await life.api.post("/v1/assignments", json=body, headers={"Idempotency-Key": key})
    assert response.status_code == 201, response.text
    life.assignment_id = response.json()["id"]
    await life.drain()
    life.full_name = (await life.assignment())["repo_url"].removeprefix("http://sandbox/")
    return life.assignment_id


async def _scan(life: Life) -> list[str]:
    async with life.sessionmaker() as session:
        return await find_everywhere(session, TERMS)


async def test_erase_on_request_leaves_no_personal_data_anywhere(life: Life) -> None:
    await _subscribe_ats(life)
    await _create(life)
    await life.accept()
    await life.open_pr()
    await life.drain()
    # The data is really there before: in the person, the assignment, webhook bodies, events...
    before = await _scan(life)
    assert len({hit.split(" = ")[0] for hit in before}) >= 5, before
    assert text_column_count() > 20

    response = await life.api.post("/v1/candidates/erase", json={"login": "OctoCat"})
    assert response.status_code == 202, response.text
    erasure = response.json()
    assert (erasure["candidates"], erasure["assignments"], erasure["status"]) == (1, 1, "pending")
    await life.tick()
    # The repository goes at once; the personal data a grace period later, after GitHub's
    # webhooks about the deletion have been stored (and so are scrubbed too).
    assert await life.repo_state() == {}
    status = (await life.api.get(f"/v1/erasures/{erasure['erasure_ids'][0]}")).json()
    assert status["completed_at"] is None
    await life.advance(timedelta(minutes=11))
    await life.tick()
    status = (await life.api.get(f"/v1/erasures/{erasure['erasure_ids'][0]}")).json()
    assert status["completed_at"] is not None
    assert await _scan(life) == []
    async with life.sessionmaker() as session:
        person = (await session.scalars(select(Person))).one()
        assert (person.login, person.github_id, person.erased_at is not None) == (None, None, True)
        assignment = await session.get(Assignment, life.assignment_id)
        assert assignment is not None
        # Anonymous aggregates stay: artifact, status, timestamps.
        assert (assignment.artifact_id, assignment.status) == ("test-sample", "cancelled")
    # A second request finds nobody left to erase.
    again = await life.api.post("/v1/candidates/erase", json={"email": EMAIL})
    assert again.status_code == 404


async def test_scored_assignment_is_archived_then_purged_after_retention(life: Life) -> None:
    await _create(life)
    await life.accept()
    await life.open_pr()
    await life.drain()
    await life.review(LEAD, FILLED, "APPROVE")
    await life.drain()
    await life.tick()  # the minute tick after scoring (the burst's start-up tick may run before it)
    state = await life.lifecycle()
    assert state["status"] == "scored"
    # Still open for a second reviewer or an edited scorecard during the grace period...
    assert state["archived_at"] is None
    assert (await life.repo_state())["archived"] is False
    await life.advance(timedelta(days=7, minutes=1))
    await life.tick()
    # ...then archived.
    state = await life.lifecycle()
    assert state["archived_at"] is not None
    assert (await life.repo_state())["archived"] is True

    await life.advance(timedelta(days=82))
    await life.tick()
    assert (await life.lifecycle())["purged_at"] is None
    await life.advance(timedelta(days=1, minutes=1))
    await life.tick()
    state = await life.lifecycle()
    assert state["purged_at"] is not None
    assert await life.repo_state() == {}
    assert await _scan(life) != []
    await life.advance(timedelta(minutes=11))
    await life.tick()
    assert await _scan(life) == []
    assignment = await life.row()
    assert assignment.score is not None
    assert assignment.status == "scored"


async def test_erase_input_errors(life: Life) -> None:
    for body, status in (
        ({}, 422),
        ({"login": "-bad-"}, 422),
        ({"email": "not-an-email"}, 422),
        ({"candidate_id": 0}, 422),
        ({"github_id": -3}, 422),
        ({"github_id": 987654321}, 404),
        ({"login": "octocat", "extra": 1}, 422),
        ({"login": "nobody-here"}, 404),
    ):
        response = await life.api.post("/v1/candidates/erase", json=body)
        assert response.status_code == status, (body, response.text)
    response = await life.api.get("/v1/erasures/not-a-real-id")
    assert response.status_code == 404


async def test_erase_by_github_id_covers_every_assignment_of_the_person(life: Life) -> None:
    first = await _create(life, "k-1")
    first_repo = life.full_name
    second = await _create(life, "k-2")
    assert first != second
    assert life.full_name != first_repo
    github_id = (await life.assignment())["candidate"]["github_id"]
    assert isinstance(github_id, int)
    response = await life.api.post("/v1/candidates/erase", json={"github_id": github_id})
    assert response.status_code == 202, response.text
    assert response.json()["assignments"] == 2
    await life.tick()
    await life.advance(timedelta(minutes=11))
    await life.tick()
    assert await _scan(life) == []
    for full_name in (first_repo, life.full_name):
        assert (await life.world.control.get(f"/_sandbox/repos/{full_name}")).status_code == 404
