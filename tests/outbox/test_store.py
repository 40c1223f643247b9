"""emit and the status hook: events and deliveries written in the caller's transaction."""

from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from worksample.assignments import AssignmentStatus
from worksample.db.models import Assignment, Organization, OutboxDelivery, OutboxEvent, WebhookEndpoint
from worksample.db.session import session_scope
from worksample.db.timeline import change_status
from worksample.db.types import utcnow
from worksample.outbox import events
from worksample.outbox.events import EventError, validate_payload
from worksample.outbox.signing import generate_secret
from worksample.outbox.store import emit

Sessions = async_sessionmaker[AsyncSession]


async def _endpoint(
    sessionmaker: Sessions, org_login: str, types: list[str], *, disabled: bool = False
) -> str:
    async with session_scope(sessionmaker) as session:
        org = (await session.scalars(select(Organization).where(Organization.login == org_login))).one()
        endpoint = WebhookEndpoint(
            organization_id=org.id,
            url="http://127.0.0.1:9/hook",
            event_types=types,
            secret=generate_secret(),
        )
        if disabled:
            endpoint.disabled_at = utcnow()
            endpoint.disabled_reason = "test"
        session.add(endpoint)
        await session.flush()
        return endpoint.id


async def _create(client: httpx.AsyncClient, headers: dict[str, str]) -> str:
    response = await client.post("/v1/assignments", json=assignment_body("octocat"), headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _events(sessionmaker: Sessions, assignment_id: str) -> list[OutboxEvent]:
    async with session_scope(sessionmaker) as session:
        rows = await session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.assignment_id == assignment_id)
            .order_by(OutboxEvent.created_at)
        )
        return list(rows)


async def _deliveries(sessionmaker: Sessions, event_id: str) -> list[str]:
    async with session_scope(sessionmaker) as session:
        rows = await session.scalars(select(OutboxDelivery).where(OutboxDelivery.event_id == event_id))
        return sorted(delivery.endpoint_id for delivery in rows)


async def test_creation_and_status_changes_emit_one_event_each_to_subscribed_endpoints(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    everything = await _endpoint(sessionmaker, "acme", [])
    only_cancelled = await _endpoint(sessionmaker, "acme", [events.ASSIGNMENT_CANCELLED])
    await _endpoint(sessionmaker, "acme", [], disabled=True)

    assignment_id = await _create(api_client, auth_headers)
    async with session_scope(sessionmaker) as session:
        assignment = await session.get_one(Assignment, assignment_id)
        await change_status(session, assignment, AssignmentStatus.PROVISIONING)
        await change_status(session, assignment, AssignmentStatus.CANCELLED, reason="role filled")

    stored = await _events(sessionmaker, assignment_id)
    assert [event.type for event in stored] == [events.ASSIGNMENT_CREATED, events.ASSIGNMENT_CANCELLED]
    payloads = [json.loads(event.body) for event in stored]
    for event, payload in zip(stored, payloads, strict=True):
        validate_payload(event.type, payload)
        assert event.id.startswith("msg_")
    assert [p["data"]["version"] for p in payloads] == [1, 3]
    assert payloads[1]["data"]["reason"] == "role filled"
    assert payloads[0]["data"]["external_ids"] == {"greenhouse_application_id": "12345"}
    assert await _deliveries(sessionmaker, stored[0].id) == [everything]
    assert await _deliveries(sessionmaker, stored[1].id) == sorted([everything, only_cancelled])


async def test_a_rolled_back_change_leaves_no_event(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    await _endpoint(sessionmaker, "acme", [])
    assignment_id = await _create(api_client, auth_headers)
    async with sessionmaker() as session:
        assignment = await session.get_one(Assignment, assignment_id)
        await change_status(session, assignment, AssignmentStatus.CANCELLED)
        await session.rollback()
    assert [event.type for event in await _events(sessionmaker, assignment_id)] == [events.ASSIGNMENT_CREATED]


async def test_a_payload_the_schema_refuses_raises_and_writes_nothing(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    await _endpoint(sessionmaker, "acme", [])
    assignment_id = await _create(api_client, auth_headers)
    async with sessionmaker() as session:
        assignment = await session.get_one(Assignment, assignment_id)
        with pytest.raises(EventError, match="repository_url"):
            await emit(session, assignment, events.ASSIGNMENT_PROVISIONED, {"repository_url": None})
        count = await session.scalar(select(func.count()).select_from(OutboxEvent))
    assert count == 1  # only assignment.created


async def test_events_without_a_status_change_get_a_version_of_their_own(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    await _endpoint(sessionmaker, "acme", [])
    assignment_id = await _create(api_client, auth_headers)
    async with session_scope(sessionmaker) as session:
        assignment = await session.get_one(Assignment, assignment_id)
        await change_status(session, assignment, AssignmentStatus.PROVISIONING)  # version 2, no event
        for count in (1, 2):
            data = {"reissued_at": utcnow(), "reissue_count": count, "invitation_expires_at": utcnow()}
            await emit(session, assignment, events.ASSIGNMENT_INVITATION_REISSUED, data)
        assert assignment.version == 4
        await change_status(session, assignment, AssignmentStatus.CANCELLED)  # the bump kept it current

    versions = [json.loads(e.body)["data"]["version"] for e in await _events(sessionmaker, assignment_id)]
    assert versions == [1, 3, 4, 5]
    response = await api_client.get(f"/v1/assignments/{assignment_id}", headers=auth_headers)
    assert response.json()["version"] == 5
