"""Begin and finish a sign-in: state in a signed cookie, then the exchange and ``GET /user``."""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends, Request, Response
from fastapi.responses import RedirectResponse

from worksample.auth.cookies import SessionCookies, SignedCookie
from worksample.auth.github_oauth import GitHubIdentity, OAuthFailed, authorize_url, exchange_code, fetch_user
from worksample.config import ConfigError, Settings

log = logging.getLogger(__name__)

STATE_COOKIE = "worksample_oauth"
# Long enough to read GitHub's consent page; short enough that a stolen state is soon useless.
STATE_MAX_AGE_SECONDS = 15 * 60


class SignInError(Exception):
    """The sign-in cannot be completed; the message is safe to show to the person signing in."""


@dataclass(frozen=True)
class Completed:
    identity: GitHubIdentity
    # What ``begin`` was asked to remember (e.g. which invitation), signed and so trustworthy.
    purpose: str


class SignIn:
    def __init__(self, settings: Settings, *, transport: httpx.AsyncBaseTransport | None = None) -> None:
        secret = settings.session_secret.get_secret_value() if settings.session_secret else ""
        if not secret:
            if not settings.sandbox and settings.github_client_id:
                raise ConfigError("WORKSAMPLE_SESSION_SECRET is required to sign people in with GitHub")
            # Sandbox: per-process sessions are fine (and nothing signs in without a client id).
            secret = secrets.token_urlsafe(32)
        secure = settings.public_url.startswith("https://")
        self.settings = settings
        self.transport = transport
        self.sessions = SessionCookies(secret, max_age=settings.session_max_age_seconds, secure=secure)
        self._state = SignedCookie(
            secret,
            name=STATE_COOKIE,
            salt="worksample.oauth-state",
            max_age=STATE_MAX_AGE_SECONDS,
            secure=secure,
        )

    @property
    def configured(self) -> bool:
        return bool(self.settings.github_client_id and self.settings.github_client_secret)

    def callback_url(self, callback_path: str) -> str:
        return self.settings.public_url.rstrip("/") + callback_path

    def begin(self, *, callback_path: str, purpose: str, login_hint: str | None = None) -> RedirectResponse:
        """A redirect to GitHub's authorize page that carries a fresh state cookie."""
        if not self.configured or self.settings.github_client_id is None:
            raise SignInError("sign-in with GitHub is not configured on this server")
        state = secrets.token_urlsafe(24)
        url = authorize_url(
            self.settings.github_web_url,
            client_id=self.settings.github_client_id,
            redirect_uri=self.callback_url(callback_path),
            state=state,
            login=login_hint,
        )
        response = RedirectResponse(url, status_code=303)
        self._state.store(response, {"state": state, "purpose": purpose, "callback": callback_path})
        return response

    async def finish(self, request: Request) -> Completed:
        """Check the callback against the state cookie, then ask GitHub who signed in."""
        params = request.query_params
        if "error" in params:
            # The person pressed "Cancel" on GitHub's page (error=access_denied).
            raise SignInError("sign-in was cancelled on GitHub")
        remembered = self._state.load(request)
        state, code = params.get("state", ""), params.get("code", "")
        if remembered is None:
            raise SignInError("this sign-in link has expired or was opened in another browser; start again")
        expected = remembered.get("state")
        if not isinstance(expected, str) or not secrets.compare_digest(state.encode(), expected.encode()):
            raise SignInError("the sign-in answer does not match the one this browser started; start again")
        if not code or len(code) > 200:
            raise SignInError("GitHub's answer carried no sign-in code; start again")
        callback = remembered.get("callback")
        purpose = remembered.get("purpose")
        if not isinstance(callback, str) or not isinstance(purpose, str):
            raise SignInError("the sign-in state is unreadable; start again")
        assert self.settings.github_client_id is not None
        assert self.settings.github_client_secret is not None
        try:
            token = await exchange_code(
                self.settings.github_web_url,
                client_id=self.settings.github_client_id,
                client_secret=self.settings.github_client_secret.get_secret_value(),
                code=code,
                redirect_uri=self.callback_url(callback),
                transport=self.transport,
            )
            identity = await fetch_user(self.settings.github_api_url, token, transport=self.transport)
        except OAuthFailed as exc:
            log.warning("auth.sign_in_failed purpose=%s error=%s", purpose, exc)
            raise SignInError(str(exc)) from None
        log.info(
            "auth.signed_in github_id=%d login=%s purpose=%s", identity.github_id, identity.login, purpose
        )
        return Completed(identity=identity, purpose=purpose)

    def forget_state(self, response: Response) -> None:
        """Drop the state cookie once used, so the same callback cannot be replayed in this browser."""
        self._state.delete(response)


def get_sign_in(request: Request) -> SignIn:
    sign_in: SignIn = request.app.state.sign_in
    return sign_in


SignInDep = Annotated[SignIn, Depends(get_sign_in)]
