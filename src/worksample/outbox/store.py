"""The outbox's write side: events and their deliveries, written in the caller's transaction.

``emit`` is how the rest of the service raises an event to the ATS. It only adds rows to the
session the state change is using, so the event exists if and only if that change commits (the
transactional outbox): a crash between the two cannot lose an event or send one for a change that
rolled back. Sending happens later, in ``dispatch``, from what is stored here.

``db/timeline.change_status`` calls ``emit_for_status`` for every status change that has an event,
so callers changing a status emit nothing themselves; ``assignment.review_submitted`` and
``assignment.scored`` are emitted by the review handler through ``emit`` directly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from worksample.assignments.state import AssignmentStatus
from worksample.db.models import Assignment, OutboxDelivery, OutboxEvent, WebhookEndpoint
from worksample.db.session import session_now
from worksample.db.types import utcnow
from worksample.outbox import events
from worksample.outbox.events import build_event, new_message_id

# The failed event's schema caps its reason; the state machine keeps up to 2,000 characters.
_FAILED_REASON_LENGTH: Final = 1000


class DeliveryState(StrEnum):
    PENDING = "pending"  # waiting for next_attempt_at
    IN_FLIGHT = "in_flight"  # claimed by the dispatcher; the lease (claimed_until) bounds it
    SUCCEEDED = "succeeded"  # a 2xx came back
    FAILED = "failed"  # stopped because the endpoint is disabled or its URL is unusable
    GAVE_UP = "gave_up"  # the retry schedule ran out


FINAL_STATES: Final = frozenset({DeliveryState.SUCCEEDED, DeliveryState.FAILED, DeliveryState.GAVE_UP})
# What "recover" and "redeliver" may re-queue.
RETRYABLE_STATES: Final = frozenset({DeliveryState.FAILED, DeliveryState.GAVE_UP})


def subscribes(endpoint: WebhookEndpoint, event_type: str) -> bool:
    """Whether ``endpoint`` wants ``event_type``: an empty list of types means every type."""
    return not endpoint.event_types or event_type in endpoint.event_types


async def enabled_endpoints(session: AsyncSession, organization_id: int) -> Sequence[WebhookEndpoint]:
    result = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.organization_id == organization_id, WebhookEndpoint.disabled_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return result.all()


def new_delivery(event_id: str, endpoint_id: str, *, now: datetime) -> OutboxDelivery:
    return OutboxDelivery(
        event_id=event_id,
        endpoint_id=endpoint_id,
        state=DeliveryState.PENDING.value,
        attempts=0,
        round_attempts=0,
        next_attempt_at=now,
        created_at=now,
        updated_at=now,
    )


async def store_event(
    session: AsyncSession,
    *,
    organization_id: int,
    assignment_id: str | None,
    event_type: str,
    data: Mapping[str, Any],
    endpoints: Sequence[WebhookEndpoint],
    at: datetime,
) -> OutboxEvent:
    """Build the event's bytes (schema-checked), add the event and one delivery per endpoint."""
    body = build_event(event_type, data, timestamp=at)
    event = OutboxEvent(
        id=new_message_id(),
        organization_id=organization_id,
        assignment_id=assignment_id,
        type=event_type,
        body=body,
        created_at=at,
    )
    session.add(event)
    # The event is dated by the domain's clock (``at``, which tests move), its first attempt by the
    # system clock the dispatcher schedules by: an event dated in a test's future still goes now.
    first_attempt = utcnow()
    for endpoint in endpoints:
        session.add(new_delivery(event.id, endpoint.id, now=first_attempt))
    await session.flush()
    return event


def assignment_fields(assignment: Assignment) -> dict[str, Any]:
    """The fields every assignment event starts with, read from the assignment as it is now."""
    return {
        "assignment_id": assignment.id,
        "version": assignment.version,
        "external_ids": dict(assignment.external_ids or {}),
        "status": assignment.status,
    }


async def emit(
    session: AsyncSession,
    assignment: Assignment,
    type: str,
    data: Mapping[str, Any],
    *,
    at: datetime | None = None,
    bump_version: bool = True,
) -> OutboxEvent | None:
    """Raise event ``type`` about ``assignment`` in the caller's transaction; the caller commits.

    Every event carries a version of its own: unless the caller just changed the status (which
    bumped it; ``change_status`` passes ``bump_version=False``), the assignment's version is
    incremented first, so a receiver that drops anything not newer than what it applied never
    drops a real update (two ``assignment.scored`` events in a row differ in version too).

    ``data`` holds the type's own fields; ``assignment_id``, ``version``, ``external_ids`` and
    ``status`` come from ``assignment`` (so emit after changing it). A payload its schema refuses
    raises ``EventError`` and the caller's transaction should roll back: an event the ATS cannot
    trust is a bug to surface, not to send. Returns None, building nothing, when no enabled endpoint
    of the organisation subscribes to ``type`` (most state changes in tests, and cheap in production).
    """
    when = at or session_now(session)
    if bump_version:
        await _bump_version(session, assignment, when)
    payload = {**assignment_fields(assignment), **data}
    endpoints = [
        endpoint
        for endpoint in await enabled_endpoints(session, assignment.organization_id)
        if subscribes(endpoint, type)
    ]
    if not endpoints:
        return None
    return await store_event(
        session,
        organization_id=assignment.organization_id,
        assignment_id=assignment.id,
        event_type=type,
        data=payload,
        endpoints=endpoints,
        at=when,
    )


