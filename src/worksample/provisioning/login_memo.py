"""What GitHub said about a login, remembered per (installation, login) for a while.

Used where the same few people (the hiring team's reviewers) come back with every assignment, so
asking GitHub about them each time would cost a call per person per assignment for an answer that
rarely changes. The memory is per process; the time-to-live bounds how long a change on GitHub
(a renamed or deleted account, a member who left) goes unnoticed.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

V = TypeVar("V")

DEFAULT_TTL_SECONDS = 3600.0


class LoginMemo(Generic[V]):
    """Remembers one answer per (installation, login) for ``ttl`` seconds."""

    def __init__(self, ttl: float = DEFAULT_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl = ttl
        self._clock = clock
        self._known: dict[tuple[int, str], tuple[float, V]] = {}
        self._locks: dict[tuple[int, str], asyncio.Lock] = {}

    @staticmethod
    def _key(installation_id: int, login: str) -> tuple[int, str]:
        # GitHub logins are case-insensitive.
        return installation_id, login.lower()

    def get(self, installation_id: int, login: str) -> V | None:
        key = self._key(installation_id, login)
        entry = self._known.get(key)
        if entry is None:
            return None
        learned_at, value = entry
        if self._clock() - learned_at >= self._ttl:
            del self._known[key]
            return None
        return value

    def put(self, installation_id: int, login: str, value: V) -> None:
        self._known[self._key(installation_id, login)] = (self._clock(), value)

    @asynccontextmanager
    async def learning(self, installation_id: int, login: str) -> AsyncIterator[None]:
        """Held while one caller asks GitHub about a login, so concurrent callers ask once, not each."""
        async with self._locks.setdefault(self._key(installation_id, login), asyncio.Lock()):
            yield

    async def recall(
        self,
        installation_id: int,
        login: str,
        learn: Callable[[], Awaitable[V]],
        *,
        keep: Callable[[V], bool] = lambda _: True,
    ) -> V:
        """The remembered answer, or ``learn()``'s (remembered when ``keep`` says so)."""
        known = self.get(installation_id, login)
        if known is not None:
            return known
        async with self.learning(installation_id, login):
            known = self.get(installation_id, login)
            if known is not None:
                return known
            value = await learn()
            if keep(value):
                self.put(installation_id, login, value)
            return value
