"""Claiming a timer's firing so that exactly one worker acts on it.

A claim is a row inserted in its own short transaction: the unique ``(assignment, kind, due_at)``
constraint lets one worker in, the others get an IntegrityError and walk away. The winner does
the work and marks the row done in the same transaction as the work's own database changes. A
claim left undone past its lease (the worker was killed) is taken over with a conditional UPDATE
that only one worker can win, so a firing is never lost either.

A firing GitHub answered "not now" (a rate limit, a 5xx) is left open with a ``retry_at``
(``defer_firing``) and taken over like an expired lease once that moment comes.

A taken-over claim says so (``Claim.taken_over``): the worker before may have done some of the
firing's GitHub calls before it died. Most are safe to repeat; a comment is not, so the action
then looks for it before posting (``notices.post_once``), and only then.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from worksample.db.models import LifecycleFiring
from worksample.lifecycle.schedule import DueTimer

DEFAULT_LEASE = timedelta(minutes=10)


@dataclass(frozen=True)
class Claim:
    token: str
    # Another worker claimed this firing before and never finished it.
    taken_over: bool
    # Tries GitHub already answered "not now" (``defer_firing``).
    attempts: int = 0


async def claim_firing(
    sessionmaker: async_sessionmaker[AsyncSession],
    assignment_id: str,
    timer: DueTimer,
    *,
    now: datetime,
    lease: timedelta = DEFAULT_LEASE,
) -> Claim | None:
    """The claim when this worker won the firing, None when another worker has (or had) it."""
    token = secrets.token_hex(16)
    async with sessionmaker() as session:
        session.add(
            LifecycleFiring(
                assignment_id=assignment_id,
                kind=timer.name,
                due_at=timer.due_at,
                claimed_at=now,
                claim_token=token,
            )
        )
        try:
            await session.commit()
            return Claim(token, taken_over=False)
        except IntegrityError:
            await session.rollback()
        outcome = await session.execute(
            update(LifecycleFiring)
            .where(
                LifecycleFiring.assignment_id == assignment_id,
                LifecycleFiring.kind == timer.name,
                LifecycleFiring.due_at == timer.due_at,
                LifecycleFiring.done_at.is_(None),
                or_(LifecycleFiring.claimed_at < now - lease, LifecycleFiring.retry_at <= now),
            )
            .values(claimed_at=now, claim_token=token, retry_at=None)
            .execution_options(synchronize_session=False)
        )
        if getattr(outcome, "rowcount", 0) != 1:
            await session.rollback()
            return None
        attempts = await session.scalar(
            select(LifecycleFiring.attempts).where(LifecycleFiring.claim_token == token)
        )
        await session.commit()
    return Claim(token, taken_over=True, attempts=attempts or 0)


def _held(assignment_id: str, timer: DueTimer, token: str) -> list[ColumnElement[bool]]:
    """The firing, as long as this worker's claim still holds it."""
    return [
        LifecycleFiring.assignment_id == assignment_id,
        LifecycleFiring.kind == timer.name,
        LifecycleFiring.due_at == timer.due_at,
        LifecycleFiring.claim_token == token,
    ]


async def finish_firing(
    session: AsyncSession, assignment_id: str, timer: DueTimer, token: str, *, now: datetime, outcome: str
) -> bool:
    """Mark the firing done in the caller's transaction; False when the claim was lost meanwhile
    (another worker took over an expired lease): the caller should then roll back."""
    result = await session.execute(
        update(LifecycleFiring)
        .where(*_held(assignment_id, timer, token))
        .values(done_at=now, outcome=outcome[:500])
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1


async def defer_firing(
    session: AsyncSession,
    assignment_id: str,
    timer: DueTimer,
    token: str,
    *,
    retry_at: datetime,
    outcome: str,
) -> bool:
    """Leave the firing open, to be taken again from ``retry_at``; in the caller's transaction.
    False when the claim was lost meanwhile."""
    result = await session.execute(
        update(LifecycleFiring)
        .where(*_held(assignment_id, timer, token), LifecycleFiring.done_at.is_(None))
        .values(retry_at=retry_at, attempts=LifecycleFiring.attempts + 1, outcome=outcome[:500])
        .execution_options(synchronize_session=False)
    )
    return getattr(result, "rowcount", 0) == 1
