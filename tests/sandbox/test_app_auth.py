"""App JWTs, installation tokens, and the user routes, through githubkit."""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from githubkit.exception import RequestFailed

from tests.sandbox.conftest import Setup, failure, make_repo


def _jwt(setup: Setup, *, iat: float | None = None, exp: float | None = None, key: str | None = None) -> str:
    now = int(time.time())
    claims = {
        "iss": str(setup.app_id),
        "iat": int(iat if iat is not None else now - 60),
        "exp": int(exp if exp is not None else now + 540),
    }
    return jwt.encode(claims, key or setup.private_key, algorithm="RS256")


async def _installations(setup: Setup, token: str) -> httpx.Response:
    return await setup.control.get("/app/installations", headers={"Authorization": f"Bearer {token}"})


async def test_app_routes_accept_a_valid_jwt_through_githubkit(setup: Setup) -> None:
    gh = setup.github_app()
    assert [i.id for i in (await gh.rest.apps.async_list_installations()).parsed_data] == [
        setup.installation_id
    ]
    org_inst = (await gh.rest.apps.async_get_org_installation("acme")).parsed_data
    assert org_inst.id == setup.installation_id
    assert org_inst.app_slug == "work-sample"
    me = (await gh.rest.apps.async_get_authenticated()).parsed_data
    assert me is not None
    assert me.id == setup.app_id


async def test_jwt_failures_answer_401_with_githubs_messages(setup: Setup) -> None:
    now = time.time()
    expired = await _installations(setup, _jwt(setup, iat=now - 1200, exp=now - 600))
    assert expired.status_code == 401
    assert "'Expiration time' claim ('exp')" in expired.json()["message"]
    future = await _installations(setup, _jwt(setup, iat=now + 600, exp=now + 1100))
    assert future.status_code == 401
    assert "'Issued at' claim ('iat')" in future.json()["message"]
    too_long = await _installations(setup, _jwt(setup, iat=now - 60, exp=now + 3600))
    assert too_long.json()["message"] == "'Expiration time' claim ('exp') is too far in the future"
    other_key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        .decode()
    )
    forged = await _installations(setup, _jwt(setup, key=other_key))
    assert forged.status_code == 401
    assert forged.json()["message"] == "A JSON web token could not be decoded"
    malformed = await _installations(setup, "not.a.jwt")
    assert malformed.json()["message"] == "A JSON web token could not be decoded"
    as_token = await _installations(setup, setup.tokens["lead"])
    assert as_token.status_code == 401
    anonymous = await setup.control.get("/app/installations")
    assert anonymous.status_code == 401


async def test_installation_token_lasts_one_hour_with_exact_expires_at(setup: Setup) -> None:
    gh = setup.github_app()
    created = await gh.rest.apps.async_create_installation_access_token(setup.installation_id)
    assert created.status_code == 201
    raw = created.json()["expires_at"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", raw)
    expires = datetime.strptime(raw, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()
    assert abs(expires - (time.time() + 3600)) < 5
    token = created.parsed_data.token
    headers = {"Authorization": f"token {token}"}
    assert (await setup.control.get("/installation/repositories", headers=headers)).status_code == 200
    await setup.control.post("/_sandbox/clock", json={"advance_seconds": 3601})
    after = await setup.control.get("/installation/repositories", headers=headers)
    assert after.status_code == 401
    assert after.json()["message"] == "Bad credentials"


async def test_unknown_token_and_foreign_installation(setup: Setup) -> None:
    bad = await setup.control.get("/user", headers={"Authorization": "token ghs_nope"})
    assert bad.status_code == 401
    gh = setup.github_app()
    with pytest.raises(RequestFailed) as unknown:
        await gh.rest.apps.async_create_installation_access_token(999_999_999)
    assert unknown.value.response.status_code == 404
    other = await setup.control.post("/_sandbox/orgs", json={"login": "other"})
    assert other.status_code == 201
    with pytest.raises(RequestFailed) as not_installed:
        await gh.rest.apps.async_get_org_installation("other")
    assert not_installed.value.response.status_code == 404


async def test_installation_token_lists_its_repositories(setup: Setup) -> None:
    repo = await make_repo(setup)
    inst = setup.installation()
    listed = (await inst.rest.apps.async_list_repos_accessible_to_installation()).parsed_data
    assert [r.id for r in listed.repositories] == [repo.id]


async def test_users_routes(setup: Setup) -> None:
    candidate, inst = setup.user("candidate"), setup.installation()
    me = (await candidate.rest.users.async_get_authenticated()).parsed_data
    assert me.login == "candidate"
    assert me.id == setup.ids["candidate"]
    public = (await inst.rest.users.async_get_by_username("candidate")).parsed_data
    assert public.id == setup.ids["candidate"]
    org = (await inst.rest.orgs.async_get("acme")).parsed_data
    assert org.id == setup.ids["acme"]
    with pytest.raises(RequestFailed) as missing:
        await inst.rest.users.async_get_by_username("nobody-here")
    assert missing.value.response.status_code == 404
    # An installation is not a user.
    with pytest.raises(RequestFailed) as not_user:
        await inst.rest.users.async_get_authenticated()
    assert not_user.value.response.status_code == 403


async def test_rename_keeps_the_id(setup: Setup) -> None:
    renamed = await setup.control.post("/_sandbox/users/candidate/rename", json={"login": "candidate-2"})
    assert renamed.json() == {"id": setup.ids["candidate"], "login": "candidate-2"}
    inst, candidate = setup.installation(), setup.user("candidate")
    by_new = (await inst.rest.users.async_get_by_username("candidate-2")).parsed_data
    assert by_new.id == setup.ids["candidate"]
    by_id = (await inst.rest.users.async_get_by_id(setup.ids["candidate"])).parsed_data
    assert by_id.login == "candidate-2"
    assert (await setup.control.get("/users/candidate")).status_code == 404
    # The old token still works: it belongs to the id.
    me = (await candidate.rest.users.async_get_authenticated()).parsed_data
    assert me.login == "candidate-2"


async def test_installation_lookups_by_user_and_repository(setup: Setup) -> None:
    await make_repo(setup)
    gh = setup.github_app()
    by_repo = (await gh.rest.apps.async_get_repo_installation("acme", "sample")).parsed_data
    assert by_repo.id == setup.installation_id
    missing = await failure(gh.rest.apps.async_get_user_installation("candidate"))
    assert missing.status_code == 404
    assert (await failure(gh.rest.apps.async_get_repo_installation("acme", "nope"))).status_code == 404


async def test_token_cannot_ask_for_more_than_the_app_has(setup: Setup) -> None:
    gh = setup.github_app()
    refused = await failure(
        gh.rest.apps.async_create_installation_access_token(
            setup.installation_id, permissions={"workflows": "write"}
        )
    )
    assert refused.status_code == 422
    narrowed = await gh.rest.apps.async_create_installation_access_token(
        setup.installation_id, permissions={"contents": "read"}
    )
    assert narrowed.json()["permissions"] == {"contents": "read"}
