"""When the tick has to look at an assignment again. Pure: no I/O, no clock.

The tick reads only assignments whose ``next_timer_at`` has come (or is unknown), so its cost
follows what is due, not how many assignments exist. After looking at one without firing
anything it stores :func:`next_look`: the earliest moment something could be done, counting
what its firings say (done, retried later, held by a worker). Any other change to the row clears
the column (``db.models``), so a moved deadline or a new status is seen at the next tick.

The value is never further away than ``HORIZON``: a changed policy (a shorter retention, another
reminder) or anything else the row does not show is then seen within hours, not months.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from worksample.lifecycle.schedule import AssignmentClock, LifecyclePolicy, all_timers, due_timers

# Nothing can become due without the row changing (purged and erased, or waiting on provisioning).
NEVER = datetime(9999, 12, 31, tzinfo=UTC)
HORIZON = timedelta(hours=6)


@dataclass(frozen=True)
class FiringState:
    """What the ``lifecycle_firings`` row of one timer says."""

    done: bool
    claimed_at: datetime
    retry_at: datetime | None = None

    def free_from(self, lease: timedelta) -> datetime | None:
        """When a worker may claim it (None: never, it is done)."""
        if self.done:
            return None
        if self.retry_at is not None:
            return self.retry_at
        return self.claimed_at + lease


# A firing is known by its timer's name and due time: ``(DueTimer.name, DueTimer.due_at)``.
FiringKey = tuple[str, datetime]


def claimable(state: FiringState | None, now: datetime, lease: timedelta) -> bool:
    """Whether claiming is worth a try now (the claim itself decides)."""
    if state is None:
        return True
    free = state.free_from(lease)
    return free is not None and free <= now


def next_look(
    a: AssignmentClock,
    policy: LifecyclePolicy,
    now: datetime,
    firings: Mapping[FiringKey, FiringState],
    lease: timedelta,
) -> datetime:
    timers = all_timers(a, policy)
    if not timers:
        return NEVER
    # Timers due now but not among due_timers (a reminder superseded by a later one, or by the
    # deadline) never fire: they are not waited for.
    due = {(t.name, t.due_at) for t in due_timers(a, policy, now)}
    moments = [now + HORIZON]
    for timer in timers:
        key = (timer.name, timer.due_at)
        if timer.due_at > now:
            moments.append(timer.due_at)
        elif key in due:
            state = firings.get(key)
            free = now if state is None else state.free_from(lease)
            if free is not None:
                moments.append(max(free, now))
    return min(moments)
