"""Thin arq jobs of the outbox: the dispatcher cron and one delivery attempt.

``outbox.dispatch`` runs every second (``unique``: one run per second across workers), claims the
due deliveries in the database (``outbox.dispatch.claim_due``) and enqueues one ``outbox.deliver``
per claim under the claim's own ``_job_id``. ``outbox.deliver`` runs the attempt and records it.
Neither job retries through arq: a failed attempt is rescheduled in the database, and a job lost
with its worker leaves a lease that expires, after which the delivery is claimed again.
A burst worker (tests, one-shot runs) has no such cron and delivers inline instead
(``deliver_in_burst``).
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any, Final

from worksample.config import Settings
from worksample.db.encryption import Purpose, SecretBox
from worksample.db.types import utcnow
from worksample.jobs.resources import WorkerResources
from worksample.outbox.dispatch import Claim, DispatchConfig, claim_due, deliver, deliver_due_inline
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
        endpoint_secrets=SecretBox.from_settings(settings, Purpose.ENDPOINT_SECRET),
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
    decision = await deliver(resources.sessionmaker, Claim(delivery_id, lease_token), _config(ctx))
    return decision.outcome.value if decision is not None else "stale"


async def deliver_in_burst(ctx: dict[str, Any]) -> int:
    """A burst worker's dispatcher: deliver what is due in this task, and retries due soon.

    The every-second cron would keep a burst worker alive for ever (arq ends a burst when its queue
    is empty, and a cron always about to run keeps it full), and delivery jobs queued from the end
    of another job can miss the burst's last look at the queue. So a burst worker delivers inline,
    at start-up and after every job, waiting for retries due within the horizon.
    """
    resources: WorkerResources = ctx["resources"]
    horizon = timedelta(seconds=ctx.get(BURST_HORIZON_KEY, BURST_HORIZON_SECONDS))
    batch = ctx["settings"].outbox_dispatch_batch
    return await deliver_due_inline(resources.sessionmaker, _config(ctx), horizon=horizon, limit=batch)


async def dispatch_after_job(ctx: dict[str, Any]) -> None:
    """arq ``after_job_end``: send what the job just emitted without waiting for the next second.

    A burst worker delivers inline; a long-running one claims and queues, as the cron does (one
    query when nothing is due). Outbox jobs themselves emit nothing, so they are skipped.
    """
    if ctx.get(BURST_KEY):
        await deliver_in_burst(ctx)
    elif not str(ctx.get("job_id", "")).startswith("outbox."):
        await dispatch_due(ctx)


__all__ = [
    "BURST_HORIZON_KEY",
    "BURST_KEY",
    "DELIVER_JOB",
    "DISPATCH_JOB",
    "EVERY_SECOND",
    "deliver_in_burst",
    "deliver_one",
    "deliver_timeout_seconds",
    "dispatch_after_job",
    "dispatch_config",
    "dispatch_due",
]
