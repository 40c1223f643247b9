"""The GitHub side of the lifecycle: plain functions over an installation client, no database.

Each is safe to repeat: a tag that already points at the commit, a collaborator already removed,
a repository already archived or deleted all count as done.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from githubkit import GitHub, Response
from githubkit.exception import RequestFailed

GH = GitHub[Any]


def _status(exc: RequestFailed) -> int:
    return exc.response.status_code


@dataclass(frozen=True)
class Head:
    sha: str
    # "pull_request" (the open PR's head) or "default_branch".
    source: str
    pr_number: int | None


async def open_pull_number(gh: GH, owner: str, repo: str, author_login: str) -> int | None:
    """The candidate's open pull request, found on GitHub (the webhook may not have arrived)."""
    response = await gh.rest.pulls.async_list(owner, repo, state="open")
    pulls: list[dict[str, Any]] = response.json()
    for pull in pulls:
        user = pull.get("user") or {}
        if str(user.get("login", "")).lower() == author_login.lower():
            return int(pull["number"])
    return None


async def submission_head(gh: GH, owner: str, repo: str, pr_number: int | None) -> Head:
    """The commit the work is judged at: the pull request's head, else the default branch's."""
    if pr_number is not None:
        pull = (await gh.rest.pulls.async_get(owner, repo, pr_number)).parsed_data
        return Head(sha=pull.head.sha, source="pull_request", pr_number=pr_number)
    info = (await gh.rest.repos.async_get(owner, repo)).parsed_data
    ref = (await gh.rest.git.async_get_ref(owner, repo, f"heads/{info.default_branch}")).parsed_data
    return Head(sha=ref.object_.sha, source="default_branch", pr_number=None)


async def tag_commit(gh: GH, owner: str, repo: str, tag: str, sha: str) -> None:
    """A lightweight tag ``tag`` at ``sha``; an existing tag is moved there (a retried lock)."""
    try:
        await gh.rest.git.async_create_ref(owner, repo, ref=f"refs/tags/{tag}", sha=sha)
    except RequestFailed as exc:
        if _status(exc) != 422:
            raise
        await gh.rest.git.async_update_ref(owner, repo, f"tags/{tag}", sha=sha, force=True)


async def set_permission(
    gh: GH, owner: str, repo: str, login: str, permission: Literal["pull", "push"]
) -> None:
    await gh.rest.repos.async_add_collaborator(owner, repo, login, permission=permission)


async def read_permission(gh: GH, owner: str, repo: str, login: str) -> str:
    """GitHub's effective permission now: admin, write, read or none (org roles and teams count)."""
    response = await gh.rest.repos.async_get_collaborator_permission_level(owner, repo, login)
    return response.parsed_data.permission


async def post_note(gh: GH, owner: str, repo: str, pr_number: int | None, title: str, body: str) -> str:
    """Tell the candidate in the repository: a comment on their pull request, else an issue."""
    if pr_number is not None:
        comment = await gh.rest.issues.async_create_comment(owner, repo, pr_number, body=body)
        return comment.parsed_data.html_url
    issue = await gh.rest.issues.async_create(owner, repo, title=title, body=body)
    return issue.parsed_data.html_url


# Comments and issues read per page while looking for a note; a candidate's repository has few.
PAGE_SIZE = 100
MAX_PAGES = 10


async def find_note(gh: GH, owner: str, repo: str, pr_number: int | None, marker: str) -> str | None:
    """The URL of a note holding ``marker`` already in the repository: a comment on the pull
    request, or an issue (``post_note`` opens one when there was no pull request yet)."""
    if pr_number is not None:
        found = await _find_marked(
            lambda page: gh.rest.issues.async_list_comments(
                owner, repo, pr_number, per_page=PAGE_SIZE, page=page
            ),
            marker,
        )
        if found is not None:
            return found
    return await _find_marked(
        lambda page: gh.rest.issues.async_list_for_repo(
            owner, repo, state="all", per_page=PAGE_SIZE, page=page
        ),
        marker,
    )


async def _find_marked(list_page: Callable[[int], Awaitable[Response[Any]]], marker: str) -> str | None:
    """The ``html_url`` of the first listed item whose body holds ``marker``, page by page."""
    for page in range(1, MAX_PAGES + 1):
        items = (await list_page(page)).json()
        if not isinstance(items, list):
            raise ValueError("GitHub answered a list with something else")
        for item in items:
            if isinstance(item, dict) and marker in str(item.get("body") or ""):
                return str(item.get("html_url") or "")
        if len(items) < PAGE_SIZE:
            break
    return None


async def invite(gh: GH, owner: str, repo: str, login: str) -> int | None:
    """A fresh invitation (write access); its id, or None when the person already has access."""
    response = await gh.rest.repos.async_add_collaborator(owner, repo, login, permission="push")
    if response.status_code == 204:
        return None
    return response.parsed_data.id


async def withdraw_invitation(gh: GH, owner: str, repo: str, invitation_id: int) -> None:
    try:
        await gh.rest.repos.async_delete_invitation(owner, repo, invitation_id)
    except RequestFailed as exc:
        if _status(exc) != 404:
            raise


async def remove_collaborator(gh: GH, owner: str, repo: str, login: str) -> None:
    """Removes access and any pending invitation of ``login``."""
    try:
        await gh.rest.repos.async_remove_collaborator(owner, repo, login)
    except RequestFailed as exc:
        if _status(exc) != 404:
            raise


async def archive_repository(gh: GH, owner: str, repo: str) -> bool:
    """Archive (read-only for everyone); False when the repository is gone."""
    try:
        await gh.rest.repos.async_update(owner, repo, archived=True)
    except RequestFailed as exc:
        if _status(exc) == 404:
            return False
        raise
    return True


async def delete_repository(gh: GH, owner: str, repo: str) -> None:
    try:
        await gh.rest.repos.async_delete(owner, repo)
    except RequestFailed as exc:
        if _status(exc) != 404:
            raise
