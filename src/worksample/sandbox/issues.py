"""Plain issues: create and list (the lifecycle tells a candidate without a pull request through one).

Issues and pull requests share one number sequence per repository, as on GitHub; the list also
returns pull requests, shaped as issues with a ``pull_request`` key, as GitHub's does. Issues are
kept on the world under ``plain_issues`` (repository id → issues), so a reset empties them.
Not simulated: editing, closing, labels, assignees, comments on plain issues, ``issues`` webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from worksample.sandbox.access import actor_account, require_repo
from worksample.sandbox.context import ActorDep, SandboxDep
from worksample.sandbox.errors import GitHubError
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.pull_json import author_association, issue_for_pull
from worksample.sandbox.records import Repo
from worksample.sandbox.serializers import api, full_name, html, node_id, user
from worksample.sandbox.state import World, iso

router = APIRouter(prefix="/repos/{owner}/{name}/issues", tags=["issues"])


class IssueIn(BaseModel):
    title: str
    body: str | None = None


@dataclass
class PlainIssue:
    id: int
    repo_id: int
    number: int
    title: str
    body: str | None
    user_id: int
    created_at: float


def plain_issues(world: World, repo: Repo) -> list[PlainIssue]:
    store: dict[int, list[PlainIssue]] = world.__dict__.setdefault("plain_issues", {})
    return store.setdefault(repo.id, [])


def issue_json(world: World, issue: PlainIssue) -> dict[str, Any]:
    repo = world.repos[issue.repo_id]
    name = full_name(world, repo)
    base = api(world, f"/repos/{name}")
    n = issue.number
    return {
        "url": f"{base}/issues/{n}",
        "repository_url": base,
        "labels_url": f"{base}/issues/{n}/labels{{/name}}",
        "comments_url": f"{base}/issues/{n}/comments",
        "events_url": f"{base}/issues/{n}/events",
        "html_url": html(world, f"/{name}/issues/{n}"),
        "id": issue.id,
        "node_id": node_id("Issue", issue.id),
        "number": n,
        "title": issue.title,
        "user": user(world, world.accounts[issue.user_id]),
        "labels": [],
        "state": "open",
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": 0,
        "created_at": iso(issue.created_at),
        "updated_at": iso(issue.created_at),
        "closed_at": None,
        "author_association": author_association(world, repo, issue.user_id),
        "active_lock_reason": None,
        "body": issue.body,
    }


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
    issue = PlainIssue(
        id=world.next_id(),
        repo_id=repo.id,
        number=repo.next_number,
        title=body.title,
        body=body.body,
        user_id=author.id,
        created_at=world.now(),
    )
    repo.next_number += 1
    plain_issues(world, repo).append(issue)
    data = issue_json(world, issue)
    return JSONResponse(data, status_code=201, headers={"Location": data["url"]})


@router.get("")
async def list_issues(
    page: PageDep, owner: str, name: str, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    items = [(i.number, issue_json(world, i)) for i in plain_issues(world, repo)]
    items += [
        (p.number, issue_for_pull(world, p))
        for (repo_id, _), p in world.pulls.items()
        if repo_id == repo.id and p.state == "open"
    ]
    return page.of([data for _, data in sorted(items, key=lambda item: -item[0])])
