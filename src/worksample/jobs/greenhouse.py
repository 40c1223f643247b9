"""Greenhouse completion PATCHes: sent right after the job that scored, and retried every minute.

Thin: the schedule, leases and retries live in ``worksample.greenhouse.completion``.

- ``complete_after_job`` (part of arq's ``after_job_end``): when the job that just ended made a
  PATCH due (the scoring transaction did, through ``make_due``), a long-running worker queues
  ``greenhouse.complete_now``; a burst worker, whose queue may already be judged empty, sends it
  in place. One indexed read after a job; the ATS outbox's jobs (its dispatcher runs every second)
  and these jobs never score, so they are skipped.
- ``greenhouse.completions`` (cron, every minute): the safety net — retries when due, leases whose
  worker died, and scored tests the scoring path missed.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from worksample.config import Settings
from worksample.db.types import utcnow
from worksample.greenhouse import deliver_completions
from worksample.greenhouse.completion import CompletionRun, any_due
from worksample.jobs.outbox import BURST_KEY
from worksample.jobs.resources import WorkerResources

log = logging.getLogger(__name__)

COMPLETIONS_JOB: Final = "greenhouse.completions"
COMPLETE_NOW_JOB: Final = "greenhouse.complete_now"
# Job ids of jobs that never score: the outbox's (deliveries, and its every-second dispatcher cron,
# whose arq job id starts with its name) and these jobs themselves.
_CANNOT_SCORE: Final = ("outbox.", "greenhouse.")


def _log(run: CompletionRun) -> str:
    if run.attempted or run.activated:
        log.info(
            "greenhouse.completions activated=%d attempted=%d delivered=%d",
            run.activated,
            run.attempted,
            run.delivered,
        )
    return f"attempted {run.attempted}, delivered {run.delivered}"


async def greenhouse_completions(ctx: dict[str, Any]) -> str:
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    return _log(await deliver_completions(resources.sessionmaker, settings))


async def greenhouse_complete_now(ctx: dict[str, Any]) -> str:
    """What scoring made due: no activation sweep, the scoring transaction did that itself."""
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    return _log(await deliver_completions(resources.sessionmaker, settings, activate=False))


async def complete_after_job(ctx: dict[str, Any]) -> None:
    if str(ctx.get("job_id", "")).startswith(_CANNOT_SCORE):
        return
    resources: WorkerResources = ctx["resources"]
    async with resources.sessionmaker() as session:
        due = await any_due(session, now=utcnow())
    if not due:
        return
    if ctx.get(BURST_KEY):
        await greenhouse_complete_now(ctx)
        return
    # No fixed job id: one would refuse this run while an earlier one is still going, leaving the
    # new PATCH to the minute job. Two runs at once are harmless: each claims with a lease.
    await ctx["redis"].enqueue_job(COMPLETE_NOW_JOB, _queue_name=resources.queue_name)
