"""Finding the assignment a webhook is about, holding it while a handler works, and moving it forward.

Webhook jobs run concurrently and GitHub reorders deliveries, so every handler that changes an
assignment first takes its row lock (PostgreSQL ``FOR UPDATE``; SQLite serialises writers anyway):
two events about one assignment are then handled one after the other, each seeing the other's result.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from worksample.assignments.state import TERMINAL_STATUSES, AssignmentStatus
from worksample.db.models import Assignment
from worksample.db.timeline import change_status

S = AssignmentStatus


class NotProvisionedYet(RuntimeError):
    """The event is about an assignment still being provisioned (GitHub can deliver a webhook
    before the call that caused it has returned): the job retries it a little later."""


# The happy path, in order; advancing walks it one legal step at a time.
_PATH = (S.REQUESTED, S.PROVISIONING, S.INVITED, S.ACCEPTED, S.SUBMITTED, S.IN_REVIEW, S.SCORED)


async def lock_assignment_for_repo(session: AsyncSession, repo_id: int | None) -> Assignment | None:
    """The assignment whose repository is ``repo_id``, locked for this transaction, with its
    candidate and reviewers loaded; None when the repository is not one of ours."""
    if repo_id is None:
        return None
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        # Take SQLite's write lock now, before reading: a read transaction that later writes fails
        # at once (no busy wait) when another writer committed in between.
        # (updated_at is set to itself so its onupdate does not fire: nothing changed.)
        await session.execute(
            update(Assignment)
            .where(Assignment.repo_id == repo_id)
            .values(repo_id=Assignment.repo_id, updated_at=Assignment.updated_at)
        )
    locked = await session.execute(
        select(Assignment.id).where(Assignment.repo_id == repo_id).with_for_update()
    )
    assignment_id = locked.scalar_one_or_none()
    if assignment_id is None:
        return None
    result = await session.execute(
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(selectinload(Assignment.candidate), selectinload(Assignment.reviewers))
        .execution_options(populate_existing=True)
    )
    return result.scalar_one()


def reached(assignment: Assignment, status: AssignmentStatus) -> bool:
    """Whether the assignment is at ``status`` or further along the happy path."""
    current = S(assignment.status)
    return current in _PATH and _PATH.index(current) >= _PATH.index(status)


async def advance(
    session: AsyncSession,
    assignment: Assignment,
    to: AssignmentStatus,
    *,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> list[AssignmentStatus]:
    """Walk the happy path up to ``to`` (a lost webhook must not strand the assignment one step
    behind); nothing when it is already there or past it, or cancelled/expired/failed.

    Returns the statuses entered. ``detail`` goes on the last step's timeline entry.
    """
    current = S(assignment.status)
    if current in TERMINAL_STATUSES or current not in _PATH or reached(assignment, to):
        return []
    if not reached(assignment, S.INVITED):
        # Provisioning owns the steps up to invited.
        raise NotProvisionedYet(f"assignment {assignment.id} is still {current.value}")
    entered = []
    for status in _PATH[_PATH.index(current) + 1 : _PATH.index(to) + 1]:
        await change_status(session, assignment, status, detail=detail if status is to else None, at=at)
        entered.append(status)
    return entered
