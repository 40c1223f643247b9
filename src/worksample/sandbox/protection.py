"""Branch protection: get (404 "Branch not protected" when none), put, delete.

Stored as the request asked and rendered in GitHub's response shape. Enforced in one way only: a
branch that requires pull request reviews refuses direct pushes from people (``gitops``).
Organizations are treated as on a paid plan, so private repositories can be protected.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel

from worksample.sandbox.access import require_repo
from worksample.sandbox.context import ActorDep, Sandbox, SandboxDep
from worksample.sandbox.errors import GitHubError
from worksample.sandbox.records import Repo
from worksample.sandbox.serializers import api, full_name, user
from worksample.sandbox.state import World

router = APIRouter(prefix="/repos/{owner}/{name}/branches/{branch}/protection", tags=["protection"])


class StatusChecksIn(BaseModel):
    strict: bool
    contexts: list[str]


class PeopleIn(BaseModel):
    users: list[str] = []
    teams: list[str] = []
    apps: list[str] = []


class ReviewsIn(BaseModel):
    dismissal_restrictions: PeopleIn | None = None
    dismiss_stale_reviews: bool = False
    require_code_owner_reviews: bool = False
    required_approving_review_count: int = 1
    require_last_push_approval: bool = False


class ProtectionIn(BaseModel):
    required_status_checks: StatusChecksIn | None
    enforce_admins: bool | None
    required_pull_request_reviews: ReviewsIn | None
    restrictions: PeopleIn | None
    required_linear_history: bool = False
    allow_force_pushes: bool | None = False
    allow_deletions: bool = False
    block_creations: bool = False
    required_conversation_resolution: bool = False


def _branch_repo(sandbox: Sandbox, actor: ActorDep, owner: str, name: str, branch: str, write: bool) -> Repo:
    repo = require_repo(sandbox.world, actor, owner, name, "admin", write=write)
    if f"refs/heads/{branch}" not in repo.refs:
        raise GitHubError(404, "Branch not found")
    return repo


def _team(world: World, repo: Repo, slug: str) -> dict[str, Any]:
    org = world.accounts[repo.owner_id]
    team = next((t for t in org.teams.values() if t.slug == slug), None)
    if team is None:
        raise GitHubError(422, "Validation Failed", errors=[f"No team {slug!r} in {org.login}"])
    base = api(world, f"/organizations/{org.id}/team/{team.id}")
    return {
        "id": team.id,
        "node_id": f"T_{team.id}",
        "name": team.name,
        "slug": team.slug,
        "description": None,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "url": base,
        "html_url": world.config.html_base + f"/orgs/{org.login}/teams/{team.slug}",
        "members_url": base + "/members{/member}",
        "repositories_url": base + "/repos",
        "parent": None,
        "type": "organization",
        "organization_id": org.id,
    }


def _people(world: World, repo: Repo, url: str, people: PeopleIn) -> dict[str, Any]:
    return {
        "url": url,
        "users_url": url + "/users",
        "teams_url": url + "/teams",
        "apps_url": url + "/apps",
        "users": [user(world, world.require_account(login)) for login in people.users],
        "teams": [_team(world, repo, slug) for slug in people.teams],
        "apps": [],
    }


def render(world: World, repo: Repo, branch: str, spec: ProtectionIn) -> dict[str, Any]:
    url = api(world, f"/repos/{full_name(world, repo)}/branches/{branch}/protection")
    out: dict[str, Any] = {
        "url": url,
        "required_signatures": {"url": url + "/required_signatures", "enabled": False},
        "enforce_admins": {"url": url + "/enforce_admins", "enabled": bool(spec.enforce_admins)},
        "required_linear_history": {"enabled": spec.required_linear_history},
        "allow_force_pushes": {"enabled": bool(spec.allow_force_pushes)},
        "allow_deletions": {"enabled": spec.allow_deletions},
        "block_creations": {"enabled": spec.block_creations},
        "required_conversation_resolution": {"enabled": spec.required_conversation_resolution},
        "lock_branch": {"enabled": False},
        "allow_fork_syncing": {"enabled": False},
    }
    if spec.required_status_checks is not None:
        checks = spec.required_status_checks
        out["required_status_checks"] = {
            "url": url + "/required_status_checks",
            "strict": checks.strict,
            "contexts": checks.contexts,
            "contexts_url": url + "/required_status_checks/contexts",
            "checks": [{"context": c, "app_id": None} for c in checks.contexts],
        }
    if spec.restrictions is not None:
        out["restrictions"] = _people(world, repo, url + "/restrictions", spec.restrictions)
    if spec.required_pull_request_reviews is not None:
        reviews = spec.required_pull_request_reviews
        block: dict[str, Any] = {
            "url": url + "/required_pull_request_reviews",
            "dismiss_stale_reviews": reviews.dismiss_stale_reviews,
            "require_code_owner_reviews": reviews.require_code_owner_reviews,
            "required_approving_review_count": reviews.required_approving_review_count,
            "require_last_push_approval": reviews.require_last_push_approval,
        }
        if reviews.dismissal_restrictions is not None:
            block["dismissal_restrictions"] = _people(
                world, repo, url + "/dismissal_restrictions", reviews.dismissal_restrictions
            )
        out["required_pull_request_reviews"] = block
    return out


@router.get("")
async def get_protection(
    owner: str, name: str, branch: str, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    repo = _branch_repo(sandbox, actor, owner, name, branch, write=False)
    stored = repo.protections.get(branch)
    if stored is None:
        raise GitHubError(404, "Branch not protected")
    return render(sandbox.world, repo, branch, ProtectionIn.model_validate(stored))


@router.put("")
async def put_protection(
    owner: str, name: str, branch: str, body: ProtectionIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    repo = _branch_repo(sandbox, actor, owner, name, branch, write=True)
    rendered = render(sandbox.world, repo, branch, body)  # validates users and teams before storing
    repo.protections[branch] = body.model_dump()
    return rendered


@router.delete("", status_code=204)
async def delete_protection(
    owner: str, name: str, branch: str, sandbox: SandboxDep, actor: ActorDep
) -> Response:
    repo = _branch_repo(sandbox, actor, owner, name, branch, write=True)
    if repo.protections.pop(branch, None) is None:
        raise GitHubError(404, "Branch not protected")
    return Response(status_code=204)
