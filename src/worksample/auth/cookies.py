"""Signed cookies: the session, and the short-lived OAuth state, with itsdangerous.

itsdangerous signs (HMAC-SHA1 over a derived key, with a salt per purpose) and timestamps the
value, so a cookie cannot be forged, moved between purposes (a state cookie is no session), or
used after its age limit. It does not encrypt: nothing secret goes into these cookies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer

SESSION_COOKIE = "worksample_session"


@dataclass(frozen=True)
class Session:
    """Who is signed in: GitHub's numeric id is the identity, the login only a label."""

    github_id: int
    login: str


class SignedCookie:
    """One cookie name, one salt, one age limit."""

    def __init__(
        self, secret: str, *, name: str, salt: str, max_age: int, secure: bool, path: str = "/"
    ) -> None:
        self.name = name
        self.max_age = max_age
        self.secure = secure
        self.path = path
        self._serializer = URLSafeTimedSerializer(secret, salt=salt)

    def load(self, request: Request) -> dict[str, Any] | None:
        raw = request.cookies.get(self.name)
        if not raw:
            return None
        try:
            value = self._serializer.loads(raw, max_age=self.max_age)
        except BadSignature:
            # Tampered, expired or signed for another purpose: the same as no cookie.
            return None
        return value if isinstance(value, dict) else None

    def store(self, response: Response, value: dict[str, Any]) -> None:
        response.set_cookie(
            self.name,
            self._serializer.dumps(value),
            max_age=self.max_age,
            path=self.path,
            httponly=True,
            secure=self.secure,
            samesite="lax",
        )

    def delete(self, response: Response) -> None:
        response.delete_cookie(self.name, path=self.path, httponly=True, secure=self.secure, samesite="lax")


class SessionCookies:
    """The signed-in person, kept in a signed cookie (no server-side session store to run)."""

    def __init__(self, secret: str, *, max_age: int, secure: bool) -> None:
        self._cookie = SignedCookie(
            secret, name=SESSION_COOKIE, salt="worksample.session", max_age=max_age, secure=secure
        )

    def get(self, request: Request) -> Session | None:
        value = self._cookie.load(request)
        if value is None:
            return None
        github_id, login = value.get("id"), value.get("login")
        if not isinstance(github_id, int) or not isinstance(login, str):
            return None
        return Session(github_id=github_id, login=login)

    def set(self, response: Response, github_id: int, login: str) -> None:
        self._cookie.store(response, {"id": github_id, "login": login})

    def clear(self, response: Response) -> None:
        self._cookie.delete(response)
