"""Telling Greenhouse a test is complete: the PATCH to ``send_test``'s ``url``, until it lands.

When: at once. The scoring transaction makes the PATCH due (:func:`make_due`), and the worker
sends it right after that job (``jobs.greenhouse.complete_after_job``). The minute job
(``greenhouse.completions``) is the safety net: it retries failed attempts when their time comes,
takes over a lease whose worker died, and makes due any scored test the scoring path missed.

Durable, with the outbox's discipline and its pure parts: the state lives on ``greenhouse_tests``
(arq cannot hold a schedule of hours); a run claims due rows with a lease, so two workers never
send the same PATCH at once and a worker that dies mid-attempt only delays it until the lease
expires; after each attempt the outbox's ``decide`` (Svix's schedule, Retry-After, 410 = stop)
sets the next one. The PATCH is idempotent for Greenhouse (it only says "come and read
test_status"), so the rare double send after a lost lease is harmless.

States: ``waiting`` (not scored) → ``pending`` → ``in_flight`` → ``delivered`` | ``failed``.
"""

from __future__ import annotations

import logging
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.assignments import AssignmentStatus
from worksample.config import Settings
from worksample.db.encryption import Purpose, SecretBox, UnreadableSecret
from worksample.db.models import Assignment, GreenhouseTest
from worksample.db.timeline import record_event
from worksample.db.types import utcnow
from worksample.greenhouse.patch import attempt_completion_patch
from worksample.outbox.destination import Resolver, system_resolver
from worksample.outbox.schedule import Outcome, RandomSource, RetrySchedule, decide
from worksample.outbox.transport import DeliveryPolicy

log = logging.getLogger(__name__)

# Longer than one attempt can take (the transport's whole-attempt timeout), with room to record it.
LEASE_SECONDS = 120
BATCH = 50


@dataclass(frozen=True)
class CompletionRun:
    activated: int
    attempted: int
    delivered: int


