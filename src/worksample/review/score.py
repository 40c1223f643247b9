"""Re-scoring an assignment from every review on record, after every review event.

``scoring.score_assignment`` depends only on the set of records, so calling it after each event —
duplicated, reordered, an edit before its submit — lands on the same result as the in-order stream.
This module applies that result: the assignment's score, its status (submitted → in_review at the
first counted reviewer's review, → scored when the organisation's policy says the score is
complete, and back to in_review when it no longer is), the stored breakdown, and the domain events
for the ATS.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.model import Rubric
from worksample.assignments.state import AssignmentStatus
from worksample.db.models import Assignment, Organization, ReviewRow, Submission
from worksample.db.session import session_now
from worksample.db.timeline import change_status, record_event
from worksample.greenhouse.completion import make_due
from worksample.outbox.store import emit
from worksample.review.assignments import advance
from worksample.review.policy import OrganizationPolicy, organization_policy
from worksample.scoring import (
    AssignmentScore,
    Reviewer,
    ReviewerResult,
    ReviewerRole,
    ReviewRecord,
    parse_review_state,
    parse_scorecard,
    recommendation_from_state,
    score_assignment,
)

SCORED_EVENT = "assignment.scored"
SCORE_WITHDRAWN_EVENT = "assignment.score_withdrawn"
REVIEW_SUBMITTED_EVENT = "assignment.review_submitted"


def reviewers_of(assignment: Assignment) -> list[Reviewer]:
    """The scoring view of the assignment's reviewers whose GitHub id is known."""
    return [
        Reviewer(
            id=r.github_id,
            login=r.login,
            role=ReviewerRole(r.role),
            # The stored weight is explicit: the API filled it in from the policy's role weight.
            weight=Decimal(repr(float(r.weight))),
        )
        for r in assignment.reviewers
        if r.github_id is not None
    ]


def record_of(row: ReviewRow, rubric: Rubric) -> ReviewRecord:
    return ReviewRecord(
        reviewer_id=row.reviewer_github_id,
        review_id=row.review_id,
        state=parse_review_state(row.state),
        scorecard=parse_scorecard(row.body, rubric),
        submitted_at=row.submitted_at,
        reviewer_login=row.reviewer_login,
        html_url=row.html_url,
        revision=row.revision,
    )


def is_complete(result: AssignmentScore, policy: OrganizationPolicy) -> bool:
    """Whether the policy says the assignment is scored (see ``require_all_reviewers``)."""
    weighted = [r for r in result.reviewers if r.weight > 0]
    if not weighted or result.score is None:
        return False
    if policy.require_all_reviewers:
        return all(r.status == "scored" for r in weighted)
    leads = [r for r in weighted if r.role is ReviewerRole.LEAD]
    return any(r.status == "scored" for r in (leads or weighted))


async def rescore(
    session: AsyncSession, assignment: Assignment, submission: Submission, rubric: Rubric
) -> AssignmentScore:
    organization = await session.get(Organization, assignment.organization_id)
    assert organization is not None  # a foreign key guarantees it
    policy = organization_policy(organization.scoring_policy)
    rows = (
        await session.execute(
            select(ReviewRow).where(ReviewRow.assignment_id == assignment.id, ReviewRow.ignored.is_(None))
        )
    ).scalars()
    result = score_assignment(
        rubric, reviewers_of(assignment), [record_of(row, rubric) for row in rows], policy.scoring()
    )
    if any(r.review_state is not None for r in result.reviewers):
        await advance(session, assignment, AssignmentStatus.IN_REVIEW)
    now = session_now(session)
    score = None if result.score is None else float(result.score)
    if score != assignment.score:
        assignment.score = score
        assignment.scored_at = now if score is not None else None
    submission.scoring = result.to_record()
    await session.flush()
    if is_complete(result, policy):
        entered = await advance(session, assignment, AssignmentStatus.SCORED, detail={"score": score})
        if entered:
            # A test sent from Greenhouse: its completion PATCH is due with this commit, and the
            # worker sends it as soon as this job ends (worksample.greenhouse.completion).
            await make_due(session, assignment.id)
    elif assignment.status == AssignmentStatus.SCORED.value:
        await _reopen(session, assignment, score)
    await _announce(session, assignment, submission, result)
    return result


async def _reopen(session: AsyncSession, assignment: Assignment, score: float | None) -> None:
    """Scored → in_review: the scorecard that completed the score no longer counts (dismissed, or
    edited into an incomplete one), so the reviewers are not done after all.

    Staying ``scored`` would tell the ATS (and Greenhouse's ``test_status``) a final result that
    is gone, and keep the lifecycle's archive timer running (it runs only while scored), which
    would lock the repository against the review that scores it again. The ATS hears of it from
    ``_announce``: ``assignment.scored`` with status in_review when a score is left, else
    ``assignment.score_withdrawn``.
    """
    await change_status(
        session,
        assignment,
        AssignmentStatus.IN_REVIEW,
        detail={"score": score, "why": "a scorecard that counted was dismissed or made incomplete"},
    )


async def _announce(
    session: AsyncSession, assignment: Assignment, submission: Submission, result: AssignmentScore
) -> None:
    """``assignment.scored`` whenever the scoring data changed (never for a duplicate event)."""
    data = result.to_dict() if result.is_scored else None
    if data == submission.scored_event:
        return
    previous, submission.scored_event = submission.scored_event, data
    await session.flush()
    if data is None:
        # Every counted scorecard was dismissed (or made incomplete): the ATS holds a score that
        # no longer stands. The next score is announced when it comes.
        withdrawn = await record_event(session, assignment, "score.withdrawn")
        if previous is not None:
            await emit(
                session,
                assignment,
                SCORE_WITHDRAWN_EVENT,
                {
                    "previous_score": previous["score"],
                    "withdrawn_at": withdrawn.at,
                    "pull_request_url": submission.pr_url,
                },
            )
        return
    await record_event(
        session,
        assignment,
        "score.changed",
        detail={"score": data["score"], "recommendation": data["recommendation"]},
    )
    await emit(
        session,
        assignment,
        SCORED_EVENT,
        {
            **data,
            "pull_request_url": submission.pr_url,
            "scored_at": assignment.scored_at or session_now(session),
        },
    )


async def announce_review(
    session: AsyncSession, assignment: Assignment, row: ReviewRow, result: AssignmentScore
) -> None:
    """``assignment.review_submitted`` for a new revision of a counted reviewer's review."""
    reviewer = next((r for r in result.reviewers if r.reviewer_id == row.reviewer_github_id), None)
    if reviewer is None or row.state == "dismissed" or row.html_url is None:
        # A dismissal shows in the next assignment.scored; the event has no state for it.
        return
    await emit(
        session,
        assignment,
        REVIEW_SUBMITTED_EVENT,
        {
            "reviewer": _reviewer_data(reviewer, row),
            "complete": row.scorecard_status == "complete",
        },
    )


def _reviewer_data(reviewer: ReviewerResult, row: ReviewRow) -> dict[str, Any]:
    counted_here = reviewer.review_id == row.review_id and reviewer.status == "scored"
    return {
        "login": reviewer.login,
        "role": reviewer.role.value,
        "weight": float(reviewer.weight),
        "score": float(reviewer.score) if counted_here and reviewer.score is not None else None,
        "recommendation": recommendation_from_state(row.state).value,
        "review_state": row.state,
        "review_url": row.html_url,
    }
