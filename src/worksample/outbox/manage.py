"""What the API does to endpoints and deliveries: rotate, test, redeliver, recover, re-enable.

Each function works in the caller's session and leaves the commit to it, like ``store``. Re-queued
deliveries go back to ``pending``, due now, with a fresh retry schedule (``round_attempts`` = 0);
their attempt count and history stay, and their ``webhook-id`` is the event's, as always.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.db.encryption import SecretBox
from worksample.db.models import OutboxDelivery, OutboxEvent, WebhookEndpoint
from worksample.outbox import events
from worksample.outbox.dispatch import disable_endpoint
from worksample.outbox.signing import generate_secret, validate_secret
from worksample.outbox.store import FINAL_STATES, RETRYABLE_STATES, DeliveryState, store_event

MANUAL_DISABLE_REASON = "disabled through the API"


@dataclass(frozen=True, slots=True)
class Rotation:
    secret: str
    previous_secret_expires_at: datetime


def rotate_secret(
    endpoint: WebhookEndpoint,
    *,
    now: datetime,
    window: timedelta,
    box: SecretBox,
    secret: str | None = None,
) -> Rotation:
    """Make ``secret`` (or a new one) current; the old one keeps signing until ``now + window``.

    A rotation during a rotation drops the older secret: at most two signatures are ever sent.
    Stored sealed by ``box``; the returned ``Rotation`` holds the plain secret, shown once.
    """
    new_secret = validate_secret(secret) if secret is not None else generate_secret()
    # Re-sealed with the first configured key (a key rotation may have happened since).
    endpoint.previous_secret = box.reseal(endpoint.secret)
    endpoint.previous_secret_expires_at = now + window
    endpoint.secret = box.seal(new_secret)
    endpoint.updated_at = now
    return Rotation(new_secret, now + window)


async def set_enabled(
    session: AsyncSession, endpoint: WebhookEndpoint, enabled: bool, *, now: datetime
) -> None:
    """Re-enable (clearing the reason), or disable by hand (failing what was waiting for it)."""
    if enabled:
        if endpoint.disabled_at is not None:
            # A fresh start for the disabling rule: the failures that disabled it are history.
            endpoint.enabled_at = now
        endpoint.disabled_at = None
        endpoint.disabled_reason = None
        endpoint.updated_at = now
        return
    if endpoint.disabled_at is None:
        await disable_endpoint(session, endpoint.id, MANUAL_DISABLE_REASON, now=now)
        await session.refresh(endpoint)


async def send_test(session: AsyncSession, endpoint: WebhookEndpoint, *, now: datetime) -> OutboxEvent:
    """A ``webhook.test`` event for this endpoint alone, whatever types it subscribes to."""
    return await store_event(
        session,
        organization_id=endpoint.organization_id,
        assignment_id=None,
        event_type=events.WEBHOOK_TEST,
        data={"endpoint_id": endpoint.id, "message": "A test event from worksample."},
        endpoints=[endpoint],
        at=now,
    )


def _requeue_values(now: datetime) -> dict[str, object]:
    return {
        "state": DeliveryState.PENDING.value,
        "next_attempt_at": now,
        "round_attempts": 0,
        "claimed_until": None,
        "lease_token": None,
        "updated_at": now,
    }


async def redeliver_event(session: AsyncSession, event: OutboxEvent, *, now: datetime) -> Sequence[int]:
    """Send ``event`` again to each enabled endpoint it went to; returns the re-queued delivery ids.

    Deliveries still pending or in flight are left alone: they are about to be sent anyway.
    """
    enabled = select(WebhookEndpoint.id).where(WebhookEndpoint.disabled_at.is_(None))
    return await _requeue(
        session,
        FINAL_STATES,
        now,
        OutboxDelivery.event_id == event.id,
        OutboxDelivery.endpoint_id.in_(enabled.scalar_subquery()),
    )


async def recover_since(
    session: AsyncSession, endpoint: WebhookEndpoint, since: datetime, *, now: datetime
) -> Sequence[int]:
    """Re-queue every delivery to ``endpoint`` that failed or gave up, of events raised since ``since``."""
    raised = select(OutboxEvent.id).where(OutboxEvent.created_at >= since)
    return await _requeue(
        session,
        RETRYABLE_STATES,
        now,
        OutboxDelivery.endpoint_id == endpoint.id,
        OutboxDelivery.event_id.in_(raised.scalar_subquery()),
    )


async def _requeue(
    session: AsyncSession,
    states: frozenset[DeliveryState],
    now: datetime,
    *which: ColumnElement[bool],
) -> list[int]:
    """One UPDATE ... RETURNING, so the database picks the rows: a list of ids bound one parameter
    each breaks past ~32k (the drivers' limit), which a long outage of a busy endpoint reaches.
    Only rows still in ``states``: a delivery the dispatcher claimed meanwhile is left to it."""
    requeued = await session.scalars(
        update(OutboxDelivery)
        .where(*which, OutboxDelivery.state.in_([state.value for state in states]))
        .values(**_requeue_values(now))
        .returning(OutboxDelivery.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(requeued.all())
