"""When each of an assignment's timers is due. Pure: no I/O, no clock (the caller passes ``now``).

Every timer is derived from columns the assignment already has (its deadline, when it was
invited, accepted, scored...), so nothing has to be scheduled, and nothing is lost when a worker
restarts: the lifecycle tick asks :func:`due_timers` what is due now and claims each firing.
A firing is named by ``(kind, due_at)``; moving the deadline (an extension) gives new names, so
the reminders for the new deadline fire again, each once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from worksample.assignments.state import AssignmentStatus

S = AssignmentStatus


class TimerKind(StrEnum):
    REMINDER = "reminder"
    DEADLINE = "deadline"
    REINVITE = "reinvite"
    # The last invitation lapsed unaccepted: nobody can start any more, so the assignment expires.
    EXPIRE = "expire"
    CANCEL = "cancel"
    ARCHIVE = "archive"
    PURGE = "purge"
    ERASE = "erase"
    # Erasing the personal data, a grace period after the repository was deleted (see ``erase``).
    SCRUB = "scrub"
    # Not derived: fired once per extension by the job the extend route enqueues.
    EXTENSION = "extension"


@dataclass(frozen=True)
class LifecyclePolicy:
    # Before the deadline, largest first (24 h, then 2 h).
    reminder_offsets: Sequence[timedelta] = (timedelta(hours=24), timedelta(hours=2))
    # Re-issued before GitHub's seven-day expiry, so the candidate never holds a dead link.
    reinvite_after: timedelta = timedelta(days=6)
    # An invitation is re-issued at most this often; the last one is then left to lapse.
    max_reinvites: int = 3
    # GitHub's own expiry of a repository invitation: after it, the invitation cannot be accepted.
    invitation_lifetime: timedelta = timedelta(days=7)
    retention: timedelta = timedelta(days=90)
    # A scored repository stays writable for reviews this long: the second reviewer, an edited
    # scorecard or a dismissal still re-score, and GitHub refuses reviews on an archived repository.
    archive_after_scored: timedelta = timedelta(days=7)
    # Long enough for GitHub's webhooks about the deleted repository to have arrived and been stored.
    scrub_grace: timedelta = timedelta(minutes=10)


@dataclass(frozen=True)
class AssignmentClock:
    """The columns of one assignment that timers depend on."""

    status: AssignmentStatus
    status_changed_at: datetime
    deadline_at: datetime | None
    time_limit_hours: int | None
    accepted_at: datetime | None
    invited_at: datetime | None
    has_invitation: bool
    reinvite_count: int
    has_repo: bool
    locked_at: datetime | None
    archived_at: datetime | None
    purged_at: datetime | None
    erase_requested_at: datetime | None
    scored_at: datetime | None
    person_erased: bool = False


@dataclass(frozen=True)
class DueTimer:
    kind: TimerKind
    due_at: datetime
    # For reminders: how long before the deadline ("24h"); part of the firing's name.
    label: str = ""

    @property
    def name(self) -> str:
        return f"{self.kind.value}:{self.label}" if self.label else self.kind.value


def effective_deadline(
    deadline_at: datetime | None, time_limit_hours: int | None, accepted_at: datetime | None
) -> datetime | None:
    """A fixed date wins; otherwise the time limit runs from acceptance (None until accepted)."""
    if deadline_at is not None:
        return deadline_at
    if time_limit_hours is not None and accepted_at is not None:
        return accepted_at + timedelta(hours=time_limit_hours)
    return None


def offset_label(offset: timedelta) -> str:
    seconds = int(offset.total_seconds())
    if seconds % 3600 == 0:
        return f"{seconds // 3600}h"
    return f"{seconds // 60}m"


def is_late(deadline_sha: str | None, head_sha: str | None) -> bool:
    """For the scoring loop: a head that moved after the deadline tag is late work."""
    return deadline_sha is not None and head_sha is not None and head_sha != deadline_sha


# While the candidate can still work, the deadline matters.
_WORKING = frozenset({S.ACCEPTED, S.SUBMITTED, S.IN_REVIEW})
_FINAL = frozenset({S.SCORED, S.CANCELLED, S.EXPIRED, S.FAILED})


def all_timers(a: AssignmentClock, policy: LifecyclePolicy) -> list[DueTimer]:
    """Every timer the assignment has now, due or not, in due order."""
    timers: list[DueTimer] = []
    if a.purged_at is not None:
        # Purged: only the personal data may be left to erase.
        return [] if a.person_erased else [DueTimer(TimerKind.SCRUB, a.purged_at + policy.scrub_grace)]
    if a.erase_requested_at is not None:
        # An erasure overrides everything else: nothing more happens to this assignment.
        return [DueTimer(TimerKind.ERASE, a.erase_requested_at)]
    deadline = effective_deadline(a.deadline_at, a.time_limit_hours, a.accepted_at)
    if a.status is S.INVITED:
        if a.has_invitation and a.invited_at is not None:
            if a.reinvite_count < policy.max_reinvites:
                timers.append(DueTimer(TimerKind.REINVITE, a.invited_at + policy.reinvite_after))
            else:
                # No invitation follows the last one. Once GitHub lets it lapse nobody can start,
                # and a time limit never begins: expire it then, so the ATS hears and retention
                # runs, rather than leaving it invited for ever. A fixed deadline before that wins.
                lapsed = a.invited_at + policy.invitation_lifetime
                if deadline is None or lapsed < deadline:
                    timers.append(DueTimer(TimerKind.EXPIRE, lapsed))
        if deadline is not None:
            timers.append(DueTimer(TimerKind.DEADLINE, deadline))
    elif a.status in _WORKING and a.locked_at is None and deadline is not None:
        start = a.accepted_at or a.status_changed_at
        for offset in policy.reminder_offsets:
            due = deadline - offset
            # A reminder due before the candidate even started (a short time limit) is noise.
            if due >= start:
                timers.append(DueTimer(TimerKind.REMINDER, due, offset_label(offset)))
        timers.append(DueTimer(TimerKind.DEADLINE, deadline))
    # A failed provisioning may have left a repository, even an invitation: both are undone as
    # for a cancel, rather than left open until the retention purge.
    if a.status in (S.CANCELLED, S.FAILED) and a.has_repo and a.archived_at is None:
        timers.append(DueTimer(TimerKind.CANCEL, a.status_changed_at))
    if a.status is S.EXPIRED and a.has_repo and a.archived_at is None:
        timers.append(DueTimer(TimerKind.ARCHIVE, a.status_changed_at))
    if a.status is S.SCORED and a.has_repo and a.archived_at is None:
        scored = a.scored_at or a.status_changed_at
        timers.append(DueTimer(TimerKind.ARCHIVE, scored + policy.archive_after_scored))
    if a.status in _FINAL:
        ended = a.scored_at or a.status_changed_at
        timers.append(DueTimer(TimerKind.PURGE, ended + policy.retention))
    return sorted(timers, key=lambda t: t.due_at)


def due_timers(a: AssignmentClock, policy: LifecyclePolicy, now: datetime) -> list[DueTimer]:
    """The timers due at ``now``. Of several reminders due at once (a worker down for a day), only
    the latest is sent: two reminders in one minute tell the candidate nothing more; none is sent
    once the deadline itself is due."""
    due = [t for t in all_timers(a, policy) if t.due_at <= now]
    if any(t.kind is TimerKind.DEADLINE for t in due):
        # At or past the deadline a reminder would arrive with the lock: send neither twice.
        due = [t for t in due if t.kind is not TimerKind.REMINDER]
    reminders = [t for t in due if t.kind is TimerKind.REMINDER]
    if len(reminders) > 1:
        due = [t for t in due if t.kind is not TimerKind.REMINDER or t is reminders[-1]]
    return due
