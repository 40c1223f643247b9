"""When to try a delivery again, when to give up, and when an endpoint is disabled.

Pure functions of the attempt count, the clock and an injected random source: the outbox stores the
returned instant in the database (arq cannot hold a multi-day schedule) and tests stay deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol

from worksample.outbox.result import AttemptResult, ErrorKind

if TYPE_CHECKING:
    from worksample.config import Settings

# Svix's schedule, the Standard Webhooks reference: the delay before each attempt, counted from
# the previous one (the first is immediate). Eight attempts spread over about 28 hours.
DEFAULT_DELAYS_SECONDS: tuple[float, ...] = (0, 5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
DEFAULT_JITTER = 0.2
# A receiver's Retry-After can stretch one gap up to the longest gap of our own schedule, no further:
# a misconfigured "Retry-After: 31536000" must not park an event for a year.
DEFAULT_RETRY_AFTER_CAP_SECONDS = 10 * 3600
DEFAULT_DISABLE_AFTER = timedelta(days=5)
# Retry-After is only meaningful on these: elsewhere it is noise we record but do not obey.
RETRY_AFTER_STATUSES = frozenset({429, 503})


class RandomSource(Protocol):
    """What the schedule needs from randomness; ``random.Random`` satisfies it, tests pass a seeded one."""

    def uniform(self, a: float, b: float, /) -> float: ...


class Outcome(StrEnum):
    SUCCESS = "success"
    RETRY = "retry"
    DISABLE_ENDPOINT = "disable_endpoint"
    GIVE_UP = "give_up"


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: Outcome
    # Set only when outcome is RETRY.
    next_attempt_at: datetime | None


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {moment.isoformat()}")


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    delays_seconds: tuple[float, ...] = DEFAULT_DELAYS_SECONDS
    jitter: float = DEFAULT_JITTER
    retry_after_cap_seconds: float = DEFAULT_RETRY_AFTER_CAP_SECONDS

    def __post_init__(self) -> None:
        if not self.delays_seconds:
            raise ValueError("a retry schedule needs at least one delay (the first attempt)")
        if any(not math.isfinite(delay) or delay < 0 for delay in self.delays_seconds):
            raise ValueError(f"retry delays must be finite and >= 0 seconds, got {self.delays_seconds}")
        if not 0 <= self.jitter < 1:
            raise ValueError(f"retry jitter is a fraction in [0, 1), got {self.jitter}")
        if not math.isfinite(self.retry_after_cap_seconds) or self.retry_after_cap_seconds < 0:
            raise ValueError(f"the Retry-After cap must be >= 0 seconds, got {self.retry_after_cap_seconds}")

    @classmethod
    def from_settings(cls, settings: Settings) -> RetrySchedule:
        return cls(
            delays_seconds=tuple(settings.outbox_retry_schedule_seconds),
            jitter=settings.outbox_retry_jitter,
            retry_after_cap_seconds=settings.outbox_retry_after_cap_seconds,
        )

    @property
    def max_attempts(self) -> int:
        return len(self.delays_seconds)

    def next_attempt_at(
        self, attempt_number: int, now: datetime, retry_after: float | None, rng: RandomSource
    ) -> datetime | None:
        """When attempt ``attempt_number + 1`` should run, or None when the schedule is used up.

        ``attempt_number`` counts the attempts already made: 0 asks for the first attempt, 1 is asked
        after the first attempt failed. ``retry_after`` (seconds) lengthens the gap, never shortens
        it: a receiver answering "Retry-After: 0" each time must not burn through the schedule.
        """
        if isinstance(attempt_number, bool) or not isinstance(attempt_number, int) or attempt_number < 0:
            raise ValueError(f"attempt_number counts attempts made (>= 0), got {attempt_number!r}")
        _require_aware(now, "now")
        if attempt_number >= self.max_attempts:
            return None
        base = self.delays_seconds[attempt_number]
        # Jitter spreads a burst of failures (one receiver down, many events) over time.
        delay = base * (1 + rng.uniform(-self.jitter, self.jitter)) if self.jitter else base
        if retry_after is not None and math.isfinite(retry_after) and retry_after > 0:
            delay = max(delay, min(retry_after, self.retry_after_cap_seconds))
        return now + timedelta(seconds=max(delay, 0.0))


DEFAULT_SCHEDULE = RetrySchedule()


def next_attempt_at(
    attempt_number: int,
    now: datetime,
    retry_after: float | None,
    rng: RandomSource,
    *,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
) -> datetime | None:
    """``schedule.next_attempt_at``, for callers that hold no schedule of their own."""
    return schedule.next_attempt_at(attempt_number, now, retry_after, rng)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from ``now`` that a ``Retry-After`` header asks for: delay-seconds or an HTTP-date.

    Unparseable values give None (the header is advice; a broken one is ignored, not an error).
    """
    _require_aware(now, "now")
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 HTTP-dates are GMT; "-0000" parses as naive.
        return None
    return max((when - now).total_seconds(), 0.0)


