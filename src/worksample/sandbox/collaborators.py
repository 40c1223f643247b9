"""Collaborators and repository invitations, including the invitee's side (accept / decline).

GitHub's rules kept here: a new outside collaborator gets an invitation (201 + ``Location``), someone
who already has access, or any member of the owning organization, gets an empty 204; at most
``invitation_limit`` invitations per repository per 24 h; invitations expire after
``invitation_expiry_seconds``; removing a collaborator cancels their pending invitations; accepting
fires ``member`` ``added``.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from worksample.sandbox.access import actor_account, require_repo, user_permission
from worksample.sandbox.auth import require_user
from worksample.sandbox.context import ActorDep, Sandbox, SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.events import emit_repo_event
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.records import INVITATION_NAMES, PERMISSIONS, Account, Invitation, Repo
from worksample.sandbox.serializers import api, invitation, permissions_block, user

router = APIRouter(tags=["collaborators"])

Permission = Literal["pull", "triage", "push", "maintain", "admin"]
INVITATION_TO_REQUEST = {v: k for k, v in INVITATION_NAMES.items()}
# The legacy ``permission`` field folds the five roles into four.
LEGACY = {"admin": "admin", "maintain": "write", "push": "write", "triage": "read", "pull": "read"}


class CollaboratorIn(BaseModel):
    permission: Permission = "push"


class InvitationUpdateIn(BaseModel):
    permissions: Literal["read", "write", "maintain", "triage", "admin"]


def _expired(sandbox: Sandbox, inv: Invitation) -> bool:
    return sandbox.world.now() >= inv.created_at + sandbox.config.invitation_expiry_seconds


def _pending(sandbox: Sandbox, repo: Repo, invitee: Account) -> Invitation | None:
    return next(
        (
            i
            for i in sandbox.world.invitations.values()
            if i.repo_id == repo.id and i.invitee_id == invitee.id
        ),
        None,
    )


def _check_invitation_budget(sandbox: Sandbox, repo: Repo) -> None:
    world, cfg = sandbox.world, sandbox.config
    log = world.invitation_log.setdefault(repo.id, [])
    log[:] = [t for t in log if t > world.now() - cfg.invitation_window_seconds]
    if len(log) >= cfg.invitation_limit:
        raise GitHubError(
            422,
            "Validation Failed",
            errors=[
                {
                    "resource": "Repository",
                    "code": "custom",
                    "field": "invitations",
                    "message": f"You have reached the limit of {cfg.invitation_limit} invitations "
                    "for this repository in the last 24 hours.",
                }
            ],
        )
    log.append(world.now())


@router.put("/repos/{owner}/{name}/collaborators/{username}")
async def add_collaborator(
    owner: str,
    name: str,
    username: str,
    sandbox: SandboxDep,
    actor: ActorDep,
    body: CollaboratorIn | None = None,
) -> Response:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "admin", write=True)
    assert actor is not None
    permission = (body or CollaboratorIn()).permission
    invitee = world.require_account(username)
    if invitee.type != "User":
        raise GitHubError(
            422,
            "Validation Failed",
            errors=[{"resource": "Repository", "code": "custom", "message": "not a user"}],
        )
    if invitee.id == repo.owner_id:
        raise GitHubError(422, "Repository owner cannot be a collaborator")
    sender = actor_account(world, actor)
    owner_account = world.accounts[repo.owner_id]
    # GitHub answers 204 (no invitation) for an organization member too, even one whose base
    # permission gives no access to the repository: members join repositories without accepting.
    member = owner_account.type == "Organization" and invitee.id in owner_account.members
    if member or user_permission(world, invitee, repo) is not None:
        # Existing access: the direct permission is set at once, and GitHub answers with no body.
        newly_added = invitee.id not in repo.collaborators
        repo.collaborators[invitee.id] = permission
        if newly_added:
            await emit_repo_event(
                sandbox,
                "member",
                "added",
                repo,
                sender,
                member=user(world, invitee),
                changes={"permission": {"to": LEGACY[permission]}},
            )
        return Response(status_code=204)
    pending = _pending(sandbox, repo, invitee)
    if pending is not None and not _expired(sandbox, pending):
        pending.permission = permission
        inv = pending
    else:
        if pending is not None:
            del world.invitations[pending.id]
        _check_invitation_budget(sandbox, repo)
        inv = Invitation(
            id=world.next_id(),
            repo_id=repo.id,
            invitee_id=invitee.id,
            inviter_id=sender.id,
            permission=permission,
            created_at=world.now(),
        )
        world.invitations[inv.id] = inv
    return JSONResponse(
        invitation(world, inv),
        status_code=201,
        headers={"Location": api(world, f"/user/repository_invitations/{inv.id}")},
    )


def _collaborator(sandbox: Sandbox, account: Account, permission: str) -> dict[str, Any]:
    return {
        **user(sandbox.world, account),
        "permissions": permissions_block(permission),
        "role_name": INVITATION_NAMES[permission],
    }


@router.get("/repos/{owner}/{name}/collaborators")
async def list_collaborators(
    page: PageDep, owner: str, name: str, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "push")
    people = [a for a in world.accounts.values() if a.type == "User"]
    out = []
    for account in sorted(people, key=lambda a: a.id):
        permission = user_permission(world, account, repo)
        if permission is not None:
            out.append(_collaborator(sandbox, account, permission))
    return page.of(out)


@router.get("/repos/{owner}/{name}/collaborators/{username}", status_code=204)
async def check_collaborator(
    owner: str, name: str, username: str, sandbox: SandboxDep, actor: ActorDep
) -> Response:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    account = world.account(username)
    if account is None or user_permission(world, account, repo) is None:
        raise not_found()
    return Response(status_code=204)


@router.get("/repos/{owner}/{name}/collaborators/{username}/permission")
async def get_permission(
    owner: str, name: str, username: str, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    account = world.require_account(username)
    permission = user_permission(world, account, repo)
    if permission is None:
        return {
            "permission": "none",
            "role_name": "none",
            "user": _collaborator(sandbox, account, "pull")
            | {"permissions": dict.fromkeys(PERMISSIONS, False)},
        }
    return {
        "permission": LEGACY[permission],
        "role_name": INVITATION_NAMES[permission],
        "user": _collaborator(sandbox, account, permission),
    }


@router.delete("/repos/{owner}/{name}/collaborators/{username}", status_code=204)
async def remove_collaborator(
    owner: str, name: str, username: str, sandbox: SandboxDep, actor: ActorDep
) -> Response:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "admin", write=True)
    assert actor is not None
    account = world.require_account(username)
    for inv in [i for i in world.invitations.values() if i.repo_id == repo.id and i.invitee_id == account.id]:
        del world.invitations[inv.id]
    if repo.collaborators.pop(account.id, None) is not None:
        await emit_repo_event(
            sandbox, "member", "removed", repo, actor_account(world, actor), member=user(world, account)
        )
    return Response(status_code=204)


@router.get("/repos/{owner}/{name}/invitations")
async def list_repo_invitations(
    page: PageDep, owner: str, name: str, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "admin")
    return page.of([invitation(world, i) for i in world.invitations.values() if i.repo_id == repo.id])


def _repo_invitation(sandbox: Sandbox, repo: Repo, invitation_id: int) -> Invitation:
    inv = sandbox.world.invitations.get(invitation_id)
    if inv is None or inv.repo_id != repo.id:
        raise not_found()
    return inv


@router.patch("/repos/{owner}/{name}/invitations/{invitation_id}")
async def update_invitation(
    owner: str, name: str, invitation_id: int, body: InvitationUpdateIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    repo = require_repo(sandbox.world, actor, owner, name, "admin", write=True)
    inv = _repo_invitation(sandbox, repo, invitation_id)
    inv.permission = INVITATION_TO_REQUEST[body.permissions]
    return invitation(sandbox.world, inv)


@router.delete("/repos/{owner}/{name}/invitations/{invitation_id}", status_code=204)
async def delete_invitation(
    owner: str, name: str, invitation_id: int, sandbox: SandboxDep, actor: ActorDep
) -> Response:
    repo = require_repo(sandbox.world, actor, owner, name, "admin", write=True)
    del sandbox.world.invitations[_repo_invitation(sandbox, repo, invitation_id).id]
    return Response(status_code=204)


@router.get("/user/repository_invitations")
async def list_my_invitations(page: PageDep, request: Request, sandbox: SandboxDep) -> list[dict[str, Any]]:
    me = require_user(request)
    mine = [i for i in sandbox.world.invitations.values() if i.invitee_id == me.id]
    return page.of([invitation(sandbox.world, i) for i in mine])


def _my_invitation(sandbox: Sandbox, me: Account, invitation_id: int) -> Invitation:
    inv = sandbox.world.invitations.get(invitation_id)
    if inv is None or inv.invitee_id != me.id:
        raise not_found()
    return inv


@router.patch("/user/repository_invitations/{invitation_id}", status_code=204)
async def accept_invitation(invitation_id: int, request: Request, sandbox: SandboxDep) -> Response:
    me = require_user(request)
    inv = _my_invitation(sandbox, me, invitation_id)
    if _expired(sandbox, inv):
        raise GitHubError(404, "Invitation expired")
    world = sandbox.world
    repo = world.repos[inv.repo_id]
    del world.invitations[inv.id]
    repo.collaborators[me.id] = inv.permission
    await emit_repo_event(
        sandbox,
        "member",
        "added",
        repo,
        me,
        member=user(world, me),
        changes={"permission": {"to": LEGACY[inv.permission]}},
    )
    return Response(status_code=204)


@router.delete("/user/repository_invitations/{invitation_id}", status_code=204)
async def decline_invitation(invitation_id: int, request: Request, sandbox: SandboxDep) -> Response:
    me = require_user(request)
    del sandbox.world.invitations[_my_invitation(sandbox, me, invitation_id).id]
    return Response(status_code=204)
