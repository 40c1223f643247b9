"""Thin arq jobs of the outbox: the dispatcher cron and one delivery attempt.

``outbox.dispatch`` runs every second (``unique``: one run per second across workers), claims the
due deliveries in the database (``outbox.dispatch.claim_due``) and enqueues one ``outbox.deliver``
per claim under the claim's own ``_job_id``. ``outbox.deliver`` runs the attempt and records it.
Neither job retries through arq: a failed attempt is rescheduled in the database, and a job lost
with its worker leaves a lease that expires, after which the delivery is claimed again.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from worksample.config import Settings
from worksample.db.types import utcnow
from worksample.jobs.resources import WorkerResources
from worksample.outbox.dispatch import Claim, DispatchConfig, claim_due, deliver
from worksample.outbox.schedule import RetrySchedule, disable_window
from worksample.outbox.transport import DeliveryPolicy

log = logging.getLogger(__name__)

DISPATCH_JOB: Final = "outbox.dispatch"
DELIVER_JOB: Final = "outbox.deliver"
# Every second of the minute: the dispatcher's latency floor is one second.
EVERY_SECOND: Final = frozenset(range(60))
# ctx keys for a burst worker (worksample.jobs.worker sets them).
BURST_KEY: Final = "outbox_burst"
BURST_HORIZON_KEY: Final = "outbox_burst_horizon_seconds"
# A burst worker waits for retries due within this long, and leaves later ones in the database.
BURST_HORIZON_SECONDS: Final = 30.0


def dispatch_config(settings: Settings) -> DispatchConfig:
    return DispatchConfig(
        policy=DeliveryPolicy.from_settings(settings),
        schedule=RetrySchedule.from_settings(settings),
        disable_after=disable_window(settings),
        lease_margin_seconds=settings.outbox_lease_margin_seconds,
    )


def deliver_timeout_seconds(settings: Settings) -> float:
    """arq's timeout for one attempt: the attempt's own bound plus time for the database work."""
    return settings.outbox_timeout_seconds + 30.0


def _config(ctx: dict[str, Any]) -> DispatchConfig:
    config: DispatchConfig | None = ctx.get("outbox_config")
    if config is None:
        config = dispatch_config(ctx["settings"])
        ctx["outbox_config"] = config
    return config


async def dispatch_due(ctx: dict[str, Any]) -> int:
    """Claim what is due and queue one delivery job per claim; returns how many were queued."""
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    config = _config(ctx)
    async with resources.sessionmaker() as session:
        claims = await claim_due(
            session, now=utcnow(), lease=config.lease, limit=settings.outbox_dispatch_batch
        )
    for claim in claims:
        # If this enqueue is lost (Redis down, worker killed), the lease expires and the next
        # dispatch claims the delivery again.
        await ctx["redis"].enqueue_job(
            DELIVER_JOB,
            claim.delivery_id,
            claim.lease_token,
            _job_id=claim.job_id,
            _queue_name=resources.queue_name,
        )
    if claims:
        log.info("outbox.dispatched count=%d", len(claims))
    return len(claims)


async def deliver_one(ctx: dict[str, Any], delivery_id: int, lease_token: str) -> str:
    resources: WorkerResources = ctx["resources"]
    claim = Claim(delivery_id, lease_token)
    decision = await deliver(resources.sessionmaker, claim, _config(ctx))
    if decision is None:
        return "stale"
    when = decision.next_attempt_at
    horizon = ctx.get(BURST_HORIZON_KEY, BURST_HORIZON_SECONDS)
    # A burst worker has no every-second cron: it queues the dispatch the retry needs, if the
    # retry is due soon enough to wait for (tests and one-shot runs use short schedules).
    if ctx.get(BURST_KEY) and when is not None and (when - utcnow()).total_seconds() <= horizon:
        await ctx["redis"].enqueue_job(
            DISPATCH_JOB,
            _job_id=f"{DISPATCH_JOB}:after:{claim.job_id}",
            _queue_name=resources.queue_name,
            _defer_until=when,
        )
    return decision.outcome.value


async def dispatch_after_job(ctx: dict[str, Any]) -> None:
    """arq ``after_job_end`` of a burst worker: send what the job just emitted.

    The every-second cron would keep a burst worker alive for ever (arq ends a burst when the queue
    is empty, and a cron that is always about to run keeps it full), so a burst worker dispatches
    at start-up, after every other job, and when a retry comes due.
    """
    if not str(ctx.get("job_id", "")).startswith("outbox."):
        await dispatch_due(ctx)


__all__ = [
    "BURST_HORIZON_KEY",
    "BURST_KEY",
    "DELIVER_JOB",
    "DISPATCH_JOB",
    "EVERY_SECOND",
    "deliver_one",
    "deliver_timeout_seconds",
    "dispatch_after_job",
    "dispatch_config",
    "dispatch_due",
]
