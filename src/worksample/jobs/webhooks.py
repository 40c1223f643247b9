"""``github.webhook``: run one recorded delivery through the router; and the sweeper behind it.

The intake commits the delivery row, then enqueues this job with ``_job_id`` = the delivery id.
Redis and the database share no transaction, so a crash between the two would lose the job: the
sweeper (a worker cron) re-enqueues deliveries still unprocessed after ``STALE_AFTER_SECONDS``.
Running a delivery twice is harmless: the job skips a processed one, and every handler is
idempotent in the domain anyway.

Retries are explicit (arq treats any other exception as final): a rate limit, or our own pacing
putting the next write slot far off → ``Retry`` then, spending none of the delivery's tries;
an assignment still being provisioned → ``Retry`` with growing delays for as long as it is (see
``_wait_for_provisioning``); anything unexpected → ``Retry`` with backoff, and after
``WEBHOOK_TRIES`` the delivery is marked processed with the error kept.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from arq import Retry
from arq.connections import ArqRedis
from arq.constants import job_key_prefix, result_key_prefix
from arq.jobs import serialize_job
from arq.utils import timestamp_ms
from githubkit.exception import RateLimitExceeded, RequestError
from sqlalchemy import select, update

from worksample.config import Settings
from worksample.db.models import GitHubDelivery
from worksample.db.session import session_scope
from worksample.db.types import utcnow
from worksample.github.handlers import router
from worksample.github.handlers.context import HandlerContext
from worksample.github.pacing import PacingDeferred
from worksample.github.routing import WebhookEvent
from worksample.jobs.provision import backoff
from worksample.jobs.resources import WorkerResources
from worksample.review.assignments import NotProvisionedYet

log = logging.getLogger(__name__)

WEBHOOK_JOB = "github.webhook"
WEBHOOK_SWEEP_JOB = "github.webhook_sweep"
WEBHOOK_TRIES = 8
# Tries of one job while its assignment is still being provisioned; the worker's max_tries for
# this job is one more (jobs/worker.py), after which the sweeper queues the delivery again.
WAITING_TRIES = WEBHOOK_TRIES * 4
# The longest wait between two of them, in retry bases (production: 5 s, so 5 minutes).
MAX_WAIT_FACTOR = 60
# A delivery still waiting for provisioning after this long is given up (the assignment's own
# lifetime: GitHub's invitation lapses after 7 days, and provisioning fails long before).
WAIT_FOR_PROVISIONING = timedelta(days=7)
STALE_AFTER_SECONDS = 60.0
SWEEP_BATCH = 500


# What arq's ``enqueue_job`` does — no job or result under this id yet, then the job and its queue
# entry — in one atomic round trip instead of three (WATCH, EXISTS, MULTI…EXEC): this runs inside
# every webhook acknowledgement. The job is arq's own format from arq's own serializer (arq is
# pinned; the front-door tests run these jobs through the real worker).
_ENQUEUE_UNLESS_KNOWN = """
if redis.call('EXISTS', KEYS[1], KEYS[2]) > 0 then return 0 end
redis.call('PSETEX', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[4])
return 1
"""


async def enqueue_delivery(redis: ArqRedis, delivery_id: str, *, queue_name: str | None = None) -> bool:
    """Queue the delivery's job; False when it is already queued, running or just run (same job id)."""
    enqueued_ms = timestamp_ms()
    job = serialize_job(
        WEBHOOK_JOB, (), {"delivery_id": delivery_id}, None, enqueued_ms, serializer=redis.job_serializer
    )
    # EVALSHA: only the hash travels, and the text only when Redis does not know the script yet.
    enqueue = redis.register_script(_ENQUEUE_UNLESS_KNOWN)
    added = await enqueue(
        keys=[
            job_key_prefix + delivery_id,
            result_key_prefix + delivery_id,
            queue_name or redis.default_queue_name,
        ],
        args=[redis.expires_extra_ms, job, enqueued_ms, delivery_id],
    )
    return bool(added)


async def github_webhook(ctx: dict[str, Any], delivery_id: str) -> str:
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    job_try: int = ctx.get("job_try", 1)
    async with resources.sessionmaker() as session:
        delivery = (
            await session.execute(select(GitHubDelivery).where(GitHubDelivery.delivery_id == delivery_id))
        ).scalar_one_or_none()
    if delivery is None:
        log.warning("webhook.unknown_delivery delivery=%s", delivery_id)
        return "unknown delivery"
    if delivery.processed_at is not None:
        return "already processed"
    try:
        event = WebhookEvent.from_body(delivery.event, delivery.delivery_id, delivery.body)
        async with session_scope(resources.sessionmaker) as session:
            context = HandlerContext(
                session=session,
                github=resources.github,
                catalog=resources.catalog,
                public_url=settings.public_url,
                app_slug=settings.github_app_slug,
                job_try=job_try,
            )
            notes = await router.dispatch(event, context)
            outcome = "; ".join(notes) or "no handler"
            await _finish(session, delivery.id, outcome=outcome, error=None)
    except RateLimitExceeded as exc:
        raise Retry(defer=timedelta(seconds=exc.retry_after.total_seconds() + 1.0)) from exc
    except RequestError as exc:
        if not isinstance(exc.exc, PacingDeferred):
            return await _failed_try(resources, delivery, job_try, exc)
        # Our own pacing put the next write slot far off (many pull requests at once, the hourly
        # budget): not a failure, so it spends none of the delivery's tries; come back then.
        log.info("webhook.paced delivery=%s defer=%.0fs", delivery_id, exc.exc.delay)
        raise Retry(defer=timedelta(seconds=exc.exc.delay)) from exc
    except NotProvisionedYet as exc:
        return await _wait_for_provisioning(resources, delivery, job_try, exc)
    except Exception as exc:
        return await _failed_try(resources, delivery, job_try, exc)
    log.info("webhook.processed delivery=%s event=%s outcome=%s", delivery_id, delivery.event, outcome)
    return outcome


