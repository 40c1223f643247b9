"""The completion PATCH: sent once scored, retried on the outbox's schedule, stopped by 410, guarded."""

from __future__ import annotations

import ipaddress
from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.greenhouse.conftest import FakeGreenhouse, Service
from tests.greenhouse.test_end_to_end import send_body
from worksample.assignments import AssignmentStatus
from worksample.config import Settings
from worksample.db.models import Assignment, GreenhouseTest
from worksample.db.session import create_engine, create_sessionmaker
from worksample.db.timeline import change_status
from worksample.greenhouse import deliver_completions

PATH = (
    AssignmentStatus.PROVISIONING,
    AssignmentStatus.INVITED,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.SUBMITTED,
    AssignmentStatus.IN_REVIEW,
    AssignmentStatus.SCORED,
)


@pytest.fixture
async def db(greenhouse: Service) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine: AsyncEngine = create_engine(greenhouse.settings)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


async def sent_test(greenhouse: Service, url: str) -> str:
    await greenhouse.set_default_reviewers()
    sent = await greenhouse.client.post("/greenhouse/send_test", json=send_body(url), auth=greenhouse.basic)
    assert sent.status_code == 200, sent.text
    interview_id: str = sent.json()["partner_interview_id"]
    return interview_id


async def score(db: async_sessionmaker[AsyncSession], assignment_id: str, *, upto: int = len(PATH)) -> None:
    """Walk the assignment along the state machine (the scoring loop has its own tests)."""
    async with db() as session:
        assignment = await session.get_one(Assignment, assignment_id)
        if upto == len(PATH):
            assignment.score = 81.5
        for status in PATH[:upto]:
            await change_status(session, assignment, status)
        await session.commit()


async def state(db: async_sessionmaker[AsyncSession], assignment_id: str) -> GreenhouseTest:
    async with db() as session:
        return await session.get_one(GreenhouseTest, assignment_id)


async def test_nothing_is_sent_before_the_score(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, db: async_sessionmaker[AsyncSession]
) -> None:
    interview_id = await sent_test(greenhouse, fake_greenhouse.url())
    await score(db, interview_id, upto=5)  # in_review
    run = await deliver_completions(db, greenhouse.settings)
    assert (run.activated, run.attempted) == (0, 0)
    assert fake_greenhouse.received == []
    status = await greenhouse.client.get(
        "/greenhouse/test_status", params={"partner_interview_id": interview_id}, auth=greenhouse.basic
    )
    assert status.json()["partner_status"] == "in_review"
    assert status.json()["partner_score"] is None


async def test_retried_after_failures_then_delivered_once(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, db: async_sessionmaker[AsyncSession]
) -> None:
    interview_id = await sent_test(greenhouse, fake_greenhouse.url())
    await score(db, interview_id)
    fake_greenhouse.statuses = [503, 500]
    runs = [await deliver_completions(db, greenhouse.settings) for _ in range(4)]
    assert [r.attempted for r in runs] == [1, 1, 1, 0]
    assert [r.delivered for r in runs] == [0, 0, 1, 0]
    assert len(fake_greenhouse.received) == 3
    assert {fake_greenhouse.basic_key(i) for i in range(3)} == {greenhouse.key}
    row = await state(db, interview_id)
    assert row.completion_state == "delivered"
    assert row.completion_attempts == 3
    # The key was only kept for this call.
    assert row.callback_key is None
    status = await greenhouse.client.get(
        "/greenhouse/test_status", params={"partner_interview_id": interview_id}, auth=greenhouse.basic
    )
    assert status.json()["partner_status"] == "complete"
    assert status.json()["partner_score"] == 81.5


async def test_gone_stops_and_exhausted_schedule_gives_up(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, db: async_sessionmaker[AsyncSession]
) -> None:
    gone = await sent_test(greenhouse, fake_greenhouse.url("/gone"))
    await score(db, gone)
    fake_greenhouse.statuses = [410]
    await deliver_completions(db, greenhouse.settings)
    assert (await state(db, gone)).completion_state == "failed"

    failing = await sent_test(greenhouse, fake_greenhouse.url("/down"))
    await score(db, failing)
    fake_greenhouse.statuses = [500] * 10
    for _ in range(5):
        await deliver_completions(db, greenhouse.settings)
    row = await state(db, failing)
    # The test schedule has three attempts.
    assert (row.completion_state, row.completion_attempts) == ("failed", 3)
    assert row.completion_last_status == 500


async def test_ssrf_guard_refuses_private_addresses(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, db: async_sessionmaker[AsyncSession]
) -> None:
    interview_id = await sent_test(greenhouse, fake_greenhouse.url())
    await score(db, interview_id)
    guarded: Settings = greenhouse.settings.model_copy(
        update={"outbox_allowed_networks": (ipaddress.ip_network("192.0.2.0/24"),)}
    )
    await deliver_completions(db, guarded)
    assert fake_greenhouse.received == []
    row = await state(db, interview_id)
    assert row.completion_state == "pending"
    assert row.completion_last_error is not None
    assert "loopback" in row.completion_last_error


async def test_a_claimed_delivery_is_not_claimed_twice(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, db: async_sessionmaker[AsyncSession]
) -> None:
    from worksample.db.types import utcnow
    from worksample.greenhouse.completion import activate_scored, claim_due

    interview_id = await sent_test(greenhouse, fake_greenhouse.url())
    await score(db, interview_id)
    async with db() as session:
        now = utcnow()
        assert await activate_scored(session, now=now) == 1
        first = await claim_due(session, now=now)
        second = await claim_due(session, now=now)
        await session.commit()
    assert [a for a, _ in first] == [interview_id]
    assert second == []
