"""Recording an attempt never fails the delivery: a receiver's answer is stored whatever its bytes,
and an attempt the database will not log still counts toward the retry schedule and giving up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.outbox.ats import create_endpoint, received_events, settled, wait_for
from tests.outbox.conftest import SHORT_SCHEDULE
from tests.outbox.receiver import Receiver
from worksample.db.models import OutboxAttempt

Sessions = async_sessionmaker[AsyncSession]


async def test_an_answer_with_nul_and_control_bytes_is_stored_readably(
    service_on_world: httpx.AsyncClient, ats: Receiver, outbox_worker: None
) -> None:
    # PostgreSQL text refuses NUL: storing this answer verbatim failed the whole record, so the
    # delivery stayed in flight and was sent again every lease, never counted, never given up.
    endpoint = await create_endpoint(service_on_world, f"{ats.base_url}/binary")
    assert (await service_on_world.post(f"/v1/endpoints/{endpoint['id']}/test")).status_code == 202

    (delivery,) = await wait_for(lambda: settled(service_on_world, endpoint["id"]), what="the delivery")
    assert (delivery["state"], delivery["attempts"]) == ("succeeded", 1)
    assert len(received_events(ats, "/binary")) == 1
    (attempt,) = delivery["attempt_log"]
    assert attempt["status_code"] == 200
    # Unstorable characters become U+FFFD; tab and line breaks stay.
    assert attempt["response_body"] == "ok\ufffd\ufffd[0m\ufffddone\r\n\tend"


@pytest.fixture
async def attempt_log_refused(engine: AsyncEngine) -> AsyncIterator[None]:
    """The database refuses every new attempt row (whatever the reason, say a full disk for that
    table or a value no sanitising foresaw), as a trigger that raises."""
    if engine.dialect.name == "postgresql":
        create = [
            "CREATE FUNCTION ws_test_refuse_attempt() RETURNS trigger LANGUAGE plpgsql AS "
            "$$ BEGIN RAISE EXCEPTION 'attempt log refused'; END $$",
            "CREATE TRIGGER ws_test_refuse_attempts BEFORE INSERT ON outbox_attempts "
            "FOR EACH ROW EXECUTE FUNCTION ws_test_refuse_attempt()",
        ]
        # The PostgreSQL database is shared by the session's tests: leave it as found.
        drop = [
            "DROP TRIGGER ws_test_refuse_attempts ON outbox_attempts",
            "DROP FUNCTION ws_test_refuse_attempt()",
        ]
    else:
        create = [
            "CREATE TRIGGER ws_test_refuse_attempts BEFORE INSERT ON outbox_attempts "
            "BEGIN SELECT RAISE(ABORT, 'attempt log refused'); END"
        ]
        drop = ["DROP TRIGGER ws_test_refuse_attempts"]
    async with engine.begin() as connection:
        for statement in create:
            await connection.execute(text(statement))
    try:
        yield
    finally:
        async with engine.begin() as connection:
            for statement in drop:
                await connection.execute(text(statement))


async def test_an_attempt_that_cannot_be_logged_still_counts_toward_giving_up(
    service_on_world: httpx.AsyncClient,
    ats: Receiver,
    sessionmaker: Sessions,
    attempt_log_refused: None,
    outbox_worker: None,
) -> None:
    endpoint = await create_endpoint(service_on_world, f"{ats.base_url}/fail")
    assert (await service_on_world.post(f"/v1/endpoints/{endpoint['id']}/test")).status_code == 202

    # Every attempt of the schedule, then given up: not re-sent each time a lease runs out.
    (delivery,) = await wait_for(lambda: settled(service_on_world, endpoint["id"]), what="giving up")
    assert (delivery["state"], delivery["attempts"]) == ("gave_up", len(SHORT_SCHEDULE))
    assert len(received_events(ats, "/fail")) == len(SHORT_SCHEDULE)
    assert delivery["last_error"].startswith(f"attempt {len(SHORT_SCHEDULE)} could not be logged")
    assert delivery["attempt_log"] == []
    async with sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxAttempt)) == 0
