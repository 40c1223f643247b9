"""Job names and how to enqueue them. The only module the API needs from ``jobs``."""

from __future__ import annotations

from arq.connections import ArqRedis

PROVISION_JOB = "assignment.provision"
SWEEP_JOB = "assignment.sweep_stuck"


def provision_job_id(assignment_id: str) -> str:
    # One id per assignment: arq refuses a second copy while one is queued or running, so the API,
    # the sweeper and a retried request can all enqueue without racing each other.
    return f"{PROVISION_JOB}:{assignment_id}"


async def enqueue_provision(
    redis: ArqRedis, assignment_id: str, *, queue_name: str | None = None, defer_seconds: float | None = None
) -> bool:
    """Queue provisioning of ``assignment_id``; False when it is already queued or running."""
    job = await redis.enqueue_job(
        PROVISION_JOB,
        assignment_id,
        _job_id=provision_job_id(assignment_id),
        _queue_name=queue_name,
        _defer_by=defer_seconds,
    )
    return job is not None
