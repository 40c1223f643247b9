"""The pure timer rules: which timers an assignment has, and which are due."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from worksample.assignments.state import AssignmentStatus as S
from worksample.lifecycle.extension import ExtensionRefused, decide_extension
from worksample.lifecycle.schedule import (
    AssignmentClock,
    DueTimer,
    LifecyclePolicy,
    TimerKind,
    all_timers,
    due_timers,
    effective_deadline,
    is_late,
)

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
POLICY = LifecyclePolicy()


def view(status: S = S.ACCEPTED, **changes: object) -> AssignmentClock:
    base = AssignmentClock(
        status=status,
        status_changed_at=T0,
        deadline_at=None,
        time_limit_hours=48,
        accepted_at=T0,
        invited_at=T0 - H,
        has_invitation=True,
        reinvite_count=0,
        has_repo=True,
        locked_at=None,
        archived_at=None,
        purged_at=None,
        erase_requested_at=None,
        scored_at=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def names(timers: list[DueTimer]) -> list[str]:
    return [t.name for t in timers]


def test_effective_deadline() -> None:
    assert effective_deadline(T0, 48, T0 + H) == T0
    assert effective_deadline(None, 48, T0) == T0 + 48 * H
    assert effective_deadline(None, 48, None) is None
    assert effective_deadline(None, None, T0) is None


def test_working_assignment_has_reminders_then_the_deadline() -> None:
    timers = all_timers(view(), POLICY)
    assert names(timers) == ["reminder:24h", "reminder:2h", "deadline"]
    assert [t.due_at for t in timers] == [T0 + 24 * H, T0 + 46 * H, T0 + 48 * H]
    assert due_timers(view(), POLICY, T0 + 24 * H - timedelta(seconds=1)) == []
    assert names(due_timers(view(), POLICY, T0 + 24 * H)) == ["reminder:24h"]
    # Both reminders overdue (a worker down for a day): only the latest is sent.
    assert names(due_timers(view(), POLICY, T0 + 47 * H)) == ["reminder:2h"]
    # At the deadline no reminder comes with the lock.
    assert names(due_timers(view(), POLICY, T0 + 49 * H)) == ["deadline"]


def test_short_time_limit_skips_reminders_before_the_start() -> None:
    assert names(all_timers(view(time_limit_hours=4), POLICY)) == ["reminder:2h", "deadline"]
    assert names(all_timers(view(time_limit_hours=1), POLICY)) == ["deadline"]


def test_locked_assignment_has_no_deadline_timers() -> None:
    assert all_timers(view(S.SUBMITTED, locked_at=T0 + 48 * H), POLICY) == []


def test_invited_assignment_is_reinvited_a_bounded_number_of_times() -> None:
    invited = view(S.INVITED, accepted_at=None)
    assert names(all_timers(invited, POLICY)) == ["reinvite"]
    assert all_timers(invited, POLICY)[0].due_at == T0 - H + POLICY.reinvite_after
    assert all_timers(replace(invited, has_invitation=False), POLICY) == []
    fixed = replace(invited, deadline_at=T0 + 72 * H)
    assert names(all_timers(fixed, POLICY)) == ["deadline", "reinvite"]


def test_the_last_invitation_lapsing_expires_the_assignment() -> None:
    # Re-issues used up: when GitHub lets the last invitation lapse, nobody can start any more.
    last = view(S.INVITED, accepted_at=None, reinvite_count=3, invited_at=T0)
    timers = all_timers(last, POLICY)
    assert [(t.kind, t.due_at) for t in timers] == [(TimerKind.EXPIRE, T0 + POLICY.invitation_lifetime)]
    assert due_timers(last, POLICY, T0 + POLICY.invitation_lifetime - timedelta(seconds=1)) == []
    # A fixed deadline before the lapse expires it first; after the lapse, the lapse does.
    early = replace(last, deadline_at=T0 + 48 * H)
    assert names(all_timers(early, POLICY)) == ["deadline"]
    late = replace(last, deadline_at=T0 + 30 * 24 * H)
    assert names(all_timers(late, POLICY)) == ["expire", "deadline"]


def test_final_assignments_are_archived_then_purged_then_scrubbed() -> None:
    scored = view(S.SCORED, scored_at=T0 + 50 * H)
    timers = all_timers(scored, POLICY)
    assert names(timers) == ["archive", "purge"]
    assert timers[0].due_at == T0 + 50 * H + POLICY.archive_after_scored
    assert timers[1].due_at == T0 + 50 * H + POLICY.retention
    # An expired assignment has nothing left to review: archived at once.
    expired = all_timers(view(S.EXPIRED, status_changed_at=T0 + 9 * H), POLICY)
    assert (expired[0].kind, expired[0].due_at) == (TimerKind.ARCHIVE, T0 + 9 * H)
    assert names(all_timers(view(S.CANCELLED), POLICY)) == ["cancel", "purge"]
    assert names(all_timers(view(S.FAILED, has_repo=False), POLICY)) == ["purge"]
    purged = replace(scored, purged_at=T0 + 100 * 24 * H)
    assert names(all_timers(purged, POLICY)) == ["scrub"]
    assert all_timers(replace(purged, person_erased=True), POLICY) == []


def test_erasure_overrides_everything() -> None:
    erasing = view(S.SUBMITTED, erase_requested_at=T0 + H)
    assert names(all_timers(erasing, POLICY)) == ["erase"]
    assert all_timers(erasing, POLICY)[0].kind is TimerKind.ERASE


def test_late_work_is_a_head_other_than_the_deadline_tag() -> None:
    assert is_late("a" * 40, "b" * 40)
    assert not is_late("a" * 40, "a" * 40)
    assert not is_late(None, "b" * 40)


def test_extension_rules() -> None:
    args = {
        "status": S.ACCEPTED,
        "locked": False,
        "current": T0 + 48 * H,
        "time_limit_hours": 48,
        "now": T0,
    }
    decided = decide_extension(**args, new_deadline=None, extend_by_hours=5)  # type: ignore[arg-type]
    assert decided.deadline_at == T0 + 53 * H
    assert decided.previous == T0 + 48 * H
    not_started = dict(args, status=S.INVITED, current=None)
    decided = decide_extension(**not_started, new_deadline=None, extend_by_hours=5)  # type: ignore[arg-type]
    assert (decided.deadline_at, decided.time_limit_hours) == (None, 53)
    refusals = [
        (dict(args, status=S.SCORED), None, 1, 409),
        (dict(args, locked=True), None, 1, 409),
        (args, T0 - H, None, 422),
        (args, T0 + 47 * H, None, 422),
        (args, datetime(2030, 1, 1), None, 422),
        (dict(args, current=None, time_limit_hours=None), None, 3, 422),
    ]
    for kwargs, deadline, hours, status in refusals:
        with pytest.raises(ExtensionRefused) as caught:
            decide_extension(**kwargs, new_deadline=deadline, extend_by_hours=hours)  # type: ignore[arg-type]
        assert caught.value.status == status
