"""worksample.auth on its own: a tiny app signs people in through the simulator and keeps a session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from pydantic import SecretStr

from worksample.auth import SignIn, SignInError
from worksample.auth.cookies import SESSION_COOKIE
from worksample.config import ConfigError, Settings
from worksample.sandbox import create_app as create_sandbox

SANDBOX = "http://sandbox"
SITE = "http://site.test"


@dataclass
class Harness:
    site: httpx.AsyncClient
    browser: httpx.AsyncClient
    sign_in: SignIn
    octocat_id: int


def site_app(sign_in: SignIn) -> FastAPI:
    """A recruiter-pages stand-in: /login starts, /callback finishes and sets the session."""
    app = FastAPI()

    @app.get("/login")
    async def login() -> Response:
        return sign_in.begin(callback_path="/callback", purpose="pages")

    @app.get("/callback")
    async def callback(request: Request) -> Response:
        try:
            completed = await sign_in.finish(request)
        except SignInError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        response = JSONResponse({"login": completed.identity.login, "purpose": completed.purpose})
        sign_in.sessions.set(response, completed.identity.github_id, completed.identity.login)
        sign_in.forget_state(response)
        return response

    @app.get("/me")
    async def me(request: Request) -> Response:
        session = sign_in.sessions.get(request)
        if session is None:
            return PlainTextResponse("signed out", status_code=401)
        return JSONResponse({"id": session.github_id, "login": session.login})

    return app


def make_settings(client_id: str, client_secret: str, **extra: object) -> Settings:
    values: dict[str, object] = {
        "sandbox": True,
        "public_url": SITE,
        "github_api_url": SANDBOX,
        "github_web_url": SANDBOX,
        "github_client_id": client_id,
        "github_client_secret": SecretStr(client_secret),
        "session_secret": SecretStr("s" * 32),
        **extra,
    }
    return Settings(_env_file=None, **values)  # type: ignore[arg-type]


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    sim = create_sandbox(base_url=SANDBOX)
    transport = httpx.ASGITransport(app=sim)
    async with httpx.AsyncClient(transport=transport, base_url=SANDBOX) as browser:
        octocat = (await browser.post("/_sandbox/users", json={"login": "octocat"})).json()
        app = (await browser.post("/_sandbox/apps", json={"name": "pages"})).json()
        sign_in = SignIn(make_settings(app["client_id"], app["client_secret"]), transport=transport)
        site_transport = httpx.ASGITransport(app=site_app(sign_in))
        async with httpx.AsyncClient(transport=site_transport, base_url=SITE) as site:
            yield Harness(site, browser, sign_in, octocat["id"])


async def sign_in_as(h: Harness, login: str) -> httpx.Response:
    start = await h.site.get("/login")
    assert start.status_code == 303
    consent = await h.browser.get(f"{start.headers['location']}&{urlencode({'as_user': login})}")
    assert consent.status_code == 302, consent.text
    return await h.site.get(consent.headers["location"].removeprefix(SITE))


async def test_sign_in_sets_a_signed_http_only_lax_session(harness: Harness) -> None:
    assert (await harness.site.get("/me")).status_code == 401
    done = await sign_in_as(harness, "octocat")
    assert done.json() == {"login": "octocat", "purpose": "pages"}
    set_cookie = [
        v for k, v in done.headers.multi_items() if k == "set-cookie" and v.startswith(SESSION_COOKIE)
    ]
    assert len(set_cookie) == 1
    flags = set_cookie[0].lower()
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert "secure" not in flags  # public_url is http here
    me = await harness.site.get("/me")
    assert me.json() == {"id": harness.octocat_id, "login": "octocat"}


async def test_tampered_session_is_signed_out(harness: Harness) -> None:
    await sign_in_as(harness, "octocat")
    value = harness.site.cookies[SESSION_COOKIE]
    harness.site.cookies.set(SESSION_COOKIE, value[:-2] + ("AA" if not value.endswith("AA") else "BB"))
    assert (await harness.site.get("/me")).status_code == 401


async def test_state_cookie_is_not_a_session(harness: Harness) -> None:
    await harness.site.get("/login")
    state_value = harness.site.cookies["worksample_oauth"]
    harness.site.cookies.set(SESSION_COOKIE, state_value)
    assert (await harness.site.get("/me")).status_code == 401


async def test_replayed_callback_is_refused(harness: Harness) -> None:
    start = await harness.site.get("/login")
    consent = await harness.browser.get(f"{start.headers['location']}&as_user=octocat")
    callback = consent.headers["location"].removeprefix(SITE)
    assert (await harness.site.get(callback)).status_code == 200
    again = await harness.site.get(callback)
    assert again.status_code == 400


async def test_wrong_client_secret_fails_with_githubs_reason(harness: Harness) -> None:
    settings = harness.sign_in.settings.model_copy(update={"github_client_secret": SecretStr("wrong")})
    harness.sign_in.settings = settings
    done = await sign_in_as(harness, "octocat")
    assert done.status_code == 400
    assert "client_id and/or client_secret" in done.text


def test_secure_cookies_for_https_and_secret_required_in_production() -> None:
    https = SignIn(make_settings("Iv1.x", "y", public_url="https://hire.example.com"))
    response = Response()
    https.sessions.set(response, 1, "octocat")
    assert "secure" in response.headers["set-cookie"].lower()
    with pytest.raises(ConfigError, match="WORKSAMPLE_SESSION_SECRET"):
        SignIn(make_settings("Iv1.x", "y", sandbox=False, session_secret=None))
    unconfigured = SignIn(make_settings("", "", github_client_id=None, github_client_secret=None))
    with pytest.raises(SignInError, match="not configured"):
        unconfigured.begin(callback_path="/cb", purpose="x")
