"""``/_sandbox/...`` routes that set up the world: reset, users, orgs, apps, installations, clock.

They are not GitHub's API: no auth, no rate limits, not recorded in the call log.
"""

from __future__ import annotations

import re
import secrets
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import APIRouter
from pydantic import BaseModel, Field

from worksample.sandbox.auth import new_token
from worksample.sandbox.context import SandboxDep
from worksample.sandbox.errors import GitHubError
from worksample.sandbox.events import emit_installation_event, emit_installation_repositories
from worksample.sandbox.records import Account, AppRecord, Installation, Repo, Team
from worksample.sandbox.state import World, iso

router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])

# GitHub's login rule: alphanumerics and single inner hyphens, at most 39 characters.
LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
ALL_EVENTS = [
    "installation",
    "installation_repositories",
    "member",
    "pull_request",
    "pull_request_review",
    "repository",
    "issue_comment",
]
DEFAULT_APP_PERMISSIONS = {
    "administration": "write",
    "contents": "write",
    "pull_requests": "write",
    "issues": "write",
    "members": "read",
    "metadata": "read",
}
BASE_PERMISSIONS = {"none": None, "read": "pull", "write": "push", "admin": "admin"}


class UserIn(BaseModel):
    login: str
    name: str | None = None


class RenameIn(BaseModel):
    login: str


class OrgIn(BaseModel):
    login: str
    members: list[str] = Field(default_factory=list)
    admins: list[str] = Field(default_factory=list)
    default_permission: Literal["none", "read", "write", "admin"] = "read"


class TeamIn(BaseModel):
    name: str = Field(min_length=1)
    members: list[str] = Field(default_factory=list)


class AppIn(BaseModel):
    name: str = Field(min_length=1, max_length=34)
    webhook_url: str | None = None
    webhook_secret: str | None = None
    owner: str | None = None
    events: list[str] = Field(default_factory=lambda: list(ALL_EVENTS))
    permissions: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_APP_PERMISSIONS))
    # User authorization (OAuth web flow): redirect_uri must match one of these when any are given.
    callback_urls: list[str] = Field(default_factory=list)


class InstallationIn(BaseModel):
    app_id: int
    account: str
    repository_selection: Literal["all", "selected"] = "all"
    repositories: list[str] = Field(default_factory=list)


class InstallationReposIn(BaseModel):
    add: list[str] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)


class ClockIn(BaseModel):
    advance_seconds: float = Field(ge=0)


def _check_login(world: World, login: str) -> None:
    if not LOGIN.match(login):
        raise GitHubError(422, f"invalid login {login!r}: letters, digits and single inner hyphens, max 39")
    if world.account(login) is not None:
        raise GitHubError(422, f"login {login!r} is already taken")


def _known_user(world: World, login: str) -> Account:
    account = world.account(login)
    if account is None or account.type != "User":
        raise GitHubError(422, f"no user {login!r}: create it with POST /_sandbox/users first")
    return account


@router.post("/reset")
async def reset(sandbox: SandboxDep) -> dict[str, bool]:
    await sandbox.webhooks.flush()
    sandbox.reset()
    return {"reset": True}


@router.post("/users", status_code=201)
async def create_user(body: UserIn, sandbox: SandboxDep) -> dict[str, Any]:
    world = sandbox.world
    _check_login(world, body.login)
    account = Account(
        id=world.next_id(), login=body.login, type="User", created_at=world.now(), name=body.name
    )
    world.accounts[account.id] = account
    token = new_token(world, "user", account.id, ttl=None)
    return {"id": account.id, "login": account.login, "token": token.value}


@router.post("/users/{login}/tokens", status_code=201)
async def create_user_token(login: str, sandbox: SandboxDep) -> dict[str, Any]:
    account = _known_user(sandbox.world, login)
    return {
        "id": account.id,
        "login": account.login,
        "token": new_token(sandbox.world, "user", account.id, None).value,
    }


@router.post("/users/{login}/rename")
async def rename_account(login: str, body: RenameIn, sandbox: SandboxDep) -> dict[str, Any]:
    """A login change: the id, tokens, repositories and memberships stay."""
    world = sandbox.world
    account = world.require_account(login)
    _check_login(world, body.login)
    account.login = body.login
    return {"id": account.id, "login": account.login}


@router.post("/orgs", status_code=201)
async def create_org(body: OrgIn, sandbox: SandboxDep) -> dict[str, Any]:
    world = sandbox.world
    _check_login(world, body.login)
    members = {_known_user(world, login).id for login in body.members}
    admins = {_known_user(world, login).id for login in body.admins}
    org = Account(
        id=world.next_id(),
        login=body.login,
        type="Organization",
        created_at=world.now(),
        members=members | admins,
        admins=admins,
        default_permission=BASE_PERMISSIONS[body.default_permission] or "",
    )
    world.accounts[org.id] = org
    return {"id": org.id, "login": org.login}


@router.post("/orgs/{org}/teams", status_code=201)
async def create_team(org: str, body: TeamIn, sandbox: SandboxDep) -> dict[str, Any]:
    world = sandbox.world
    account = world.account(org)
    if account is None or account.type != "Organization":
        raise GitHubError(404, f"no organization {org!r}")
    members = {_known_user(world, login).id for login in body.members}
    team = Team(
        id=world.next_id(), slug=_slugify(body.name), name=body.name, org_id=account.id, members=members
    )
    account.teams[team.id] = team
    # Team members are org members on GitHub.
    account.members |= members
    return {"id": team.id, "slug": team.slug}


