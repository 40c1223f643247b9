"""The assignment state machine. Pure: no I/O, no clock (the caller passes ``at``).

requested → provisioning → invited → accepted → submitted → in_review → scored, and from any
state that is not final: cancelled, or failed (with a reason); invited or accepted assignments
whose deadline passed become expired. Final states stay final, but for one way back: scored →
in_review, when the scorecard that made the assignment scored is dismissed or edited into an
incomplete one (its score is withdrawn, and the reviewers are not done after all). Every accepted
transition yields the timeline entry to store and the next version (the ATS orders the events it
receives by it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class AssignmentStatus(StrEnum):
    REQUESTED = "requested"
    PROVISIONING = "provisioning"
    INVITED = "invited"
    ACCEPTED = "accepted"
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    SCORED = "scored"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    FAILED = "failed"


class ReviewerRole(StrEnum):
    LEAD = "lead"
    ENGINEER = "engineer"
    OBSERVER = "observer"


S = AssignmentStatus

TERMINAL_STATUSES: frozenset[AssignmentStatus] = frozenset({S.SCORED, S.CANCELLED, S.EXPIRED, S.FAILED})

# The happy path, each status to the next.
_FORWARD: Mapping[AssignmentStatus, AssignmentStatus] = {
    S.REQUESTED: S.PROVISIONING,
    S.PROVISIONING: S.INVITED,
    S.INVITED: S.ACCEPTED,
    S.ACCEPTED: S.SUBMITTED,
    S.SUBMITTED: S.IN_REVIEW,
    S.IN_REVIEW: S.SCORED,
}
# The only edges out of a final state (see the module's docstring).
_REOPEN: Mapping[AssignmentStatus, AssignmentStatus] = {S.SCORED: S.IN_REVIEW}
# A deadline only matters while the candidate still has work to hand in: once submitted, the
# work is in and the assignment can no longer expire.
_CAN_EXPIRE: frozenset[AssignmentStatus] = frozenset({S.INVITED, S.ACCEPTED})


def _build_transitions() -> dict[AssignmentStatus, frozenset[AssignmentStatus]]:
    table: dict[AssignmentStatus, frozenset[AssignmentStatus]] = {}
    for status in AssignmentStatus:
        if status in TERMINAL_STATUSES:
            table[status] = frozenset({_REOPEN[status]} if status in _REOPEN else ())
            continue
        targets = {_FORWARD[status], S.CANCELLED, S.FAILED}
        if status in _CAN_EXPIRE:
            targets.add(S.EXPIRED)
        table[status] = frozenset(targets)
    return table


_TRANSITIONS = _build_transitions()

# Longest failure reason kept; reasons come from code (exception text, GitHub messages), not users.
MAX_REASON_LENGTH = 2_000


class IllegalTransition(ValueError):
    """The requested change of status is not allowed from the current one."""

    def __init__(self, from_status: AssignmentStatus, to_status: AssignmentStatus, why: str = "") -> None:
        self.from_status = from_status
        self.to_status = to_status
        message = f"cannot go from {from_status.value} to {to_status.value}"
        super().__init__(f"{message}: {why}" if why else message)


@dataclass(frozen=True)
class TimelineEntry:
    """What happened, to be stored as one ``AssignmentEvent`` row."""

    kind: str
    at: datetime
    from_status: AssignmentStatus | None = None
    to_status: AssignmentStatus | None = None
    version: int | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    status: AssignmentStatus
    version: int
    failure_reason: str | None
    entry: TimelineEntry


def allowed_transitions(status: AssignmentStatus) -> frozenset[AssignmentStatus]:
    return _TRANSITIONS[status]


def status_kind(status: AssignmentStatus) -> str:
    """The timeline (and, later, outbox) event kind for entering ``status``."""
    return f"assignment.{status.value}"


def transition(
    current: AssignmentStatus | str,
    version: int,
    to: AssignmentStatus | str,
    *,
    at: datetime,
    reason: str | None = None,
    detail: Mapping[str, Any] | None = None,
) -> Transition:
    """Check a change of status and describe its result; raises :class:`IllegalTransition`.

    ``reason`` is required when failing (it is what the recruiter sees) and may be given when
    cancelling or expiring; it is refused elsewhere so that a reason never hides on a success.
    """
    source = AssignmentStatus(current)
    target = AssignmentStatus(to)
    if at.tzinfo is None:
        raise ValueError("transition time must be timezone-aware")
    if version < 1:
        raise ValueError(f"version must be at least 1, got {version}")
    if target not in _TRANSITIONS[source]:
        why = "it is final" if source in TERMINAL_STATUSES else ""
        raise IllegalTransition(source, target, why)
    cleaned = reason.strip() if reason is not None else None
    if target is S.FAILED and not cleaned:
        raise IllegalTransition(source, target, "a failure needs a reason")
    if cleaned and target not in (S.FAILED, S.CANCELLED, S.EXPIRED):
        raise IllegalTransition(source, target, "only failing, cancelling or expiring takes a reason")
    if cleaned is not None and len(cleaned) > MAX_REASON_LENGTH:
        cleaned = cleaned[: MAX_REASON_LENGTH - 1] + "…"
    entry_detail = dict(detail or {})
    if cleaned:
        entry_detail["reason"] = cleaned
    new_version = version + 1
    entry = TimelineEntry(
        kind=status_kind(target),
        at=at,
        from_status=source,
        to_status=target,
        version=new_version,
        detail=entry_detail,
    )
    return Transition(
        status=target,
        version=new_version,
        failure_reason=cleaned if target is S.FAILED else None,
        entry=entry,
    )


def created_entry(*, at: datetime, detail: Mapping[str, Any] | None = None) -> TimelineEntry:
    """The first timeline entry of every assignment (status ``requested``, version 1)."""
    return TimelineEntry(
        kind=status_kind(S.REQUESTED),
        at=at,
        from_status=None,
        to_status=S.REQUESTED,
        version=1,
        detail=dict(detail or {}),
    )
