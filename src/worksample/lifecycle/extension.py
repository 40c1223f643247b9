"""Deciding a deadline extension. Pure: the route loads, this decides, the route writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from worksample.assignments.state import AssignmentStatus

S = AssignmentStatus
EXTENDABLE = frozenset({S.REQUESTED, S.PROVISIONING, S.INVITED, S.ACCEPTED, S.SUBMITTED, S.IN_REVIEW})


class ExtensionRefused(ValueError):
    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.field = field


@dataclass(frozen=True)
class Extension:
    # Exactly one of these changes: a fixed deadline, or (a time limit not started yet) the limit.
    deadline_at: datetime | None
    time_limit_hours: int | None
    previous: datetime | None


def decide_extension(
    *,
    status: AssignmentStatus,
    locked: bool,
    current: datetime | None,
    time_limit_hours: int | None,
    now: datetime,
    new_deadline: datetime | None,
    extend_by_hours: int | None,
) -> Extension:
    if status not in EXTENDABLE:
        raise ExtensionRefused(409, "illegal_state", f"a {status.value} assignment has no deadline to extend")
    if locked:
        raise ExtensionRefused(
            409, "locked", "the deadline has passed and the repository is locked; create a new assignment"
        )
    if new_deadline is not None:
        if new_deadline.tzinfo is None:
            raise ExtensionRefused(422, "validation_failed", "give a time zone (e.g. Z)", "body.deadline")
        if new_deadline <= now:
            raise ExtensionRefused(
                422, "validation_failed", "the new deadline is in the past", "body.deadline"
            )
        if current is not None and new_deadline <= current:
            raise ExtensionRefused(
                422,
                "validation_failed",
                f"an extension must move the deadline later than {current.isoformat()}",
                "body.deadline",
            )
        return Extension(deadline_at=new_deadline, time_limit_hours=None, previous=current)
    assert extend_by_hours is not None
    if current is not None:
        return Extension(
            deadline_at=current + timedelta(hours=extend_by_hours), time_limit_hours=None, previous=current
        )
    if time_limit_hours is not None:
        # The clock has not started (not accepted yet): the limit grows instead.
        return Extension(deadline_at=None, time_limit_hours=time_limit_hours + extend_by_hours, previous=None)
    raise ExtensionRefused(
        422,
        "validation_failed",
        "the assignment has no deadline: give one with `deadline`",
        "body.extend_by_hours",
    )
