"""Pull request reviews: submit (APPROVE / REQUEST_CHANGES / COMMENT, or PENDING then submit), list,
edit the body, dismiss. REST states are upper-case; the webhooks' are lower-case."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel

from worksample.sandbox.access import actor_account, require_repo
from worksample.sandbox.auth import Actor
from worksample.sandbox.context import ActorDep, Sandbox, SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.events import emit_repo_event
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.pull_json import pull_request, review
from worksample.sandbox.records import Account, PullRequest, Repo, Review

router = APIRouter(prefix="/repos/{owner}/{name}/pulls/{number}/reviews", tags=["reviews"])

Event = Literal["APPROVE", "REQUEST_CHANGES", "COMMENT"]
STATES = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}


class ReviewIn(BaseModel):
    body: str | None = None
    event: Event | None = None
    commit_id: str | None = None


class ReviewEditIn(BaseModel):
    body: str


class SubmitIn(BaseModel):
    event: Event
    body: str | None = None


class DismissIn(BaseModel):
    message: str
    event: Literal["DISMISS"] | None = None


async def _emit(
    sandbox: Sandbox, action: str, rev: Review, pull: PullRequest, sender: Account, **extra: Any
) -> None:
    world = sandbox.world
    repo = world.repos[rev.repo_id]
    await emit_repo_event(
        sandbox,
        "pull_request_review",
        action,
        repo,
        sender,
        review=review(world, rev, webhook=True),
        pull_request=pull_request(world, pull, full=False),
        **extra,
    )


def _validate_submission(pull: PullRequest, reviewer: Account, event: str, body: str | None) -> None:
    if reviewer.id == pull.user_id and event == "APPROVE":
        raise GitHubError(422, "Unprocessable Entity", errors=["Can not approve your own pull request"])
    if reviewer.id == pull.user_id and event == "REQUEST_CHANGES":
        raise GitHubError(
            422, "Unprocessable Entity", errors=["Can not request changes on your own pull request"]
        )
    if event in ("REQUEST_CHANGES", "COMMENT") and not (body or "").strip():
        raise GitHubError(422, "Unprocessable Entity", errors=[f"Review Body is required for event {event}"])


async def _submit(sandbox: Sandbox, rev: Review, pull: PullRequest, reviewer: Account, event: str) -> None:
    rev.state = STATES[event]
    rev.submitted_at = sandbox.world.now()
    # Reviewing answers the review request, as on GitHub.
    if reviewer.id in pull.requested_reviewer_ids:
        pull.requested_reviewer_ids.remove(reviewer.id)
    await _emit(sandbox, "submitted", rev, pull, reviewer)


def _context(
    sandbox: Sandbox, actor: Actor | None, owner: str, name: str, number: int
) -> tuple[Repo, PullRequest]:
    repo = require_repo(sandbox.world, actor, owner, name, "pull", write=True)
    return repo, sandbox.world.pull(repo, number)


@router.post("")
async def create_review(
    owner: str, name: str, number: int, body: ReviewIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo, pull = _context(sandbox, actor, owner, name, number)
    assert actor is not None
    reviewer = actor_account(world, actor)
    if body.event is not None:
        _validate_submission(pull, reviewer, body.event, body.body)
    if body.commit_id is not None and repo.git.commit(body.commit_id) is None:
        raise GitHubError(422, "Unprocessable Entity", errors=["Commit id is not part of the pull request"])
    rev = Review(
        id=world.next_id(),
        repo_id=repo.id,
        pull_number=pull.number,
        user_id=reviewer.id,
        body=body.body or "",
        state="PENDING",
        commit_id=body.commit_id or pull.head_sha,
        submitted_at=None,
    )
    world.reviews[rev.id] = rev
    if body.event is not None:
        await _submit(sandbox, rev, pull, reviewer, body.event)
    return review(world, rev)


@router.get("")
async def list_reviews(
    page: PageDep, owner: str, name: str, number: int, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    pull = world.pull(repo, number)
    viewer = actor_account(world, actor).id if actor is not None else None
    # A pending review is visible to its author only.
    revs = [
        r
        for r in world.reviews.values()
        if r.repo_id == repo.id
        and r.pull_number == pull.number
        and (r.state != "PENDING" or r.user_id == viewer)
    ]
    return page.of([review(world, r) for r in sorted(revs, key=lambda r: r.id)])


def _review(sandbox: Sandbox, repo: Repo, pull: PullRequest, review_id: int) -> Review:
    rev = sandbox.world.reviews.get(review_id)
    if rev is None or rev.repo_id != repo.id or rev.pull_number != pull.number:
        raise not_found()
    return rev


@router.get("/{review_id}")
async def get_review(
    owner: str, name: str, number: int, review_id: int, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name)
    return review(world, _review(sandbox, repo, world.pull(repo, number), review_id))


@router.put("/{review_id}")
async def update_review(
    owner: str,
    name: str,
    number: int,
    review_id: int,
    body: ReviewEditIn,
    sandbox: SandboxDep,
    actor: ActorDep,
) -> dict[str, Any]:
    world = sandbox.world
    repo, pull = _context(sandbox, actor, owner, name, number)
    assert actor is not None
    rev = _review(sandbox, repo, pull, review_id)
    editor = actor_account(world, actor)
    if editor.id != rev.user_id:
        raise GitHubError(403, "Resource not accessible by personal access token")
    previous, rev.body = rev.body, body.body
    if rev.state != "PENDING" and previous != rev.body:
        await _emit(sandbox, "edited", rev, pull, editor, changes={"body": {"from": previous}})
    return review(world, rev)


@router.post("/{review_id}/events")
async def submit_review(
    owner: str, name: str, number: int, review_id: int, body: SubmitIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo, pull = _context(sandbox, actor, owner, name, number)
    assert actor is not None
    rev = _review(sandbox, repo, pull, review_id)
    reviewer = actor_account(world, actor)
    if rev.user_id != reviewer.id or rev.state != "PENDING":
        raise GitHubError(422, "Unprocessable Entity", errors=["Review has already been submitted"])
    if body.body is not None:
        rev.body = body.body
    _validate_submission(pull, reviewer, body.event, rev.body)
    await _submit(sandbox, rev, pull, reviewer, body.event)
    return review(world, rev)


@router.put("/{review_id}/dismissals")
async def dismiss_review(
    owner: str, name: str, number: int, review_id: int, body: DismissIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "push", write=True)
    assert actor is not None
    pull = world.pull(repo, number)
    rev = _review(sandbox, repo, pull, review_id)
    if rev.state not in ("APPROVED", "CHANGES_REQUESTED"):
        raise GitHubError(
            422, "Unprocessable Entity", errors=[f"Can not dismiss a {rev.state.lower()} pull request review"]
        )
    rev.state = "DISMISSED"
    await _emit(sandbox, "dismissed", rev, pull, actor_account(world, actor))
    return review(world, rev)