def _slugify(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "app"


@router.post("/apps", status_code=201)
async def create_app_record(body: AppIn, sandbox: SandboxDep) -> dict[str, Any]:
    world = sandbox.world
    unknown = sorted(set(body.events) - set(ALL_EVENTS))
    if unknown:
        raise GitHubError(422, f"events not simulated: {unknown}; choose from {ALL_EVENTS}")
    slug = _slugify(body.name)
    if any(a.slug == slug for a in world.apps.values()):
        raise GitHubError(422, f"an App with slug {slug!r} exists")
    bot = Account(id=world.next_id(), login=f"{slug}[bot]", type="Bot", created_at=world.now())
    world.accounts[bot.id] = bot
    # GitHub always names an owner; without one given, the App's own bot account stands in.
    owner_id = world.require_account(body.owner).id if body.owner else bot.id
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    record = AppRecord(
        id=world.next_id(),
        slug=slug,
        name=body.name,
        owner_id=owner_id,
        webhook_url=body.webhook_url,
        webhook_secret=body.webhook_secret,
        private_key_pem=private_pem,
        public_key_pem=public_pem,
        hook_id=world.next_id(),
        created_at=world.now(),
        events=list(body.events),
        permissions=dict(body.permissions),
        client_id="Iv1." + secrets.token_hex(8),
        client_secret=secrets.token_hex(20),
        callback_urls=list(body.callback_urls),
    )
    world.apps[record.id] = record
    return {
        "id": record.id,
        "slug": slug,
        "client_id": record.client_id,
        "client_secret": record.client_secret,
        "private_key": private_pem,
    }


def _org_repos(world: World, account: Account, names: list[str]) -> list[Repo]:
    out = []
    for name in names:
        repo = world.repo(account.login, name)
        if repo is None:
            raise GitHubError(422, f"no repository {account.login}/{name}")
        out.append(repo)
    return out


@router.post("/installations", status_code=201)
async def create_installation(body: InstallationIn, sandbox: SandboxDep) -> dict[str, Any]:
    world = sandbox.world
    world.app(body.app_id)
    account = world.account(body.account)
    if account is None:
        raise GitHubError(422, f"no account {body.account!r}")
    if world.installation_for(account.id, body.app_id) is not None:
        raise GitHubError(422, f"App {body.app_id} is already installed on {account.login}")
    repos = _org_repos(world, account, body.repositories)
    inst = Installation(
        id=world.next_id(),
        app_id=body.app_id,
        account_id=account.id,
        created_at=world.now(),
        repository_selection=body.repository_selection,
        selected_repo_ids={r.id for r in repos},
    )
    world.installations[inst.id] = inst
    sender = _installer(world, account)
    await emit_installation_event(sandbox, inst, "created", sender, repos)
    return {"id": inst.id}


def _installer(world: World, account: Account) -> Account:
    # An org is installed on by one of its admins; without one, the org itself stands in.
    admin = next(iter(sorted(account.admins)), None)
    return world.accounts[admin] if admin is not None else account


@router.post("/installations/{installation_id}/repositories")
async def change_installation_repositories(
    installation_id: int, body: InstallationReposIn, sandbox: SandboxDep
) -> dict[str, Any]:
    world = sandbox.world
    inst = world.installations.get(installation_id)
    if inst is None:
        raise GitHubError(404, f"no installation {installation_id}")
    if inst.repository_selection != "selected":
        raise GitHubError(
            422, "installation covers all repositories; create it with repository_selection=selected"
        )
    account = world.accounts[inst.account_id]
    added, removed = _org_repos(world, account, body.add), _org_repos(world, account, body.remove)
    inst.selected_repo_ids |= {r.id for r in added}
    inst.selected_repo_ids -= {r.id for r in removed}
    sender = _installer(world, account)
    if added:
        await emit_installation_repositories(sandbox, inst, added, [], sender)
    if removed:
        await emit_installation_repositories(sandbox, inst, [], removed, sender)
    return {
        "id": inst.id,
        "repositories": sorted(r.name for r in world.repos.values() if r.id in inst.selected_repo_ids),
    }


@router.delete("/installations/{installation_id}", status_code=204)
async def delete_installation(installation_id: int, sandbox: SandboxDep) -> None:
    world = sandbox.world
    inst = world.installations.get(installation_id)
    if inst is None:
        raise GitHubError(404, f"no installation {installation_id}")
    account = world.accounts[inst.account_id]
    await emit_installation_event(sandbox, inst, "deleted", _installer(world, account), [])
    del world.installations[installation_id]
    for value in [v for v, t in world.tokens.items() if t.kind == "installation" and t.subject_id == inst.id]:
        del world.tokens[value]


@router.get("/clock")
async def read_clock(sandbox: SandboxDep) -> dict[str, Any]:
    now = sandbox.world.now()
    return {"now": iso(now), "epoch": now, "offset_seconds": sandbox.clock.offset}


@router.post("/clock")
async def advance_clock(body: ClockIn, sandbox: SandboxDep) -> dict[str, Any]:
    sandbox.clock.advance(body.advance_seconds)
    return await read_clock(sandbox)
