"""The OAuth web flow of a GitHub App (user access tokens), as GitHub's docs describe it.

1. ``GET /login/oauth/authorize?client_id&redirect_uri&state`` — on GitHub the signed-in user sees a
   consent page. The simulator has no browser session, so the page lists the simulated users and
   asks which one is "signed in"; a caller (a test, a headless browser) may skip the page by naming
   the user with ``as_user=<login>``. Either way the answer is a 302 to ``redirect_uri`` with
   ``code`` and ``state`` (``state`` passed through untouched, as GitHub does).
2. ``POST /login/oauth/access_token`` with ``client_id``, ``client_secret``, ``code`` (and
   ``redirect_uri`` if one was sent to authorize) — codes are single-use and expire after ten
   minutes of *simulated* time (``/_sandbox/clock`` moves them). Failures answer 200 with
   ``{"error", "error_description", "error_uri"}``, exactly as GitHub does; the body is JSON when
   the caller accepts JSON, else form-encoded (GitHub's default).
3. ``GET /user`` with the token: already served by ``users.py``.
"""

from __future__ import annotations

import html
import json
import secrets
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from worksample.sandbox.context import SandboxDep
from worksample.sandbox.records import AppRecord, OAuthCode, Token
from worksample.sandbox.state import World

router = APIRouter(tags=["oauth"])

# GitHub: "The code expires after 10 minutes"; user tokens of GitHub Apps live 8 hours.
CODE_TTL_SECONDS = 600
USER_TOKEN_TTL_SECONDS = 8 * 3600
REFRESH_TOKEN_TTL_SECONDS = 15_897_600
_ERROR_URI = (
    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors"
)


def _app_by_client_id(world: World, client_id: str | None) -> AppRecord | None:
    return next((a for a in world.apps.values() if client_id and a.client_id == client_id), None)


def _with_query(url: str, params: dict[str, str]) -> str:
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"</head><body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status,
    )


def _redirect_allowed(app: AppRecord, redirect_uri: str) -> bool:
    if not app.callback_urls:
        return True
    # GitHub accepts the registered URL or a path below it on the same host and port.
    target = urlsplit(redirect_uri)
    for registered in app.callback_urls:
        base = urlsplit(registered)
        same_origin = (target.scheme, target.netloc) == (base.scheme, base.netloc)
        if same_origin and target.path.startswith(base.path):
            return True
    return False


@router.get("/login/oauth/authorize", response_model=None)
async def authorize(request: Request, sandbox: SandboxDep) -> Response:
    world = sandbox.world
    params = request.query_params
    app = _app_by_client_id(world, params.get("client_id"))
    if app is None:
        return _page("Not Found", "<p>No application with this client_id.</p>", 404)
    redirect_uri = params.get("redirect_uri") or (app.callback_urls[0] if app.callback_urls else None)
    if redirect_uri is None:
        return _page("Redirect URI mismatch", "<p>The App has no callback URL and none was given.</p>", 400)
    if not _redirect_allowed(app, redirect_uri):
        return _page(
            "Redirect URI mismatch",
            "<p>The redirect_uri MUST match the registered callback URL for this application.</p>",
            400,
        )
    as_user = params.get("as_user")
    if not as_user:
        return _consent_page(world, app, dict(params))
    user = world.account(as_user)
    if user is None or user.type != "User":
        return _page("Unknown user", f"<p>No simulated user {html.escape(as_user)!s}.</p>", 422)
    code = OAuthCode(
        value=secrets.token_hex(10),
        app_id=app.id,
        user_id=user.id,
        redirect_uri=params.get("redirect_uri"),
        expires_at=world.now() + CODE_TTL_SECONDS,
    )
    world.oauth_codes[code.value] = code
    answer = {"code": code.value}
    if "state" in params:
        answer["state"] = params["state"]
    return RedirectResponse(_with_query(redirect_uri, answer), status_code=302)


def _consent_page(world: World, app: AppRecord, params: dict[str, str]) -> HTMLResponse:
    """The simulator's stand-in for "who is signed in to GitHub": pick a user, then authorize."""
    hidden = "".join(
        f"<input type='hidden' name='{html.escape(k)}' value='{html.escape(v)}'>"
        for k, v in params.items()
        if k != "as_user"
    )
    users = sorted((a for a in world.accounts.values() if a.type == "User"), key=lambda a: a.login.lower())
    suggested = params.get("login", "")
    options = "".join(
        f"<option value='{html.escape(u.login)}'{' selected' if u.login == suggested else ''}>"
        f"{html.escape(u.login)}</option>"
        for u in users
    )
    body = (
        f"<p>{html.escape(app.name)} would like to verify your GitHub identity.</p>"
        f"<form method='get' action='/login/oauth/authorize'>{hidden}"
        f"<label for='as_user'>Signed in as (simulated)</label> "
        f"<select id='as_user' name='as_user'>{options}</select> "
        f"<button type='submit'>Authorize {html.escape(app.name)}</button></form>"
    )
    return _page(f"Authorize {app.name}", body)


async def _form(request: Request) -> dict[str, str]:
    """Parameters from the query string and the body, form-encoded or JSON (GitHub takes all three).

    Read raw: the front desk relabels every body as JSON, so FastAPI's form parsing cannot be used.
    """
    values = dict(request.query_params)
    raw = await request.body()
    if raw:
        try:
            parsed: Any = json.loads(raw)
        except ValueError:
            values.update(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
        else:
            if isinstance(parsed, dict):
                values.update({str(k): str(v) for k, v in parsed.items() if v is not None})
    return values


def _answer(request: Request, payload: dict[str, Any]) -> Response:
    if "json" in request.headers.get("accept", ""):
        return JSONResponse(payload)
    return Response(urlencode(payload), media_type="application/x-www-form-urlencoded")


def _error(request: Request, error: str, description: str) -> Response:
    return _answer(request, {"error": error, "error_description": description, "error_uri": _ERROR_URI})


@router.post("/login/oauth/access_token")
async def access_token(request: Request, sandbox: SandboxDep) -> Response:
    world = sandbox.world
    form = await _form(request)
    app = _app_by_client_id(world, form.get("client_id"))
    secret = form.get("client_secret", "")
    if app is None or not app.client_secret or not secrets.compare_digest(secret, app.client_secret):
        return _error(
            request,
            "incorrect_client_credentials",
            "The client_id and/or client_secret passed are incorrect.",
        )
    code = world.oauth_codes.get(form.get("code", ""))
    if code is None or code.app_id != app.id or code.expires_at <= world.now():
        return _error(request, "bad_verification_code", "The code passed is incorrect or expired.")
    if code.redirect_uri is not None and form.get("redirect_uri", code.redirect_uri) != code.redirect_uri:
        return _error(
            request,
            "redirect_uri_mismatch",
            "The redirect_uri MUST match the registered callback URL for this application.",
        )
    # Single use: a replayed code is refused even within its ten minutes.
    del world.oauth_codes[code.value]
    token = Token(
        value="ghu_" + secrets.token_urlsafe(27),
        kind="user",
        subject_id=code.user_id,
        expires_at=world.now() + USER_TOKEN_TTL_SECONDS,
    )
    world.tokens[token.value] = token
    return _answer(
        request,
        {
            "access_token": token.value,
            "expires_in": USER_TOKEN_TTL_SECONDS,
            "refresh_token": "ghr_" + secrets.token_urlsafe(54),
            "refresh_token_expires_in": REFRESH_TOKEN_TTL_SECONDS,
            "scope": "",
            "token_type": "bearer",
        },
    )
