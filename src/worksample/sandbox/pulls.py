"""Pull requests: open, list, get, edit/close/reopen, merge, requested reviewers, files.

``ready_for_review`` has no REST route on GitHub (GraphQL only), so the simulator offers it under
``/_sandbox``; ``synchronize`` fires from ``pull_events`` whenever a head branch moves.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from worksample.sandbox.access import actor_account, require_repo, user_permission
from worksample.sandbox.auth import Actor
from worksample.sandbox.context import ActorDep, SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.gitops import move_ref
from worksample.sandbox.gitstore import Commit
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.pull_diff import diff_entries
from worksample.sandbox.pull_events import emit_pull_event
from worksample.sandbox.pull_json import pull_request
from worksample.sandbox.records import Account, PullRequest, Repo
from worksample.sandbox.serializers import api, full_name, html, user

router = APIRouter(tags=["pulls"])
PULLS = "/repos/{owner}/{name}/pulls"


class CreatePullIn(BaseModel):
    title: str = Field(min_length=1)
    head: str
    base: str
    body: str | None = None
    draft: bool = False
    maintainer_can_modify: bool = True


class UpdatePullIn(BaseModel):
    title: str | None = None
    body: str | None = None
    state: Literal["open", "closed"] | None = None


class MergeIn(BaseModel):
    commit_title: str | None = None
    commit_message: str | None = None
    sha: str | None = None
    merge_method: Literal["merge", "squash", "rebase"] = "merge"


class ReviewersIn(BaseModel):
    reviewers: list[str] = Field(default_factory=list)
    team_reviewers: list[str] = Field(default_factory=list)


class ReadyIn(BaseModel):
    login: str


def _invalid(**error: str) -> GitHubError:
    return GitHubError(422, "Validation Failed", errors=[{"resource": "PullRequest", **error}])


def _branch_name(repo_owner: str, head: str) -> str:
    owner, sep, branch = head.partition(":")
    if sep and owner.lower() != repo_owner.lower():
        raise _invalid(field="head", code="invalid")
    return branch if sep else head


def _writable_pull(
    sandbox: SandboxDep, actor: Actor | None, owner: str, name: str, number: int, permission: str
) -> tuple[Repo, PullRequest, Account]:
    """The repository, the pull request and the acting account, for a write needing ``permission``."""
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, permission, write=True)
    assert actor is not None  # require_repo answered 404 to an anonymous caller
    return repo, world.pull(repo, number), actor_account(world, actor)


async def _change_requested(
    sandbox: SandboxDep, pull: PullRequest, sender: Account, accounts: list[Account], *, requested: bool
) -> None:
    """Add (``requested``) or remove review requests; an unchanged one fires no event, as on GitHub."""
    action = "review_requested" if requested else "review_request_removed"
    for account in accounts:
        if (account.id in pull.requested_reviewer_ids) == requested:
            continue
        if requested:
            pull.requested_reviewer_ids.append(account.id)
        else:
            pull.requested_reviewer_ids.remove(account.id)
        await emit_pull_event(sandbox, action, pull, sender, requested_reviewer=user(sandbox.world, account))


@router.post(PULLS, status_code=201)
async def create_pull(
    owner: str, name: str, body: CreatePullIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "pull", write=True)
    assert actor is not None
    head_ref, base_ref = _branch_name(owner, body.head), _branch_name(owner, body.base)
    head, base = repo.refs.get(f"refs/heads/{head_ref}"), repo.refs.get(f"refs/heads/{base_ref}")
    if head is None:
        raise _invalid(field="head", code="invalid")
    if base is None:
        raise _invalid(field="base", code="invalid")
    if head == base or repo.git.is_ancestor(head, base):
        raise _invalid(code="custom", message=f"No commits between {base_ref} and {head_ref}")
    for other in world.pulls.values():
        if (
            other.repo_id == repo.id
            and other.state == "open"
            and (other.head_ref, other.base_ref) == (head_ref, base_ref)
        ):
            raise _invalid(code="custom", message=f"A pull request already exists for {owner}:{head_ref}.")
    sender = actor_account(world, actor)
    now = world.now()
    pull = PullRequest(
        id=world.next_id(),
        number=repo.next_number,
        repo_id=repo.id,
        user_id=sender.id,
        title=body.title,
        body=body.body,
        head_ref=head_ref,
        base_ref=base_ref,
        head_sha=head,
        base_sha=base,
        created_at=now,
        updated_at=now,
        draft=body.draft,
    )
    repo.next_number += 1
    world.pulls[(repo.id, pull.number)] = pull
    await emit_pull_event(sandbox, "opened", pull, sender)
    data = pull_request(world, pull)
    return JSONResponse(data, status_code=201, headers={"Location": data["url"]})


@router.get(PULLS)
async def list_pulls(
    page: PageDep,
    owner: str,
    name: str,
    sandbox: SandboxDep,
    actor: ActorDep,
    state: Literal["open", "closed", "all"] = "open",
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    pulls = [p for p in world.pulls.values() if p.repo_id == repo.id and state in ("all", p.state)]
    return page.of([pull_request(world, p, full=False) for p in sorted(pulls, key=lambda p: -p.number)])


@router.get(PULLS + "/{number}")
async def get_pull(
    owner: str, name: str, number: int, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    repo = require_repo(sandbox.world, actor, owner, name)
    return pull_request(sandbox.world, sandbox.world.pull(repo, number))


def _may_edit(sandbox: SandboxDep, repo: Repo, pull: PullRequest, who: Account) -> None:
    if (
        who.id != pull.user_id
        and who.type == "User"
        and user_permission(sandbox.world, who, repo) not in ("push", "maintain", "admin")
    ):
        raise GitHubError(403, "Resource not accessible by personal access token")


@router.patch(PULLS + "/{number}")
async def update_pull(
    owner: str, name: str, number: int, body: UpdatePullIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo, pull, sender = _writable_pull(sandbox, actor, owner, name, number, "pull")
    _may_edit(sandbox, repo, pull, sender)
    changes: dict[str, Any] = {}
    for key in ("title", "body"):
        value = getattr(body, key)
        if value is not None and value != getattr(pull, key):
            changes[key] = {"from": getattr(pull, key)}
            setattr(pull, key, value)
    pull.updated_at = world.now()
    if changes:
        await emit_pull_event(sandbox, "edited", pull, sender, changes=changes)
    if body.state == "closed" and pull.state == "open":
        pull.state, pull.closed_at = "closed", world.now()
        await emit_pull_event(sandbox, "closed", pull, sender)
    elif body.state == "open" and pull.state == "closed" and not pull.merged:
        pull.state, pull.closed_at = "open", None
        await emit_pull_event(sandbox, "reopened", pull, sender)
    return pull_request(world, pull)


@router.put(PULLS + "/{number}/merge")
async def merge_pull(
    owner: str, name: str, number: int, sandbox: SandboxDep, actor: ActorDep, body: MergeIn | None = None
) -> dict[str, Any]:
    world = sandbox.world
    repo, pull, sender = _writable_pull(sandbox, actor, owner, name, number, "push")
    assert actor is not None
    body = body or MergeIn()
    if pull.state != "open":
        raise GitHubError(405, "Pull Request is not mergeable")
    if body.sha is not None and body.sha != pull.head_sha:
        raise GitHubError(409, "Head branch was modified. Review and try the merge again.")
    head = repo.git.commit(pull.head_sha)
    assert head is not None
    # The simulator does not merge file by file: the result takes the head's tree, which is exact
    # whenever the base has not moved since the branch was cut (the work-sample case).
    title = body.commit_title or f"Merge pull request #{pull.number} from {owner}/{pull.head_ref}"
    message = title + (f"\n\n{body.commit_message}" if body.commit_message else "")
    parents = (pull.base_sha,) if body.merge_method != "merge" else (pull.base_sha, pull.head_sha)
    sha = repo.git.put(
        Commit(tree=head.tree, parents=parents, message=message, author=head.author, committer=head.committer)
    )
    pull.merged, pull.merged_at, pull.merged_by_id = True, world.now(), sender.id
    pull.merge_commit_sha, pull.state, pull.closed_at = sha, "closed", world.now()
    await move_ref(sandbox, repo, f"refs/heads/{pull.base_ref}", sha, actor, sender)
    await emit_pull_event(sandbox, "closed", pull, sender)
    return {"sha": sha, "merged": True, "message": "Pull Request successfully merged"}


@router.get(PULLS + "/{number}/requested_reviewers")
async def list_requested_reviewers(
    owner: str, name: str, number: int, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    pull = world.pull(require_repo(world, actor, owner, name), number)
    return {"users": [user(world, world.accounts[i]) for i in pull.requested_reviewer_ids], "teams": []}


@router.post(PULLS + "/{number}/requested_reviewers", status_code=201)
async def request_reviewers(
    owner: str, name: str, number: int, body: ReviewersIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo, pull, sender = _writable_pull(sandbox, actor, owner, name, number, "triage")
    if body.team_reviewers:
        raise GitHubError(422, "team reviewers are not simulated")
    reviewers = []
    for login in body.reviewers:
        account = world.account(login)
        if account is None or user_permission(world, account, repo) is None:
            raise GitHubError(
                422,
                "Reviews may only be requested from collaborators. One or more of the users or teams you "
                f"specified is not a collaborator of the {full_name(world, repo)} repository.",
            )
        if account.id == pull.user_id:
            raise GitHubError(422, "Review cannot be requested from pull request author.")
        reviewers.append(account)
    await _change_requested(sandbox, pull, sender, reviewers, requested=True)
    return pull_request(world, pull, full=False)


@router.delete(PULLS + "/{number}/requested_reviewers")
async def remove_requested_reviewers(
    owner: str, name: str, number: int, body: ReviewersIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    _repo, pull, sender = _writable_pull(sandbox, actor, owner, name, number, "triage")
    accounts = [a for a in map(world.account, body.reviewers) if a is not None]
    await _change_requested(sandbox, pull, sender, accounts, requested=False)
    return pull_request(world, pull, full=False)


@router.get(PULLS + "/{number}/files")
async def list_files(
    page: PageDep, owner: str, name: str, number: int, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    pull = world.pull(repo, number)
    name_full = full_name(world, repo)
    out = []
    for entry in diff_entries(repo, pull.base_sha, pull.head_sha):
        path = entry["filename"]
        out.append(
            {
                **entry,
                "blob_url": html(world, f"/{name_full}/blob/{pull.head_sha}/{path}"),
                "raw_url": html(world, f"/{name_full}/raw/{pull.head_sha}/{path}"),
                "contents_url": api(world, f"/repos/{name_full}/contents/{path}?ref={pull.head_sha}"),
            }
        )
    return page.of(out)


@router.post("/_sandbox/repos/{owner}/{name}/pulls/{number}/ready_for_review")
async def mark_ready_for_review(
    owner: str, name: str, number: int, body: ReadyIn, sandbox: SandboxDep
) -> dict[str, Any]:
    """GitHub does this through GraphQL (``markPullRequestReadyForReview``), which is not simulated."""
    world = sandbox.world
    repo = world.repo(owner, name)
    if repo is None:
        raise not_found()
    pull = world.pull(repo, number)
    who = world.require_account(body.login)
    _may_edit(sandbox, repo, pull, who)
    if not pull.draft:
        raise GitHubError(422, "pull request is not a draft")
    pull.draft, pull.updated_at = False, world.now()
    await emit_pull_event(sandbox, "ready_for_review", pull, who)
    return pull_request(world, pull)
