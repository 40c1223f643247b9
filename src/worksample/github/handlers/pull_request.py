"""``pull_request``: the candidate's submission, and routing it to the reviewers."""

from __future__ import annotations

from worksample.github.handlers.context import NOT_OURS, HandlerContext
from worksample.github.payload import field, int_field
from worksample.github.routing import Router, WebhookEvent
from worksample.review.submission import is_candidates_pull, record_submission

router = Router()


@router.register("pull_request", "opened", "reopened", "ready_for_review", "synchronize", "closed")
async def pull_request_changed(event: WebhookEvent, context: HandlerContext) -> str:
    target = await context.assignment_repo(event)
    if target is None:
        return NOT_OURS
    pr = field(event.data, "pull_request")
    number = int_field(event.data, "pull_request", "number")
    if not isinstance(pr, dict) or number is None:
        raise ValueError(f"pull_request delivery {event.delivery_id} without pull_request")
    if not is_candidates_pull(target.assignment, pr):
        # Someone else's PR in the candidate's repository: on the timeline, nothing more.
        _, note = await record_submission(context.session, target.assignment, pr, action=event.action)
        return note
    _, notes = await context.record_and_route(target, number, action=event.action)
    return "; ".join(notes)