async def _bump_version(session: AsyncSession, assignment: Assignment, when: datetime) -> None:
    # Unconditional increment (no compare-and-set): emitting must not fail on a concurrent status
    # change; on PostgreSQL the row lock orders the two, and the other one's compare-and-set then
    # sees the new version and re-reads, as for any change.
    version = await session.scalar(
        update(Assignment)
        .where(Assignment.id == assignment.id)
        .values(version=Assignment.version + 1, updated_at=when)
        .returning(Assignment.version)
        .execution_options(synchronize_session=False)
    )
    if version is None:
        raise LookupError(f"assignment {assignment.id} does not exist")
    set_committed_value(assignment, "version", version)
    set_committed_value(assignment, "updated_at", when)


def _status_event(
    assignment: Assignment, to: AssignmentStatus, at: datetime, detail: Mapping[str, Any]
) -> tuple[str, dict[str, Any]] | None:
    """The event type and data for entering ``to``, or None for statuses without an event."""
    if to is AssignmentStatus.INVITED:
        url = detail.get("repo_url") or assignment.repo_html_url
        return events.ASSIGNMENT_PROVISIONED, {"repository_url": url}
    if to is AssignmentStatus.ACCEPTED:
        return events.ASSIGNMENT_INVITATION_ACCEPTED, {
            "accepted_at": at,
            "deadline_at": assignment.deadline_at,
        }
    if to is AssignmentStatus.SUBMITTED:
        submitted_at = detail.get("submitted_at") or at
        if isinstance(submitted_at, str):
            submitted_at = datetime.fromisoformat(submitted_at)
        deadline = assignment.deadline_at
        on_time = detail.get("on_time")
        if not isinstance(on_time, bool):
            on_time = deadline is None or submitted_at <= deadline
        return events.ASSIGNMENT_SUBMITTED, {
            "pull_request_url": detail.get("pr_url") or assignment.pr_url,
            "head_sha": detail.get("head_sha") or assignment.pr_head_sha,
            "submitted_at": submitted_at,
            "on_time": on_time,
            "deadline_at": deadline,
        }
    if to is AssignmentStatus.EXPIRED:
        return events.ASSIGNMENT_EXPIRED, {"expired_at": at, "deadline_at": assignment.deadline_at}
    if to is AssignmentStatus.CANCELLED:
        return events.ASSIGNMENT_CANCELLED, {"cancelled_at": at, "reason": detail.get("reason")}
    if to is AssignmentStatus.FAILED:
        reason = (assignment.failure_reason or detail.get("reason") or "unknown")[:_FAILED_REASON_LENGTH]
        return events.ASSIGNMENT_FAILED, {"failed_at": at, "reason": reason}
    # requested is emitted at creation (emit_created); provisioning and in_review have no event;
    # scored is emitted by the scoring handler with its breakdown.
    return None


async def emit_for_status(
    session: AsyncSession,
    assignment: Assignment,
    to: AssignmentStatus,
    *,
    at: datetime,
    reason: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> OutboxEvent | None:
    """Emit the event for ``assignment`` having just entered ``to`` (called by ``change_status``).

    The assignment must already carry what the event reports: the repository URL before
    ``invited``, the pull request URL and head SHA before ``submitted`` (or pass them in
    ``detail`` as ``pr_url`` / ``head_sha``; ``submitted_at`` and ``on_time`` are optional there).
    """
    merged = dict(detail or {})
    if reason is not None:
        merged.setdefault("reason", reason)
    spec = _status_event(assignment, to, at, merged)
    if spec is None:
        return None
    event_type, data = spec
    return await emit(session, assignment, event_type, data, at=at, bump_version=False)


async def emit_created(session: AsyncSession, assignment: Assignment, *, at: datetime) -> OutboxEvent | None:
    """``assignment.created``, in the transaction that inserts the assignment."""
    hours = assignment.time_limit_hours
    return await emit(
        session,
        assignment,
        events.ASSIGNMENT_CREATED,
        {
            "artifact_id": assignment.artifact_id,
            "candidate_login": assignment.candidate_login,
            "deadline_at": assignment.deadline_at,
            "time_limit_seconds": hours * 3600 if hours is not None else None,
        },
        at=at,
        # Version 1 is the creation itself.
        bump_version=False,
    )
