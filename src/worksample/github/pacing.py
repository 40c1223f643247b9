"""Spacing of mutative GitHub requests per installation.

GitHub asks integrators to leave at least one second between mutative requests and documents
secondary limits on content-creating requests (80 a minute, 500 an hour). Waiting for a 403 and
backing off costs a ``retry-after`` of a minute or more; queueing writes so the limits are never
hit is both faster and what GitHub asks for. A pacer hands out *slots*: each write reserves the
earliest moment that keeps (a) ``interval`` seconds after the previous write and (b) every budget
of ``limit`` writes per ``period`` seconds, then sleeps until it. Once GitHub has answered
(``sent``), the write moves to that moment: GitHub counts a request when it arrives, somewhere
between its slot and its answer, and one that went out late (a busy event loop, a slow network)
must not let a write a window later arrive inside its window.

Two implementations share the algorithm:

- ``RedisWritePacer`` keeps the reserved slots in Redis and reserves atomically in a Lua script
  using Redis's own clock, so every job in every worker process (on any host) paces against one
  schedule. This is what the worker uses.
- ``LocalWritePacer`` keeps them in memory: correct for all coroutines of one process, but N
  processes with it would together write N times as fast. Use it only where one process talks to
  GitHub (a CLI command, a test).

Either also records a *hold*: when GitHub answers with a rate limit anyway (another tool on the
same installation, a limit we do not model), every request of that installation waits it out
instead of each job discovering it with its own 403.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from redis.asyncio import Redis


@dataclass(frozen=True)
class Budget:
    """At most ``limit`` writes in any ``period`` seconds."""

    limit: int
    period: float

    def __post_init__(self) -> None:
        if self.limit < 1 or self.period <= 0:
            raise ValueError(f"budget needs limit >= 1 and period > 0, got {self.limit}/{self.period}s")


# GitHub's documented secondary limits on content-creating requests.
GITHUB_BUDGETS = (Budget(80, 60.0), Budget(500, 3600.0))


@dataclass(frozen=True)
class PacingPolicy:
    interval: float = 1.0
    budgets: tuple[Budget, ...] = field(default=GITHUB_BUDGETS)

    def __post_init__(self) -> None:
        if self.interval < 0:
            raise ValueError(f"write interval must be >= 0, got {self.interval}")

    @property
    def history(self) -> int:
        """How many past slots the budgets need to see."""
        return max([b.limit for b in self.budgets], default=1)

    @property
    def horizon(self) -> float:
        """How long a slot stays relevant (for expiring bookkeeping)."""
        return max([b.period for b in self.budgets], default=0.0) + self.interval


class PacingDeferred(Exception):
    """The next write slot is further away than the caller is willing to sleep; nothing was reserved.

    Under the hourly budget a slot can be an hour away: a job should not hold a worker that long
    (nor outlive its timeout, which arq treats as final), so it is re-queued for ``delay`` instead.
    """

    def __init__(self, delay: float) -> None:
        super().__init__(f"next GitHub write slot in {delay:.1f}s")
        self.delay = delay


@dataclass(frozen=True)
class Reservation:
    token: str
    # Seconds slept before the slot came.
    delay: float


class WritePacer(Protocol):
    async def wait_for_write(self, key: str, max_delay: float | None = None) -> Reservation:
        """Reserve the next write slot for ``key`` and sleep until it.

        Raises ``PacingDeferred`` (reserving nothing) when the slot is more than ``max_delay`` away.
        """
        ...

    async def sent(self, key: str, token: str) -> None:
        """The reserved write has been answered: count it from now (later than its slot)."""
        ...

    async def wait_for_hold(self, key: str) -> float:
        """Sleep while ``key`` is held after a rate-limit answer; returns seconds slept."""
        ...

    async def hold(self, key: str, seconds: float) -> None:
        """Make every request of ``key`` wait ``seconds`` from now (never shortens a hold)."""
        ...


def next_slot(now: float, sends: Sequence[float], held_until: float, policy: PacingPolicy) -> float:
    """The earliest moment >= now a write may go, given the past writes' times (ascending)."""
    slot = max(now, held_until)
    if sends:
        slot = max(slot, sends[-1] + policy.interval)
    for budget in policy.budgets:
        if len(sends) >= budget.limit:
            slot = max(slot, sends[-budget.limit] + budget.period)
    return slot


def _new_token() -> str:
    return uuid.uuid4().hex


