"""``pull_request_review`` submitted / edited / dismissed: record the review and re-score.

A review can arrive before the ``pull_request`` webhook of its PR (or that one may be lost): the
submission is then recorded from the PR as the REST API shows it, and routed, before the review.
"""

from __future__ import annotations

from worksample.db.models import Submission
from worksample.github.handlers.context import NOT_OURS, HandlerContext
from worksample.github.payload import field, int_field
from worksample.github.routing import Router, WebhookEvent
from worksample.review.reviews import record_review
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
    )
    if recorded is None:
        return "; ".join([*notes, "ignored: review not submitted"])
    notes.append(recorded.note)
    if submission is not None and recorded.row.ignored is None:
        result = await rescore(session, assignment, submission, rubric)
        if recorded.changed:
            await announce_review(session, assignment, recorded.row, result)
        notes.append(f"score {result.score}")
    return "; ".join(notes)
