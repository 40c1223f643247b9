"""Recording a GitHub review: re-read it, decide whether it counts, and tell the reviewer what to fix.

Every ``pull_request_review`` event (submitted, edited, dismissed; duplicated, reordered) leads here,
and the review is read again from the REST API: edit webhooks carry no timestamp to order them by,
and the API answers with the review as it is now, so the stored row converges on GitHub's state
whatever order the events came in. One row per review id; ``revision`` counts the changes seen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from githubkit import GitHub
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.model import Rubric
from worksample.db.models import Assignment, ReviewRow, Submission
from worksample.db.session import session_now
from worksample.db.timeline import record_event
from worksample.github.payload import int_field, str_field
from worksample.review import github_calls as calls
from worksample.review.routing import resolve_reviewer_ids
from worksample.review.timestamps import parse_github_time
from worksample.scoring import ScorecardStatus, parse_scorecard, render_scorecard_feedback

IGNORED_CANDIDATE = "the candidate's own review"
IGNORED_STRANGER = "not one of the assignment's reviewers"
IGNORED_OTHER_PR = "not on the submitted pull request"


@dataclass(frozen=True)
class Reply:
    """What one revision of a review is told when its scorecard needs fixing."""

    revision: int
    body: str  # ends with ``marker``
    marker: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class RecordedReview:
    row: ReviewRow
    changed: bool  # a new review, or a new revision of its body or state
    note: str
    # With ``defer_reply``: the reply the caller is to post and record (``post_reply``, ``record_reply``).
    reply: Reply | None = None


def _ignored_reason(assignment: Assignment, submission: Submission | None, row: ReviewRow) -> str | None:
    if submission is None or row.pr_number != submission.pr_number:
        return IGNORED_OTHER_PR
    if row.reviewer_github_id == assignment.candidate.github_id:
        return IGNORED_CANDIDATE
    if row.reviewer_github_id not in {r.github_id for r in assignment.reviewers if r.github_id is not None}:
        return IGNORED_STRANGER
    return None


async def record_review(
    session: AsyncSession,
    gh: GitHub[Any],
    assignment: Assignment,
    submission: Submission | None,
    review: dict[str, Any],
    *,
    owner: str,
    repo: str,
    pr_number: int,
    rubric: Rubric,
    app: calls.AppIdentity,
    retrying: bool = False,
    defer_reply: bool = False,
) -> RecordedReview | None:
    """Record the review; reply once per revision when its scorecard needs fixing. ``retrying``:
    an earlier try of this job may have posted the reply and then not committed. ``defer_reply``:
    the reply is returned, neither posted nor recorded, for the caller to post after its commit."""
    review_id = int(review["id"])
    current = await calls.get_review(gh, owner, repo, pr_number, review_id)
    # Should GitHub no longer show it, the payload is the best knowledge there is.
    source = current if current is not None else review
    state = str(source.get("state") or "").lower()
    if state == "pending":
        return None  # not submitted: only its author can see it, and it carries no verdict yet
    reviewer_id = int_field(source, "user", "id")
    if reviewer_id is None:
        return None  # a deleted ("ghost") account: nobody to attribute a score to
    row = (
        await session.execute(
            select(ReviewRow).where(
                ReviewRow.assignment_id == assignment.id, ReviewRow.review_id == review_id
            )
        )
    ).scalar_one_or_none()
    body = str(source.get("body") or "")
    changed = row is None or row.body != body or row.state != state
    if row is None:
        row = ReviewRow(assignment_id=assignment.id, review_id=review_id, revision=1)
        session.add(row)
    elif changed:
        row.revision += 1
    row.pr_number = pr_number
    row.reviewer_github_id = reviewer_id
    row.reviewer_login = str_field(source, "user", "login") or ""
    row.state = state
    row.body = body
    row.html_url = str_field(source, "html_url")
    row.submitted_at = (
        parse_github_time(source.get("submitted_at")) or row.submitted_at or session_now(session)
    )
    if any(r.github_id is None for r in assignment.reviewers):
        await resolve_reviewer_ids(gh, assignment)
    row.ignored = _ignored_reason(assignment, submission, row)
    result = parse_scorecard(body, rubric)
    row.scorecard_status = None if row.ignored else result.status.value
    await session.flush()

    detail = {"review_id": review_id, "login": row.reviewer_login, "state": state, "revision": row.revision}
    if row.ignored is not None:
        if changed:
            await record_event(
                session, assignment, "review.ignored", detail={**detail, "reason": row.ignored}
            )
        return RecordedReview(row, changed, f"review {review_id} ignored: {row.ignored}")
    if changed:
        await record_event(
            session, assignment, "review.recorded", detail={**detail, "scorecard": result.status.value}
        )
    note = f"review {review_id} by {row.reviewer_login}: {state}, scorecard {result.status.value}"
    incomplete = state != "dismissed" and result.status is not ScorecardStatus.COMPLETE
    if incomplete and await _needs_feedback(session, row, result.status):
        marker = feedback_marker(review_id, row.revision)
        text = render_scorecard_feedback(result, rubric, reviewer_login=row.reviewer_login)
        reply = Reply(row.revision, f"{text}\n\n{marker}", marker, detail)
        if defer_reply:
            return RecordedReview(row, changed, note, reply)
        # Once per revision, whether GitHub takes the reply or not.
        row.feedback_revision = row.revision
        await session.flush()
        # The usual reply is one call; only a retried job looks for the reply it may have posted
        # before its transaction was lost (a crash, a failed commit, a 502 after the write).
        posted = await post_reply(
            gh, reply, owner=owner, repo=repo, pr_number=pr_number, app=app, look_first=retrying
        )
        note += await record_reply(session, assignment, reply, posted)
    return RecordedReview(row, changed, note)


async def post_reply(
    gh: GitHub[Any],
    reply: Reply,
    *,
    owner: str,
    repo: str,
    pr_number: int,
    app: calls.AppIdentity,
    look_first: bool,
) -> int | str:
    """The reply's comment id (``look_first``: an earlier one carrying its marker, if any), or
    GitHub's reason for refusing it (an archived repository, say: a delivery processed late)."""
    found = (
        await calls.find_comment(gh, owner, repo, pr_number, reply.marker, author=app) if look_first else None
    )
    if found is not None:
        return found
    try:
        return await calls.create_comment(gh, owner, repo, pr_number, reply.body)
    except calls.CommentRefused as exc:
        return str(exc)


