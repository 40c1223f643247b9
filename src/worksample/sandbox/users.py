"""Users and organizations as GitHub shows them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from worksample.sandbox.auth import require_user
from worksample.sandbox.context import SandboxDep
from worksample.sandbox.errors import not_found
from worksample.sandbox.serializers import organization, private_user, public_user

router = APIRouter(tags=["users"])


@router.get("/user")
async def get_authenticated_user(request: Request, sandbox: SandboxDep) -> dict[str, Any]:
    return private_user(sandbox.world, require_user(request))


@router.get("/users/{username}")
async def get_user(username: str, sandbox: SandboxDep) -> dict[str, Any]:
    account = sandbox.world.require_account(username)
    return public_user(sandbox.world, account)


@router.get("/user/{account_id:int}")
async def get_user_by_id(account_id: int, sandbox: SandboxDep) -> dict[str, Any]:
    # Stable across renames, which is why the service keys people by id.
    account = sandbox.world.accounts.get(account_id)
    if account is None:
        raise not_found()
    return public_user(sandbox.world, account)


@router.get("/orgs/{org}")
async def get_org(org: str, sandbox: SandboxDep) -> dict[str, Any]:
    account = sandbox.world.account(org)
    if account is None or account.type != "Organization":
        raise not_found()
    world = sandbox.world
    return {
        **organization(world, account),
        "name": account.login,
        "company": None,
        "blog": None,
        "location": None,
        "email": None,
        "twitter_username": None,
        "is_verified": False,
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": sum(1 for r in world.repos.values() if r.owner_id == account.id and not r.private),
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "html_url": world.config.html_base + f"/{account.login}",
        "created_at": public_user(world, account)["created_at"],
        "updated_at": public_user(world, account)["updated_at"],
        "archived_at": None,
        "type": "Organization",
        # The fields GitHub adds for an org owner or an App with org access; always shown here.
        "total_private_repos": sum(1 for r in world.repos.values() if r.owner_id == account.id and r.private),
        "owned_private_repos": sum(1 for r in world.repos.values() if r.owner_id == account.id and r.private),
        "private_gists": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "billing_email": None,
        "default_repository_permission": {"pull": "read", "push": "write", "admin": "admin"}.get(
            account.default_permission, "none"
        ),
        "members_can_create_repositories": True,
        "two_factor_requirement_enabled": False,
        "members_allowed_repository_creation_type": "all",
        "members_can_create_public_repositories": True,
        "members_can_create_private_repositories": True,
        "members_can_create_internal_repositories": False,
        "members_can_create_pages": True,
        "members_can_fork_private_repositories": False,
        "members_can_create_public_pages": True,
        "members_can_create_private_pages": True,
        "web_commit_signoff_required": False,
        "plan": {
            "name": "team",
            "space": 976562499,
            "private_repos": 999999,
            "filled_seats": len(account.members),
            "seats": max(5, len(account.members)),
        },
    }


@router.get("/orgs/{org}/members/{username}", status_code=204)
async def check_org_member(org: str, username: str, sandbox: SandboxDep) -> None:
    """GitHub's membership check: 204 for a member (or owner), 404 otherwise.

    The service's web pages ask it with the App's installation token (members: read) to let
    only the installing organisation's people in.
    """
    world = sandbox.world
    account, user = world.account(org), world.account(username)
    if account is None or account.type != "Organization" or user is None:
        raise not_found()
    if user.id not in account.members and user.id not in account.admins:
        raise not_found()
