"""``pull_request_review`` submitted / edited / dismissed: record the review and re-score.

A review can arrive before the ``pull_request`` webhook of its PR (or that one may be lost): the
submission is then recorded from the PR as the REST API shows it, and routed, before the review.
"""

from __future__ import annotations

from worksample.db.models import ReviewRow, Submission
from worksample.db.timeline import StaleAssignment
from worksample.github.handlers.context import NOT_OURS, AssignmentRepo, HandlerContext
from worksample.github.payload import field, int_field
from worksample.github.routing import Router, WebhookEvent
from worksample.review.assignments import lock_assignment_for_repo
from worksample.review.reviews import RecordedReview, post_reply, record_reply, record_review
from worksample.review.score import announce_review, rescore

router = Router()


@router.register("pull_request_review", "submitted", "edited", "dismissed")
async def review_changed(event: WebhookEvent, context: HandlerContext) -> str:
    target = await context.assignment_repo(event)
    if target is None:
        return NOT_OURS
    review = field(event.data, "review")
    number = int_field(event.data, "pull_request", "number")
    if not isinstance(review, dict) or number is None:
        raise ValueError(f"pull_request_review delivery {event.delivery_id} without review or pull_request")
    session, assignment = context.session, target.assignment
    notes: list[str] = []
    submission = await session.get(Submission, assignment.id)
    if submission is None:
        submission, notes = await context.record_and_route(target, number, action=None)
    rubric = context.catalog.get(assignment.artifact_id).manifest.rubric
    recorded = await record_review(
        session,
        target.gh,
        assignment,
        submission,
        review,
        owner=target.owner,
        repo=target.name,
        pr_number=number,
        rubric=rubric,
        app=context.app,
        retrying=context.retrying,
        defer_reply=context.session.get_bind().dialect.name == "sqlite",
    )
    if recorded is None:
        return "; ".join([*notes, "ignored: review not submitted"])
    notes.append(recorded.note)
    if submission is not None and recorded.row.ignored is None:
        result = await rescore(session, assignment, submission, rubric)
        if recorded.changed:
            await announce_review(session, assignment, recorded.row, result)
        notes.append(f"score {result.score}")
    if recorded.reply is not None:
        notes.append((await _reply_unlocked(context, target, number, recorded)).removeprefix("; "))
    return "; ".join(notes)


async def _reply_unlocked(
    context: HandlerContext, target: AssignmentRepo, number: int, recorded: RecordedReview
) -> str:
    """SQLite: post the reply with no database lock held (its write lock is the whole database's,
    and a comment is a paced write), then record it under a fresh lock.

    With no lock, another job about the same revision may be replying too, and a crash may come
    after the commit: the reply's marker is always looked for first, and the revision is recorded
    as answered only once the reply is on GitHub, so a retry replies when nobody has.
    """
    assert recorded.reply is not None
    session = context.session
    await session.commit()
    posted = await post_reply(
        target.gh,
        recorded.reply,
        owner=target.owner,
        repo=target.name,
        pr_number=number,
        app=context.app,
        look_first=True,
    )
    assignment = await lock_assignment_for_repo(session, target.assignment.repo_id)
    row = await session.get(ReviewRow, recorded.row.id, populate_existing=True)
    if assignment is None or row is None:
        raise StaleAssignment(f"review {recorded.row.review_id} is no longer on record")
    if row.feedback_revision is not None and row.feedback_revision >= recorded.reply.revision:
        return "; feedback recorded by another job"
    row.feedback_revision = recorded.reply.revision
    return await record_reply(session, assignment, recorded.reply, posted)
