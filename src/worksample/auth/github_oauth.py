"""GitHub's side of the OAuth web flow: the authorize URL, the code exchange and ``GET /user``.

Plain httpx (githubkit's OAuth helpers add little for two requests, and this keeps the error
answers GitHub gives on a 200 — ``{"error": "bad_verification_code", ...}`` — in our hands).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

# GitHub answers in under a second; a stuck sign-in should fail visibly, not hang the page.
TIMEOUT_SECONDS = 10.0


class OAuthFailed(Exception):
    """GitHub refused the exchange or answered something unusable; the message says what."""


@dataclass(frozen=True)
class GitHubIdentity:
    """A GitHub account, as GitHub itself reported it to the token's holder."""

    github_id: int
    login: str
    name: str | None
    email: str | None


def authorize_url(web_url: str, *, client_id: str, redirect_uri: str, state: str, login: str | None) -> str:
    params = {"client_id": client_id, "redirect_uri": redirect_uri, "state": state, "allow_signup": "true"}
    if login:
        # Only a hint for GitHub's page; the account is proven by the exchange, not by this.
        params["login"] = login
    return f"{web_url.rstrip('/')}/login/oauth/authorize?{urlencode(params)}"


def _json_object(response: httpx.Response, what: str) -> dict[str, Any]:
    """The 200 answer's JSON object, or :class:`OAuthFailed` naming ``what`` was asked."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if response.status_code != 200 or not isinstance(body, dict):
        raise OAuthFailed(f"GitHub answered {what} with HTTP {response.status_code}")
    return body


async def exchange_code(
    web_url: str,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str,
    transport: httpx.AsyncBaseTransport | None = None,
) -> str:
    """The user access token for ``code`` (raises :class:`OAuthFailed`)."""
    async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT_SECONDS) as client:
        try:
            response = await client.post(
                f"{web_url.rstrip('/')}/login/oauth/access_token",
                data={
                    "client_id": client_id,
                    "client_secret": client_secret,
                    "code": code,
                    "redirect_uri": redirect_uri,
                },
                headers={"Accept": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise OAuthFailed(f"GitHub could not be reached: {type(exc).__name__}") from exc
    body = _json_object(response, "the code exchange")
    if "error" in body:
        raise OAuthFailed(f"GitHub refused the sign-in: {body.get('error_description') or body['error']}")
    token = body.get("access_token")
    if not isinstance(token, str) or not token:
        raise OAuthFailed("GitHub's answer had no access token")
    return token


async def fetch_user(
    api_url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None
) -> GitHubIdentity:
    async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT_SECONDS) as client:
        try:
            response = await client.get(
                f"{api_url.rstrip('/')}/user",
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                },
            )
        except httpx.HTTPError as exc:
            raise OAuthFailed(f"GitHub could not be reached: {type(exc).__name__}") from exc
    body = _json_object(response, "GET /user")
    github_id, login = body.get("id"), body.get("login")
    if not isinstance(github_id, int) or not isinstance(login, str):
        raise OAuthFailed("GitHub's GET /user answer had no id or login")
    name, email = body.get("name"), body.get("email")
    return GitHubIdentity(
        github_id=github_id,
        login=login,
        name=name if isinstance(name, str) else None,
        email=email if isinstance(email, str) else None,
    )
