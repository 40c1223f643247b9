"""When the tick looks at an assignment again: its next timer, or when a firing GitHub put off
(or a worker holds) becomes free; never later than the horizon; never, when nothing is left."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.lifecycle.test_schedule import POLICY, T0, H, view
from worksample.assignments.state import AssignmentStatus as S
from worksample.lifecycle.agenda import HORIZON, NEVER, FiringState, claimable, next_look

LEASE = timedelta(minutes=10)


def test_the_next_timer_or_the_horizon() -> None:
    # Accepted at T0 with 48 h: reminders at 24 h and 46 h, the deadline at 48 h.
    assert next_look(view(), POLICY, T0, {}, LEASE) == T0 + HORIZON
    assert next_look(view(), POLICY, T0 + 20 * H, {}, LEASE) == T0 + 24 * H
    purged = view(S.SCORED, purged_at=T0, person_erased=True)
    assert next_look(purged, POLICY, T0, {}, LEASE) == NEVER


def test_a_due_timer_counts_until_its_firing_is_done() -> None:
    now = T0 + 25 * H
    key = ("reminder:24h", T0 + 24 * H)
    # Due and never claimed: look now.
    assert next_look(view(), POLICY, now, {}, LEASE) == now
    done = FiringState(done=True, claimed_at=now)
    assert next_look(view(), POLICY, now, {key: done}, LEASE) == T0 + 31 * H  # now + horizon
    held = FiringState(done=False, claimed_at=now - timedelta(minutes=3))
    assert next_look(view(), POLICY, now, {key: held}, LEASE) == now + timedelta(minutes=7)
    deferred = FiringState(done=False, claimed_at=now, retry_at=now + timedelta(minutes=2))
    assert next_look(view(), POLICY, now, {key: deferred}, LEASE) == now + timedelta(minutes=2)


def test_a_reminder_superseded_by_a_later_one_is_not_waited_for() -> None:
    now = T0 + 47 * H
    latest = ("reminder:2h", T0 + 46 * H)
    done = FiringState(done=True, claimed_at=now)
    # The 24 h reminder was never sent (a worker down for a day) and never will be.
    assert next_look(view(), POLICY, now, {latest: done}, LEASE) == T0 + 48 * H


def test_claimable() -> None:
    assert claimable(None, T0, LEASE)
    assert not claimable(FiringState(done=True, claimed_at=T0 - H), T0, LEASE)
    assert not claimable(FiringState(done=False, claimed_at=T0), T0, LEASE)
    assert claimable(FiringState(done=False, claimed_at=T0 - H), T0, LEASE)
    later = FiringState(done=False, claimed_at=T0, retry_at=T0 + H)
    assert not claimable(later, T0, LEASE)
    assert claimable(replace(later, retry_at=T0), T0, LEASE)
