"""Typed records of everything the simulated GitHub holds.

Plain dataclasses with no behaviour beyond small helpers: the routes mutate them, the serializers
turn them into GitHub's JSON. Ids are numeric and never reused, as on GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from worksample.sandbox.gitstore import GitStore

# Repository permissions in GitHub's request vocabulary, weakest first; the index is the rank.
PERMISSIONS: tuple[str, ...] = ("pull", "triage", "push", "maintain", "admin")
# Invitation objects speak a different vocabulary for the same levels.
INVITATION_NAMES: dict[str, str] = {
    "pull": "read",
    "triage": "triage",
    "push": "write",
    "maintain": "maintain",
    "admin": "admin",
}


def permission_rank(permission: str | None) -> int:
    """-1 for no access, else the index in ``PERMISSIONS``."""
    return PERMISSIONS.index(permission) if permission in PERMISSIONS else -1


@dataclass
class Team:
    id: int
    slug: str
    name: str
    org_id: int
    members: set[int] = field(default_factory=set)


@dataclass
class Account:
    """A user or an organization: they share one namespace and one id sequence on GitHub."""

    id: int
    login: str
    type: Literal["User", "Organization", "Bot"]
    created_at: float
    name: str | None = None
    # Organizations only.
    members: set[int] = field(default_factory=set)
    admins: set[int] = field(default_factory=set)
    default_permission: str = "pull"
    teams: dict[int, Team] = field(default_factory=dict)


@dataclass
class AppRecord:
    id: int
    slug: str
    name: str
    owner_id: int
    webhook_url: str | None
    webhook_secret: str | None
    private_key_pem: str
    public_key_pem: str
    hook_id: int
    created_at: float
    events: list[str]
    permissions: dict[str, str]
    client_id: str
    # The OAuth web flow (sandbox/oauth.py): the secret the code exchange checks, and the callback
    # URLs a redirect_uri must match (none registered: any is accepted, as a development App).
    client_secret: str = ""
    callback_urls: list[str] = field(default_factory=list)


@dataclass
class Installation:
    id: int
    app_id: int
    account_id: int
    created_at: float
    repository_selection: Literal["all", "selected"] = "all"
    selected_repo_ids: set[int] = field(default_factory=set)


@dataclass
class Token:
    value: str
    kind: Literal["installation", "user"]
    subject_id: int  # installation id or user id
    expires_at: float | None  # None: a personal access token that does not expire


@dataclass
class Invitation:
    id: int
    repo_id: int
    invitee_id: int
    inviter_id: int
    permission: str  # request vocabulary: pull|triage|push|maintain|admin
    created_at: float


@dataclass
class Repo:
    id: int
    owner_id: int
    name: str
    private: bool
    created_at: float
    updated_at: float
    pushed_at: float | None
    description: str | None = None
    default_branch: str = "main"
    archived: bool = False
    is_template: bool = False
    template_repo_id: int | None = None
    # Until this simulated time the content copy of a generated repo is still running.
    copy_ready_at: float | None = None
    collaborators: dict[int, str] = field(default_factory=dict)  # user id -> permission
    refs: dict[str, str] = field(default_factory=dict)  # "refs/heads/main" -> commit sha
    protections: dict[str, dict[str, Any]] = field(default_factory=dict)  # branch -> settings
    next_number: int = 1  # issues and pull requests share one sequence
    former_names: list[str] = field(default_factory=list)  # old names redirect, as on GitHub
    git: GitStore = field(default_factory=GitStore)


@dataclass
class PullRequest:
    id: int
    number: int
    repo_id: int
    user_id: int
    title: str
    body: str | None
    head_ref: str
    base_ref: str
    head_sha: str
    base_sha: str
    created_at: float
    updated_at: float
    draft: bool = False
    state: Literal["open", "closed"] = "open"
    merged: bool = False
    merged_at: float | None = None
    merged_by_id: int | None = None
    merge_commit_sha: str | None = None
    closed_at: float | None = None
    requested_reviewer_ids: list[int] = field(default_factory=list)
    comments: int = 0


@dataclass
class PlainIssue:
    """An issue that is not a pull request. Never edited, closed or commented on in the simulator."""

    id: int
    repo_id: int
    number: int
    title: str
    body: str | None
    user_id: int
    created_at: float
    state: Literal["open"] = "open"
    comments: int = 0
    closed_at: None = None

    @property
    def updated_at(self) -> float:
        return self.created_at


@dataclass
class Review:
    id: int
    repo_id: int
    pull_number: int
    user_id: int
    body: str
    state: str  # REST vocabulary: APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str
    submitted_at: float | None


@dataclass
class IssueComment:
    id: int
    repo_id: int
    issue_number: int
    user_id: int
    body: str
    created_at: float
    updated_at: float
    # The App whose installation token wrote it: GitHub names it in ``performed_via_github_app``.
    app_id: int | None = None


@dataclass
class Call:
    """One API request as the simulator saw it, for ``GET /_sandbox/calls``."""

    seq: int
    method: str
    path: str
    status: int
    actor: str | None  # "app:1", "installation:2", "user:alice" or None
    simulated: bool
    at: float


@dataclass
class Delivery:
    """One webhook delivery attempt. A duplicate or a redelivery is a new attempt with the same guid."""

    id: int
    guid: str
    event: str
    action: str | None
    app_id: int
    installation_id: int | None
    body: bytes
    status_code: int | None = None
    error: str | None = None
    dropped: bool = False
    redelivery: bool = False
    delivered_at: float | None = None


@dataclass
class OAuthCode:
    """A code from the OAuth web flow's authorize step: single use, ten minutes of simulated time."""

    value: str
    app_id: int
    user_id: int
    redirect_uri: str | None
    expires_at: float
