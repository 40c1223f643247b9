"""The service's clock, injectable so tests can move time the way the simulator's clock moves.

The app (``create_app(clock=...)``) and the worker (``worker_settings(clock=...)``) take one at
construction and hand it on; lifecycle code asks it for ``now()`` instead of reading the system
time, so a test can jump a week and see the deadline fire without waiting a week.

Two kinds of time, kept apart on purpose:

- **Domain times** — when a candidate was invited, accepted, submitted, was scored; status
  changes; invitation links; the timers computed from them. They come from the injected clock:
  the sessionmaker carries it (``db.session.session_now``), so every handler and job that writes
  one through a session uses it without being handed the clock separately.
- **Machinery times** — leases, retry schedules of the ATS outbox and the Greenhouse PATCH, rate
  limit waits, installation-token expiry, the Standard Webhooks timestamp a receiver checks
  against its own clock, API-key audit stamps. These measure real elapsed time and stay on the
  system clock (``db.types.utcnow``), whatever a test does to the domain's.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class OffsetClock:
    """Wall time plus an offset that only grows: the same model as the simulator's clock, so a test
    advancing both by the same amount keeps the service and the simulated GitHub in step."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self.offset = 0.0

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._wall() + self.offset, UTC)

    def advance(self, by: timedelta | float) -> datetime:
        seconds = by.total_seconds() if isinstance(by, timedelta) else float(by)
        if seconds < 0:
            raise ValueError("a clock only moves forward")
        self.offset += seconds
        return self.now()


SYSTEM_CLOCK: Clock = SystemClock()
