"""Routing the submission to its reviewers: review requests, then the one scorecard comment.

Each step leaves a marker on the submission when done, so a re-run (a duplicate webhook, a job
retried after a crash) skips it; the scorecard comment is also looked for on the PR before posting,
because the crash may have come between posting it and recording its id. Only our App's own
comment counts: the candidate can paste the marker into a comment of theirs. The reviewer guide is
never put on the PR (the candidate reads every comment there): the comment links to the service.
"""

from __future__ import annotations

from typing import Any

from githubkit import GitHub
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.catalog import Catalog
from worksample.assignments.state import ReviewerRole
from worksample.db.models import Assignment, AssignmentReviewer, Submission
from worksample.db.session import session_now
from worksample.db.timeline import record_event
from worksample.review import github_calls as calls
from worksample.scoring import SCORECARD_MARKER, render_scorecard_comment


def reviewer_guide_url(public_url: str, assignment_id: str) -> str:
    return f"{public_url.rstrip('/')}/review/{assignment_id}"


def lead_first(reviewers: list[AssignmentReviewer]) -> list[AssignmentReviewer]:
    return sorted(reviewers, key=lambda r: (r.role != ReviewerRole.LEAD.value, r.position))


async def resolve_reviewer_ids(gh: GitHub[Any], assignment: Assignment) -> None:
    """Key reviewers by GitHub's numeric id (reviews are matched by id; logins can be renamed)."""
    for reviewer in assignment.reviewers:
        if reviewer.github_id is None:
            reviewer.github_id = await calls.user_id(gh, reviewer.login)


async def route_review(
    session: AsyncSession,
    gh: GitHub[Any],
    assignment: Assignment,
    submission: Submission,
    *,
    owner: str,
    repo: str,
    catalog: Catalog,
    public_url: str,
    app: calls.AppIdentity,
) -> list[str]:
    notes: list[str] = []
    if submission.reviewers_requested_at is None:
        await resolve_reviewer_ids(gh, assignment)
        # Deliveries can be late: whoever already reviewed is not asked again (GitHub would put
        # them back on the PR's list of pending reviewers).
        reviewed = await calls.reviewer_ids(gh, owner, repo, submission.pr_number)
        for reviewer in lead_first(list(assignment.reviewers)):
            if reviewer.role == ReviewerRole.OBSERVER.value:
                continue  # observers watch; nobody waits for their review
            if reviewer.github_id in reviewed:
                continue
            try:
                await calls.request_reviewer(gh, owner, repo, submission.pr_number, reviewer.login)
            except calls.ReviewerRefused as exc:
                # Recorded, not fatal: the others are still asked and the recruiter sees why.
                await record_event(
                    session,
                    assignment,
                    "review.request_refused",
                    detail={"login": reviewer.login, "reason": str(exc)},
                )
                notes.append(f"review request refused for {reviewer.login}")
                continue
            await record_event(session, assignment, "review.requested", detail={"login": reviewer.login})
            notes.append(f"review requested from {reviewer.login}")
        submission.reviewers_requested_at = session_now(session)
        await session.flush()
    if submission.scorecard_comment_id is None:
        comment_id = await calls.find_comment(
            gh, owner, repo, submission.pr_number, SCORECARD_MARKER, author=app
        )
        if comment_id is None:
            rubric = catalog.get(assignment.artifact_id).manifest.rubric
            body = render_scorecard_comment(
                rubric, reviewer_guide_url=reviewer_guide_url(public_url, assignment.id)
            )
            try:
                comment_id = await calls.create_comment(gh, owner, repo, submission.pr_number, body)
            except calls.CommentRefused as exc:
                # Not fatal to the submission this event records; left unset, so the next event
                # about the pull request tries again.
                await record_event(
                    session, assignment, "review.scorecard_refused", detail={"reason": str(exc)}
                )
                notes.append("scorecard refused by GitHub")
                return notes
            await record_event(
                session, assignment, "review.scorecard_posted", detail={"comment_id": comment_id}
            )
            notes.append("scorecard posted")
        submission.scorecard_comment_id = comment_id
        await session.flush()
    return notes