async def _failed_try(
    resources: WorkerResources, delivery: GitHubDelivery, job_try: int, exc: Exception
) -> str:
    """Count a failure and retry with backoff; give the delivery up after ``WEBHOOK_TRIES``."""
    # Counted from the delivery's own failures, not the job's tries: tries spent waiting for
    # provisioning or for a pacing slot are no failures, and must not leave one transient error
    # to give up on it.
    if delivery.attempts + 1 >= WEBHOOK_TRIES:
        return await _give_up(resources, delivery, exc)
    log.warning("webhook.retry delivery=%s try=%d error=%r", delivery.delivery_id, job_try, exc)
    async with session_scope(resources.sessionmaker) as session:
        await session.execute(
            update(GitHubDelivery)
            .where(GitHubDelivery.id == delivery.id)
            .values(attempts=GitHubDelivery.attempts + 1, last_error=_error(exc))
        )
    raise Retry(defer=timedelta(seconds=backoff(job_try, resources.retry_base_seconds))) from exc


async def _wait_for_provisioning(
    resources: WorkerResources, delivery: GitHubDelivery, job_try: int, exc: NotProvisionedYet
) -> str:
    """Keep the delivery for as long as its assignment is still being provisioned.

    Provisioning can take far longer than a few retries (backoff up to ten minutes a try, the
    hourly write budget, rate-limit holds), and the event may be the candidate's acceptance: losing
    it leaves the assignment invited for ever. So the job waits with growing delays (capped, so
    the event lands soon after provisioning ends), and when arq's tries for this job are spent the
    delivery is left unprocessed for the sweeper to queue again. The wait ends with provisioning:
    once the assignment is invited (or failed, or cancelled) the handler no longer raises this.
    Only a delivery older than ``WAIT_FOR_PROVISIONING`` is given up, as a backstop.
    """
    if utcnow() - delivery.received_at >= WAIT_FOR_PROVISIONING:
        return await _give_up(resources, delivery, exc)
    async with session_scope(resources.sessionmaker) as session:
        await session.execute(
            update(GitHubDelivery).where(GitHubDelivery.id == delivery.id).values(last_error=_error(exc))
        )
    if job_try >= WAITING_TRIES:
        log.info("webhook.waiting delivery=%s handed to the sweeper: %s", delivery.delivery_id, exc)
        return "waiting for provisioning"
    base = resources.retry_base_seconds
    delay = min(backoff(job_try, base), base * MAX_WAIT_FACTOR)
    raise Retry(defer=timedelta(seconds=delay)) from exc


def _error(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:2000]


async def _finish(session: Any, row_id: int, *, outcome: str, error: str | None) -> None:
    await session.execute(
        update(GitHubDelivery)
        .where(GitHubDelivery.id == row_id)
        .values(
            processed_at=utcnow(),
            outcome=outcome[:500],
            last_error=error,
            attempts=GitHubDelivery.attempts + 1,
        )
    )


async def _give_up(resources: WorkerResources, delivery: GitHubDelivery, exc: BaseException) -> str:
    log.error("webhook.gave_up delivery=%s event=%s error=%r", delivery.delivery_id, delivery.event, exc)
    async with session_scope(resources.sessionmaker) as session:
        await _finish(session, delivery.id, outcome="failed", error=_error(exc))
    return "failed"


async def sweep_deliveries(ctx: dict[str, Any]) -> int:
    """Re-queue deliveries recorded but not processed after ``STALE_AFTER_SECONDS`` (lost enqueue)."""
    resources: WorkerResources = ctx["resources"]
    stale_after: float = ctx.get("webhook_stale_after_seconds", STALE_AFTER_SECONDS)
    cutoff = utcnow() - timedelta(seconds=stale_after)
    async with resources.sessionmaker() as session:
        result = await session.execute(
            select(GitHubDelivery.delivery_id)
            .where(GitHubDelivery.processed_at.is_(None), GitHubDelivery.received_at < cutoff)
            .order_by(GitHubDelivery.received_at)
            .limit(SWEEP_BATCH)
        )
        ids = list(result.scalars())
    queued = 0
    for delivery_id in ids:
        if await enqueue_delivery(ctx["redis"], delivery_id, queue_name=resources.queue_name):
            queued += 1
    if ids:
        log.info("webhook.swept stale=%d queued=%d", len(ids), queued)
    return queued
