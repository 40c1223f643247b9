"""``greenhouse.completions``: the completion PATCHes owed to Greenhouse, run every minute.

Thin: the schedule, leases and retries live in ``worksample.greenhouse.completion``.
"""

from __future__ import annotations

import logging
from typing import Any

from worksample.config import Settings
from worksample.greenhouse import deliver_completions
from worksample.jobs.resources import WorkerResources

log = logging.getLogger(__name__)

COMPLETIONS_JOB = "greenhouse.completions"


async def greenhouse_completions(ctx: dict[str, Any]) -> str:
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    run = await deliver_completions(resources.sessionmaker, settings)
    if run.attempted or run.activated:
        log.info(
            "greenhouse.completions activated=%d attempted=%d delivered=%d",
            run.activated,
            run.attempted,
            run.delivered,
        )
    return f"attempted {run.attempted}, delivered {run.delivered}"