async def record_reply(session: AsyncSession, assignment: Assignment, reply: Reply, posted: int | str) -> str:
    """Put the reply on the timeline; a refusal too, so the recruiter sees what the reviewer was not told."""
    if isinstance(posted, str):
        await record_event(
            session, assignment, "review.feedback_refused", detail={**reply.detail, "reason": posted}
        )
        return "; feedback refused by GitHub"
    await record_event(
        session, assignment, "review.feedback_posted", detail={**reply.detail, "comment_id": posted}
    )
    return "; feedback posted"


def feedback_marker(review_id: int, revision: int) -> str:
    """Hidden in the reply to one revision of one review, so a retry can tell it already replied."""
    return f"<!-- worksample:feedback review={review_id} rev={revision} -->"


async def _needs_feedback(session: AsyncSession, row: ReviewRow, status: ScorecardStatus) -> bool:
    """Once per revision; and a review with no scorecard at all (a later "LGTM") gets no reply when
    the same reviewer already has a complete scorecard on record, nor when it gives no verdict."""
    if row.feedback_revision == row.revision:
        return False
    if status is ScorecardStatus.INCOMPLETE:
        return True
    if row.state == "commented":
        # A comment-only review without a scorecard is conversation, not a scorecard attempt, and
        # GitHub makes one for every single line comment: a reply to each would flood the PR.
        return False
    complete = await session.execute(
        select(ReviewRow.id).where(
            ReviewRow.assignment_id == row.assignment_id,
            ReviewRow.reviewer_github_id == row.reviewer_github_id,
            ReviewRow.scorecard_status == ScorecardStatus.COMPLETE.value,
            ReviewRow.state != "dismissed",
            ReviewRow.ignored.is_(None),
        )
    )
    return complete.first() is None
