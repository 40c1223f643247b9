"""Erasure stays within the candidate's own rows: another organisation with the same GitHub user
as candidate keeps everything, and a candidate whose login or name is also a role or a state
changes no role, state or event type anywhere."""

from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from tests.conftest import make_api_key
from tests.lifecycle.conftest import Life
from tests.lifecycle.scan import find_everywhere
from tests.review.flow import LEAD
from worksample.db.models import (
    Assignment,
    AssignmentEvent,
    AssignmentReviewer,
    GitHubDelivery,
    OutboxDelivery,
    OutboxEvent,
    Person,
)
from worksample.lifecycle.personal import ERASED

# Columns holding enumerations and identifiers: an erasure never writes into them.
ENUM_COLUMNS = {
    "assignments.status",
    "assignment_reviewers.role",
    "assignment_reviewers.login",
    "assignment_events.kind",
    "assignment_events.from_status",
    "assignment_events.to_status",
    "outbox_events.type",
    "outbox_deliveries.state",
    "submissions.state",
    "reviews.state",
    "github_deliveries.event",
    "github_deliveries.action",
}


async def _second_org(life: Life, login: str) -> dict[str, str]:
    """Another tenant on the same simulator, with the App installed; its API key's headers."""
    response = await life.world.control.post("/_sandbox/orgs", json={"login": login, "members": [LEAD]})
    assert response.status_code == 201, response.text
    response = await life.world.control.post(
        "/_sandbox/installations", json={"app_id": life.world.app_id, "account": login}
    )
    assert response.status_code == 201, response.text
    await life.drain()
    return {"Authorization": f"Bearer {await make_api_key(life.sessionmaker, login)}"}


async def _subscribe(life: Life, headers: dict[str, str] | None = None) -> None:
    response = await life.api.post(
        "/v1/endpoints", json={"url": "https://ats.example.com/hooks"}, headers=headers or {}
    )
    assert response.status_code == 201, response.text


async def _request(life: Life, candidate: dict[str, str], headers: dict[str, str] | None = None) -> str:
    body = {
        "candidate": candidate,
        "artifact_id": "test-sample",
        "reviewers": [{"login": LEAD, "role": "lead"}],
    }
    response = await life.api.post("/v1/assignments", json=body, headers=headers or {})
    assert response.status_code == 201, response.text
    assignment_id: str = response.json()["id"]
    return assignment_id


async def _accept_all(life: Life, login: str) -> None:
    async with life.world.user_client(login) as user:
        for invitation in (await user.get("/user/repository_invitations")).json():
            response = await user.patch(f"/user/repository_invitations/{invitation['id']}")
            assert response.status_code == 204, response.text
    await life.drain()


async def _erase(life: Life, login: str) -> None:
    response = await life.api.post("/v1/candidates/erase", json={"login": login})
    assert response.status_code == 202, response.text
    await life.tick()
    await life.advance(timedelta(minutes=11))
    await life.tick()
    status = await life.api.get(f"/v1/erasures/{response.json()['erasure_ids'][0]}")
    assert status.json()["completed_at"] is not None, status.text


async def _rows_of(life: Life, assignment_id: str) -> dict[str, Any]:
    """What an erasure elsewhere must leave exactly as it was: this assignment's personal data."""
    async with life.sessionmaker() as session:
        a = await session.get(Assignment, assignment_id)
        assert a is not None
        person = await session.get(Person, a.candidate_id)
        assert person is not None
        details = (
            await session.scalars(
                select(AssignmentEvent.detail)
                .where(AssignmentEvent.assignment_id == assignment_id)
                .order_by(AssignmentEvent.id)
            )
        ).all()
        bodies = (
            await session.scalars(
                select(OutboxEvent.body)
                .where(OutboxEvent.assignment_id == assignment_id)
                .order_by(OutboxEvent.id)
            )
        ).all()
        webhooks = (
            await session.scalars(
                select(GitHubDelivery.body)
                .where(GitHubDelivery.repository_id == a.repo_id)
                .order_by(GitHubDelivery.id)
            )
        ).all()
        return {
            "person": (person.login, person.name, person.email, person.github_id),
            "assignment": (a.candidate_login, a.repo_full_name, a.repo_html_url, a.status),
            "details": list(details),
            "bodies": list(bodies),
            "webhooks": list(webhooks),
        }


