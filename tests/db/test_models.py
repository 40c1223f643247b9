"""The models on both databases: UTC timestamps, foreign keys, and status changes with their timeline."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.assignments import AssignmentStatus, IllegalTransition
from worksample.db.models import Assignment, AssignmentEvent, Organization, Person
from worksample.db.session import session_scope
from worksample.db.timeline import StaleAssignment, change_status, record_event

Sessions = async_sessionmaker[AsyncSession]


async def _new_assignment(sessionmaker: Sessions, **fields: object) -> str:
    async with session_scope(sessionmaker) as session:
        org = Organization(login="acme")
        session.add(org)
        await session.flush()
        person = Person(organization_id=org.id, login="octocat")
        session.add(person)
        await session.flush()
        assignment = Assignment(
            organization_id=org.id,
            candidate_id=person.id,
            candidate_login="octocat",
            artifact_id="test-sample",
            status=AssignmentStatus.REQUESTED.value,
            **fields,
        )
        session.add(assignment)
        await session.flush()
        return assignment.id


async def test_timestamps_come_back_as_utc(sessionmaker: Sessions) -> None:
    paris = timezone(timedelta(hours=1))
    deadline = datetime(2026, 12, 1, 18, 30, tzinfo=paris)
    assignment_id = await _new_assignment(sessionmaker, deadline_at=deadline)
    async with sessionmaker() as session:
        stored = await session.get(Assignment, assignment_id)
        assert stored is not None
        assert stored.deadline_at == deadline
        assert stored.deadline_at is not None
        assert stored.deadline_at.tzinfo is not None
        assert stored.deadline_at.utcoffset() == timedelta(0)
        assert stored.deadline_at.hour == 17
        assert stored.created_at.tzinfo is not None
        assert stored.variables == {}
        assert stored.version == 1


async def test_naive_timestamp_is_refused(sessionmaker: Sessions) -> None:
    with pytest.raises(StatementError, match="timezone-aware"):
        await _new_assignment(sessionmaker, deadline_at=datetime(2026, 12, 1, 18, 30))


async def test_foreign_keys_are_enforced(sessionmaker: Sessions) -> None:
    with pytest.raises(IntegrityError):
        async with session_scope(sessionmaker) as session:
            session.add(Person(organization_id=12345, login="ghost"))


async def test_change_status_writes_timeline_and_version(sessionmaker: Sessions) -> None:
    assignment_id = await _new_assignment(sessionmaker)
    async with session_scope(sessionmaker) as session:
        assignment = await session.get_one(Assignment, assignment_id)
        await change_status(session, assignment, AssignmentStatus.PROVISIONING)
        await record_event(session, assignment, "provisioning.repo_created", detail={"repo": "acme/x"})
        await change_status(session, assignment, AssignmentStatus.FAILED, reason="GitHub said no")
    async with sessionmaker() as session:
        assignment = await session.get_one(Assignment, assignment_id)
        assert assignment.status == "failed"
        assert assignment.version == 3
        assert assignment.failure_reason == "GitHub said no"
        query = select(AssignmentEvent).where(AssignmentEvent.assignment_id == assignment_id)
        events = (await session.scalars(query)).all()
        assert [(e.kind, e.from_status, e.to_status, e.version) for e in events] == [
            ("assignment.provisioning", "requested", "provisioning", 2),
            ("provisioning.repo_created", None, None, None),
            ("assignment.failed", "provisioning", "failed", 3),
        ]
        assert events[1].detail == {"repo": "acme/x"}
        assert events[2].detail == {"reason": "GitHub said no"}
        with pytest.raises(IllegalTransition):
            await change_status(session, assignment, AssignmentStatus.INVITED)


async def test_concurrent_change_loses_with_stale(sessionmaker: Sessions) -> None:
    assignment_id = await _new_assignment(sessionmaker)
    async with sessionmaker() as first, sessionmaker() as second:
        mine = await first.get_one(Assignment, assignment_id)
        theirs = await second.get_one(Assignment, assignment_id)
        await second.commit()  # end the reader's transaction so SQLite lets the writer in
        await change_status(first, mine, AssignmentStatus.PROVISIONING)
        await first.commit()
        with pytest.raises(StaleAssignment, match="no longer requested at version 1"):
            await change_status(second, theirs, AssignmentStatus.CANCELLED)
        await second.rollback()
    async with sessionmaker() as session:
        stored = await session.get_one(Assignment, assignment_id)
        assert (stored.status, stored.version) == ("provisioning", 2)
        count = len((await session.scalars(select(AssignmentEvent))).all())
        assert count == 1
