"""Bearer API keys: missing, malformed, unknown and revoked keys are 401; the hash is what is stored."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.api.keys import authenticate, create_api_key, revoke_api_key
from worksample.db.models import ApiKey
from worksample.db.session import session_scope
from worksample.db.types import utcnow

Sessions = async_sessionmaker[AsyncSession]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer wsk_000000000000_" + "A" * 43},
        {"Authorization": "Bearer not-a-key"},
    ],
)
async def test_without_a_valid_key_every_route_is_401(
    api_client: httpx.AsyncClient, api_key: str, headers: dict[str, str]
) -> None:
    for method, path in (
        ("GET", "/v1/assignments"),
        ("POST", "/v1/assignments"),
        ("GET", "/v1/assignments/00000000-0000-4000-8000-000000000000"),
        ("POST", "/v1/assignments/00000000-0000-4000-8000-000000000000/cancel"),
        ("GET", "/v1/artifacts"),
    ):
        response = await api_client.request(method, path, headers=headers)
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["error"]["code"] == "unauthorized"


async def test_a_key_with_one_wrong_character_is_refused(api_client: httpx.AsyncClient, api_key: str) -> None:
    tampered = api_key[:-1] + ("A" if api_key[-1] != "A" else "B")
    response = await api_client.get("/v1/assignments", headers={"Authorization": f"Bearer {tampered}"})
    assert response.status_code == 401
    ok = await api_client.get("/v1/assignments", headers={"Authorization": f"Bearer {api_key}"})
    assert ok.status_code == 200


async def test_only_a_hash_is_stored_and_use_is_recorded(sessionmaker: Sessions) -> None:
    async with session_scope(sessionmaker) as session:
        new = await create_api_key(session, "acme", name="greenhouse")
    assert new.key.startswith(f"wsk_{new.prefix}_")
    async with session_scope(sessionmaker) as session:
        row = (await session.scalars(select(ApiKey))).one()
        never_used = row.last_used_at is None
        assert never_used
        assert row.key_hash == hashlib.sha256(new.key.encode()).hexdigest()
        assert new.key not in (row.key_hash, row.prefix)
        assert row.key_hash != new.key
        org = await authenticate(session, new.key)
        assert org is not None
        assert org.login == "acme"
        first_use = row.last_used_at
        assert first_use is not None
        # Within a minute of the last use nothing is written; after it, the time moves on.
        await authenticate(session, new.key, now=first_use + timedelta(seconds=30))
        assert row.last_used_at == first_use
        await authenticate(session, new.key, now=first_use + timedelta(minutes=2))
        assert row.last_used_at == first_use + timedelta(minutes=2)


async def test_revoked_key_is_refused(api_client: httpx.AsyncClient, sessionmaker: Sessions) -> None:
    async with session_scope(sessionmaker) as session:
        new = await create_api_key(session, "acme")
    headers = {"Authorization": f"Bearer {new.key}"}
    assert (await api_client.get("/v1/assignments", headers=headers)).status_code == 200
    async with session_scope(sessionmaker) as session:
        assert await revoke_api_key(session, new.prefix)
        assert not await revoke_api_key(session, new.prefix)
    response = await api_client.get("/v1/assignments", headers=headers)
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "the API key is unknown or revoked"


@pytest.mark.parametrize("login", ["", "-acme", "acme-", "ac--me", "a" * 40, "acme corp"])
async def test_key_for_an_impossible_org_login_is_refused(sessionmaker: Sessions, login: str) -> None:
    async with session_scope(sessionmaker) as session:
        with pytest.raises(ValueError, match="is not a GitHub organization login"):
            await create_api_key(session, login)


async def test_last_used_is_written_by_the_api(
    api_client: httpx.AsyncClient, api_key: str, sessionmaker: Sessions
) -> None:
    before = utcnow()
    await api_client.get("/v1/assignments", headers={"Authorization": f"Bearer {api_key}"})
    async with sessionmaker() as session:
        row = (await session.scalars(select(ApiKey))).one()
        assert row.last_used_at is not None
        assert row.last_used_at >= before
