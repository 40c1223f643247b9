"""Issue comments on pull requests: create, list, get, edit, delete, with ``issue_comment`` webhooks.

Plain issues are not simulated, so an issue number has to be a pull request's.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from worksample.sandbox.access import actor_account, require_repo, user_permission
from worksample.sandbox.context import ActorDep, Sandbox, SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.events import emit_repo_event
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.pull_json import issue_comment, issue_for_pull
from worksample.sandbox.records import Account, IssueComment, Repo

router = APIRouter(prefix="/repos/{owner}/{name}/issues", tags=["comments"])


class CommentIn(BaseModel):
    body: str


async def _emit(sandbox: Sandbox, action: str, comment: IssueComment, sender: Account, **extra: Any) -> None:
    world = sandbox.world
    repo = world.repos[comment.repo_id]
    pull = world.pull(repo, comment.issue_number)
    await emit_repo_event(
        sandbox,
        "issue_comment",
        action,
        repo,
        sender,
        issue=issue_for_pull(world, pull),
        comment=issue_comment(world, comment),
        **extra,
    )


def _body(body: CommentIn) -> str:
    if not body.body.strip():
        raise GitHubError(
            422,
            "Validation Failed",
            errors=[{"resource": "IssueComment", "code": "missing_field", "field": "body"}],
        )
    return body.body


@router.post("/{number}/comments", status_code=201)
async def create_comment(
    owner: str, name: str, number: int, body: CommentIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "pull", write=True)
    assert actor is not None
    pull = world.pull(repo, number)
    sender = actor_account(world, actor)
    now = world.now()
    comment = IssueComment(
        id=world.next_id(),
        repo_id=repo.id,
        issue_number=pull.number,
        user_id=sender.id,
        body=_body(body),
        created_at=now,
        updated_at=now,
        app_id=actor.installation.app_id if actor.installation is not None else None,
    )
    world.comments[comment.id] = comment
    pull.comments += 1
    await _emit(sandbox, "created", comment, sender)
    data = issue_comment(world, comment)
    return JSONResponse(data, status_code=201, headers={"Location": data["url"]})


@router.get("/{number}/comments")
async def list_comments(
    page: PageDep, owner: str, name: str, number: int, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    pull = world.pull(repo, number)
    found = [c for c in world.comments.values() if c.repo_id == repo.id and c.issue_number == pull.number]
    return page.of([issue_comment(world, c) for c in sorted(found, key=lambda c: c.id)])


def _comment(sandbox: Sandbox, repo: Repo, comment_id: int) -> IssueComment:
    comment = sandbox.world.comments.get(comment_id)
    if comment is None or comment.repo_id != repo.id:
        raise not_found()
    return comment


@router.get("/comments/{comment_id}")
async def get_comment(
    owner: str, name: str, comment_id: int, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    repo = require_repo(sandbox.world, actor, owner, name)
    return issue_comment(sandbox.world, _comment(sandbox, repo, comment_id))


def _may_change(sandbox: Sandbox, repo: Repo, comment: IssueComment, who: Account) -> None:
    if (
        who.id != comment.user_id
        and who.type == "User"
        and user_permission(sandbox.world, who, repo) not in ("push", "maintain", "admin")
    ):
        raise GitHubError(403, "Resource not accessible by personal access token")


@router.patch("/comments/{comment_id}")
async def update_comment(
    owner: str, name: str, comment_id: int, body: CommentIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "pull", write=True)
    assert actor is not None
    comment = _comment(sandbox, repo, comment_id)
    sender = actor_account(world, actor)
    _may_change(sandbox, repo, comment, sender)
    previous, comment.body, comment.updated_at = comment.body, _body(body), world.now()
    await _emit(sandbox, "edited", comment, sender, changes={"body": {"from": previous}})
    return issue_comment(world, comment)


@router.delete("/comments/{comment_id}", status_code=204)
async def delete_comment(
    owner: str, name: str, comment_id: int, sandbox: SandboxDep, actor: ActorDep
) -> Response:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "pull", write=True)
    assert actor is not None
    comment = _comment(sandbox, repo, comment_id)
    sender = actor_account(world, actor)
    _may_change(sandbox, repo, comment, sender)
    await _emit(sandbox, "deleted", comment, sender)
    del world.comments[comment.id]
    world.pull(repo, comment.issue_number).comments -= 1
    return Response(status_code=204)