async def _enum_columns_touched(life: Life) -> set[str]:
    async with life.sessionmaker() as session:
        hits = await find_everywhere(session, [ERASED])
    return {hit.split(" = ")[0] for hit in hits} & ENUM_COLUMNS


async def _roles(life: Life) -> list[tuple[str, str, str]]:
    async with life.sessionmaker() as session:
        rows = await session.execute(
            select(
                AssignmentReviewer.assignment_id, AssignmentReviewer.login, AssignmentReviewer.role
            ).order_by(AssignmentReviewer.id)
        )
        return [tuple(r) for r in rows]


async def test_erasing_in_one_organisation_leaves_the_other_untouched(life: Life) -> None:
    globex = await _second_org(life, "globex")
    await _subscribe(life)
    await _subscribe(life, globex)
    # The same GitHub user is a candidate at both companies; acme's recruiter typed "Lead" as name.
    ours = await _request(life, {"login": "octocat", "name": "Lead", "email": "octo@acme.example"})
    theirs = await _request(
        life, {"login": "octocat", "name": "Mona Lisa", "email": "mona@globex.example"}, globex
    )
    await life.drain()
    await _accept_all(life, "octocat")
    before = await _rows_of(life, theirs)
    assert before["assignment"][1] == "globex/test-sample-octocat"
    assert before["details"]
    assert before["bodies"]
    assert before["webhooks"]
    roles = await _roles(life)
    assert {role for _, _, role in roles} == {"lead"}

    await _erase(life, "octocat")  # with acme's key

    async with life.sessionmaker() as session:
        erased = await session.get(Assignment, ours)
        assert erased is not None
        assert erased.purged_at is not None
        person = await session.get(Person, erased.candidate_id)
        assert person is not None
        assert (person.login, person.name, person.email) == (None, None, None)
    after = await _rows_of(life, theirs)
    assert after["person"] == before["person"]
    assert after["assignment"] == before["assignment"]
    # Later entries may have been added (none are due yet); the earlier ones are as they were.
    for key in ("details", "bodies", "webhooks"):
        assert after[key][: len(before[key])] == before[key], key
    assert await _roles(life) == roles
    assert await _enum_columns_touched(life) == set()
    # Globex's recruiter still sees its assignment whole through the API.
    response = await life.api.get(f"/v1/assignments/{theirs}", headers=globex)
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["candidate"]["login"] == "octocat"
    assert [r["role"] for r in shown["reviewers"]] == ["lead"]


async def test_a_candidate_named_like_a_role_or_a_state_changes_none(life: Life) -> None:
    await life.world.add_user("lead")
    await _subscribe(life)
    # Login "lead" (a reviewer role), name "Pending" (an outbox delivery state).
    erased = await _request(life, {"login": "lead", "name": "Pending", "email": "p@example.com"})
    other = await _request(life, {"login": "octocat"})
    await life.drain()
    await _accept_all(life, "lead")
    await _accept_all(life, "octocat")
    before = await _rows_of(life, other)
    roles = await _roles(life)
    async with life.sessionmaker() as session:
        states_before = set(await session.scalars(select(OutboxDelivery.state)))
        types_before = [
            (t, json.loads(b)["data"].get("status"))
            for t, b in await session.execute(
                select(OutboxEvent.type, OutboxEvent.body)
                .where(OutboxEvent.assignment_id == erased)
                .order_by(OutboxEvent.id)
            )
        ]
    assert "pending" in states_before

    await _erase(life, "lead")

    assert await _roles(life) == roles
    assert await _enum_columns_touched(life) == set()
    after = await _rows_of(life, other)
    assert after["person"] == before["person"]
    assert after["assignment"] == before["assignment"]
    for key in ("details", "bodies", "webhooks"):
        assert after[key][: len(before[key])] == before[key], key
    async with life.sessionmaker() as session:
        assert ERASED not in set(await session.scalars(select(OutboxDelivery.state)))
        events = (
            await session.execute(
                select(OutboxEvent.type, OutboxEvent.body)
                .where(OutboxEvent.assignment_id == erased)
                .order_by(OutboxEvent.id)
            )
        ).all()
    # The erased candidate's own ATS events keep their types and statuses; only the login goes.
    decoded = [(t, json.loads(b)["data"]) for t, b in events]
    assert not Counter(types_before) - Counter((t, d.get("status")) for t, d in decoded)
    created = next(d for t, d in decoded if t == "assignment.created")
    assert created["candidate_login"] == ERASED