class LocalWritePacer:
    """In-process pacer: every coroutine of this process shares one schedule per key."""

    def __init__(self, policy: PacingPolicy) -> None:
        self.policy = policy
        self._sends: dict[str, dict[str, float]] = {}
        self._held_until: dict[str, float] = {}

    async def wait_for_write(self, key: str, max_delay: float | None = None) -> Reservation:
        # No await between reading and recording: the reservation is atomic under asyncio.
        now = time.monotonic()
        sends = self._sends.setdefault(key, {})
        slot = next_slot(now, sorted(sends.values()), self._held_until.get(key, 0.0), self.policy)
        if max_delay is not None and slot - now > max_delay:
            raise PacingDeferred(slot - now)
        token = _new_token()
        sends[token] = slot
        if len(sends) > self.policy.history:
            del sends[min(sends, key=sends.__getitem__)]
        delay = slot - now
        if delay > 0:
            await asyncio.sleep(delay)
        return Reservation(token, max(delay, 0.0))

    async def sent(self, key: str, token: str) -> None:
        sends = self._sends.get(key, {})
        if token in sends:
            sends[token] = max(sends[token], time.monotonic())

    async def wait_for_hold(self, key: str) -> float:
        delay = self._held_until.get(key, 0.0) - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
            return delay
        return 0.0

    async def hold(self, key: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._held_until[key] = max(self._held_until.get(key, 0.0), until)


# KEYS[1]: sorted set of writes (member: token, score: unix time of the slot or of the send);
# KEYS[2]: held-until. ARGV: interval, history, ttl_ms, max_delay (negative: none), token, then
# limit/period pairs. Returns the delay as a string because Redis truncates Lua numbers to
# integers; "!<delay>" when the slot is beyond max_delay and nothing was reserved.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local slot = now
local held = tonumber(redis.call('GET', KEYS[2]) or '0')
if held > slot then slot = held end
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
if #last > 0 then
  local next = tonumber(last[2]) + tonumber(ARGV[1])
  if next > slot then slot = next end
end
local i = 6
while ARGV[i] do
  local nth = redis.call('ZRANGE', KEYS[1], -tonumber(ARGV[i]), -tonumber(ARGV[i]), 'WITHSCORES')
  if #nth > 0 then
    local next = tonumber(nth[2]) + tonumber(ARGV[i + 1])
    if next > slot then slot = next end
  end
  i = i + 2
end
local max_delay = tonumber(ARGV[4])
if max_delay >= 0 and slot - now > max_delay then
  return '!' .. string.format('%.6f', slot - now)
end
redis.call('ZADD', KEYS[1], string.format('%.6f', slot), ARGV[5])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -tonumber(ARGV[2]) - 1)
redis.call('PEXPIRE', KEYS[1], math.ceil((slot - now) * 1000) + tonumber(ARGV[3]))
return string.format('%.6f', slot - now)
"""

# KEYS[1]: the writes. ARGV[1]: token. Moves the write to now, if it is still there and now is later.
_SENT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
redis.call('ZADD', KEYS[1], 'XX', 'GT', string.format('%.6f', now), ARGV[1])
return 1
"""

# KEYS[1]: held-until. ARGV[1]: seconds to hold (0 = just read). Returns seconds left as a string.
_HOLD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local held = tonumber(redis.call('GET', KEYS[1]) or '0')
local want = now + tonumber(ARGV[1])
if tonumber(ARGV[1]) > 0 and want > held then
  held = want
  redis.call('SET', KEYS[1], string.format('%.6f', held), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
if held > now then return string.format('%.6f', held - now) end
return '0'
"""


def _text(answer: object) -> str:
    return answer.decode() if isinstance(answer, bytes) else str(answer)


class RedisWritePacer:
    """Pacer whose schedule lives in Redis, shared by every process that uses the same ``prefix``."""

    def __init__(self, redis: Redis, policy: PacingPolicy, prefix: str = "worksample:github:pace") -> None:
        self.policy = policy
        self._redis = redis
        self._prefix = prefix
        self._reserve = redis.register_script(_RESERVE)
        self._sent = redis.register_script(_SENT)
        self._hold = redis.register_script(_HOLD)

    def _keys(self, key: str) -> tuple[str, str]:
        return f"{self._prefix}:{key}:writes", f"{self._prefix}:{key}:held"

    async def wait_for_write(self, key: str, max_delay: float | None = None) -> Reservation:
        writes_key, held_key = self._keys(key)
        token = _new_token()
        args: list[float | int | str] = [
            self.policy.interval,
            self.policy.history,
            int(self.policy.horizon * 1000) + 1000,
            -1 if max_delay is None else max_delay,
            token,
        ]
        for budget in self.policy.budgets:
            args += [budget.limit, budget.period]
        text = _text(await self._reserve(keys=[writes_key, held_key], args=args))
        if text.startswith("!"):
            raise PacingDeferred(float(text[1:]))
        delay = float(text)
        if delay > 0:
            await asyncio.sleep(delay)
        return Reservation(token, max(delay, 0.0))

    async def sent(self, key: str, token: str) -> None:
        await self._sent(keys=[self._keys(key)[0]], args=[token])

    async def wait_for_hold(self, key: str) -> float:
        delay = float(_text(await self._hold(keys=[self._keys(key)[1]], args=[0])))
        if delay > 0:
            await asyncio.sleep(delay)
        return delay

    async def hold(self, key: str, seconds: float) -> None:
        await self._hold(keys=[self._keys(key)[1]], args=[seconds])
