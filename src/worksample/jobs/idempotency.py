"""``idempotency.purge``: the hourly cron deleting Idempotency-Key records past their retention.

The API already ignores (and deletes) an expired record when its key comes back; this job deletes
the ones whose keys never do, so the table holds about one retention period of requests. One
DELETE: that is a day of assignment requests at most, a few thousand small rows.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Final

from worksample.api.idempotency import purge_expired
from worksample.config import Settings
from worksample.db.session import session_now, session_scope
from worksample.jobs.resources import WorkerResources

log = logging.getLogger(__name__)

PURGE_JOB: Final = "idempotency.purge"


async def purge_idempotency_records(ctx: dict[str, Any]) -> int:
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    retention = timedelta(hours=settings.idempotency_retention_hours)
    async with session_scope(resources.sessionmaker) as session:
        # The sessions' clock: the one the API stamped the records with (tests move it).
        purged = await purge_expired(session, now=session_now(session), retention=retention)
    log.info("idempotency.purged records=%d", purged)
    return purged
