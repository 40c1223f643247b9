"""Retry schedule, Retry-After, outcome classification and the endpoint-disable rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from worksample.config import Settings
from worksample.outbox.result import AttemptResult, ErrorKind
from worksample.outbox.schedule import (
    DEFAULT_DELAYS_SECONDS,
    DEFAULT_SCHEDULE,
    AttemptRecord,
    Decision,
    Outcome,
    RetrySchedule,
    classify,
    decide,
    disable_window,
    failing_since,
    next_attempt_at,
    parse_retry_after,
    should_disable_endpoint,
)

NOW = datetime(2026, 11, 26, 1, 0, tzinfo=UTC)
NO_JITTER = RetrySchedule(jitter=0)


class Extreme:
    """A random source that always returns one end of the range, to pin the jitter bounds."""

    def __init__(self, high: bool) -> None:
        self.high = high

    def uniform(self, a: float, b: float, /) -> float:
        return b if self.high else a


def _response(status: int, retry_after: float | None = None) -> AttemptResult:
    return AttemptResult(status, None, None, 12, "", False, retry_after)


def _error(kind: ErrorKind) -> AttemptResult:
    return AttemptResult(None, kind, "boom", 12, "", False, None)


def test_default_schedule_is_svix_and_runs_out_after_eight_attempts() -> None:
    assert DEFAULT_DELAYS_SECONDS == (0.0, 5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
    gaps = [NO_JITTER.next_attempt_at(n, NOW, None, random.Random(1)) for n in range(9)]
    assert [None if g is None else (g - NOW).total_seconds() for g in gaps] == [
        *DEFAULT_DELAYS_SECONDS,
        None,
    ]


def test_settings_default_matches_the_schedule_default() -> None:
    assert RetrySchedule.from_settings(Settings()) == DEFAULT_SCHEDULE


def test_jitter_stays_within_twenty_percent_and_is_deterministic_per_seed() -> None:
    low = next_attempt_at(2, NOW, None, Extreme(high=False))
    high = next_attempt_at(2, NOW, None, Extreme(high=True))
    assert low == NOW + timedelta(seconds=240)
    assert high == NOW + timedelta(seconds=360)
    seen = {next_attempt_at(2, NOW, None, random.Random(seed)) for seed in range(50)}
    assert len(seen) > 40
    assert all(low <= moment <= high for moment in seen if moment is not None)
    assert next_attempt_at(2, NOW, None, random.Random(7)) == next_attempt_at(2, NOW, None, random.Random(7))


def test_short_schedule_from_settings() -> None:
    settings = Settings(outbox_retry_schedule_seconds=(0, 0.1, 0.2), outbox_retry_jitter=0)
    schedule = RetrySchedule.from_settings(settings)
    assert schedule.max_attempts == 3
    assert schedule.next_attempt_at(2, NOW, None, random.Random(0)) == NOW + timedelta(seconds=0.2)
    assert schedule.next_attempt_at(3, NOW, None, random.Random(0)) is None


def test_retry_after_lengthens_a_gap_but_never_shortens_it_and_is_capped() -> None:
    rng = random.Random(0)
    assert NO_JITTER.next_attempt_at(1, NOW, 120, rng) == NOW + timedelta(seconds=120)
    assert NO_JITTER.next_attempt_at(2, NOW, 1, rng) == NOW + timedelta(seconds=300)
    assert NO_JITTER.next_attempt_at(1, NOW, 10**9, rng) == NOW + timedelta(hours=10)
    assert NO_JITTER.next_attempt_at(1, NOW, float("nan"), rng) == NOW + timedelta(seconds=5)
    # A Retry-After does not extend the schedule past its last attempt.
    assert NO_JITTER.next_attempt_at(8, NOW, 5, rng) is None


@pytest.mark.parametrize("bad", [-1, True, 1.0])
def test_attempt_number_must_count_attempts(bad: int) -> None:
    with pytest.raises(ValueError, match="attempt_number"):
        DEFAULT_SCHEDULE.next_attempt_at(bad, NOW, None, random.Random(0))


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        DEFAULT_SCHEDULE.next_attempt_at(1, datetime(2026, 1, 1), None, random.Random(0))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"delays_seconds": ()}, "at least one delay"),
        ({"delays_seconds": (0, -5)}, "finite and >= 0"),
        ({"delays_seconds": (0, float("inf"))}, "finite and >= 0"),
        ({"jitter": 1.0}, "jitter"),
        ({"retry_after_cap_seconds": -1}, "Retry-After cap"),
    ],
)
def test_bad_schedules_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        RetrySchedule(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("Thu, 26 Nov 2026 01:02:00 GMT", 120.0),
        ("Thu, 26 Nov 2026 00:59:00 GMT", 0.0),  # a date in the past means "now"
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
        ("Thu, 26 Nov 2026 01:02:00 -0000", None),
    ],
)
def test_parse_retry_after(header: str | None, seconds: float | None) -> None:
    assert parse_retry_after(header, NOW) == seconds


@pytest.mark.parametrize(
    ("result", "outcome"),
    [
        (_response(200), Outcome.SUCCESS),
        (_response(204), Outcome.SUCCESS),
        (_response(299), Outcome.SUCCESS),
        (_response(301), Outcome.RETRY),
        (_response(304), Outcome.RETRY),
        (_response(400), Outcome.RETRY),
        (_response(404), Outcome.RETRY),
        (_response(410), Outcome.DISABLE_ENDPOINT),
        (_response(429), Outcome.RETRY),
        (_response(500), Outcome.RETRY),
        (_error(ErrorKind.TIMEOUT), Outcome.RETRY),
        (_error(ErrorKind.BLOCKED_ADDRESS), Outcome.RETRY),
        (_error(ErrorKind.INVALID_URL), Outcome.GIVE_UP),
    ],
)
def test_classify(result: AttemptResult, outcome: Outcome) -> None:
    assert classify(result) is outcome


def test_decide_honours_retry_after_only_on_429_and_503() -> None:
    rng = random.Random(0)
    for status in (429, 503):
        decision = decide(_response(status, 600), 1, NOW, rng, schedule=NO_JITTER)
        assert decision == Decision(Outcome.RETRY, NOW + timedelta(seconds=600))
    decision = decide(_response(500, 600), 1, NOW, rng, schedule=NO_JITTER)
    assert decision == Decision(Outcome.RETRY, NOW + timedelta(seconds=5))


def test_decide_gives_up_when_the_schedule_is_used_up() -> None:
    rng = random.Random(0)
    assert decide(_response(500), 7, NOW, rng, schedule=NO_JITTER).outcome is Outcome.RETRY
    assert decide(_response(500), 8, NOW, rng, schedule=NO_JITTER) == Decision(Outcome.GIVE_UP, None)
    assert decide(_response(200), 8, NOW, rng) == Decision(Outcome.SUCCESS, None)
    assert decide(_response(410), 1, NOW, rng) == Decision(Outcome.DISABLE_ENDPOINT, None)
    with pytest.raises(ValueError, match="follows an attempt"):
        decide(_response(500), 0, NOW, rng)


def test_attempt_result_has_exactly_one_of_status_and_error() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        AttemptResult(500, ErrorKind.TIMEOUT, None, 1, "", False, None)
    with pytest.raises(ValueError, match="exactly one"):
        AttemptResult(None, None, None, 1, "", False, None)


def _history(*entries: tuple[float, bool]) -> list[AttemptRecord]:
    return [AttemptRecord(NOW + timedelta(days=day), ok) for day, ok in entries]


@pytest.mark.parametrize(
    ("history", "disabled"),
    [
        (_history(), False),
        (_history((0, False), (4.9, False)), False),
        (_history((0, False), (2, False), (5, False)), True),
        (_history((0, False), (3, True), (5, False)), False),  # a success resets the run
        (_history((0, False), (5, False), (5.1, True)), False),  # latest attempt succeeded
        (_history((-1, True), (0, False), (6, False)), True),
        (_history((6, False), (0, False), (-1, True)), True),  # order does not matter
    ],
)
def test_should_disable_endpoint(history: list[AttemptRecord], disabled: bool) -> None:
    assert should_disable_endpoint(history) is disabled


def test_disable_window_is_configurable_and_failing_since_reports_the_run() -> None:
    history = _history((-1, True), (0, False), (1.5, False))
    assert failing_since(history) == NOW
    assert should_disable_endpoint(history, after=timedelta(days=1))
    assert not should_disable_endpoint(history, after=timedelta(days=2))
    assert failing_since(_history((0, False), (1, True))) is None
    with pytest.raises(ValueError, match="timezone-aware"):
        failing_since([AttemptRecord(datetime(2026, 1, 1), False)])


def test_short_schedule_and_disable_window_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WORKSAMPLE_OUTBOX_RETRY_SCHEDULE_SECONDS", "[0, 0.05, 0.1]")
    monkeypatch.setenv("WORKSAMPLE_OUTBOX_RETRY_JITTER", "0")
    monkeypatch.setenv("WORKSAMPLE_OUTBOX_DISABLE_AFTER_DAYS", "0.5")
    settings = Settings()
    schedule = RetrySchedule.from_settings(settings)
    assert schedule.delays_seconds == (0.0, 0.05, 0.1)
    assert schedule.next_attempt_at(1, NOW, None, random.Random(0)) == NOW + timedelta(seconds=0.05)
    assert disable_window(settings) == timedelta(hours=12)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WORKSAMPLE_OUTBOX_RETRY_SCHEDULE_SECONDS", "[]"),
        ("WORKSAMPLE_OUTBOX_RETRY_SCHEDULE_SECONDS", "[0, -1]"),
        ("WORKSAMPLE_OUTBOX_RETRY_JITTER", "1.5"),
        ("WORKSAMPLE_OUTBOX_DISABLE_AFTER_DAYS", "0"),
        ("WORKSAMPLE_OUTBOX_ALLOWED_NETWORKS", '["localhost"]'),
    ],
)
def test_bad_outbox_settings_are_refused_at_start_up(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError, match=variable.removeprefix("WORKSAMPLE_").lower()):
        Settings()
