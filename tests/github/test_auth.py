"""The installation-token cache: one mint for many concurrent callers, refresh before expiry."""

from __future__ import annotations

import asyncio
import time

import pytest

from worksample.github.auth import InstallationToken, InstallationTokenCache, parse_expires_at


def test_parse_expires_at() -> None:
    assert parse_expires_at("2026-01-01T00:00:00Z") == 1767225600.0
    with pytest.raises(ValueError, match="YYYY-MM-DDTHH:MM:SSZ"):
        parse_expires_at("2026-01-01T00:00:00.123Z")


async def test_concurrent_callers_share_one_mint_and_refresh_before_expiry() -> None:
    minted: list[int] = []
    lifetime = {"seconds": 3600.0}

    async def mint(installation_id: int) -> InstallationToken:
        minted.append(installation_id)
        await asyncio.sleep(0.01)  # a slow GitHub: the others must wait, not mint too
        return InstallationToken(f"tok-{len(minted)}", time.time() + lifetime["seconds"])

    cache = InstallationTokenCache(mint, refresh_margin=300)
    tokens = await asyncio.gather(*(cache.get(1) for _ in range(10)))
    assert set(tokens) == {"tok-1"}
    assert minted == [1]
    # A token inside the refresh margin is replaced before it can expire mid-request.
    cache.forget(1)
    lifetime["seconds"] = 200.0
    assert await cache.get(1) == "tok-2"
    assert await cache.get(1) == "tok-3"
    assert cache.minted == 3


async def test_forget_only_drops_the_rejected_token() -> None:
    count = 0

    async def mint(installation_id: int) -> InstallationToken:
        nonlocal count
        count += 1
        return InstallationToken(f"tok-{count}", time.time() + 3600)

    cache = InstallationTokenCache(mint)
    first = await cache.get(5)
    cache.forget(5, first)
    second = await cache.get(5)
    assert second != first
    cache.forget(5, first)  # a late 401 for the old token must not discard the new one
    assert await cache.get(5) == second