def classify(result: AttemptResult) -> Outcome:
    """The outcome of one attempt, before the schedule has a say.

    Only 2xx is success. 410 Gone is the receiver telling us to stop for good. A URL we cannot use
    at all will not improve by waiting. Everything else (3xx, 4xx, 5xx, timeouts, blocked
    addresses, whose DNS may change) is worth another try.
    """
    if result.succeeded:
        return Outcome.SUCCESS
    if result.status_code == 410:
        return Outcome.DISABLE_ENDPOINT
    if result.error_kind is ErrorKind.INVALID_URL:
        return Outcome.GIVE_UP
    return Outcome.RETRY


def decide(
    result: AttemptResult,
    attempt_number: int,
    now: datetime,
    rng: RandomSource,
    *,
    schedule: RetrySchedule = DEFAULT_SCHEDULE,
) -> Decision:
    """What the outbox does after attempt number ``attempt_number`` (1-based) produced ``result``."""
    if attempt_number < 1:
        raise ValueError(f"decide() follows an attempt: attempt_number must be >= 1, got {attempt_number}")
    outcome = classify(result)
    if outcome is not Outcome.RETRY:
        return Decision(outcome, None)
    retry_after = result.retry_after if result.status_code in RETRY_AFTER_STATUSES else None
    when = schedule.next_attempt_at(attempt_number, now, retry_after, rng)
    return Decision(Outcome.GIVE_UP, None) if when is None else Decision(Outcome.RETRY, when)


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    """One past attempt to an endpoint, as far as the disable rule cares."""

    at: datetime
    succeeded: bool


def disable_window(settings: Settings) -> timedelta:
    """How long an endpoint may fail without a break before it is disabled."""
    return timedelta(days=settings.outbox_disable_after_days)


def failing_since(history: Iterable[AttemptRecord]) -> datetime | None:
    """When the endpoint's current run of failures began, or None if its latest attempt succeeded.

    The history need not be sorted or complete: the last success and the attempts after it suffice.
    """
    ordered = sorted(history, key=lambda record: record.at)
    for record in ordered:
        _require_aware(record.at, "AttemptRecord.at")
    streak_start: datetime | None = None
    for record in ordered:
        if record.succeeded:
            streak_start = None
        elif streak_start is None:
            streak_start = record.at
    return streak_start


def should_disable_endpoint(
    history: Iterable[AttemptRecord], *, after: timedelta = DEFAULT_DISABLE_AFTER
) -> bool:
    """True when every attempt for at least ``after`` has failed (Svix: five days).

    Measured from the first failure of the current run to its latest failure, so the answer
    depends on the history alone and a quiet endpoint is not disabled for being quiet.
    """
    records = list(history)
    start = failing_since(records)
    if start is None:
        return False
    latest_failure = max(record.at for record in records if not record.succeeded)
    return latest_failure - start >= after
