"""``records.prune``: the hourly cron that deletes webhook records past their retention period.

What goes is decided in the domain (``outbox.retention``, ``github.delivery_retention``); this job
only runs their batches, each in its own transaction, so a backlog (the first run after an upgrade,
say) never holds one long transaction or lock: it is worked off over as many runs as it takes.
Deleting is idempotent, so workers running it together, or a run cut short, do no harm.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from functools import partial
from typing import Any, Final

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.config import Settings
from worksample.db.session import session_scope
from worksample.db.types import utcnow
from worksample.github.delivery_retention import prune_processed_deliveries
from worksample.jobs.resources import WorkerResources
from worksample.outbox.retention import prune_settled_events

log = logging.getLogger(__name__)

PRUNE_JOB: Final = "records.prune"
# Rows per transaction: small enough that a delete of bodies up to 25 MB each stays short.
PRUNE_BATCH: Final = 200
# Batches per kind per run; what is left waits for the next hour.
MAX_BATCHES: Final = 250

Prune = Callable[[AsyncSession], Awaitable[int]]


async def _in_batches(sessionmaker: async_sessionmaker[AsyncSession], prune: Prune) -> int:
    total = 0
    for _ in range(MAX_BATCHES):
        async with session_scope(sessionmaker) as session:
            deleted = await prune(session)
        total += deleted
        if deleted < PRUNE_BATCH:
            break
    return total


async def prune_records(ctx: dict[str, Any]) -> dict[str, int]:
    """Delete settled outbox events and processed GitHub deliveries past their retention periods."""
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    now = utcnow()
    events = partial(
        prune_settled_events,
        before=now - timedelta(days=settings.outbox_retention_days),
        limit=PRUNE_BATCH,
    )
    deliveries = partial(
        prune_processed_deliveries,
        before=now - timedelta(days=settings.github_delivery_retention_days),
        limit=PRUNE_BATCH,
    )
    pruned = {
        "outbox_events": await _in_batches(resources.sessionmaker, events),
        "github_deliveries": await _in_batches(resources.sessionmaker, deliveries),
    }
    log.info(
        "records.pruned outbox_events=%d github_deliveries=%d",
        pruned["outbox_events"],
        pruned["github_deliveries"],
    )
    return pruned
