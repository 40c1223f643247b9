"""Which assignments the tick reads, page by page, and what it writes back about when to look
again (``agenda.next_look``).

A page is the assignments whose ``next_timer_at`` has come or is unknown, after a cursor on the
id: every due assignment is reached however many there are, and an assignment with nothing due
is not read at all until its moment comes (or its row changes, which clears the column).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.assignments.state import AssignmentStatus
from worksample.db.models import Assignment, AssignmentEvent, LifecycleFiring, Person
from worksample.lifecycle.agenda import FiringKey, FiringState
from worksample.lifecycle.schedule import AssignmentClock, effective_deadline

# Assignments read at once; the tick pages through all that are due.
PAGE = 200

ACCEPTED_AT = (
    select(func.min(AssignmentEvent.at))
    .where(AssignmentEvent.assignment_id == Assignment.id, AssignmentEvent.kind == "assignment.accepted")
    .correlate(Assignment)
    .scalar_subquery()
)


def clock_view(a: Assignment, accepted_at: datetime | None, person_erased: bool) -> AssignmentClock:
    return AssignmentClock(
        status=AssignmentStatus(a.status),
        status_changed_at=a.status_changed_at,
        deadline_at=a.deadline_at,
        time_limit_hours=a.time_limit_hours,
        accepted_at=accepted_at,
        invited_at=a.candidate_invited_at,
        has_invitation=a.invitation_id is not None,
        reinvite_count=a.reinvite_count or 0,
        has_repo=bool(a.repo_full_name),
        locked_at=a.locked_at,
        archived_at=a.archived_at,
        purged_at=a.purged_at,
        erase_requested_at=a.erase_requested_at,
        scored_at=a.scored_at,
        person_erased=person_erased,
    )


@dataclass(frozen=True)
class Candidate:
    id: str
    view: AssignmentClock
    # As read: the hint is written only if the row has not changed since (``write_hints``).
    updated_at: datetime


async def due_page(
    session: AsyncSession, now: datetime, after: str | None, limit: int = PAGE
) -> list[Candidate]:
    """Up to ``limit`` assignments to look at now, with ids after ``after``."""
    query = (
        select(Assignment, ACCEPTED_AT, Person.erased_at)
        .join(Person, Person.id == Assignment.candidate_id)
        .where(or_(Assignment.next_timer_at.is_(None), Assignment.next_timer_at <= now))
        .order_by(Assignment.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Assignment.id > after)
    rows = (await session.execute(query)).all()
    return [
        Candidate(a.id, clock_view(a, accepted, erased is not None), a.updated_at)
        for a, accepted, erased in rows
    ]


async def firing_states(session: AsyncSession, ids: Sequence[str]) -> dict[str, dict[FiringKey, FiringState]]:
    """Each assignment's firings, by timer: one query for a page."""
    found: dict[str, dict[FiringKey, FiringState]] = defaultdict(dict)
    if not ids:
        return found
    rows = await session.execute(
        select(
            LifecycleFiring.assignment_id,
            LifecycleFiring.kind,
            LifecycleFiring.due_at,
            LifecycleFiring.done_at,
            LifecycleFiring.claimed_at,
            LifecycleFiring.retry_at,
        ).where(LifecycleFiring.assignment_id.in_(ids))
    )
    for assignment_id, kind, due_at, done_at, claimed_at, retry_at in rows:
        found[assignment_id][(kind, due_at)] = FiringState(done_at is not None, claimed_at, retry_at)
    return found


async def materialize_deadlines(
    sessionmaker: async_sessionmaker[AsyncSession], candidates: Sequence[Candidate]
) -> int:
    """Write acceptance + time limit into ``deadline_at`` once the candidate has accepted.

    The timers do not need it (they derive the deadline), but everyone else reads the column: the
    submission handler's ``late`` flag, the ATS events, the recruiter API. The UPDATE is
    conditional, so concurrent ticks write it once and an extension already made is kept.
    """
    pending = [
        c for c in candidates if c.view.deadline_at is None and c.view.time_limit_hours and c.view.accepted_at
    ]
    if not pending:
        return 0
    written = 0
    async with sessionmaker() as session:
        for c in pending:
            deadline = effective_deadline(None, c.view.time_limit_hours, c.view.accepted_at)
            result = await session.execute(
                update(Assignment)
                .where(Assignment.id == c.id, Assignment.deadline_at.is_(None))
                .values(deadline_at=deadline)
                .execution_options(synchronize_session=False)
            )
            written += int(getattr(result, "rowcount", 0))
        await session.commit()
    return written


async def write_hints(
    sessionmaker: async_sessionmaker[AsyncSession], hints: Sequence[tuple[Candidate, datetime]]
) -> None:
    """Store when to look at each assignment next. Only where the row is as it was read: a change
    made meanwhile (which cleared the column) must not be covered by a moment computed before it.
    ``updated_at`` is kept as it was: nothing about the assignment changed. One statement for
    the page, executed for each row (after an upgrade the first tick writes one per assignment)."""
    if not hints:
        return
    table = Assignment.metadata.tables[Assignment.__tablename__]
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("assignment_id"),
            table.c.updated_at == bindparam("seen", type_=table.c.updated_at.type),
        )
        .values(
            next_timer_at=bindparam("moment", type_=table.c.next_timer_at.type), updated_at=table.c.updated_at
        )
    )
    async with sessionmaker() as session:
        await session.execute(
            statement,
            [{"assignment_id": c.id, "seen": c.updated_at, "moment": moment} for c, moment in hints],
        )
        await session.commit()
