"""Job names shared by the API (which enqueues) and the worker (which runs them), without arq code."""

from __future__ import annotations

TICK_JOB = "lifecycle.tick"
ANNOUNCE_EXTENSION_JOB = "lifecycle.announce_extension"


def tick_job_id(reason: str) -> str:
    """A one-off tick (after a cancel or an erase request) instead of waiting for the minute."""
    return f"{TICK_JOB}:{reason}"
