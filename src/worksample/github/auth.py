"""Installation tokens: minted with the App JWT, cached, refreshed before they expire.

githubkit's own ``AppInstallationAuthStrategy`` caches tokens too, but it mints one token per
concurrent request while the cache is empty (ten jobs starting together make ten token calls) and
has no way to drop a token GitHub has rejected. This cache mints once per installation behind a
lock, refreshes ``refresh_margin`` before ``expires_at`` and forgets a token on a 401, so the
request is sent once more with a fresh token (a revoked token, or a clock that ran ahead).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import httpx
from githubkit.auth.base import BaseAuthStrategy

if TYPE_CHECKING:
    from githubkit import GitHubCore


@dataclass(frozen=True)
class InstallationToken:
    token: str
    # Unix time from GitHub's ``expires_at``.
    expires_at: float


def parse_expires_at(value: str) -> float:
    """GitHub's ``expires_at`` (``2026-01-01T00:00:00Z``) as unix time; refuses anything else."""
    try:
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"installation token expires_at is not YYYY-MM-DDTHH:MM:SSZ: {value!r}") from exc
    return moment.timestamp()


Mint = Callable[[int], Awaitable[InstallationToken]]


class InstallationTokenCache:
    """Tokens per installation id, shared by every job of one process."""

    def __init__(self, mint: Mint, *, refresh_margin: float = 300.0) -> None:
        self._mint = mint
        self._refresh_margin = refresh_margin
        self._tokens: dict[int, InstallationToken] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self.minted = 0

    async def get(self, installation_id: int) -> str:
        cached = self._tokens.get(installation_id)
        if cached is not None and cached.expires_at - self._refresh_margin > time.time():
            return cached.token
        lock = self._locks.setdefault(installation_id, asyncio.Lock())
        async with lock:
            # Another coroutine may have minted while this one waited for the lock.
            cached = self._tokens.get(installation_id)
            if cached is not None and cached.expires_at - self._refresh_margin > time.time():
                return cached.token
            fresh = await self._mint(installation_id)
            self.minted += 1
            self._tokens[installation_id] = fresh
            return fresh.token

    def forget(self, installation_id: int, token: str | None = None) -> None:
        """Drop the cached token (only if it is still ``token``, so a fresh one is not thrown away)."""
        cached = self._tokens.get(installation_id)
        if cached is not None and (token is None or cached.token == token):
            del self._tokens[installation_id]


class _InstallationAuth(httpx.Auth):
    def __init__(self, tokens: InstallationTokenCache, installation_id: int) -> None:
        self._tokens = tokens
        self._installation_id = installation_id

    async def async_auth_flow(self, request: httpx.Request) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._tokens.get(self._installation_id)
        request.headers["Authorization"] = f"token {token}"
        response = yield request
        if response.status_code == 401:
            self._tokens.forget(self._installation_id, token)
            token = await self._tokens.get(self._installation_id)
            request.headers["Authorization"] = f"token {token}"
            yield request

    def sync_auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        # The token cache is async (it mints behind an asyncio lock); the service never calls sync.
        raise RuntimeError("installation clients are async-only")


class InstallationAuthStrategy(BaseAuthStrategy):
    """githubkit auth strategy acting as one installation, with tokens from the shared cache."""

    def __init__(self, tokens: InstallationTokenCache, installation_id: int) -> None:
        self.tokens = tokens
        self.installation_id = installation_id

    def get_auth_flow(self, github: GitHubCore[Any]) -> httpx.Auth:
        return _InstallationAuth(self.tokens, self.installation_id)
