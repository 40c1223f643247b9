"""Plain issues: create and list (the lifecycle tells a candidate without a pull request through one).

Issues and pull requests share one number sequence per repository, as on GitHub; the list also
returns pull requests, shaped as issues with a ``pull_request`` key, as GitHub's does. Issues are
kept on the world under ``plain_issues`` (repository id → issues), so a reset empties them.
Not simulated: editing, closing, labels, assignees, comments on plain issues, ``issues`` webhooks.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from worksample.sandbox.access import actor_account, require_repo
from worksample.sandbox.context import ActorDep, SandboxDep
from worksample.sandbox.errors import GitHubError
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.pull_json import issue, issue_for_pull
from worksample.sandbox.records import PlainIssue, Repo
from worksample.sandbox.state import World

router = APIRouter(prefix="/repos/{owner}/{name}/issues", tags=["issues"])


class IssueIn(BaseModel):
    title: str
    body: str | None = None


def plain_issues(world: World, repo: Repo) -> list[PlainIssue]:
    store: dict[int, list[PlainIssue]] = world.__dict__.setdefault("plain_issues", {})
    return store.setdefault(repo.id, [])


@router.post("", status_code=201)
async def create_issue(
    owner: str, name: str, body: IssueIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "pull", write=True)
    if not body.title.strip():
        missing = {"resource": "Issue", "code": "missing_field", "field": "title"}
        raise GitHubError(422, "Validation Failed", errors=[missing])
    assert actor is not None  # require_repo answered 404 to an anonymous caller
    author = actor_account(world, actor)
    created = PlainIssue(
        id=world.next_id(),
        repo_id=repo.id,
        number=repo.next_number,
        title=body.title,
        body=body.body,
        user_id=author.id,
        created_at=world.now(),
    )
    repo.next_number += 1
    plain_issues(world, repo).append(created)
    data = issue(world, created)
    return JSONResponse(data, status_code=201, headers={"Location": data["url"]})


@router.get("")
async def list_issues(
    page: PageDep, owner: str, name: str, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    items = [(i.number, issue(world, i)) for i in plain_issues(world, repo)]
    items += [
        (p.number, issue_for_pull(world, p))
        for (repo_id, _), p in world.pulls.items()
        if repo_id == repo.id and p.state == "open"
    ]
    return page.of([data for _, data in sorted(items, key=lambda item: -item[0])])
