"""How long the outbox keeps what it sent: settled events, their deliveries and attempt logs.

An event goes once it is older than the retention period and none of its deliveries is still
pending or in flight; its deliveries go with it, and their attempts by ``ON DELETE CASCADE``. Until
then ``redeliver`` and ``recover`` can reach it. A batch is one call: the caller commits and calls
again, so no transaction holds a long outage's worth of rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.db.models import OutboxDelivery, OutboxEvent
from worksample.outbox.store import FINAL_STATES

_SETTLED = [state.value for state in FINAL_STATES]


async def prune_settled_events(session: AsyncSession, *, before: datetime, limit: int) -> int:
    """Delete up to ``limit`` settled events raised before ``before``; returns how many went."""
    unsettled = exists().where(
        OutboxDelivery.event_id == OutboxEvent.id, OutboxDelivery.state.not_in(_SETTLED)
    )
    ids = list(
        await session.scalars(
            select(OutboxEvent.id)
            .where(OutboxEvent.created_at < before, ~unsettled)
            .order_by(OutboxEvent.created_at)
            .limit(limit)
        )
    )
    if not ids:
        return 0
    # Deliveries first, each only while still settled: a redeliver re-queuing one meanwhile wins
    # (PostgreSQL re-checks the condition on a row another transaction changed), and its event,
    # which then still has a delivery, is kept below.
    await session.execute(
        delete(OutboxDelivery)
        .where(OutboxDelivery.event_id.in_(ids), OutboxDelivery.state.in_(_SETTLED))
        .execution_options(synchronize_session=False)
    )
    deleted = await session.execute(
        delete(OutboxEvent)
        .where(OutboxEvent.id.in_(ids), ~exists().where(OutboxDelivery.event_id == OutboxEvent.id))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(deleted, "rowcount", 0))
