"""Thin arq jobs for the lifecycle: the minute tick, and announcing an extension to the candidate."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from worksample.clock import SYSTEM_CLOCK, Clock
from worksample.config import Settings
from worksample.jobs.resources import WorkerResources
from worksample.lifecycle.claims import claim_firing, finish_firing
from worksample.lifecycle.notices import announce_extension
from worksample.lifecycle.schedule import DueTimer, TimerKind
from worksample.lifecycle.tick import load_target, run_due

log = logging.getLogger(__name__)


def _clock(ctx: dict[str, Any]) -> Clock:
    clock: Clock | None = ctx.get("clock")
    return clock or SYSTEM_CLOCK


async def lifecycle_tick(ctx: dict[str, Any]) -> dict[str, int]:
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    fired = await run_due(resources.sessionmaker, resources.github, settings, _clock(ctx))
    return dict(fired)


async def lifecycle_announce_extension(ctx: dict[str, Any], assignment_id: str, deadline_at: str) -> str:
    """Comment in the candidate's repository that the deadline moved; once per new deadline."""
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    now = _clock(ctx).now()
    timer = DueTimer(TimerKind.EXTENSION, datetime.fromisoformat(deadline_at))
    claim = await claim_firing(resources.sessionmaker, assignment_id, timer, now=now)
    if claim is None:
        return "already announced"
    async with resources.sessionmaker() as session:
        target = await load_target(
            session, resources.github, settings, assignment_id, now, timer=timer, taken_over=claim.taken_over
        )
        if target is None or target.assignment.repo_full_name is None:
            outcome = "nothing to announce: no repository"
        else:
            outcome = await announce_extension(target, previous=None)
        await finish_firing(session, assignment_id, timer, claim.token, now=now, outcome=outcome)
        await session.commit()
    return outcome
