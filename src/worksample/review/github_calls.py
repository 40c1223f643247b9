"""The GitHub REST calls review routing and scoring make, each one thin and typed at its edge.

Answers are read as plain JSON (``response.json()``): these steps need a handful of fields, and a
field GitHub adds or drops elsewhere in a large model must not fail a review.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from githubkit import GitHub
from githubkit.exception import RateLimitExceeded, RequestFailed

# GitHub's largest page; a PR with more comments than this still has ours on an early page,
# but the loop reads on until a short page so it finds the marker wherever it is.
PAGE_SIZE = 100
MAX_PAGES = 50


# Answers that mean "not on this pull request, not now nor on a retry": the repository archived
# (GitHub then refuses every write with 403) or the conversation locked (403), the pull request or
# repository gone (404, 410), or a request GitHub will not take for this PR (422).
_REFUSED = frozenset({403, 404, 410, 422})


class Refused(Exception):
    """GitHub refused a write on the pull request for good; the message is GitHub's reason.

    Callers record it and go on: the delivery that asked for the write still records what it
    came for (a submission, a review), which retrying the job for ever would lose.
    """


class ReviewerRefused(Refused):
    """GitHub would not request a review from this person (no access, or the PR's author)."""


class CommentRefused(Refused):
    """GitHub would not take our comment on the pull request."""


@dataclass(frozen=True)
class AppIdentity:
    """Our App, as GitHub shows it on what it wrote with an installation token.

    A marker in a comment's body proves nothing: the candidate can read our comments and paste
    one (the PR is theirs). Only the author does: GitHub names our App in
    ``performed_via_github_app``, and the author is its bot user ``<slug>[bot]``.
    """

    id: int
    # Known when configured (``WORKSAMPLE_GITHUB_APP_SLUG``); the App's id is enough on its own.
    slug: str | None = None

    def wrote(self, comment: Mapping[str, Any]) -> bool:
        via = comment.get("performed_via_github_app")
        if isinstance(via, dict) and via.get("id") == self.id:
            return True
        user = comment.get("user")
        return (
            self.slug is not None
            and isinstance(user, dict)
            and user.get("type") == "Bot"
            and user.get("login") == f"{self.slug}[bot]"
        )


def _refusal(exc: RequestFailed) -> bool:
    # A rate limit is also a 403 (the secondary one), but it passes: the job waits it out.
    return exc.response.status_code in _REFUSED and not isinstance(exc, RateLimitExceeded)


def _object(data: Any, what: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise ValueError(f"GitHub answered {what} with {type(data).__name__}, not an object")
    return data


async def get_pull(gh: GitHub[Any], owner: str, repo: str, number: int) -> dict[str, Any]:
    response = await gh.rest.pulls.async_get(owner, repo, number)
    return _object(response.json(), "a pull request")


async def list_pulls(gh: GitHub[Any], owner: str, repo: str) -> list[dict[str, Any]]:
    """Every pull request of the repository, open or closed (a candidate's repository has few)."""
    found: list[dict[str, Any]] = []
    for page in range(1, MAX_PAGES + 1):
        response = await gh.rest.pulls.async_list(owner, repo, state="all", per_page=PAGE_SIZE, page=page)
        pulls: Any = response.json()
        if not isinstance(pulls, list):
            raise ValueError("GitHub answered a pull request list with something else")
        found += [pull for pull in pulls if isinstance(pull, dict)]
        if len(pulls) < PAGE_SIZE:
            break
    return found


async def get_review(
    gh: GitHub[Any], owner: str, repo: str, number: int, review_id: int
) -> dict[str, Any] | None:
    """The review as GitHub holds it now; None when GitHub no longer shows it (404)."""
    try:
        response = await gh.rest.pulls.async_get_review(owner, repo, number, review_id)
    except RequestFailed as exc:
        if exc.response.status_code == 404:
            return None
        raise
    return _object(response.json(), "a review")


async def reviewer_ids(gh: GitHub[Any], owner: str, repo: str, number: int) -> set[int]:
    """Ids of everyone who has already submitted a review on the PR."""
    found: set[int] = set()
    for page in range(1, MAX_PAGES + 1):
        response = await gh.rest.pulls.async_list_reviews(owner, repo, number, per_page=PAGE_SIZE, page=page)
        reviews: Any = response.json()
        if not isinstance(reviews, list):
            raise ValueError("GitHub answered a review list with something else")
        for review in reviews:
            user = review.get("user") if isinstance(review, dict) else None
            if isinstance(user, dict) and isinstance(user.get("id"), int):
                found.add(user["id"])
        if len(reviews) < PAGE_SIZE:
            break
    return found


async def request_reviewer(gh: GitHub[Any], owner: str, repo: str, number: int, login: str) -> None:
    """One reviewer per call: GitHub refuses the whole list when one of them cannot review."""
    try:
        await gh.rest.pulls.async_request_reviewers(owner, repo, number, reviewers=[login])
    except RequestFailed as exc:
        if _refusal(exc):
            raise ReviewerRefused(_message(exc)) from exc
        raise


async def find_comment(
    gh: GitHub[Any], owner: str, repo: str, number: int, marker: str, *, author: AppIdentity
) -> int | None:
    """The id of the first comment on the PR by ``author`` containing ``marker``."""
    for page in range(1, MAX_PAGES + 1):
        response = await gh.rest.issues.async_list_comments(
            owner, repo, number, per_page=PAGE_SIZE, page=page
        )
        comments: Any = response.json()
        if not isinstance(comments, list):
            raise ValueError("GitHub answered a comment list with something else")
        for comment in comments:
            if (
                isinstance(comment, dict)
                and author.wrote(comment)
                and marker in str(comment.get("body") or "")
            ):
                return int(comment["id"])
        if len(comments) < PAGE_SIZE:
            return None
    return None


async def create_comment(gh: GitHub[Any], owner: str, repo: str, number: int, body: str) -> int:
    """The new comment's id; raises ``CommentRefused`` when GitHub will not take it."""
    try:
        response = await gh.rest.issues.async_create_comment(owner, repo, number, body=body)
    except RequestFailed as exc:
        if _refusal(exc):
            raise CommentRefused(_message(exc)) from exc
        raise
    return int(_object(response.json(), "a comment")["id"])


async def user_id(gh: GitHub[Any], login: str) -> int | None:
    try:
        response = await gh.rest.users.async_get_by_username(login)
    except RequestFailed as exc:
        if exc.response.status_code == 404:
            return None
        raise
    value = _object(response.json(), "a user").get("id")
    return value if isinstance(value, int) else None


def _message(exc: RequestFailed) -> str:
    try:
        body = exc.response.json()
    except ValueError:
        return f"HTTP {exc.response.status_code}"
    message = body.get("message") if isinstance(body, dict) else None
    return str(message or f"HTTP {exc.response.status_code}")[:300]
