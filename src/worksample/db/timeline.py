"""Applying the state machine to stored assignments, and writing their timeline.

The only code that changes ``Assignment.status``. The status change is a compare-and-set on the
version, so two processes (the API cancelling, the worker provisioning) cannot both move the same
assignment from the same state: the loser gets :class:`StaleAssignment` and re-reads.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from worksample.assignments.state import AssignmentStatus, TimelineEntry, transition
from worksample.db.models import Assignment, AssignmentEvent
from worksample.db.session import session_now
from worksample.outbox.store import emit_for_status


class StaleAssignment(RuntimeError):
    """The assignment changed status since it was read; re-read it and decide again."""


def event_from_entry(assignment_id: str, entry: TimelineEntry) -> AssignmentEvent:
    return AssignmentEvent(
        assignment_id=assignment_id,
        at=entry.at,
        kind=entry.kind,
        from_status=entry.from_status.value if entry.from_status else None,
        to_status=entry.to_status.value if entry.to_status else None,
        version=entry.version,
        detail=dict(entry.detail),
    )


async def change_status(
    session: AsyncSession,
    assignment: Assignment,
    to: AssignmentStatus,
    *,
    reason: str | None = None,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AssignmentEvent:
    """Move ``assignment`` to ``to`` (raises ``IllegalTransition`` or ``StaleAssignment``).

    Flushes the change, the timeline entry and the ATS event (``outbox.store.emit_for_status``);
    the caller commits. ``at`` defaults to the session's clock (``db.session.session_now``).
    """
    when = at or session_now(session)
    result = transition(assignment.status, assignment.version, to, at=when, reason=reason, detail=detail)
    values: dict[str, Any] = {
        "status": result.status.value,
        "version": result.version,
        "status_changed_at": when,
        "updated_at": when,
    }
    if result.status is AssignmentStatus.FAILED:
        values["failure_reason"] = result.failure_reason
    outcome = await session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id, Assignment.version == assignment.version)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(outcome, "rowcount", 0) != 1:
        raise StaleAssignment(
            f"assignment {assignment.id} is no longer {assignment.status} at version {assignment.version}"
        )
    for name, value in values.items():
        set_committed_value(assignment, name, value)
    event = event_from_entry(assignment.id, result.entry)
    session.add(event)
    await session.flush()
    # The ATS event goes in the same transaction as the change (outbox): both commit or neither.
    await emit_for_status(session, assignment, result.status, at=when, reason=reason, detail=detail)
    return event


async def record_event(
    session: AsyncSession,
    assignment: Assignment,
    kind: str,
    *,
    detail: Mapping[str, Any] | None = None,
    at: datetime | None = None,
) -> AssignmentEvent:
    """Add a timeline entry that does not change the status (e.g. ``provisioning.repo_created``)."""
    event = AssignmentEvent(
        assignment_id=assignment.id,
        at=at or session_now(session),
        kind=kind,
        detail=dict(detail or {}),
    )
    session.add(event)
    await session.flush()
    return event
