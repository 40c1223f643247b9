"""App routes: the authenticated App, its installations and installation access tokens."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel

from worksample.sandbox.access import actor_permission
from worksample.sandbox.auth import new_token, require_actor, require_app
from worksample.sandbox.context import SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.records import Installation
from worksample.sandbox.serializers import app as app_json
from worksample.sandbox.serializers import installation, repository
from worksample.sandbox.state import iso

router = APIRouter(tags=["apps"])


class AccessTokenIn(BaseModel):
    repositories: list[str] | None = None
    repository_ids: list[int] | None = None
    permissions: dict[str, str] | None = None


@router.get("/app")
async def get_authenticated_app(request: Request, sandbox: SandboxDep) -> dict[str, Any]:
    return app_json(sandbox.world, require_app(request))


@router.get("/app/installations")
async def list_installations(page: PageDep, request: Request, sandbox: SandboxDep) -> list[dict[str, Any]]:
    record = require_app(request)
    world = sandbox.world
    return page.of([installation(world, i) for i in world.installations.values() if i.app_id == record.id])


def _own_installation(request: Request, sandbox: SandboxDep, installation_id: int) -> Installation:
    record = require_app(request)
    inst = sandbox.world.installations.get(installation_id)
    if inst is None or inst.app_id != record.id:
        raise not_found()
    return inst


@router.get("/app/installations/{installation_id}")
async def get_installation(installation_id: int, request: Request, sandbox: SandboxDep) -> dict[str, Any]:
    return installation(sandbox.world, _own_installation(request, sandbox, installation_id))


@router.post("/app/installations/{installation_id}/access_tokens", status_code=201)
async def create_access_token(
    installation_id: int, request: Request, sandbox: SandboxDep, body: AccessTokenIn | None = None
) -> dict[str, Any]:
    inst = _own_installation(request, sandbox, installation_id)
    world = sandbox.world
    record = world.apps[inst.app_id]
    if body is not None and body.permissions:
        excess = {k: v for k, v in body.permissions.items() if k not in record.permissions}
        if excess:
            raise GitHubError(
                422, f"The permissions requested are not granted to this installation: {sorted(excess)}"
            )
    token = new_token(world, "installation", inst.id, ttl=world.config.token_ttl_seconds)
    return {
        "token": token.value,
        "expires_at": iso(token.expires_at),
        "permissions": dict(body.permissions if body and body.permissions else record.permissions),
        "repository_selection": inst.repository_selection,
    }


@router.get("/orgs/{org}/installation")
async def get_org_installation(org: str, request: Request, sandbox: SandboxDep) -> dict[str, Any]:
    record = require_app(request)
    world = sandbox.world
    account = world.account(org)
    if account is None or account.type != "Organization":
        raise not_found()
    inst = world.installation_for(account.id, record.id)
    if inst is None:
        raise not_found()
    return installation(world, inst)


@router.get("/users/{username}/installation")
async def get_user_installation(username: str, request: Request, sandbox: SandboxDep) -> dict[str, Any]:
    record = require_app(request)
    world = sandbox.world
    account = world.require_account(username)
    inst = world.installation_for(account.id, record.id)
    if inst is None:
        raise not_found()
    return installation(world, inst)


@router.get("/repos/{owner}/{name}/installation")
async def get_repo_installation(
    owner: str, name: str, request: Request, sandbox: SandboxDep
) -> dict[str, Any]:
    record = require_app(request)
    world = sandbox.world
    repo = world.repo(owner, name)
    inst = (
        next((i for i in world.installations_for_repo(repo) if i.app_id == record.id), None) if repo else None
    )
    if inst is None:
        raise not_found()
    return installation(world, inst)


@router.get("/installation/repositories")
async def list_installation_repositories(request: Request, sandbox: SandboxDep) -> dict[str, Any]:
    actor = require_actor(request)
    if actor.installation is None:
        raise GitHubError(
            403, "You must authenticate with an installation access token in order to list repositories"
        )
    world = sandbox.world
    repos = [r for r in world.repos.values() if actor_permission(world, actor, r) == "admin"]
    return {
        "total_count": len(repos),
        "repository_selection": actor.installation.repository_selection,
        "repositories": [repository(world, r) for r in sorted(repos, key=lambda r: r.id)],
    }
