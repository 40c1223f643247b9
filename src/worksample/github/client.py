"""``GitHubApp``: the App-level client and one githubkit client per installation.

One instance per process (built in the worker's start-up, or the API's lifespan). Everything
reaches GitHub through one shared httpx transport (``transport`` — in tests the simulator's
``httpx.ASGITransport``), wrapped per installation in a ``PacedTransport`` so writes are spaced and
rate limits waited out. githubkit's HTTP cache and automatic retries are off: the cache would
answer reads of state we just changed, and its retries sleep behind the pacer's back.
"""

from __future__ import annotations

import logging

import httpx
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import RequestFailed

from worksample.config import ConfigError, Settings
from worksample.github.auth import (
    InstallationAuthStrategy,
    InstallationToken,
    InstallationTokenCache,
    parse_expires_at,
)
from worksample.github.pacing import WritePacer
from worksample.github.transport import PacedTransport

log = logging.getLogger(__name__)

InstallationClient = GitHub[InstallationAuthStrategy]


class InstallationNotFound(LookupError):
    """The App is not installed on this organization (GitHub answered 404)."""

    def __init__(self, org: str) -> None:
        super().__init__(f"the GitHub App is not installed on the organization {org!r}")
        self.org = org


class GitHubApp:
    def __init__(
        self,
        *,
        app_id: int,
        private_key: str,
        base_url: str,
        pacer: WritePacer,
        transport: httpx.AsyncBaseTransport | None = None,
        max_rate_limit_wait: float = 30.0,
        timeout: float = 30.0,
        user_agent: str = "worksample",
    ) -> None:
        if "PRIVATE KEY" not in private_key:
            raise ConfigError("WORKSAMPLE_GITHUB_PRIVATE_KEY: not a PEM private key")
        self.app_id = app_id
        self.base_url = base_url
        self._pacer = pacer
        self._max_wait = max_rate_limit_wait
        self._timeout = timeout
        self._user_agent = user_agent
        # Owned (and closed in ``aclose``) only when not injected.
        self._owns_transport = transport is None
        self._transport = transport or httpx.AsyncHTTPTransport(retries=1)
        self.app = GitHub(
            AppAuthStrategy(app_id, private_key),
            base_url=base_url,
            async_transport=self._paced(f"app:{app_id}"),
            http_cache=False,
            auto_retry=False,
            timeout=timeout,
            user_agent=user_agent,
            # A cache of our own: githubkit's default one is process-global, so two GitHubApp objects
            # (two simulators in one test run) would share JWTs keyed only by app id.
            cache_strategy=MemCacheStrategy(),
        )
        self.tokens = InstallationTokenCache(self._mint_token)
        self._installations: dict[int, InstallationClient] = {}

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        pacer: WritePacer,
        transport: httpx.AsyncBaseTransport | None = None,
        *,
        max_rate_limit_wait: float = 30.0,
    ) -> GitHubApp:
        if settings.github_app_id is None:
            raise ConfigError("WORKSAMPLE_GITHUB_APP_ID is not set")
        if settings.github_private_key is None:
            raise ConfigError(
                "WORKSAMPLE_GITHUB_PRIVATE_KEY (or WORKSAMPLE_GITHUB_PRIVATE_KEY_PATH) is not set"
            )
        return cls(
            app_id=settings.github_app_id,
            private_key=settings.github_private_key.get_secret_value(),
            base_url=settings.github_api_url,
            pacer=pacer,
            transport=transport,
            max_rate_limit_wait=max_rate_limit_wait,
        )

    def _paced(self, pacing_key: str) -> PacedTransport:
        return PacedTransport(self._transport, self._pacer, pacing_key, max_wait=self._max_wait)

    async def _mint_token(self, installation_id: int) -> InstallationToken:
        response = await self.app.rest.apps.async_create_installation_access_token(installation_id)
        data = response.parsed_data
        log.info("github.token_minted installation=%s expires_at=%s", installation_id, data.expires_at)
        return InstallationToken(token=data.token, expires_at=parse_expires_at(data.expires_at))

    def installation(self, installation_id: int) -> InstallationClient:
        """The client acting as ``installation_id``; the same object on every call."""
        client = self._installations.get(installation_id)
        if client is None:
            client = GitHub(
                InstallationAuthStrategy(self.tokens, installation_id),
                base_url=self.base_url,
                async_transport=self._paced(f"installation:{installation_id}"),
                http_cache=False,
                auto_retry=False,
                timeout=self._timeout,
                user_agent=self._user_agent,
            )
            self._installations[installation_id] = client
        return client

    async def find_installation(self, org: str) -> tuple[int, int]:
        """``(installation id, account id)`` of the App on ``org``; raises ``InstallationNotFound``."""
        try:
            response = await self.app.rest.apps.async_get_org_installation(org)
        except RequestFailed as exc:
            if exc.response.status_code == 404:
                raise InstallationNotFound(org) from exc
            raise
        data = response.parsed_data
        account_id = getattr(data.account, "id", None)
        if not isinstance(account_id, int):
            raise ValueError(f"installation {data.id} for {org!r} has no account id")
        return data.id, account_id

    async def aclose(self) -> None:
        if self._owns_transport:
            await self._transport.aclose()
