"""The simulator's OAuth web flow: authorize, code exchange (checks, single use, expiry), GET /user."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from worksample.sandbox import create_app

BASE = "http://sandbox"
CALLBACK = "http://service.test/auth/callback"


@dataclass
class OAuthWorld:
    client: httpx.AsyncClient
    client_id: str
    client_secret: str
    user_id: int


@pytest.fixture
async def world() -> AsyncIterator[OAuthWorld]:
    sim = create_app(base_url=BASE)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url=BASE) as client:
        user = (await client.post("/_sandbox/users", json={"login": "octocat"})).json()
        await client.post("/_sandbox/users", json={"login": "hubot"})
        app = await client.post("/_sandbox/apps", json={"name": "ws", "callback_urls": [CALLBACK]})
        assert app.status_code == 201, app.text
        body = app.json()
        yield OAuthWorld(client, body["client_id"], body["client_secret"], user["id"])


async def _authorize(world: OAuthWorld, **extra: str) -> httpx.Response:
    params = {"client_id": world.client_id, "redirect_uri": CALLBACK, "state": "s-123", **extra}
    return await world.client.get("/login/oauth/authorize", params=params)


async def _code(world: OAuthWorld, login: str = "octocat") -> str:
    response = await _authorize(world, as_user=login)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == CALLBACK
    query = parse_qs(location.query)
    assert query["state"] == ["s-123"]
    return query["code"][0]


async def _exchange(world: OAuthWorld, given: str, **override: str) -> httpx.Response:
    form = {"client_id": world.client_id, "client_secret": world.client_secret, "code": given, **override}
    return await world.client.post(
        "/login/oauth/access_token", data=form, headers={"Accept": "application/json"}
    )


async def test_code_exchange_then_get_user_names_the_chosen_user(world: OAuthWorld) -> None:
    token_answer = await _exchange(world, await _code(world))
    assert token_answer.status_code == 200
    body = token_answer.json()
    assert body["token_type"] == "bearer"
    assert body["access_token"].startswith("ghu_")
    user = await world.client.get("/user", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert user.status_code == 200
    assert (user.json()["login"], user.json()["id"]) == ("octocat", world.user_id)


async def test_consent_page_lists_users_when_no_user_is_chosen(world: OAuthWorld) -> None:
    page = await _authorize(world, login="hubot")
    assert page.status_code == 200
    assert "<select id='as_user' name='as_user'>" in page.text
    assert "<option value='hubot' selected>" in page.text
    assert "value='s-123'" in page.text


async def test_form_encoded_answer_without_json_accept(world: OAuthWorld) -> None:
    code = await _code(world)
    form = {"client_id": world.client_id, "client_secret": world.client_secret, "code": code}
    answer = await world.client.post("/login/oauth/access_token", data=form)
    assert answer.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert parse_qs(answer.text)["access_token"][0].startswith("ghu_")


async def test_code_is_single_use(world: OAuthWorld) -> None:
    code = await _code(world)
    assert "access_token" in (await _exchange(world, code)).json()
    again = (await _exchange(world, code)).json()
    assert again["error"] == "bad_verification_code"


async def test_code_expires_on_the_simulated_clock(world: OAuthWorld) -> None:
    code = await _code(world)
    await world.client.post("/_sandbox/clock", json={"advance_seconds": 601})
    assert (await _exchange(world, code)).json()["error"] == "bad_verification_code"


@pytest.mark.parametrize(
    ("override", "error"),
    [
        ({"client_secret": "wrong"}, "incorrect_client_credentials"),
        ({"client_id": "Iv1.unknown"}, "incorrect_client_credentials"),
        ({"code": "not-a-code"}, "bad_verification_code"),
        ({"redirect_uri": "http://elsewhere.test/cb"}, "redirect_uri_mismatch"),
    ],
)
async def test_exchange_refusals(world: OAuthWorld, override: dict[str, str], error: str) -> None:
    code = await _code(world)
    answer = await _exchange(world, code, **override)
    assert answer.status_code == 200
    assert answer.json()["error"] == error


async def test_authorize_refusals(world: OAuthWorld) -> None:
    assert (await _authorize(world, redirect_uri="http://evil.test/cb")).status_code == 400
    assert (await _authorize(world, client_id="Iv1.nope")).status_code == 404
    assert (await _authorize(world, as_user="nobody-here")).status_code == 422


async def test_state_is_passed_through_untouched(world: OAuthWorld) -> None:
    response = await _authorize(world, as_user="octocat", state="a b&c=d")
    assert parse_qs(urlsplit(response.headers["location"]).query)["state"] == ["a b&c=d"]
