"""The outbox's send side: claim due deliveries with a lease, run one attempt, record what happened.

The schedule lives in the database (``OutboxDelivery.next_attempt_at``): arq cannot hold a
multi-day schedule, so an arq cron job calls :func:`claim_due` every second and enqueues one job
per claimed delivery, which calls :func:`deliver`. Crash safety comes from the lease:

- a claim moves a due delivery to ``in_flight`` with ``claimed_until`` and a fresh ``lease_token``,
  by a conditional UPDATE (on PostgreSQL after ``FOR UPDATE SKIP LOCKED``, so concurrent
  dispatchers skip each other's rows instead of waiting; on SQLite the conditional UPDATE alone
  decides, as writes are serialised);
- the job first renews the lease under its token, so a job that waited past its lease, or was
  re-run by arq after a crash while a newer claim exists, sends nothing;
- the result is recorded only under the same token; a worker killed mid-attempt leaves the lease
  to expire and the delivery is claimed again, with the same ``webhook-id``.

Delivery is therefore at least once: a receiver dedupes on ``webhook-id``.
"""

from __future__ import annotations

import asyncio
import logging
import random
import secrets as token_source
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.db.encryption import SecretBox, UnreadableSecret
from worksample.db.models import OutboxAttempt, OutboxDelivery, OutboxEvent, WebhookEndpoint
from worksample.db.types import utcnow
from worksample.outbox.result import AttemptResult, storable_text
from worksample.outbox.schedule import (
    AttemptRecord,
    Decision,
    Outcome,
    RandomSource,
    RetrySchedule,
    decide,
    should_disable_endpoint,
)
from worksample.outbox.store import DeliveryState
from worksample.outbox.transport import DeliveryPolicy, attempt_delivery

log = logging.getLogger(__name__)

# Kept on the attempt row; the transport already caps what it reads at about this much.
RESPONSE_BODY_CHARS: Final = 4096
# A lease outlives the attempt's own timeout by this much, so a slow but live attempt keeps it.
LEASE_MARGIN_SECONDS: Final = 30.0
DEFAULT_CLAIM_LIMIT: Final = 100
# Jitter only spreads retries in time; it needs no cryptographic quality.
_JITTER: Final = random.Random()  # noqa: S311


@dataclass(frozen=True, slots=True)
class Claim:
    delivery_id: int
    lease_token: str

    @property
    def job_id(self) -> str:
        """arq ``_job_id``: one job per claim, so enqueueing a claim twice runs it once."""
        return f"outbox.deliver:{self.delivery_id}:{self.lease_token}"


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    policy: DeliveryPolicy
    schedule: RetrySchedule
    disable_after: timedelta
    # Opens the endpoints' signing secrets, stored encrypted (worksample.db.encryption).
    endpoint_secrets: SecretBox
    lease_margin_seconds: float = LEASE_MARGIN_SECONDS

    @property
    def lease(self) -> timedelta:
        return timedelta(seconds=self.policy.timeout_seconds + self.lease_margin_seconds)


def _due(now: datetime) -> ColumnElement[bool]:
    """Pending and due, or in flight with an expired lease (its worker died)."""
    return or_(
        and_(OutboxDelivery.state == DeliveryState.PENDING.value, OutboxDelivery.next_attempt_at <= now),
        and_(OutboxDelivery.state == DeliveryState.IN_FLIGHT.value, OutboxDelivery.claimed_until < now),
    )


