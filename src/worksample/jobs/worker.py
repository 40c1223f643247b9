"""The arq worker: its settings, and resources built at start-up and handed to jobs in ``ctx``.

``worker_settings(settings, ...)`` is arq's WorkerSettings as keyword arguments (a class with
attributes would have to read the environment at import); ``build_worker`` makes the ``Worker``.
Options that only tests and the benchmark change (an in-process GitHub transport, a pacing policy
matching a scaled-down simulator, the failure-injection checkpoint) arrive through ``ctx``.

Pacing holds across worker processes: the pacer's schedule lives in the same Redis as the queue,
under a key derived from the queue name, so every worker of one deployment shares it.
"""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx
from arq import Worker, cron
from arq.worker import func

from worksample.artifacts.catalog import load_catalog
from worksample.clock import Clock
from worksample.config import Settings
from worksample.db.session import create_engine, create_sessionmaker
from worksample.github.client import GitHubApp
from worksample.github.pacing import GITHUB_BUDGETS, PacingPolicy, RedisWritePacer
from worksample.jobs.connection import redis_settings
from worksample.jobs.greenhouse import (
    COMPLETE_NOW_JOB,
    COMPLETIONS_JOB,
    complete_after_job,
    greenhouse_complete_now,
    greenhouse_completions,
)
from worksample.jobs.idempotency import PURGE_JOB, purge_idempotency_records
from worksample.jobs.invitations import RESEND_JOB, resend_invitations
from worksample.jobs.lifecycle import lifecycle_announce_extension, lifecycle_tick
from worksample.jobs.names import PROVISION_JOB, SWEEP_JOB
from worksample.jobs.outbox import (
    BURST_KEY,
    DELIVER_JOB,
    DISPATCH_JOB,
    EVERY_SECOND,
    deliver_in_burst,
    deliver_one,
    deliver_timeout_seconds,
    dispatch_after_job,
    dispatch_due,
)
from worksample.jobs.provision import provision, sweep_stuck
from worksample.jobs.resources import WorkerResources
from worksample.jobs.retention import PRUNE_JOB, prune_records
from worksample.jobs.webhooks import (
    WEBHOOK_JOB,
    WEBHOOK_SWEEP_JOB,
    WEBHOOK_TRIES,
    github_webhook,
    sweep_deliveries,
)
from worksample.lifecycle.jobs_api import ANNOUNCE_EXTENSION_JOB, TICK_JOB
from worksample.provisioning.service import Checkpoint
from worksample.provisioning.templates import RedisTemplateRegistry

# Rate limits may defer one job many times; TRANSIENT_TRIES bounds the other retries itself.
PROVISION_MAX_TRIES = 1000
JOB_TIMEOUT_SECONDS = 600
# Waiting for provisioning to finish takes more tries than a transient error (jobs/webhooks.py).
WEBHOOK_MAX_TRIES = WEBHOOK_TRIES * 4 + 1


def pacing_policy(settings: Settings) -> PacingPolicy:
    return PacingPolicy(interval=settings.github_write_interval_seconds, budgets=GITHUB_BUDGETS)


async def startup(ctx: dict[str, Any]) -> None:
    settings: Settings = ctx["settings"]
    engine = create_engine(settings)
    policy: PacingPolicy = ctx.get("pacing_policy") or pacing_policy(settings)
    pacer = RedisWritePacer(ctx["redis"], policy, prefix=f"worksample:github:pace:{settings.queue_name}")
    transport: httpx.AsyncBaseTransport | None = ctx.get("github_transport")
    ctx["resources"] = WorkerResources(
        engine=engine,
        # Times the jobs write (acceptance, scoring...) come from the same clock as the lifecycle's.
        sessionmaker=create_sessionmaker(engine, clock=ctx.get("clock")),
        catalog=load_catalog(settings.artifacts_dir),
        github=GitHubApp.from_settings(
            settings, pacer, transport, max_rate_limit_wait=ctx.get("max_rate_limit_wait", 30.0)
        ),
        queue_name=settings.queue_name,
        templates=(
            RedisTemplateRegistry(ctx["redis"], prefix=f"worksample:templates:{settings.queue_name}")
            if ctx.get("use_templates", True)
            else None
        ),
        retry_base_seconds=ctx.get("retry_base_seconds", 5.0),
        stale_after_seconds=ctx.get("stale_after_seconds", 300.0),
        checkpoint=ctx.get("checkpoint"),
    )
    if ctx.get(BURST_KEY):
        # What was due before the burst began (a burst worker has no dispatcher cron).
        await deliver_in_burst(ctx)


async def after_job_end(ctx: dict[str, Any]) -> None:
    """What a job made due goes out now, not at the next cron run: ATS events, then Greenhouse."""
    await dispatch_after_job(ctx)
    await complete_after_job(ctx)


async def shutdown(ctx: dict[str, Any]) -> None:
    resources: WorkerResources | None = ctx.get("resources")
    if resources is not None:
        await resources.github.aclose()
        await resources.engine.dispose()


def _outbox_cron(burst: bool) -> list[Any]:
    """The every-second ATS dispatcher; a burst worker runs it at start-up and after jobs instead,
    because a cron always about to run would keep the burst from ever ending."""
    if burst:
        return []
    return [
        cron(
            dispatch_due,
            name=f"{DISPATCH_JOB}.cron",
            second=set(EVERY_SECOND),
            unique=True,
            run_at_startup=True,
        )
    ]


