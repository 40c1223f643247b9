"""Who is calling: App JWTs (verified like GitHub does), installation tokens and user tokens.

Resolution happens once per request in the middleware and lands on ``request.state.actor``;
routes then ask for the kind of caller they accept.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Literal

import jwt
from fastapi import Request

from worksample.sandbox.errors import GitHubError
from worksample.sandbox.records import Account, AppRecord, Installation, Token
from worksample.sandbox.state import World

# GitHub refuses App JWTs that live longer than ten minutes.
MAX_JWT_LIFETIME = 600
# GitHub tolerates a little clock drift on ``iat``; githubkit backdates it by 60 s for the same reason.
IAT_LEEWAY = 60


@dataclass(frozen=True)
class Actor:
    kind: Literal["app", "installation", "user"]
    app: AppRecord | None = None
    installation: Installation | None = None
    user: Account | None = None

    @property
    def label(self) -> str:
        if self.kind == "app" and self.app is not None:
            return f"app:{self.app.slug}"
        if self.kind == "installation" and self.installation is not None:
            return f"installation:{self.installation.id}"
        assert self.user is not None
        return f"user:{self.user.login}"


def new_token(
    world: World, kind: Literal["installation", "user"], subject_id: int, ttl: float | None
) -> Token:
    prefix = "ghs_" if kind == "installation" else "ghp_"
    token = Token(
        value=prefix + secrets.token_urlsafe(27),
        kind=kind,
        subject_id=subject_id,
        expires_at=None if ttl is None else int(world.now()) + ttl,
    )
    world.tokens[token.value] = token
    return token


def _looks_like_jwt(credential: str) -> bool:
    return credential.count(".") == 2


def verify_app_jwt(world: World, credential: str) -> AppRecord:
    """Check an App JWT the way GitHub answers it (401 with GitHub's messages).

    The ``iat``/``exp`` window is judged by the wall clock, not the simulated one: the client mints
    the JWT from its own clock, which ``/_sandbox/clock`` cannot move.
    """
    try:
        claims = jwt.decode(credential, options={"verify_signature": False})
    except jwt.PyJWTError as exc:
        raise GitHubError(401, "A JSON web token could not be decoded") from exc
    issuer = str(claims.get("iss", ""))
    app = next((a for a in world.apps.values() if str(a.id) == issuer or a.client_id == issuer), None)
    if app is None:
        raise GitHubError(401, "'Issuer' claim ('iss') must be an Integer")
    try:
        jwt.decode(
            credential,
            app.public_key_pem,
            algorithms=["RS256"],
            options={"verify_exp": False, "verify_iat": False, "require": ["iat", "exp", "iss"]},
        )
    except jwt.PyJWTError as exc:
        raise GitHubError(401, "A JSON web token could not be decoded") from exc
    now = time.time()
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or iat > now + IAT_LEEWAY:
        raise GitHubError(
            401,
            "'Issued at' claim ('iat') must be an Integer representing the time that the assertion "
            "was issued",
        )
    if not isinstance(exp, int) or exp <= now:
        raise GitHubError(
            401,
            "'Expiration time' claim ('exp') must be a numeric value representing the future time at which "
            "the assertion expires",
        )
    if exp - iat > MAX_JWT_LIFETIME + IAT_LEEWAY:
        raise GitHubError(401, "'Expiration time' claim ('exp') is too far in the future")
    return app


def resolve_actor(world: World, authorization: str | None) -> Actor | None:
    """The caller named by an ``Authorization`` header; 401 "Bad credentials" for anything unknown."""
    if not authorization:
        return None
    scheme, _, credential = authorization.partition(" ")
    credential = credential.strip()
    if scheme.lower() not in ("bearer", "token") or not credential:
        raise GitHubError(401, "Bad credentials")
    if _looks_like_jwt(credential):
        return Actor(kind="app", app=verify_app_jwt(world, credential))
    token = world.tokens.get(credential)
    if token is None or (token.expires_at is not None and token.expires_at <= world.now()):
        raise GitHubError(401, "Bad credentials")
    if token.kind == "installation":
        installation = world.installations.get(token.subject_id)
        if installation is None:
            raise GitHubError(401, "Bad credentials")
        return Actor(kind="installation", installation=installation)
    user = world.accounts.get(token.subject_id)
    if user is None:
        raise GitHubError(401, "Bad credentials")
    return Actor(kind="user", user=user)


def current_actor(request: Request) -> Actor | None:
    actor = request.state.actor
    assert actor is None or isinstance(actor, Actor)
    return actor


def require_app(request: Request) -> AppRecord:
    actor = current_actor(request)
    if actor is None or actor.kind != "app" or actor.app is None:
        # What GitHub says to a token (or nothing) on an App-JWT route.
        raise GitHubError(401, "A JSON web token could not be decoded")
    return actor.app


def require_user(request: Request) -> Account:
    actor = current_actor(request)
    if actor is None:
        raise GitHubError(401, "Requires authentication")
    if actor.kind != "user" or actor.user is None:
        raise GitHubError(403, "Resource not accessible by integration")
    return actor.user


def require_actor(request: Request) -> Actor:
    actor = current_actor(request)
    if actor is None:
        raise GitHubError(401, "Requires authentication")
    if actor.kind == "app":
        raise GitHubError(401, "A JSON web token could not be decoded")
    return actor