async def claim_due(
    session: AsyncSession, *, now: datetime, lease: timedelta, limit: int = DEFAULT_CLAIM_LIMIT
) -> list[Claim]:
    """Claim up to ``limit`` due deliveries of enabled endpoints, oldest due first; commits."""
    query = (
        select(OutboxDelivery.id)
        .join(WebhookEndpoint, WebhookEndpoint.id == OutboxDelivery.endpoint_id)
        .where(_due(now), WebhookEndpoint.disabled_at.is_(None))
        .order_by(OutboxDelivery.next_attempt_at, OutboxDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=OutboxDelivery)
    candidates = list((await session.scalars(query)).all())
    claims: list[Claim] = []
    for delivery_id in candidates:
        token = token_source.token_hex(16)
        # Conditional: another dispatcher (or a job recording a result) may have moved it since.
        outcome = await session.execute(
            update(OutboxDelivery)
            .where(OutboxDelivery.id == delivery_id, _due(now))
            .values(
                state=DeliveryState.IN_FLIGHT.value,
                claimed_until=now + lease,
                lease_token=token,
                updated_at=now,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(outcome, "rowcount", 0) == 1:
            claims.append(Claim(delivery_id, token))
    await session.commit()
    return claims


@dataclass(frozen=True, slots=True)
class _Work:
    url: str
    body: bytes
    msg_id: str
    endpoint_id: str
    secrets: list[str]
    attempt_number: int
    round_attempts: int


async def _renew(
    session: AsyncSession, claim: Claim, now: datetime, lease: timedelta, box: SecretBox
) -> _Work | None:
    """Re-assert the lease under our token and load what to send; None when the claim is stale."""
    outcome = await session.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.id == claim.delivery_id,
            OutboxDelivery.lease_token == claim.lease_token,
            OutboxDelivery.state == DeliveryState.IN_FLIGHT.value,
        )
        .values(claimed_until=now + lease, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(outcome, "rowcount", 0) != 1:
        await session.rollback()
        return None
    row = (
        await session.execute(
            select(OutboxDelivery, OutboxEvent, WebhookEndpoint)
            .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == OutboxDelivery.endpoint_id)
            .where(OutboxDelivery.id == claim.delivery_id)
        )
    ).one()
    delivery, event, endpoint = row
    if endpoint.disabled_at is not None:
        # Disabled between claim and run: stop here, as the disabling would have done.
        await _finish(session, delivery.id, DeliveryState.FAILED, now, note="endpoint disabled")
        await session.commit()
        return None
    signing = [box.open(endpoint.secret)]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        signing.append(box.open(endpoint.previous_secret))
    work = _Work(
        url=endpoint.url,
        body=event.body,
        msg_id=event.id,
        endpoint_id=endpoint.id,
        secrets=signing,
        attempt_number=delivery.attempts + 1,
        round_attempts=delivery.round_attempts,
    )
    await session.commit()
    return work


async def _finish(
    session: AsyncSession, delivery_id: int, state: DeliveryState, now: datetime, *, note: str | None = None
) -> None:
    values: dict[str, object] = {
        "state": state.value,
        "next_attempt_at": None,
        "claimed_until": None,
        "lease_token": None,
        "updated_at": now,
    }
    if note is not None:
        values["last_error"] = note
    await session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.id == delivery_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


async def disable_endpoint(session: AsyncSession, endpoint_id: str, reason: str, *, now: datetime) -> None:
    """Stop sending to an endpoint: mark it disabled and fail what was waiting for it.

    The failed deliveries stay visible and can be re-queued with ``recover`` once it is re-enabled.
    """
    await session.execute(
        update(WebhookEndpoint)
        .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.disabled_at.is_(None))
        .values(disabled_at=now, disabled_reason=reason, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(OutboxDelivery)
        .where(
            OutboxDelivery.endpoint_id == endpoint_id,
            OutboxDelivery.state == DeliveryState.PENDING.value,
        )
        .values(
            state=DeliveryState.FAILED.value,
            next_attempt_at=None,
            last_error=f"endpoint disabled: {reason}",
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    log.warning("outbox.endpoint_disabled endpoint=%s reason=%s", endpoint_id, reason)


async def _failing_for_days(session: AsyncSession, endpoint_id: str, after: timedelta) -> bool:
    """The N-days rule, from the last success and the first failure after it (not the whole log).

    Only attempts since the endpoint was last re-enabled count: the run of failures that disabled
    it is over, and one more failure right after a re-enable must not disable it again at once.
    """
    succeeded = and_(OutboxAttempt.status_code >= 200, OutboxAttempt.status_code < 300)
    last_success = await session.scalar(
        select(func.max(OutboxAttempt.started_at)).where(OutboxAttempt.endpoint_id == endpoint_id, succeeded)
    )
    enabled_at = await session.scalar(
        select(WebhookEndpoint.enabled_at).where(WebhookEndpoint.id == endpoint_id)
    )
    failures = select(OutboxAttempt.started_at).where(
        OutboxAttempt.endpoint_id == endpoint_id, or_(OutboxAttempt.status_code.is_(None), ~succeeded)
    )
    if last_success is not None:
        failures = failures.where(OutboxAttempt.started_at > last_success)
    if enabled_at is not None:
        failures = failures.where(OutboxAttempt.started_at >= enabled_at)
    first = await session.scalar(failures.with_only_columns(func.min(OutboxAttempt.started_at)))
    latest = await session.scalar(failures.with_only_columns(func.max(OutboxAttempt.started_at)))
    if first is None or latest is None:
        return False
    history = [AttemptRecord(first, False), AttemptRecord(latest, False)]
    if last_success is not None:
        history.append(AttemptRecord(last_success, True))
    return should_disable_endpoint(history, after=after)


def _attempt_row(delivery_id: int, work: _Work, started: datetime, result: AttemptResult) -> OutboxAttempt:
    return OutboxAttempt(
        delivery_id=delivery_id,
        endpoint_id=work.endpoint_id,
        number=work.attempt_number,
        started_at=started,
        duration_ms=result.duration_ms,
        status_code=result.status_code,
        error_kind=result.error_kind.value if result.error_kind else None,
        # The receiver's bytes, whatever they are: a NUL would make PostgreSQL refuse the row.
        error=storable_text(result.error) if result.error is not None else None,
        response_body=storable_text(result.body[:RESPONSE_BODY_CHARS]),
        retry_after_seconds=result.retry_after,
    )


def _last_error(result: AttemptResult) -> str | None:
    if result.succeeded:
        return None
    return storable_text(result.error) if result.error else f"HTTP {result.status_code}"


async def _record(
    session: AsyncSession,
    claim: Claim,
    work: _Work,
    started: datetime,
    result: AttemptResult,
    config: DispatchConfig,
    rng: RandomSource,
    *,
    unlogged: str | None = None,
) -> Decision | None:
    """Move the delivery on under our lease and log the attempt; with ``unlogged`` (why the log
    could not be stored), move it on all the same and keep only that note."""
    now = utcnow()
    decision = decide(result, work.round_attempts + 1, now, rng, schedule=config.schedule)
    state = {
        Outcome.SUCCESS: DeliveryState.SUCCEEDED,
        Outcome.RETRY: DeliveryState.PENDING,
        Outcome.DISABLE_ENDPOINT: DeliveryState.FAILED,
        Outcome.GIVE_UP: DeliveryState.GAVE_UP,
    }[decision.outcome]
    final = state is not DeliveryState.PENDING
    outcome = await session.execute(
        update(OutboxDelivery)
        .where(OutboxDelivery.id == claim.delivery_id, OutboxDelivery.lease_token == claim.lease_token)
        .values(
            state=state.value,
            attempts=work.attempt_number,
            round_attempts=work.round_attempts + 1,
            next_attempt_at=None if final else decision.next_attempt_at,
            claimed_until=None,
            lease_token=None,
            last_attempt_at=started,
            last_status_code=result.status_code,
            last_error=unlogged or _last_error(result),
            updated_at=now,
        )
        .execution_options(synchronize_session=False)
    )
    if getattr(outcome, "rowcount", 0) != 1:
        # Our lease was taken over (we ran past it): the newer claim owns the delivery now.
        await session.rollback()
        log.warning("outbox.lease_lost delivery=%s attempt=%s", claim.delivery_id, work.attempt_number)
        return None
    if unlogged is None:
        session.add(_attempt_row(claim.delivery_id, work, started, result))
        await session.flush()
    if decision.outcome is Outcome.DISABLE_ENDPOINT:
        await disable_endpoint(session, work.endpoint_id, "the endpoint answered 410 Gone", now=now)
    elif not result.succeeded and await _failing_for_days(session, work.endpoint_id, config.disable_after):
        days = config.disable_after.total_seconds() / 86400
        await disable_endpoint(session, work.endpoint_id, f"every attempt failed for {days:g} days", now=now)
    await session.commit()
    return decision


async def deliver(
    sessionmaker: async_sessionmaker[AsyncSession],
    claim: Claim,
    config: DispatchConfig,
    *,
    rng: RandomSource | None = None,
) -> Decision | None:
    """Run the attempt ``claim`` stands for and record it; None when the claim was stale."""
    try:
        async with sessionmaker() as session:
            work = await _renew(session, claim, utcnow(), config.lease, config.endpoint_secrets)
    except UnreadableSecret:
        # A key missing from WORKSAMPLE_SECRET_KEYS: never send unsigned, never give up on the
        # event either. The claim's lease runs out and the delivery is tried again, until the
        # operator restores the key; other deliveries go on meanwhile.
        log.exception("outbox.secret_unreadable delivery=%s", claim.delivery_id)
        return None
    if work is None:
        log.info("outbox.claim_stale delivery=%s", claim.delivery_id)
        return None
    started = utcnow()
    result = await attempt_delivery(
        work.url, work.body, msg_id=work.msg_id, secrets=work.secrets, policy=config.policy
    )
    try:
        async with sessionmaker() as session:
            decision = await _record(session, claim, work, started, result, config, rng or _JITTER)
    except SQLAlchemyError as exc:
        # An attempt that cannot be recorded must still count: left in flight, the delivery would be
        # claimed again when its lease ran out and re-sent for ever, never retried on the schedule,
        # never given up. So record the outcome without the log; if even that fails, the database
        # itself is in trouble and the lease brings the delivery back.
        log.exception(
            "outbox.attempt_unlogged delivery=%s attempt=%s", claim.delivery_id, work.attempt_number
        )
        note = f"attempt {work.attempt_number} could not be logged ({type(exc).__name__})"
        async with sessionmaker() as session:
            decision = await _record(
                session, claim, work, started, result, config, rng or _JITTER, unlogged=note
            )
    log.info(
        "outbox.attempt delivery=%s msg=%s attempt=%s status=%s error=%s outcome=%s",
        claim.delivery_id,
        work.msg_id,
        work.attempt_number,
        result.status_code,
        result.error_kind,
        decision.outcome if decision else "lease lost",
    )
    return decision


async def _next_due(session: AsyncSession) -> datetime | None:
    """When the soonest pending delivery of an enabled endpoint (or an expired lease) comes due."""
    pending = await session.scalar(
        select(func.min(OutboxDelivery.next_attempt_at))
        .join(WebhookEndpoint, WebhookEndpoint.id == OutboxDelivery.endpoint_id)
        .where(OutboxDelivery.state == DeliveryState.PENDING.value, WebhookEndpoint.disabled_at.is_(None))
    )
    leased = await session.scalar(
        select(func.min(OutboxDelivery.claimed_until)).where(
            OutboxDelivery.state == DeliveryState.IN_FLIGHT.value
        )
    )
    times = [t for t in (pending, leased) if t is not None]
    return min(times) if times else None


async def deliver_due_inline(
    sessionmaker: async_sessionmaker[AsyncSession],
    config: DispatchConfig,
    *,
    horizon: timedelta,
    limit: int = DEFAULT_CLAIM_LIMIT,
) -> int:
    """Claim and deliver in this task, waiting for retries due within ``horizon``; returns attempts run.

    For a one-shot (burst) worker, which has no dispatcher cron: arq ends a burst once its queue is
    empty, so deliveries must be finished inside the job that raised them, not queued after it.
    """
    attempts = 0
    while True:
        async with sessionmaker() as session:
            claims = await claim_due(session, now=utcnow(), lease=config.lease, limit=limit)
            if not claims:
                due = await _next_due(session)
        if claims:
            await asyncio.gather(*(deliver(sessionmaker, claim, config) for claim in claims))
            attempts += len(claims)
            continue
        if due is None or due - utcnow() > horizon:
            return attempts
        await asyncio.sleep(max((due - utcnow()).total_seconds(), 0.0) + 0.01)