def worker_settings(
    settings: Settings,
    *,
    burst: bool = False,
    max_jobs: int = 10,
    github_transport: httpx.AsyncBaseTransport | None = None,
    pacing: PacingPolicy | None = None,
    checkpoint: Checkpoint | None = None,
    retry_base_seconds: float = 5.0,
    stale_after_seconds: float = 300.0,
    webhook_stale_after_seconds: float = 60.0,
    max_rate_limit_wait: float = 30.0,
    poll_delay: float = 0.5,
    use_templates: bool = True,
    clock: Clock | None = None,
) -> dict[str, Any]:
    ctx: dict[str, Any] = {
        "settings": settings,
        "github_transport": github_transport,
        "pacing_policy": pacing,
        "checkpoint": checkpoint,
        "retry_base_seconds": retry_base_seconds,
        "stale_after_seconds": stale_after_seconds,
        # Recorded GitHub deliveries still unprocessed after this are queued again (lost enqueue).
        "webhook_stale_after_seconds": webhook_stale_after_seconds,
        # Rate-limit answers asking for longer than this are deferred through arq, not slept on.
        "max_rate_limit_wait": max_rate_limit_wait,
        "use_templates": use_templates,
        # The lifecycle's clock (worksample.clock); tests pass one they can move.
        "clock": clock,
        BURST_KEY: burst,
    }
    return {
        "functions": [
            # keep_result=0: no result is kept, so the job id frees up as soon as the job ends and
            # the sweeper can queue the assignment again if it is still not done.
            func(provision, name=PROVISION_JOB, max_tries=PROVISION_MAX_TRIES, keep_result=0),
            # keep_result=0 for the same reason: the sweeper may queue an unprocessed delivery again.
            func(github_webhook, name=WEBHOOK_JOB, max_tries=WEBHOOK_MAX_TRIES, keep_result=0),
            func(lifecycle_tick, name=TICK_JOB, keep_result=0),
            func(lifecycle_announce_extension, name=ANNOUNCE_EXTENSION_JOB, keep_result=0),
            # ATS webhooks out: no arq retries; the schedule and the leases live in the database.
            func(
                deliver_one,
                name=DELIVER_JOB,
                max_tries=1,
                keep_result=0,
                timeout=deliver_timeout_seconds(settings),
            ),
            func(dispatch_due, name=DISPATCH_JOB, max_tries=1, keep_result=0),
            func(prune_records, name=PRUNE_JOB, max_tries=1, keep_result=0),
            # Greenhouse's completion PATCH right after scoring; the minute cron below retries.
            func(greenhouse_complete_now, name=COMPLETE_NOW_JOB, max_tries=1, keep_result=0),
            func(purge_idempotency_records, name=PURGE_JOB, max_tries=1, keep_result=0),
        ],
        "cron_jobs": [
            cron(sweep_stuck, name=SWEEP_JOB, second=0, unique=True, run_at_startup=True),
            # Completion PATCHes to Greenhouse; leases make concurrent runs safe, unique saves effort.
            cron(greenhouse_completions, name=COMPLETIONS_JOB, second=5, unique=True, run_at_startup=True),
            # Invitation e-mails the SMTP server refused get a fresh link, on the outbox's schedule.
            cron(resend_invitations, name=RESEND_JOB, second=10, unique=True, run_at_startup=True),
            # Hourly: Idempotency-Key records past their retention (worksample.api.idempotency).
            cron(purge_idempotency_records, name=f"{PURGE_JOB}.cron", minute=35, second=40, unique=True),
            cron(sweep_deliveries, name=WEBHOOK_SWEEP_JOB, second={15, 45}, unique=True, run_at_startup=True),
            # Not unique: every worker ticks, so one being down delays nothing; the claims in
            # worksample.lifecycle make each timer fire once however many tick together.
            cron(lifecycle_tick, name=f"{TICK_JOB}.cron", second=30, unique=False, run_at_startup=True),
            *_outbox_cron(burst),
            # Hourly: webhook records past their retention periods (ATS events, GitHub deliveries).
            cron(prune_records, name=f"{PRUNE_JOB}.cron", minute=20, second=50, unique=True),
        ],
        # Events a job raised go out as soon as it ends, not at the next second of the cron
        # (and a burst worker, which has no cron, delivers them there and then).
        "after_job_end": after_job_end,
        "redis_settings": redis_settings(settings.redis_url),
        "queue_name": settings.queue_name,
        "on_startup": startup,
        "on_shutdown": shutdown,
        "ctx": ctx,
        "burst": burst,
        # In burst mode (tests, one-shot runs) the caller owns the process's signals.
        "handle_signals": not burst,
        "max_jobs": max_jobs,
        "job_timeout": JOB_TIMEOUT_SECONDS,
        "poll_delay": poll_delay,
    }


def build_worker(settings: Settings, **options: Any) -> Worker:
    return Worker(**worker_settings(settings, **options))


async def close_worker(worker: Worker) -> None:
    """``Worker.close`` once the jobs still running have ended, minus arq 0.28's call of
    redis-py's deprecated ``close()``. Call it when ``main()`` has returned or been cancelled.

    Without signal handlers (tests, the demo), arq's ``close()`` cancels the running jobs and then
    gathers them without ``return_exceptions``: a job cancelled in arq's own Redis bookkeeping
    (its result write is shielded) makes ``close()`` raise before it closes the pool, and leaves
    that write holding a pipeline's connection. A stopped worker starts no new job, so waiting for
    these few is bounded by the job timeout.

    arq is in maintenance mode and will not be fixed; the warning is about arq's code, not ours,
    so it is silenced here and only here.
    """
    await asyncio.gather(*worker.tasks.values(), return_exceptions=True)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Call to deprecated close", category=DeprecationWarning)
        await worker.close()