async def make_due(session: AsyncSession, assignment_id: str) -> bool:
    """In the transaction that scores ``assignment_id``: its test owes Greenhouse the PATCH now.

    False (and nothing written) for an assignment that did not come from Greenhouse, or whose
    PATCH is already under way. ``completion_next_at`` is a delivery time: the system clock's.
    """
    now = utcnow()
    result = await session.execute(
        update(GreenhouseTest)
        .where(GreenhouseTest.assignment_id == assignment_id, GreenhouseTest.completion_state == "waiting")
        .values(completion_state="pending", completion_next_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


async def any_due(session: AsyncSession, *, now: datetime) -> bool:
    """Whether a PATCH is due (one indexed read; the after-job check runs it after most jobs)."""
    found = await session.scalar(
        select(GreenhouseTest.assignment_id)
        .where(GreenhouseTest.completion_state == "pending", GreenhouseTest.completion_next_at <= now)
        .limit(1)
    )
    return found is not None


async def activate_scored(session: AsyncSession, *, now: datetime) -> int:
    """Tests whose assignment is now scored owe Greenhouse a PATCH: make them due."""
    scored = select(Assignment.id).where(Assignment.status == AssignmentStatus.SCORED.value)
    result = await session.execute(
        update(GreenhouseTest)
        .where(GreenhouseTest.completion_state == "waiting", GreenhouseTest.assignment_id.in_(scored))
        .values(completion_state="pending", completion_next_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def claim_due(session: AsyncSession, *, now: datetime, limit: int = BATCH) -> list[tuple[str, str]]:
    """``(assignment_id, lease_token)`` of due PATCHes this run now owns (compare-and-set each)."""
    due = or_(
        and_(GreenhouseTest.completion_state == "pending", GreenhouseTest.completion_next_at <= now),
        and_(GreenhouseTest.completion_state == "in_flight", GreenhouseTest.completion_claimed_until < now),
    )
    rows = (
        await session.execute(
            select(GreenhouseTest.assignment_id, GreenhouseTest.completion_lease_token)
            .where(due)
            .order_by(GreenhouseTest.completion_next_at)
            .limit(limit)
        )
    ).all()
    claimed: list[tuple[str, str]] = []
    for assignment_id, old_token in rows:
        token = secrets.token_hex(16)
        same_lease = (
            GreenhouseTest.completion_lease_token.is_(None)
            if old_token is None
            else GreenhouseTest.completion_lease_token == old_token
        )
        outcome = await session.execute(
            update(GreenhouseTest)
            .where(GreenhouseTest.assignment_id == assignment_id, due, same_lease)
            .values(
                completion_state="in_flight",
                completion_claimed_until=now + timedelta(seconds=LEASE_SECONDS),
                completion_lease_token=token,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(outcome, "rowcount", 0) == 1:
            claimed.append((assignment_id, token))
    return claimed


async def _attempt(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    assignment_id: str,
    lease_token: str,
    *,
    resolver: Resolver,
    rng: RandomSource,
) -> bool:
    async with sessionmaker() as session:
        test = await session.get_one(GreenhouseTest, assignment_id)
        url, sealed, attempts = test.callback_url, test.callback_key, test.completion_attempts
    try:
        key = SecretBox.from_settings(settings, Purpose.GREENHOUSE_KEY).open(sealed) if sealed else ""
    except UnreadableSecret:
        # A key missing from WORKSAMPLE_SECRET_KEYS: not sent without its credentials, not given
        # up either; the lease runs out and a later run tries again once the key is back.
        log.exception("greenhouse.key_unreadable assignment=%s", assignment_id)
        return False
    result = await attempt_completion_patch(
        url, key, policy=DeliveryPolicy.from_settings(settings), resolver=resolver
    )
    now = utcnow()
    number = attempts + 1
    decision = decide(result, number, now, rng, schedule=RetrySchedule.from_settings(settings))
    values: dict[str, object] = {
        "completion_attempts": number,
        "completion_last_status": result.status_code,
        "completion_last_error": result.error or (result.body[:500] if not result.succeeded else None),
        "completion_claimed_until": None,
        "completion_lease_token": None,
        "updated_at": now,
    }
    if decision.outcome is Outcome.SUCCESS:
        # The key was only kept to make this call.
        values.update(completion_state="delivered", completion_delivered_at=now, callback_key=None)
    elif decision.outcome is Outcome.RETRY:
        values.update(completion_state="pending", completion_next_at=decision.next_attempt_at)
    else:
        values.update(completion_state="failed", completion_next_at=None, callback_key=None)
    async with sessionmaker() as session:
        updated = await session.execute(
            update(GreenhouseTest)
            .where(
                GreenhouseTest.assignment_id == assignment_id,
                GreenhouseTest.completion_lease_token == lease_token,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
        if getattr(updated, "rowcount", 0) != 1:
            # Our lease ran out and another run took over: its record wins.
            await session.rollback()
            return False
        assignment = await session.get_one(Assignment, assignment_id)
        detail = {
            "attempt": number,
            "status_code": result.status_code,
            "error": result.error,
            "outcome": decision.outcome.value,
            "next_attempt_at": decision.next_attempt_at.isoformat() if decision.next_attempt_at else None,
        }
        await record_event(session, assignment, "greenhouse.completion_attempt", detail=detail, at=now)
        await session.commit()
    log.info(
        "greenhouse.completion_attempt assignment=%s attempt=%d status=%s outcome=%s",
        assignment_id,
        number,
        result.status_code,
        decision.outcome.value,
    )
    return decision.outcome is Outcome.SUCCESS


async def deliver_completions(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    resolver: Resolver = system_resolver,
    rng: RandomSource | None = None,
    activate: bool = True,
) -> CompletionRun:
    """One run: make scored tests due (unless ``activate`` is False: the run right after scoring,
    which made its own test due), claim what is due, attempt each once."""
    now = utcnow()
    async with sessionmaker() as session:
        activated = await activate_scored(session, now=now) if activate else 0
        claimed = await claim_due(session, now=now)
        await session.commit()
    delivered = 0
    source = rng or random.Random()  # noqa: S311 - jitter, not security
    for assignment_id, token in claimed:
        if await _attempt(sessionmaker, settings, assignment_id, token, resolver=resolver, rng=source):
            delivered += 1
    return CompletionRun(activated=activated, attempted=len(claimed), delivered=delivered)
