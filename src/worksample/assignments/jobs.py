"""The names shared by whoever enqueues an assignment's jobs (the API) and whoever runs them (the worker)."""

from __future__ import annotations

PROVISION_JOB = "assignment.provision"


def provision_job_id(assignment_id: str) -> str:
    """arq's ``_job_id`` for provisioning: at most one queued provisioning job per assignment."""
    return f"{PROVISION_JOB}:{assignment_id}"
