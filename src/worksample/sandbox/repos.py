"""Repositories: create in an org, get, update (archive, rename), delete, generate from a template."""

from __future__ import annotations

import re
from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from worksample.sandbox.access import actor_account, actor_permission, require_repo
from worksample.sandbox.auth import Actor
from worksample.sandbox.context import ActorDep, Sandbox, SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.events import emit_repo_event
from worksample.sandbox.gitops import commit_files
from worksample.sandbox.records import Account, Repo
from worksample.sandbox.serializers import api, full_name, full_repository

router = APIRouter(tags=["repos"])


class CreateRepoIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    private: bool = False
    visibility: Literal["public", "private", "internal"] | None = None
    auto_init: bool = False
    team_id: int | None = None
    is_template: bool = False


class UpdateRepoIn(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = None
    private: bool | None = None
    archived: bool | None = None
    is_template: bool | None = None
    default_branch: str | None = None


class GenerateIn(BaseModel):
    owner: str | None = None
    name: str = Field(min_length=1, max_length=100)
    description: str | None = None
    include_all_branches: bool = False
    private: bool = False


def _clean_name(name: str) -> str:
    # GitHub replaces anything outside [A-Za-z0-9._-] with "-".
    return re.sub(r"[^A-Za-z0-9._-]", "-", name)


def _name_taken() -> GitHubError:
    return GitHubError(
        422,
        "Repository creation failed.",
        errors=[
            {
                "resource": "Repository",
                "code": "custom",
                "field": "name",
                "message": "name already exists on this account",
            }
        ],
    )


def _require_org_admin(sandbox: Sandbox, actor: Actor | None, org: Account) -> Account:
    if actor is None:
        raise GitHubError(401, "Requires authentication")
    if actor.kind == "installation":
        assert actor.installation is not None
        if actor.installation.account_id != org.id:
            raise GitHubError(403, "Resource not accessible by integration")
    elif actor.user is None or actor.user.id not in org.members:
        raise not_found()
    return actor_account(sandbox.world, actor)


def _readme(repo: Repo) -> bytes:
    # GitHub's auto_init README: the name as a heading, then the description; no trailing newline.
    return (f"# {repo.name}" + (f"\n\n{repo.description}" if repo.description else "")).encode()


def _new_repo(sandbox: Sandbox, owner: Account, name: str, private: bool, description: str | None) -> Repo:
    world = sandbox.world
    if world.repo(owner.login, name) is not None:
        raise _name_taken()
    now = world.now()
    repo = Repo(
        id=world.next_id(),
        owner_id=owner.id,
        name=name,
        private=private,
        created_at=now,
        updated_at=now,
        pushed_at=None,
        description=description,
    )
    world.repos[repo.id] = repo
    return repo


@router.post("/orgs/{org}/repos", status_code=201)
async def create_org_repo(
    org: str, body: CreateRepoIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    owner = world.account(org)
    if owner is None or owner.type != "Organization":
        raise not_found()
    sender = _require_org_admin(sandbox, actor, owner)
    private = body.private if body.visibility is None else body.visibility != "public"
    if body.team_id is not None and body.team_id not in owner.teams:
        raise GitHubError(
            422,
            "Validation Failed",
            errors=[{"resource": "Repository", "code": "invalid", "field": "team_id"}],
        )
    repo = _new_repo(sandbox, owner, _clean_name(body.name), private, body.description)
    repo.is_template = body.is_template
    if body.team_id is not None:
        for member in owner.teams[body.team_id].members:
            repo.collaborators.setdefault(member, "pull")
    if body.auto_init:
        sha = commit_files(
            sandbox,
            repo,
            base_tree=None,
            changes={"README.md": _readme(repo)},
            message="Initial commit",
            parents=(),
            author=sender,
        )
        repo.refs[f"refs/heads/{repo.default_branch}"] = sha
        repo.pushed_at = world.now()
    await emit_repo_event(sandbox, "repository", "created", repo, sender)
    return full_repository(world, repo, permission="admin")


@router.get("/repos/{owner}/{name}")
async def get_repo(owner: str, name: str, sandbox: SandboxDep, actor: ActorDep) -> dict[str, Any]:
    repo = require_repo(sandbox.world, actor, owner, name)
    return full_repository(sandbox.world, repo, permission=actor_permission(sandbox.world, actor, repo))


@router.patch("/repos/{owner}/{name}")
async def update_repo(
    owner: str, name: str, body: UpdateRepoIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "admin")
    assert actor is not None
    sender = actor_account(world, actor)
    changes = body.model_dump(exclude_unset=True)
    if repo.archived and set(changes) - {"archived"}:
        raise GitHubError(403, "Repository was archived so is read-only.")
    old_name = repo.name
    if body.name is not None and _clean_name(body.name) != repo.name:
        if world.repo(owner, _clean_name(body.name)) is not None:
            raise _name_taken()
        repo.former_names.append(repo.name)
        repo.name = _clean_name(body.name)
    for key in ("description", "private", "is_template", "default_branch"):
        if key in changes and changes[key] is not None:
            setattr(repo, key, changes[key])
    repo.updated_at = world.now()
    if repo.name != old_name:
        await emit_repo_event(
            sandbox,
            "repository",
            "renamed",
            repo,
            sender,
            changes={"repository": {"name": {"from": old_name}}},
        )
    if body.archived is not None and body.archived != repo.archived:
        repo.archived = body.archived
        await emit_repo_event(
            sandbox, "repository", "archived" if repo.archived else "unarchived", repo, sender
        )
    return full_repository(world, repo, permission="admin")


def _by_id(sandbox: Sandbox, repo_id: int) -> tuple[str, str]:
    repo = sandbox.world.repos.get(repo_id)
    if repo is None:
        raise not_found()
    return sandbox.world.owner_of(repo).login, repo.name


@router.get("/repositories/{repo_id:int}")
async def get_repo_by_id(repo_id: int, sandbox: SandboxDep, actor: ActorDep) -> dict[str, Any]:
    """Where a renamed repository's old name redirects to."""
    return await get_repo(*_by_id(sandbox, repo_id), sandbox, actor)


@router.patch("/repositories/{repo_id:int}")
async def update_repo_by_id(
    repo_id: int, body: UpdateRepoIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    return await update_repo(*_by_id(sandbox, repo_id), body, sandbox, actor)


@router.delete("/repos/{owner}/{name}", status_code=204)
async def delete_repo(owner: str, name: str, sandbox: SandboxDep, actor: ActorDep) -> Response:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "admin")
    assert actor is not None
    sender = actor_account(world, actor)
    # The payload is built before the repository disappears, as GitHub's carries its last state.
    await emit_repo_event(sandbox, "repository", "deleted", repo, sender)
    del world.repos[repo.id]
    for inv_id in [i.id for i in world.invitations.values() if i.repo_id == repo.id]:
        del world.invitations[inv_id]
    for key in [k for k in world.pulls if k[0] == repo.id]:
        del world.pulls[key]
    return Response(status_code=204)


@router.post("/repos/{owner}/{name}/generate", status_code=201)
async def generate_from_template(
    owner: str, name: str, body: GenerateIn, sandbox: SandboxDep, actor: ActorDep
) -> Response:
    world = sandbox.world
    template = require_repo(world, actor, owner, name)
    if not template.is_template:
        raise GitHubError(422, f"{full_name(world, template)} is not a template repository")
    target = world.account(body.owner) if body.owner else None
    if body.owner and target is None:
        raise not_found()
    target = target or world.owner_of(template)
    if target.type != "Organization":
        raise GitHubError(422, "the simulator generates repositories into organizations only")
    sender = _require_org_admin(sandbox, actor, target)
    repo = _new_repo(sandbox, target, _clean_name(body.name), body.private, body.description)
    repo.template_repo_id = template.id
    source = template.refs.get(f"refs/heads/{template.default_branch}")
    if source is not None:
        files: dict[str, bytes | None] = dict(template.git.files_at(source))
        sha = commit_files(
            sandbox, repo, base_tree=None, changes=files, message="Initial commit", parents=(), author=sender
        )
        repo.refs[f"refs/heads/{repo.default_branch}"] = sha
        # GitHub answers 201 before the copy finishes; until then the repository looks empty.
        delay = world.config.template_copy_delay_seconds
        repo.copy_ready_at = world.now() + delay if delay > 0 else None
    await emit_repo_event(sandbox, "repository", "created", repo, sender)
    return JSONResponse(
        full_repository(world, repo, permission="admin"),
        status_code=201,
        headers={"Location": api(world, f"/repos/{full_name(world, repo)}")},
    )
