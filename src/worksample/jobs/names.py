"""Job names and how to enqueue them.

The names themselves live in ``worksample.assignments.jobs`` so the API can enqueue without
importing arq-facing code; this module re-exports them for the worker side.
"""

from __future__ import annotations

from arq.connections import ArqRedis

from worksample.assignments.jobs import PROVISION_JOB, provision_job_id

SWEEP_JOB = "assignment.sweep_stuck"

__all__ = ["PROVISION_JOB", "SWEEP_JOB", "enqueue_provision", "provision_job_id"]


async def enqueue_provision(
    redis: ArqRedis, assignment_id: str, *, queue_name: str | None = None, defer_seconds: float | None = None
) -> bool:
    """Queue provisioning of ``assignment_id``; False when it is already queued or running.

    The job id is per assignment, so the API, the sweeper and a retried request can all enqueue
    without ever running two provisioning jobs for one assignment at once.
    """
    job = await redis.enqueue_job(
        PROVISION_JOB,
        assignment_id=assignment_id,
        _job_id=provision_job_id(assignment_id),
        _queue_name=queue_name,
        _defer_by=defer_seconds,
    )
    return job is not None
