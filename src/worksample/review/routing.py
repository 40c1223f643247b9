"""Routing the submission to its reviewers: review requests, then the one scorecard comment.

Each step leaves a marker on the submission when done, so a re-run (a duplicate webhook, a job
retried after a crash) skips it; the scorecard comment is also looked for on the PR before posting,
because the crash may have come between posting it and recording its id. Only our App's own
comment counts: the candidate can paste the marker into a comment of theirs. The reviewer guide is
never put on the PR (the candidate reads every comment there): the comment links to the service.

Routing is two steps, GitHub then the database (``route_on_github``, ``record_routing``), so that
on SQLite the GitHub writes can be made outside the database-wide write lock (handlers/context.py).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import Any

from githubkit import GitHub
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.catalog import Catalog
from worksample.assignments.state import ReviewerRole
from worksample.db.models import Assignment, AssignmentReviewer, Submission
from worksample.db.session import session_now
from worksample.db.timeline import record_event
from worksample.github.transport import inline_writes
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


@dataclass
class Routing:
    """What routing did on GitHub, to be written to the database by ``record_routing``."""

    # Numeric ids found for reviewers who had none, by login.
    reviewer_ids: dict[str, int | None] = field(default_factory=dict)
    # None when review requests were already done; else each reviewer asked, in order, with
    # GitHub's reason when it refused.
    requested: list[tuple[str, str | None]] | None = None
    scorecard_id: int | None = None
    scorecard_posted: bool = False
    scorecard_refused: str | None = None


def needs_routing(submission: Submission) -> bool:
    return submission.reviewers_requested_at is None or submission.scorecard_comment_id is None


async def route_on_github(
    gh: GitHub[Any],
    assignment: Assignment,
    submission: Submission,
    *,
    owner: str,
    repo: str,
    catalog: Catalog,
    public_url: str,
    app: calls.AppIdentity,
) -> Routing:
    """The GitHub side of routing, with no database write: on SQLite the caller runs it outside
    the write transaction (the review requests and the comment are paced writes, seconds each).

    Only the first write may be deferred by our pacing (``PacingDeferred``: the job comes back
    for its slot, having made nothing). Once one is made, the rest wait in line: a retry would
    redo that write first, spend the slot it waited for, and be deferred again, for ever.
    """
    with ExitStack() as in_line:
        done = Routing()
        if submission.reviewers_requested_at is None:
            for reviewer in assignment.reviewers:
                if reviewer.github_id is None:
                    done.reviewer_ids[reviewer.login] = await calls.user_id(gh, reviewer.login)
            # Deliveries can be late: whoever already reviewed is not asked again (GitHub would put
            # them back on the PR's list of pending reviewers).
            reviewed = await calls.reviewer_ids(gh, owner, repo, submission.pr_number)
            done.requested = []
            for reviewer in lead_first(list(assignment.reviewers)):
                if reviewer.role == ReviewerRole.OBSERVER.value:
                    continue  # observers watch; nobody waits for their review
                if (reviewer.github_id or done.reviewer_ids.get(reviewer.login)) in reviewed:
                    continue
                try:
                    await calls.request_reviewer(gh, owner, repo, submission.pr_number, reviewer.login)
                except calls.ReviewerRefused as exc:
                    # Recorded, not fatal: the others are still asked and the recruiter sees why.
                    done.requested.append((reviewer.login, str(exc)))
                    continue
                done.requested.append((reviewer.login, None))
                in_line.enter_context(inline_writes())  # a write is made: the rest wait in line
        if submission.scorecard_comment_id is None:
            done.scorecard_id = await calls.find_comment(
                gh, owner, repo, submission.pr_number, SCORECARD_MARKER, author=app
            )
            if done.scorecard_id is None:
                rubric = catalog.get(assignment.artifact_id).manifest.rubric
                body = render_scorecard_comment(
                    rubric, reviewer_guide_url=reviewer_guide_url(public_url, assignment.id)
                )
                try:
                    done.scorecard_id = await calls.create_comment(
                        gh, owner, repo, submission.pr_number, body
                    )
                    done.scorecard_posted = True
                except calls.CommentRefused as exc:
                    # Not fatal to the submission this event records; left unset, so the next event
                    # about the pull request tries again.
                    done.scorecard_refused = str(exc)
        return done


async def record_routing(
    session: AsyncSession, assignment: Assignment, submission: Submission, done: Routing
) -> list[str]:
    """Write what ``route_on_github`` did. ``assignment`` and ``submission`` are as read under the
    lock: when another job recorded a step meanwhile, its record stands and ours is not repeated."""
    notes: list[str] = []
    for reviewer in assignment.reviewers:
        if reviewer.github_id is None and done.reviewer_ids.get(reviewer.login) is not None:
            reviewer.github_id = done.reviewer_ids[reviewer.login]
    if done.requested is not None and submission.reviewers_requested_at is None:
        for login, refusal in done.requested:
            if refusal is not None:
                await record_event(
                    session, assignment, "review.request_refused", detail={"login": login, "reason": refusal}
                )
                notes.append(f"review request refused for {login}")
                continue
            await record_event(session, assignment, "review.requested", detail={"login": login})
            notes.append(f"review requested from {login}")
        submission.reviewers_requested_at = session_now(session)
        await session.flush()
    if submission.scorecard_comment_id is None:
        if done.scorecard_refused is not None:
            await record_event(
                session, assignment, "review.scorecard_refused", detail={"reason": done.scorecard_refused}
            )
            notes.append("scorecard refused by GitHub")
        elif done.scorecard_id is not None:
            if done.scorecard_posted:
                await record_event(
                    session, assignment, "review.scorecard_posted", detail={"comment_id": done.scorecard_id}
                )
                notes.append("scorecard posted")
            submission.scorecard_comment_id = done.scorecard_id
            await session.flush()
    return notes
