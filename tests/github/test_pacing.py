"""Write pacing: spacing, budgets and holds, in one process and across processes (real Redis)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator

import pytest
from redis.asyncio import Redis

from worksample.github.pacing import (
    Budget,
    LocalWritePacer,
    PacingDeferred,
    PacingPolicy,
    RedisWritePacer,
    WritePacer,
    next_slot,
)

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def prefix() -> str:
    # Other engineers share this Redis: every test paces under keys of its own.
    return f"test:pace:{uuid.uuid4().hex}"


@pytest.fixture
async def redis(prefix: str) -> AsyncIterator[Redis]:
    client: Redis = Redis.from_url(REDIS_URL)
    yield client
    keys = [k async for k in client.scan_iter(match=f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def test_next_slot_spacing_and_budgets() -> None:
    policy = PacingPolicy(interval=1.0, budgets=(Budget(3, 10.0),))
    slots: list[float] = []
    for _ in range(5):
        slots.append(next_slot(100.0, slots, 0.0, policy))
    # Three one second apart, then the fourth waits until the first leaves the 10 s window.
    assert slots == [100.0, 101.0, 102.0, 110.0, 111.0]
    assert next_slot(100.0, [], 105.0, policy) == 105.0


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="interval"):
        PacingPolicy(interval=-1)
    with pytest.raises(ValueError, match="limit"):
        Budget(0, 1.0)


async def _timed_writes(pacers: list[WritePacer], key: str, count: int) -> tuple[list[float], list[float]]:
    """Wake-up times (seconds from the start, ascending) and the delays the pacer reported."""
    start = time.monotonic()
    stamps: list[float] = []
    delays: list[float] = []

    async def one(pacer: WritePacer) -> None:
        reservation = await pacer.wait_for_write(key)
        stamps.append(time.monotonic() - start)
        delays.append(reservation.delay)

    await asyncio.gather(*(one(pacers[i % len(pacers)]) for i in range(count)))
    return sorted(stamps), sorted(delays)


def _assert_not_before(stamps: list[float], earliest: list[float]) -> None:
    """The k-th write woke no earlier than the schedule allows (less timer resolution).

    Only a lower bound from a common start: on a loaded machine any write can wake late, so the
    gap between two neighbours can shrink below the interval even though neither went early.
    """
    early = [(s, b) for s, b in zip(stamps, earliest, strict=True) if s < b - 0.01]
    assert not early, (stamps, earliest)


async def test_local_pacer_spaces_concurrent_writes() -> None:
    pacer = LocalWritePacer(PacingPolicy(interval=0.05, budgets=()))
    stamps, _ = await _timed_writes([pacer], "installation:1", 6)
    _assert_not_before(stamps, [k * 0.05 for k in range(6)])
    # Another installation has its own schedule: its first write goes at once.
    assert (await pacer.wait_for_write("installation:2")).delay == 0


async def test_redis_pacer_is_shared_by_separate_connections(redis: Redis, prefix: str) -> None:
    """Two pacers on two connections stand for two worker processes: together they keep the pace."""
    other: Redis = Redis.from_url(REDIS_URL)
    try:
        policy = PacingPolicy(interval=0.05, budgets=())
        pacers: list[WritePacer] = [
            RedisWritePacer(redis, policy, prefix),
            RedisWritePacer(other, policy, prefix),
        ]
        stamps, _ = await _timed_writes(pacers, "installation:7", 8)
        _assert_not_before(stamps, [k * 0.05 for k in range(8)])
    finally:
        await other.aclose()


async def test_redis_pacer_budget(redis: Redis, prefix: str) -> None:
    policy = PacingPolicy(interval=0.0, budgets=(Budget(3, 0.4),))
    pacer = RedisWritePacer(redis, policy, prefix)
    stamps, delays = await _timed_writes([pacer], "installation:9", 7)
    # Three writes per 0.4 s: the k-th goes no earlier than window k // 3.
    _assert_not_before(stamps, [(k // 3) * 0.4 for k in range(7)])
    assert delays[:3] == [0.0, 0.0, 0.0]  # the first three go without waiting
    assert all(delay > 0 for delay in delays[3:])


@pytest.mark.parametrize("kind", ["local", "redis"])
async def test_hold_delays_reads_and_writes(kind: str, redis: Redis, prefix: str) -> None:
    policy = PacingPolicy(interval=0.0, budgets=())
    pacer: WritePacer = LocalWritePacer(policy) if kind == "local" else RedisWritePacer(redis, policy, prefix)
    await pacer.hold("installation:3", 0.3)
    # A shorter hold afterwards never shortens the first.
    await pacer.hold("installation:3", 0.05)
    start = time.monotonic()
    await pacer.wait_for_hold("installation:3")
    assert time.monotonic() - start >= 0.25
    start = time.monotonic()
    await pacer.hold("installation:4", 0.2)
    await pacer.wait_for_write("installation:4")
    assert time.monotonic() - start >= 0.15
    assert await pacer.wait_for_hold("installation:5") == 0


@pytest.mark.parametrize("kind", ["local", "redis"])
async def test_slot_beyond_max_delay_defers_without_reserving(kind: str, redis: Redis, prefix: str) -> None:
    policy = PacingPolicy(interval=0.0, budgets=(Budget(2, 30.0),))
    pacer: WritePacer = LocalWritePacer(policy) if kind == "local" else RedisWritePacer(redis, policy, prefix)
    assert (await pacer.wait_for_write("installation:1", max_delay=1.0)).delay == 0
    assert (await pacer.wait_for_write("installation:1", max_delay=1.0)).delay == 0
    with pytest.raises(PacingDeferred) as info:
        await pacer.wait_for_write("installation:1", max_delay=1.0)
    assert 29.0 < info.value.delay <= 30.0
    # Nothing was reserved: asking again finds the same slot, not one a window later.
    with pytest.raises(PacingDeferred) as again:
        await pacer.wait_for_write("installation:1", max_delay=1.0)
    assert again.value.delay <= info.value.delay


@pytest.mark.parametrize("kind", ["local", "redis"])
async def test_a_write_that_left_late_counts_from_when_it_left(kind: str, redis: Redis, prefix: str) -> None:
    """GitHub counts arrivals: a late write must push the next window's writes back with it."""
    policy = PacingPolicy(interval=0.0, budgets=(Budget(2, 1.0),))
    pacer: WritePacer = LocalWritePacer(policy) if kind == "local" else RedisWritePacer(redis, policy, prefix)
    first = await pacer.wait_for_write("installation:1")
    second = await pacer.wait_for_write("installation:1")
    await asyncio.sleep(0.3)
    with pytest.raises(PacingDeferred) as on_time:
        await pacer.wait_for_write("installation:1", max_delay=0.0)
    assert 0.6 < on_time.value.delay <= 0.7  # both counted at their slots, 0.3 s ago
    await pacer.sent("installation:1", first.token)
    await pacer.sent("installation:1", second.token)
    with pytest.raises(PacingDeferred) as late:
        await pacer.wait_for_write("installation:1", max_delay=0.0)
    assert 0.9 < late.value.delay <= 1.0  # now counted from when they left
