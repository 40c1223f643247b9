"""The tick reaches every due assignment however many others there are: an installation with
hundreds of assignments in progress (ids sorting first, nothing due for weeks) still gets its
deadline locked on time, and those with nothing due are read once, then left until their moment."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert, select

from tests.lifecycle.conftest import Life
from worksample.db.models import Assignment

HOUR = timedelta(hours=1)
OTHERS = 600


async def test_a_due_deadline_is_reached_behind_hundreds_of_others(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()
    now = life.clock.now()
    async with life.sessionmaker() as session:
        real = await session.get(Assignment, life.assignment_id)
        assert real is not None
        # Set-up only: rows like the ones the API makes, in progress, their deadlines weeks away.
        await session.execute(
            insert(Assignment),
            [
                {
                    "id": f"00000000-0000-4000-8000-{i:012d}",
                    "organization_id": real.organization_id,
                    "candidate_id": real.candidate_id,
                    "candidate_login": "octocat",
                    "artifact_id": "test-sample",
                    "status": "accepted",
                    "version": 3,
                    "status_changed_at": now,
                    "deadline_at": now + timedelta(days=30),
                }
                for i in range(OTHERS)
            ],
        )
        await session.commit()

    await life.advance(48 * HOUR + timedelta(minutes=1))
    await life.tick()
    state = await life.lifecycle()
    assert state["locked_at"] is not None
    assert await life.permission() == "read"
    # Each of the others was looked at and has its next moment: none is read again before it.
    async with life.sessionmaker() as session:
        pending = await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.id.like("00000000-%"), Assignment.next_timer_at > life.clock.now())
        )
    assert pending == OTHERS
