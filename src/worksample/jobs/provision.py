"""Thin job wrappers: ``assignment.provision`` and the sweeper that re-queues stuck assignments.

Retries are explicit (``arq.Retry``), because arq treats any other exception as final:

- a rate limit GitHub says will last longer than the transport waits in-line → ``Retry`` after
  ``retry_after``, however many times it takes: a rate limit never fails an assignment;
- our own pacing putting the next write slot further off than that (the hourly budget) → ``Retry``
  for when the slot comes, likewise without limit;
- anything else unexpected (5xx, network, a database hiccup) → ``Retry`` with exponential backoff,
  and after ``TRANSIENT_TRIES`` the assignment is failed with the last error as the reason;
- what retrying cannot fix was already turned into a failed assignment by the domain code.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta
from typing import Any

from arq import Retry
from githubkit.exception import RateLimitExceeded, RequestError
from sqlalchemy import select

from worksample.assignments import AssignmentStatus
from worksample.db.models import Assignment
from worksample.db.session import session_now, session_scope
from worksample.db.timeline import StaleAssignment
from worksample.github.pacing import PacingDeferred
from worksample.jobs.names import enqueue_provision
from worksample.jobs.resources import WorkerResources
from worksample.lifecycle.jobs_api import TICK_JOB, tick_job_id
from worksample.provisioning import AssignmentNotFound, fail_assignment, provision_assignment

log = logging.getLogger(__name__)

TRANSIENT_TRIES = 8
MAX_BACKOFF_SECONDS = 600.0
# Assignments the sweeper looks at per run; the rest wait for the next minute.
SWEEP_BATCH = 500
STUCK_STATUSES = (AssignmentStatus.REQUESTED.value, AssignmentStatus.PROVISIONING.value)


def backoff(job_try: int, base: float) -> float:
    """base, 2·base, 4·base, ... capped, with ±20 % jitter so retries of a burst spread out."""
    delay: float = min(MAX_BACKOFF_SECONDS, base * 2 ** max(0, job_try - 1))
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 - jitter, not security


async def provision(ctx: dict[str, Any], assignment_id: str) -> str:
    resources: WorkerResources = ctx["resources"]
    job_try: int = ctx.get("job_try", 1)
    try:
        async with session_scope(resources.sessionmaker) as session:
            outcome = await provision_assignment(
                session,
                github=resources.github,
                catalog=resources.catalog,
                assignment_id=assignment_id,
                checkpoint=resources.checkpoint,
                templates=resources.templates,
                renders=resources.renders,
                reviewer_access=resources.reviewer_access,
            )
    except AssignmentNotFound:
        log.warning("provisioning.unknown_assignment assignment=%s", assignment_id)
        return "unknown assignment"
    except RateLimitExceeded as exc:
        defer = exc.retry_after.total_seconds() + 1.0
        log.info("provisioning.rate_limited assignment=%s defer=%.0fs", assignment_id, defer)
        raise Retry(defer=timedelta(seconds=defer)) from exc
    except RequestError as exc:
        if not isinstance(exc.exc, PacingDeferred):
            return await _transient(resources, assignment_id, job_try, exc)
        # Our own pacing says the next write slot is far off (the hourly budget): come back then.
        log.info("provisioning.paced assignment=%s defer=%.0fs", assignment_id, exc.exc.delay)
        raise Retry(defer=timedelta(seconds=exc.exc.delay)) from exc
    except StaleAssignment as exc:
        # Someone else (the API cancelling) moved it: read it again shortly and decide then.
        raise Retry(defer=timedelta(seconds=resources.retry_base_seconds)) from exc
    except Exception as exc:
        return await _transient(resources, assignment_id, job_try, exc)
    if (outcome.stopped or outcome.status is AssignmentStatus.FAILED) and outcome.repo_url is not None:
        await _clean_up_now(ctx, resources, assignment_id)
    return outcome.note


async def _clean_up_now(ctx: dict[str, Any], resources: WorkerResources, assignment_id: str) -> None:
    """Stopped by a cancel, or failed, after making a repository: the lifecycle's cancel timer
    undoes what was made. The cancel route could only queue a tick if the repository was recorded
    by then; this one runs after everything this run made is recorded (the minute cron is the
    fallback)."""
    try:
        await ctx["redis"].enqueue_job(
            TICK_JOB,
            _job_id=tick_job_id(f"provisioning-ended:{assignment_id}"),
            _queue_name=resources.queue_name,
        )
    except Exception as exc:
        log.warning("provisioning.tick_enqueue_failed assignment=%s error=%r", assignment_id, exc)


async def _transient(resources: WorkerResources, assignment_id: str, job_try: int, exc: Exception) -> str:
    """Retry with backoff; after ``TRANSIENT_TRIES`` fail the assignment with the error as reason."""
    if job_try >= TRANSIENT_TRIES:
        reason = f"provisioning gave up after {job_try} tries: {type(exc).__name__}: {exc}"
        log.error("provisioning.gave_up assignment=%s error=%r", assignment_id, exc)
        async with session_scope(resources.sessionmaker) as session:
            await fail_assignment(session, assignment_id, reason[:2000])
        return "failed"
    defer = backoff(job_try, resources.retry_base_seconds)
    log.warning(
        "provisioning.retry assignment=%s try=%d defer=%.1fs error=%r", assignment_id, job_try, defer, exc
    )
    raise Retry(defer=timedelta(seconds=defer)) from exc


async def sweep_stuck(ctx: dict[str, Any]) -> int:
    """Re-queue assignments left in requested/provisioning (lost enqueue, worker killed mid-job)."""
    resources: WorkerResources = ctx["resources"]
    async with session_scope(resources.sessionmaker) as session:
        # updated_at is stamped by the sessions' clock (moved by tests): judge its age by it too.
        cutoff = session_now(session) - timedelta(seconds=resources.stale_after_seconds)
        result = await session.execute(
            select(Assignment.id)
            .where(
                Assignment.status.in_(STUCK_STATUSES),
                Assignment.updated_at < cutoff,
                # Not stuck: waiting for a candidate invited by e-mail to sign in with GitHub.
                Assignment.candidate_login.is_not(None),
            )
            .order_by(Assignment.updated_at)
            .limit(SWEEP_BATCH)
        )
        ids = list(result.scalars())
    queued = 0
    for assignment_id in ids:
        if await enqueue_provision(ctx["redis"], assignment_id, queue_name=resources.queue_name):
            queued += 1
    if ids:
        log.info("provisioning.swept stuck=%d queued=%d", len(ids), queued)
    return queued
