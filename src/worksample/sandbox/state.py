"""The simulated world: a clock, the configuration, and every record, indexed for lookup."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.records import (
    Account,
    AppRecord,
    Call,
    Delivery,
    Installation,
    Invitation,
    IssueComment,
    OAuthCode,
    PullRequest,
    Repo,
    Review,
    Token,
)


class Clock:
    """Wall time plus an offset that ``POST /_sandbox/clock`` advances.

    It follows the wall clock (instead of standing still) so rate-limit windows scaled down to
    seconds pass in real time in benchmarks, while tests can jump a week ahead at once.
    """

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall
        self.offset = 0.0

    def now(self) -> float:
        return self._wall() + self.offset

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("the clock only moves forward")
        self.offset += seconds
        return self.now()


def iso(ts: float | None) -> str | None:
    """GitHub's timestamp format, whole seconds (githubkit parses ``expires_at`` with exactly this)."""
    if ts is None:
        return None
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class RateLimitConfig:
    """GitHub's documented defaults; benchmarks scale the windows down."""

    primary_limit: int = 5000
    primary_window_seconds: float = 3600.0
    primary_status: int = 403
    content_limit_short: int = 80
    content_window_short_seconds: float = 60.0
    content_limit_long: int = 500
    content_window_long_seconds: float = 3600.0
    max_concurrent: int = 100


@dataclass
class SandboxConfig:
    base_url: str = "http://sandbox"
    token_ttl_seconds: float = 3600.0
    template_copy_delay_seconds: float = 0.0
    invitation_limit: int = 50
    invitation_window_seconds: float = 86400.0
    invitation_expiry_seconds: float = 7 * 86400.0
    rate_limits: RateLimitConfig = field(default_factory=RateLimitConfig)

    @property
    def html_base(self) -> str:
        return self.base_url.rstrip("/")


# Ids come from one process-wide sequence, never reused across simulator instances or resets:
# githubkit caches App JWTs and installation tokens process-wide under keys built from the app and
# installation ids, so a fresh simulator reusing id 1 would be handed another instance's credentials.
_IDS = itertools.count(1)


@dataclass
class World:
    clock: Clock
    config: SandboxConfig
    accounts: dict[int, Account] = field(default_factory=dict)
    apps: dict[int, AppRecord] = field(default_factory=dict)
    installations: dict[int, Installation] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    repos: dict[int, Repo] = field(default_factory=dict)
    invitations: dict[int, Invitation] = field(default_factory=dict)
    # repo id -> creation times of its invitations, for the 50-per-24-h limit (cancelled ones count).
    invitation_log: dict[int, list[float]] = field(default_factory=dict)
    pulls: dict[tuple[int, int], PullRequest] = field(default_factory=dict)
    reviews: dict[int, Review] = field(default_factory=dict)
    comments: dict[int, IssueComment] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    # OAuth web-flow codes not yet exchanged, by code.
    oauth_codes: dict[str, OAuthCode] = field(default_factory=dict)

    def next_id(self) -> int:
        return next(_IDS)

    def now(self) -> float:
        return self.clock.now()

    # -- lookups ---------------------------------------------------------------------------------
    def account(self, login: str) -> Account | None:
        wanted = login.lower()
        return next((a for a in self.accounts.values() if a.login.lower() == wanted), None)

    def require_account(self, login: str) -> Account:
        account = self.account(login)
        if account is None:
            raise not_found()
        return account

    def repo(self, owner: str, name: str) -> Repo | None:
        account = self.account(owner)
        if account is None:
            return None
        wanted = name.lower()
        return next(
            (r for r in self.repos.values() if r.owner_id == account.id and r.name.lower() == wanted), None
        )

    def renamed_repo(self, owner: str, old_name: str) -> Repo | None:
        account = self.account(owner)
        wanted = old_name.lower()
        return next(
            (
                r
                for r in self.repos.values()
                if account is not None
                and r.owner_id == account.id
                and wanted in (n.lower() for n in r.former_names)
            ),
            None,
        )

    def owner_of(self, repo: Repo) -> Account:
        return self.accounts[repo.owner_id]

    def installation_for(self, account_id: int, app_id: int | None = None) -> Installation | None:
        return next(
            (
                i
                for i in self.installations.values()
                if i.account_id == account_id and (app_id is None or i.app_id == app_id)
            ),
            None,
        )

    def installations_for_repo(self, repo: Repo) -> list[Installation]:
        return [
            i
            for i in self.installations.values()
            if i.account_id == repo.owner_id
            and (i.repository_selection == "all" or repo.id in i.selected_repo_ids)
        ]

    def pull(self, repo: Repo, number: int) -> PullRequest:
        pull = self.pulls.get((repo.id, number))
        if pull is None:
            raise not_found()
        return pull

    def app(self, app_id: int) -> AppRecord:
        app = self.apps.get(app_id)
        if app is None:
            raise GitHubError(404, f"no app {app_id}")
        return app
